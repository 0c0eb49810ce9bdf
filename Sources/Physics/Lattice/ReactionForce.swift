import AutoDiff
import Sparse
import Synchronization

/// The force a loading device exerts to hold a group of atoms, along one axis: R = Σ_{i∈G} ∂Π/∂xᵢ,c,
/// summed over the pair interactions with exactly one atom in G (pairs inside G cancel: for pair
/// potentials ∂φ/∂xᵢ = −∂φ/∂xⱼ). Its derivatives are rows of the pair Hessian and mixed derivative,
/// which `PairDerivatives` gives exactly.
///
/// Guarantee: the pairs counted are those within the cutoff at the positions evaluated, as in the
/// model's current terms. The observable keeps its own neighbour list of the lattice and refreshes it
/// (`NeighbourList.refreshed(positions:)`) wherever atoms have moved far enough that a pair within the
/// cutoff could be missing — as `Model.refresh` does for the energy inside Newton — so a pair that came
/// within the cutoff of the group after the list was first built is counted. Pairs are summed in the
/// list's (first, second) order, which is the same for every list valid at the positions: the value
/// does not depend on which list was kept from earlier evaluations.
public struct ReactionForce<P: PairPotential>: ObservableGroup {
    public let name: String
    public let potential: P
    public let cutoff: SmoothCutoff
    /// Spatial dimension (2 or 3).
    public let dimension: Int
    /// Model parameter of each of the potential's parameters.
    public let parameterIndices: [Int]
    public let axis: Int
    public let component: Int32
    /// The pairs with exactly one atom in the group, kept current.
    let pairs: ReactionPairs

    /// The reaction on `atoms` of `lattice`, along `axis`, added into component `component`; the
    /// potential's parameters are the model's first ones, as in `LatticeModel.makeModel()`.
    public init(name: String, lattice: LatticeModel<P>, atoms: [Int], axis: Int, component: Int) throws {
        try self.init(name: name, potential: lattice.potential, cutoff: lattice.cutoff, neighbours: lattice.neighbours,
                      parameterIndices: Array(0 ..< P.parameterNames.count), atoms: atoms, axis: axis, component: component)
    }

    /// The reaction on `atoms`, with the pairs of `neighbours` (refreshed as the atoms move).
    public init(name: String, potential: P, cutoff: SmoothCutoff, neighbours: NeighbourList, parameterIndices: [Int],
                atoms: [Int], axis: Int, component: Int) throws {
        let d = neighbours.dimension
        guard axis >= 0 && axis < d else {
            throw PhysicsError.invalidModel("\(name): axis \(axis) outside 0..<\(d)")
        }
        guard parameterIndices.count == P.parameterNames.count else {
            throw PhysicsError.invalidModel("\(name): \(P.parameterNames.count) parameter indices expected")
        }
        guard cutoff.outer <= neighbours.cutoff else {
            throw PhysicsError.invalidModel("\(name): the neighbour list's cutoff \(neighbours.cutoff) is below the potential's \(cutoff.outer)")
        }
        var members = [Bool](repeating: false, count: neighbours.atomCount)
        for a in atoms {
            guard a >= 0 && a < neighbours.atomCount else {
                throw PhysicsError.invalidModel("\(name): atom \(a) outside the lattice's 0..<\(neighbours.atomCount)")
            }
            members[a] = true
        }
        self.name = name
        self.potential = potential
        self.cutoff = cutoff
        self.dimension = d
        self.parameterIndices = parameterIndices
        self.axis = axis
        self.component = Int32(component)
        pairs = ReactionPairs(neighbours, members: members)
    }

    public func evaluate(positions: UnsafeBufferPointer<Double>, parameters: UnsafeBufferPointer<Double>,
                         into out: inout ObservableValues) throws {
        let selected = try pairs.current(at: positions)
        let d = dimension, q = parameterIndices.count, p = out.parameterCount
        let radial = UnsafeMutablePointer<P.Radial>.allocate(capacity: 1 + q)
        defer { radial.deallocate() }
        for j in 0 ..< q { radial[1 + j] = P.Radial(parameters[parameterIndices[j]], variable: 1 + j) }
        let c = Int(component)
        for pair in selected {
            let i = Int(pair.first) * d, j = Int(pair.second) * d
            var n = SIMD3<Double>(0, 0, 0)
            for a in 0 ..< d { n[a] = positions[j + a] + pair.shift[a] - positions[i + a] }
            let r = (n * n).sum().squareRoot()
            if r >= cutoff.outer { continue }
            guard r > 0 else { throw PairPass.overlap(group: name, term: 0, pair.first, pair.second) }
            radial[0] = P.Radial(r, variable: 0)
            let phi = cutoff.apply(potential.energy(r: radial[0], LocalVariables(base: radial, dofCount: 1, historyCount: 0)), at: radial[0])
            guard phi.derivative(0).isFinite else { throw PairPass.nonFinite(group: name, term: 0, pair.first, pair.second, distance: r) }
            let local = PairDerivatives(phi: phi, dimension: d, direction: n / r, distance: r)
            let slot = pair.end * d + axis
            out.values[c] += local.derivative(slot)
            for b in 0 ..< 2 * d {
                let dof = Int32(b < d ? i + b : j + b - d)
                out.dofDerivatives.append((component, dof, local.secondDerivative(slot, b)))
            }
            for (k, index) in parameterIndices.enumerated() {
                out.parameterDerivatives[c * p + index] += local.secondDerivative(slot, 2 * d + k)
            }
        }
    }
}

/// One pair counted by a reaction: its atoms, which end (0 first, 1 second) lies in the group, and the
/// image shift to add to x_second − x_first.
struct ReactionPair: Sendable {
    let first: Int32, second: Int32
    let end: Int
    let shift: SIMD3<Double>
}

/// The neighbour list a `ReactionForce` keeps, shared by its copies, and the pairs of it that cross the
/// group's boundary; refreshed under a lock (observables may be evaluated from several threads).
final class ReactionPairs: Sendable {
    private struct State: Sendable {
        var list: NeighbourList
        var selected: [ReactionPair]
    }

    private let members: [Bool]
    private let state: Mutex<State>

    init(_ list: NeighbourList, members: [Bool]) {
        self.members = members
        state = Mutex(State(list: list, selected: Self.select(list, members)))
    }

    /// The crossing pairs of a list valid at `positions`: the kept one, re-anchored or rebuilt there
    /// when atoms moved too far for it.
    func current(at positions: UnsafeBufferPointer<Double>) throws -> [ReactionPair] {
        try state.withLock { state throws -> [ReactionPair] in
            guard state.list.needsRebuild(reference: nil, displacement: positions) else { return state.selected }
            let changed: Bool
            do throws(GeometryError) { changed = try state.list.update(positions: Array(positions)) } catch { throw PhysicsError.geometry(error) }
            if changed { state.selected = Self.select(state.list, members) }
            return state.selected
        }
    }

    private static func select(_ list: NeighbourList, _ members: [Bool]) -> [ReactionPair] {
        var selected: [ReactionPair] = []
        for t in 0 ..< list.pairCount {
            let a = members[Int(list.first[t])], b = members[Int(list.second[t])]
            guard a != b else { continue }
            var shift = SIMD3<Double>(0, 0, 0)
            for k in 0 ..< list.dimension { shift[k] = list.shift(ofPair: t, axis: k) }
            selected.append(ReactionPair(first: list.first[t], second: list.second[t], end: a ? 0 : 1, shift: shift))
        }
        return selected
    }
}
