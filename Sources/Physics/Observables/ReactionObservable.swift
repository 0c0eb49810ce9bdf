import AutoDiff
import Sparse

/// The reaction on a set of dofs of any `Model`: R = Σ_{d∈D} ∂Π_G/∂x_d, the generalized force the
/// loading device exerts to hold the (prescribed) dofs D, summed over the energy groups G of the model
/// (all of them, or those named). For a lattice, D = one axis of a named atom group gives the force of
/// `ReactionForce`; for any user model it is the force on whatever its prescribed dofs are.
///
/// Mathematics: ∂R/∂x_e = Σ_{d∈D} ∂²Π_G/∂x_d∂x_e and ∂R/∂θ = Σ_{d∈D} ∂²Π_G/∂x_d∂θ, rows of the Hessian
/// and of the mixed derivative over all dofs. They are obtained from the groups themselves, whatever
/// they are (automatic or hand-written): a probe model with the same groups in which the dofs D and
/// every dof sharing a term with them are the unknowns is assembled once per evaluation, so the
/// derivatives are exactly those Newton and the adjoint use. Cost: one assembly of the chosen groups
/// (every term is visited; the matrix is only as large as D's neighbourhood). Static models: the
/// probe sees the model's `history` as given and time 0.
public struct ReactionObservable: ObservableGroup {
    public let name: String
    /// The dofs D whose generalized forces are summed.
    public let dofs: [Int]
    /// Component of the observable vector R is added to.
    public let component: Int
    /// The probe: the chosen groups, with D and its neighbourhood as unknowns.
    let probe: Model

    /// The reaction on `dofs` of `model`, from the groups named `groups` (nil: every group).
    public init(name: String, model: Model, dofs: [Int], component: Int, groups names: [String]? = nil) throws {
        let n = model.layout.dofCount
        guard !dofs.isEmpty, dofs.allSatisfy({ $0 >= 0 && $0 < n }) else {
            throw PhysicsError.invalidModel("\(name): the reaction needs dofs in 0..<\(n), got \(dofs.count == 0 ? "none" : "\(dofs.filter { $0 < 0 || $0 >= n })")")
        }
        guard component >= 0 else { throw PhysicsError.invalidModel("\(name): component \(component) is negative") }
        var groups = model.groups
        if let names {
            let known = model.groups.map(\.name)
            if let unknown = names.first(where: { !known.contains($0) }) {
                throw PhysicsError.invalidModel("\(name): the model has no energy group '\(unknown)'; its groups are \(known)")
            }
            groups = model.groups.filter { names.contains($0.name) }
        }
        // D and every dof that shares a term with a dof of D.
        let selected = Set(dofs.map(Int32.init))
        var free = selected
        for g in groups {
            let c = g.connectivity
            for t in 0 ..< c.termCount where c.term(t).contains(where: { selected.contains($0) }) {
                free.formUnion(c.term(t).filter { $0 >= 0 })
            }
        }
        let prescribed = (0 ..< n).filter { !free.contains(Int32($0)) }
        self.name = name
        self.dofs = Array(Set(dofs)).sorted()
        self.component = component
        probe = Model(layout: try DofLayout(reference: model.layout.reference, prescribed: prescribed), groups: groups,
                      parameterNames: model.parameterNames, history: model.history)
    }

    public func evaluate(positions: UnsafeBufferPointer<Double>, parameters: UnsafeBufferPointer<Double>,
                         into out: inout ObservableValues) throws {
        let layout = probe.layout
        guard positions.count == layout.dofCount, parameters.count == probe.parameterCount else {
            throw PhysicsError.sizeMismatch(what: "\(name): the positions and parameters", expected: layout.dofCount + probe.parameterCount,
                                            found: positions.count + parameters.count)
        }
        guard component < out.values.count else {
            throw PhysicsError.invalidModel("\(name): component \(component) is outside the \(out.values.count) observables of its set")
        }
        let displacement = (0 ..< layout.dofCount).map { positions[$0] - layout.reference[$0] }
        let assembler = try Assembler(model: probe)
        try assembler.evaluate(displacement: displacement, parameters: Array(parameters), needs: [.gradient, .hessian, .mixed])
        let gradient = assembler.gradient, mixed = assembler.mixed, n = probe.unknownCount, p = out.parameterCount
        let rows = dofs.map { Int(layout.unknownIndex[$0]) }
        for r in rows { out.values[component] += gradient[r] }
        for (e, dof) in layout.dofOfUnknown.enumerated() {
            var sum = 0.0
            for r in rows { sum += assembler.hessian[r, e] }
            if sum != 0 { out.dofDerivatives.append((Int32(component), dof, sum)) }
        }
        for j in 0 ..< min(p, probe.parameterCount) {
            var sum = 0.0
            for r in rows { sum += mixed[j * n + r] }
            out.parameterDerivatives[component * p + j] += sum
        }
    }
}
