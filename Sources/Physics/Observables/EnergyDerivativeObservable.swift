import AutoDiff
import Sparse

/// An observable that is a first derivative of part of the energy: Σₜ w ∂Πₜ/∂vₛ over the terms of an
/// `AutoDiffGroup`, for one local variable slot s (a dof or a parameter). The force an indenter feels is
/// ∂Π/∂(depth); a reaction force is ∂Π/∂x over held atoms. Its own derivatives are second derivatives
/// of the energy, read exactly from the terms' `HyperJet`.
public struct EnergyDerivativeObservable<Term: LocalEnergy>: ObservableGroup {
    public let name: String
    public let group: AutoDiffGroup<Term>
    /// Local variable slot differentiated: 0 ..< dofCount for dofs, dofCount + j for parameter j.
    public let slot: Int
    public let component: Int32
    public let weight: Double

    public init(name: String, group: AutoDiffGroup<Term>, slot: Int, component: Int, weight: Double = 1) throws {
        guard !Term.readsHistory, slot >= 0, slot < Term.dofCount + Term.parameterCount else {
            throw PhysicsError.invalidModel("\(name): slot \(slot) is not a dof or parameter of \(Term.self)")
        }
        self.name = name
        self.group = group
        self.slot = slot
        self.component = Int32(component)
        self.weight = weight
    }

    public func evaluate(positions: UnsafeBufferPointer<Double>, parameters: UnsafeBufferPointer<Double>,
                         into out: inout ObservableValues) throws {
        let k = Term.dofCount, count = k + Term.parameterCount, p = out.parameterCount
        let local = UnsafeMutablePointer<Term.Hyper>.allocate(capacity: count)
        defer { local.deallocate() }
        let c = Int(component)
        for t in group.terms.indices {
            let dofs = group.connectivity.term(t)
            for (a, dof) in dofs.enumerated() { local[a] = Term.Hyper(positions[Int(dof)], variable: a) }
            for (j, index) in group.parameterIndices.enumerated() {
                local[k + j] = Term.Hyper(parameters[index], variable: k + j)
            }
            let r = group.terms[t].energy(LocalVariables(base: local, dofCount: k, historyCount: 0))
            guard r.derivative(slot).isFinite else {
                throw PhysicsError.nonFinite(group: name, term: t, detail: "energy derivative on dofs \(Array(dofs))")
            }
            out.values[c] += weight * r.derivative(slot)
            for (a, dof) in dofs.enumerated() {
                let v = r.secondDerivative(slot, a)
                if v != 0 { out.dofDerivatives.append((component, dof, weight * v)) }
            }
            for (j, index) in group.parameterIndices.enumerated() {
                out.parameterDerivatives[c * p + index] += weight * r.secondDerivative(slot, k + j)
            }
        }
    }
}

/// The displacement of one dof from its reference: o = x − X.
public struct DofDisplacement: LocalObservable {
    public typealias Gradient = Jet<1>
    public static let dofCount = 1
    public static let parameterCount = 0
    public let reference: Double
    public init(reference: Double) { self.reference = reference }
    @inlinable public func value<S: Real>(_ v: LocalVariables<S>) -> S { v[0] - reference }
}
