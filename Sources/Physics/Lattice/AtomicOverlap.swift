// Physical admissibility of a lattice state: no two atoms closer than a fraction of the perfect
// crystal's nearest-neighbour distance r_nn.
//
// Why: a Morse (or any bounded) pair energy is finite at r = 0, so under a large enough load Newton
// converges to a "minimum" in which atoms have passed through each other — a stationary point of
// the model's energy, but not a state of the material. A real interatomic potential is strongly
// repulsive well before r = r_nn/2 (for Morse at the usual αr₀ ≈ 3–4, V(r₀/2) is hundreds of times
// the well depth), so any pair closer than `fraction · r_nn` (default ½) marks the solution as
// unphysical. The search is a cell-list neighbour search at the deformed positions with the
// threshold as its cutoff (O(N), periodic images included), the same search `NeighbourList` does.

/// The closest pair of atoms of a lattice state, when closer than `threshold`.
///
/// Atoms are numbered as in the lattice as built (`Lattice.originalIndex`, the data's atom numbers).
public struct AtomicOverlap: Sendable, Equatable, CustomStringConvertible {
    public let first: Int
    public let second: Int
    public let distance: Double
    /// `fraction × nearestNeighbourDistance`, the admissible minimum.
    public let threshold: Double
    public let nearestNeighbourDistance: Double

    public var description: String {
        "atoms \(first) and \(second) are \(shortest(distance)) apart, closer than \(shortest(threshold / nearestNeighbourDistance)) × the "
            + "nearest-neighbour distance \(shortest(nearestNeighbourDistance)): atoms have been pushed through each other, so this is not "
            + "an equilibrium of the material"
    }

    /// The closest pair of `lattice` displaced by `displacement` (dof d·i + c is component c of atom i)
    /// when closer than `fraction` × the nearest-neighbour distance, else nil. A displacement with
    /// non-finite entries is reported as a coincident pair (distance NaN).
    public static func find(lattice: Lattice, displacement: [Double], fraction: Double = 0.5) -> AtomicOverlap? {
        let nearest = lattice.kind.nearestNeighbourDistance(latticeConstant: lattice.latticeConstant)
        let threshold = fraction * nearest
        guard threshold > 0, displacement.count == lattice.positions.count else { return nil }
        var positions = lattice.positions
        for k in positions.indices { positions[k] += displacement[k] }
        let list: NeighbourList
        do {
            list = try NeighbourList(positions: positions, box: lattice.box, periodic: lattice.periodic, cutoff: threshold, skin: 0)
        } catch {
            switch error {
            case let .nonFinitePosition(atom, _):
                let atom = lattice.originalIndex[atom]
                return AtomicOverlap(first: atom, second: atom, distance: .nan, threshold: threshold, nearestNeighbourDistance: nearest)
            case let .coincidentAtoms(first, second, separation):
                return AtomicOverlap(first: lattice.originalIndex[first], second: lattice.originalIndex[second], distance: separation, threshold: threshold, nearestNeighbourDistance: nearest)
            default: break
            }
            return nil  // a geometry the search cannot handle was refused when the model was built
        }
        var best: AtomicOverlap?
        for p in 0 ..< list.pairCount {
            let s = list.separation(ofPair: p, positions: positions)
            let r = s.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if r < threshold, r < (best?.distance ?? .infinity) {
                best = AtomicOverlap(first: lattice.originalIndex[Int(list.first[p])], second: lattice.originalIndex[Int(list.second[p])], distance: r, threshold: threshold,
                                     nearestNeighbourDistance: nearest)
            }
        }
        return best
    }
}

/// Shortest round-trip text of a distance.
private func shortest(_ x: Double) -> String {
    let text = "\(x)"
    return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
}
