import AutoDiff
import Sparse

/// The force a loading device exerts to hold a group of atoms, along one axis: R = Σ_{i∈G} ∂Π/∂xᵢ,c,
/// summed over the pair interactions with exactly one atom in G (pairs inside G cancel: for pair
/// potentials ∂φ/∂xᵢ = −∂φ/∂xⱼ). Its derivatives are rows of the pair Hessian and mixed derivative,
/// which `PairDerivatives` gives exactly.
public struct ReactionForce<P: PairPotential>: ObservableGroup {
    public let name: String
    public let pairs: PairGroup<P>
    public let axis: Int
    public let component: Int32
    /// For each counted pair, its index and which end (0 first, 1 second) lies in the group.
    let selected: [(pair: Int, end: Int)]

    public init(name: String, pairs: PairGroup<P>, atoms: [Int], axis: Int, component: Int) throws {
        guard axis >= 0 && axis < pairs.dimension else {
            throw PhysicsError.invalidModel("\(name): axis \(axis) outside 0..<\(pairs.dimension)")
        }
        let inGroup = Set(atoms.map(Int32.init))
        var selected: [(Int, Int)] = []
        for t in pairs.first.indices {
            let a = inGroup.contains(pairs.first[t]), b = inGroup.contains(pairs.second[t])
            if a != b { selected.append((t, a ? 0 : 1)) }
        }
        self.name = name
        self.pairs = pairs
        self.axis = axis
        self.component = Int32(component)
        self.selected = selected
    }

    public func evaluate(positions: UnsafeBufferPointer<Double>, parameters: UnsafeBufferPointer<Double>,
                         into out: inout ObservableValues) throws {
        let d = pairs.dimension, q = pairs.parameterIndices.count, p = out.parameterCount
        let radial = UnsafeMutablePointer<P.Radial>.allocate(capacity: 1 + q)
        defer { radial.deallocate() }
        for j in 0 ..< q { radial[1 + j] = P.Radial(parameters[pairs.parameterIndices[j]], variable: 1 + j) }
        let c = Int(component)
        for (t, end) in selected {
            let i = Int(pairs.first[t]) * d, j = Int(pairs.second[t]) * d
            var n = SIMD3<Double>(0, 0, 0)
            for a in 0 ..< d { n[a] = positions[j + a] + pairs.shifts[t * d + a] - positions[i + a] }
            let r = (n * n).sum().squareRoot()
            if r >= pairs.cutoff.outer { continue }
            guard r > 0 else { throw pairs.nonFinite(t, r) }
            radial[0] = P.Radial(r, variable: 0)
            let phi = pairs.cutoff.apply(pairs.potential.energy(r: radial[0], LocalVariables(base: radial, dofCount: 1, historyCount: 0)), at: radial[0])
            let local = PairDerivatives(phi: phi, dimension: d, direction: n / r, distance: r)
            let slot = end * d + axis
            out.values[c] += local.derivative(slot)
            for b in 0 ..< 2 * d {
                let dof = Int32(b < d ? i + b : j + b - d)
                out.dofDerivatives.append((component, dof, local.secondDerivative(slot, b)))
            }
            for (k, index) in pairs.parameterIndices.enumerated() {
                out.parameterDerivatives[c * p + index] += local.secondDerivative(slot, 2 * d + k)
            }
        }
    }
}
