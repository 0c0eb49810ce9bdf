import AutoDiff
import Foundation
import Sparse

/// A planar bead-spring network: beads on a triangular lattice (spacing 1), a harmonic bond between
/// every pair of nearest neighbours and a harmonic angle between every two consecutive bonds around a
/// bead (60° in the interior), with rest lengths and angles of the reference geometry, so the unloaded
/// network is stress-free. Parameters, in order: `k_bond`, `r0`, `k_angle`.
///
/// The bottom row is held and the top row displaced (`model(topDisplacement:automatic:)`): a
/// calibration of the three parameters from bead displacements and the top's reaction. The same terms
/// come as automatic groups (`AutoDiffGroup<BeadBond>`, `AutoDiffGroup<BeadAngle>`) or hand-written
/// ones (`HandWrittenBondGroup`, `HandWrittenAngleGroup`); both give the same derivatives to round-off.
public struct BeadSpringNetwork: Sendable {
    public static let parameterNames = ["k_bond", "r0", "k_angle"]
    public let columns: Int, rows: Int
    /// Bead coordinates, (x, y) per bead.
    public let reference: [Double]
    /// Bead pairs (i, j) of each bond.
    public let bonds: [SIMD2<Int32>]
    /// Beads (i, centre j, k) of each angle, and its rest angle from a = xᵢ − xⱼ to b = xₖ − xⱼ.
    public let angles: [SIMD3<Int32>]
    public let restAngles: [Double]

    /// A network of `columns × rows` beads (at least 2 × 2).
    public init(columns: Int, rows: Int) throws {
        guard columns >= 2, rows >= 2, columns <= 10_000, rows <= 10_000 else {
            throw PhysicsError.invalidModel("a bead-spring network needs 2 to 10000 columns and rows, got \(columns) × \(rows)")
        }
        self.columns = columns
        self.rows = rows
        let h = 3.0.squareRoot() / 2
        var reference: [Double] = []
        reference.reserveCapacity(2 * columns * rows)
        for r in 0 ..< rows {
            for c in 0 ..< columns { reference += [Double(c) + (r % 2 == 1 ? 0.5 : 0), Double(r) * h] }
        }
        // Neighbours of (c, r): (c ± 1, r) and, on adjacent rows, the two beads whose x is within ½.
        func bead(_ c: Int, _ r: Int) -> Int? { c >= 0 && c < columns && r >= 0 && r < rows ? r * columns + c : nil }
        var neighbours = [[Int]](repeating: [], count: columns * rows)
        var bonds: [SIMD2<Int32>] = []
        for r in 0 ..< rows {
            for c in 0 ..< columns {
                let i = r * columns + c, shift = r % 2 == 1 ? 0 : -1
                for j in [bead(c + 1, r), bead(c + shift, r + 1), bead(c + shift + 1, r + 1)].compactMap({ $0 }) {
                    bonds.append(SIMD2(Int32(i), Int32(j)))
                    neighbours[i].append(j)
                    neighbours[j].append(i)
                }
            }
        }
        // Around each bead, bonds sorted by direction; consecutive ones closer than 180° form an angle.
        var angles: [SIMD3<Int32>] = [], restAngles: [Double] = []
        for j in 0 ..< columns * rows {
            func direction(_ i: Int) -> Double { atan2(reference[2 * i + 1] - reference[2 * j + 1], reference[2 * i] - reference[2 * j]) }
            let around = neighbours[j].sorted { direction($0) < direction($1) }
            guard around.count >= 2 else { continue }
            for m in around.indices {
                let i = around[m], k = around[(m + 1) % around.count]
                var angle = direction(k) - direction(i)
                if angle <= 0 { angle += 2 * Double.pi }
                if angle < 0.9 * Double.pi {
                    angles.append(SIMD3(Int32(i), Int32(j), Int32(k)))
                    restAngles.append(angle)
                }
            }
        }
        self.reference = reference
        self.bonds = bonds
        self.angles = angles
        self.restAngles = restAngles
    }

    public var beadCount: Int { columns * rows }
    /// Beads of the bottom row (held) and of the top row (displaced).
    public var bottom: [Int] { Array(0 ..< columns) }
    public var top: [Int] { Array((rows - 1) * columns ..< rows * columns) }

    /// The dof layout with the bottom and top rows prescribed.
    public func layout() throws -> DofLayout {
        try DofLayout(reference: reference, prescribed: (bottom + top).flatMap { [2 * $0, 2 * $0 + 1] })
    }

    /// Connectivity of the bonds (4 dofs each) and of the angles (6 dofs each).
    public var bondConnectivity: Connectivity {
        Connectivity(uniformTermSize: 4, indices: Self.dofs(of: bonds.flatMap { [$0.x, $0.y] }))
    }
    public var angleConnectivity: Connectivity {
        Connectivity(uniformTermSize: 6, indices: Self.dofs(of: angles.flatMap { [$0.x, $0.y, $0.z] }))
    }

    /// The (x, y) dofs of each bead in turn.
    static func dofs(of beads: [Int32]) -> [Int32] {
        var dofs: [Int32] = []
        dofs.reserveCapacity(2 * beads.count)
        for b in beads { dofs += [2 * b, 2 * b + 1] }
        return dofs
    }

    /// The energy groups: automatic (`LocalEnergy` terms differentiated in `HyperJet`) or hand-written.
    public func groups(automatic: Bool) throws -> [any EnergyGroup] {
        if automatic {
            return [try AutoDiffGroup(name: "bonds", terms: [BeadBond](repeating: BeadBond(), count: bonds.count),
                                      connectivity: bondConnectivity, parameterIndices: [0, 1]),
                    try AutoDiffGroup(name: "angles", terms: restAngles.map { BeadAngle(restAngle: $0) },
                                      connectivity: angleConnectivity, parameterIndices: [2])]
        }
        return [try HandWrittenBondGroup(name: "bonds", connectivity: bondConnectivity, parameterIndices: [0, 1]),
                try HandWrittenAngleGroup(name: "angles", connectivity: angleConnectivity, restAngles: restAngles,
                                          parameterIndex: 2)]
    }

    /// The model, with the bottom row held and the top row prescribed (its displacement is set by
    /// `initialDisplacement`).
    public func model(automatic: Bool = true) throws -> Model {
        Model(layout: try layout(), groups: try groups(automatic: automatic), parameterNames: Self.parameterNames)
    }

    /// A full displacement: zero at the bottom, `top` on the top row and interpolated linearly in height
    /// in between (Newton's starting point; the prescribed rows keep these values).
    public func initialDisplacement(top: SIMD2<Double>) -> [Double] {
        let height = reference[2 * (beadCount - 1) + 1]
        var u = [Double](repeating: 0, count: 2 * beadCount)
        for b in 0 ..< beadCount {
            let s = reference[2 * b + 1] / height
            u[2 * b] = s * top.x
            u[2 * b + 1] = s * top.y
        }
        return u
    }
}
