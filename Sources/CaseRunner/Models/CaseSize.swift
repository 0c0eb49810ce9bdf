import Foundation
import Physics

// How big a case is, from its configuration alone — before anything large is built.
//
// Lattice: N = Π cells × basis atoms, n = d·N unknowns, k ≈ ρ·V_d(r_c + skin) neighbours per atom
// (ρ the crystal's atom density, V_d the d-ball's volume). The Cholesky factor of a 2D mesh-like
// matrix under nested dissection has O(n log n) entries (George, "Nested dissection of a regular
// finite element mesh", SIAM J. Numer. Anal. 10, 1973), O(n^{4/3}) in 3D. The constant is measured:
// CHOLMOD holds 1.09 GB for the 10⁶-unknown factor of docs/performance.md (≈ 55 bytes per n·log₂n
// for 6 neighbours), scaled by k/6 for denser couplings. The process needs about twice the factor
// (docs/performance.md: 1.2–1.7×) plus the pair list. The estimate is meant to be right within a
// factor of about two: enough to refuse a case that cannot fit, not to plan to the megabyte.
//
// Poroelastic rectangles: Taylor–Hood P2–P1 on 2·columns·rows triangles; P2 couples about three
// times as many unknowns per row as a nearest-neighbour lattice. Gmsh meshes are estimated once read
// (the reader bounds them by their file, see `GmshReader`), before the model is built; crystals are a
// few atoms. Each built-in kind applies its formula (`LatticeConfiguration.estimatedSize`,
// `PoroelasticConfiguration.estimatedSize`); a kind registered by a user is not estimated.

/// The size of a case estimated from its configuration: atoms or elements, unknowns, factor memory.
///
/// Guarantees: computed in O(1) from the configuration (nothing is built), never traps on huge or
/// overflowing counts (Double arithmetic), and `bytes` is the estimated peak memory of one solve.
struct CaseSize: Equatable {
    /// "atoms" or "triangles".
    var itemName: String
    var items: Double
    var unknowns: Double
    var factorBytes: Double
    /// Estimated peak memory of the process for one solve.
    var bytes: Double

    /// Set by `--force`: try a case even when its estimate exceeds the machine's memory.
    @TaskLocal static var force = false

    /// The kind's estimate (built-in kinds give one; a registered user kind is not estimated).
    static func estimate(_ configuration: CaseConfiguration) -> CaseSize? {
        (configuration.model as? any BuiltInModel)?.estimatedSize()
    }

    /// A Gmsh mesh's size, once read.
    static func estimate(mesh: TriangleMesh, steps: Int) -> CaseSize {
        taylorHood(triangles: Double(mesh.triangleCount), nodes: Double(mesh.nodeCount), vertices: Double(mesh.vertexCount), steps: steps)
    }

    /// Taylor–Hood P2–P1: two displacement unknowns per node, a pressure per vertex.
    static func taylorHood(triangles: Double, nodes: Double, vertices: Double, steps: Int) -> CaseSize {
        let n = 2 * nodes + vertices
        let factor = factorBytes(unknowns: n, dimension: 2, coupling: 3)
        return CaseSize(itemName: "triangles", items: triangles, unknowns: n, factorBytes: factor,
                        bytes: 2 * factor + triangles * 2_000 + n * 8 * Double(max(steps, 1)) * 2)
    }

    /// Bytes of a sparse Cholesky factor of n unknowns with nested-dissection fill (see the note above).
    static func factorBytes(unknowns n: Double, dimension: Int, coupling: Double) -> Double {
        guard n > 1 else { return 0 }
        return dimension == 2 ? 55 * coupling * n * log2(n) : 55 * coupling * pow(n, 4.0 / 3)
    }

    /// The memory the system can give this process now: MemAvailable from /proc/meminfo (physical
    /// memory when that is unreadable), or nil when neither is known.
    static func availableMemory() -> Double? {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kB = Double(line.split(separator: " ").dropFirst().first ?? "") {
            return kB * 1024
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? Double(pages) * Double(size) : nil
    }

    var summary: String {
        "size: \(count(items)) \(itemName), \(count(unknowns)) unknowns, factor ≈ \(CaseSize.memory(factorBytes)), "
            + "about \(CaseSize.memory(bytes)) in all per solve (estimated from the configuration)"
    }

    /// Estimates from this size on are shown (small cases keep their output as it was).
    static let reportedBytes = 64.0 * 1_048_576

    /// Checks the estimate against the machine before the models are built: a note with the sizes
    /// when the case is large enough to matter (`reportedBytes`), and an error when it cannot fit
    /// (unless `--force`).
    static func admit(_ configuration: CaseConfiguration, diagnostics d: DiagnosticList) -> Bool {
        guard let size = estimate(configuration) else { return true }
        return admit(size, diagnostics: d)
    }

    /// The same check for a size known otherwise (a Gmsh mesh once read).
    static func admit(_ size: CaseSize, diagnostics d: DiagnosticList) -> Bool {
        if size.bytes >= reportedBytes { d.note(size.summary) }
        guard !force, let available = availableMemory(), size.bytes > available else { return true }
        d.error("the case is too large for this machine: \(size.summary), but \(memory(available)) is available; "
                + "reduce the model's 'cells' (or the mesh's 'columns' and 'rows'), or give --force to try anyway")
        return false
    }

    private func count(_ x: Double) -> String {
        x < 1e7 ? String(Int(x)) : String(format: "%.3g", x)
    }

    static func memory(_ bytes: Double) -> String {
        switch bytes {
        case ..<1_048_576.0: return String(format: "%.0f kB", bytes / 1024)
        case ..<1_073_741_824.0: return String(format: "%.0f MB", bytes / 1_048_576)
        default: return String(format: "%.1f GB", bytes / 1_073_741_824)
        }
    }
}
