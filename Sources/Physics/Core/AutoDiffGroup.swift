import AutoDiff
import Sparse

/// A group of `LocalEnergy` terms whose derivatives come from automatic differentiation.
///
/// Energy alone is evaluated in `Double`; anything more in the term's `HyperJet`, seeded over the local
/// variables [dofs | previous dofs | parameters] — or, for passes without parameter derivatives (Newton's),
/// in its `DofHyper` over the dofs alone when the term declares one (the same dof derivatives, bit for
/// bit); a `TranslationInvariant` term in its `RelativeDofHyper`/`RelativeHyper` over every atom but the
/// first, the first atom's derivatives following from the others' (the same to round-off; the
/// declaration is checked at every derivative pass on the first term). Scratch storage is allocated
/// once per evaluation, never per term; each term's result is read in place and its Hessian scattered
/// straight into the matrix by the precomputed scatter map. A non-finite result throws
/// `PhysicsError.nonFinite` naming the term and its dofs.
///
/// Speed: a `Model` holds its groups as `any EnergyGroup`, and a generic type's conformance reached
/// through an existential runs the unspecialized generic code, where every arithmetic operation of the
/// term's `HyperJet` is a protocol call. So the initializer (inlinable, hence compiled where `Term` is
/// concrete — in the model author's module) stores `entry`, a closure formed there and specialized for
/// `Term`; `evaluate` crosses the existential once per group per assembly and runs the per-term loop
/// specialized, with no dynamic dispatch inside.
public struct AutoDiffGroup<Term: LocalEnergy>: EnergyGroup {
    public let name: String
    public let terms: [Term]
    public let connectivity: Connectivity
    /// Model parameter read by each local parameter slot of `Term`.
    public let parameterIndices: [Int]
    /// The group's evaluation, specialized for `Term` where the group was made.
    @usableFromInline let entry: @Sendable (AutoDiffGroup, inout EnergyEvaluation, Connectivity, ScatterMap?) throws -> Void

    @inlinable
    public init(name: String, terms: [Term], connectivity: Connectivity, parameterIndices: [Int]) throws {
        try Self.validate(name: name, termCount: terms.count, connectivity: connectivity, parameterIndices: parameterIndices)
        self.name = name
        self.terms = terms
        self.connectivity = connectivity
        self.parameterIndices = parameterIndices
        entry = { group, e, unknowns, scatter in try group.evaluateSpecialized(&e, unknowns: unknowns, scatter: scatter) }
    }

    @usableFromInline
    static func validate(name: String, termCount: Int, connectivity: Connectivity, parameterIndices: [Int]) throws {
        guard Term.Hyper.variableCount == Term.localVariableCount, Term.Hyper.hasConsistentSizes else {
            throw PhysicsError.invalidModel(
                "\(Term.self) declares Hyper with \(Term.Hyper.variableCount) variables but reads "
                    + "\(Term.localVariableCount) (dofs, previous dofs and parameters); declare \(hyperJetDeclaration(variables: Term.localVariableCount))")
        }
        let dofJetCount = Term.DofHyper.variableCount
        guard dofJetCount == Term.localVariableCount || dofJetCount == Term.dofVariableCount, Term.DofHyper.hasConsistentSizes else {
            throw PhysicsError.invalidModel(
                "\(Term.self) declares DofHyper with \(dofJetCount) variables; it is over the \(Term.dofVariableCount) dofs "
                    + "(and previous dofs): declare \(hyperJetDeclaration(variables: Term.dofVariableCount)), or leave it out")
        }
        try Term.validateTranslationInvariance()
        guard connectivity.termCount == termCount,
              connectivity.indices.count == termCount * Term.dofCount
        else {
            throw PhysicsError.invalidModel("\(name): connectivity must list \(Term.dofCount) dofs for each of \(termCount) terms")
        }
        guard parameterIndices.count == Term.parameterCount, parameterIndices.allSatisfy({ $0 >= 0 }) else {
            throw PhysicsError.invalidModel("\(name): \(Term.parameterCount) parameter indices expected, got \(parameterIndices)")
        }
    }

    public func evaluate(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?) throws {
        try entry(self, &e, unknowns, scatter)
    }

    @inlinable
    func evaluateSpecialized(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?) throws {
        if Term.readsHistory && e.history.isEmpty {
            throw PhysicsError.invalidModel("\(name) reads the previous time step, but no history was set; set the assembler's history (or the model's) to the previous positions")
        }
        if e.needs == .energy {
            try evaluateEnergy(&e)
        } else {
            try evaluateDerivatives(&e, unknowns: unknowns, scatter: scatter)
        }
    }

    /// Copies term `t`'s local variables into `local`, converting each with `make(value, slot)`.
    @inlinable
    func gather<S>(_ t: Int, _ e: EnergyEvaluation, into local: UnsafeMutablePointer<S>, _ make: (Double, Int) -> S) {
        let k = Term.dofCount
        let base = t * k
        for a in 0 ..< k { local[a] = make(e.positions[Int(connectivity.indices[base + a])], a) }
        var slot = k
        if Term.readsHistory {
            for a in 0 ..< k { local[slot] = make(e.history[Int(connectivity.indices[base + a])], slot); slot += 1 }
        }
        for p in parameterIndices { local[slot] = make(e.parameters[p], slot); slot += 1 }
    }

    @inlinable
    func evaluateEnergy(_ e: inout EnergyEvaluation) throws {
        let count = Term.localVariableCount, kh = Term.readsHistory ? Term.dofCount : 0
        let local = UnsafeMutablePointer<Double>.allocate(capacity: count)
        defer { local.deallocate() }
        var sum = 0.0
        for t in 0 ..< terms.count {
            gather(t, e, into: local) { v, _ in v }
            let value = terms[t].energy(LocalVariables(base: local, dofCount: Term.dofCount, historyCount: kh))
            guard value.isFinite else { throw nonFinite(t) }
            sum += value
        }
        e.energy += sum
    }

    /// Sets the values of term `t`'s local variables in `local`, whose seeds (unit gradients) were set
    /// once for the whole group.
    @inline(__always) @inlinable
    func setValues<J: SecondOrderJet>(dofs: UnsafePointer<Int32>, positions: UnsafeBufferPointer<Double>,
                                      history: UnsafeBufferPointer<Double>, into local: UnsafeMutablePointer<J>) {
        let k = Term.dofCount
        for a in 0 ..< k { local[a].value = positions[Int(dofs[a])] }
        if Term.readsHistory {
            for a in 0 ..< k { local[k + a].value = history[Int(dofs[a])] }
        }
    }

    @inlinable
    func evaluateDerivatives(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?) throws {
        // Without parameter derivatives, a declared `DofHyper` carries the dofs alone (the parameters
        // enter as constants): fewer variables, the same dof derivatives. A translation-invariant term
        // also holds its first atom constant (`TranslationInvariance.swift`).
        let dofPass = e.needs.isDisjoint(with: [.mixed, .parameterGradient])
        let d = Term.translationDimension
        if d > 0 && (dofPass ? Term.RelativeDofHyper.variableCount == Term.dofCount - d
                             : Term.RelativeHyper.variableCount == Term.localVariableCount - d) {
            if !terms.isEmpty { try verifyTranslationInvariance(e, term: 0, dimension: d) }
            if dofPass {
                try evaluateDerivatives(&e, unknowns: unknowns, scatter: scatter, in: Term.RelativeDofHyper.self, heldDofs: d)
            } else {
                try evaluateDerivatives(&e, unknowns: unknowns, scatter: scatter, in: Term.RelativeHyper.self, heldDofs: d)
            }
        } else if Term.DofHyper.variableCount == Term.dofVariableCount && dofPass {
            try evaluateDerivatives(&e, unknowns: unknowns, scatter: scatter, in: Term.DofHyper.self, heldDofs: 0)
        } else {
            try evaluateDerivatives(&e, unknowns: unknowns, scatter: scatter, in: Term.Hyper.self, heldDofs: 0)
        }
    }

    /// The derivative pass with the term evaluated in `J`, whose variables are the local variables
    /// after the first `held` (all of them, or the dofs and previous dofs: then the parameters are
    /// constants). With `held` > 0 (the first atom of a translation-invariant term), the first atom's
    /// derivatives come from the others' (`TranslationExpansion`).
    /// (Always inlined, so that `held` is a constant in the per-term loop.)
    @inline(__always) @inlinable
    func evaluateDerivatives<J: SecondOrderJet>(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?,
                                                in _: J.Type, heldDofs held: Int) throws {
        let count = Term.localVariableCount, k = Term.dofCount, kh = Term.readsHistory ? k : 0
        let seeded = J.variableCount
        let local = UnsafeMutablePointer<J>.allocate(capacity: count)
        for slot in 0 ..< count {
            let value = slot < k + kh ? 0 : e.parameters[parameterIndices[slot - k - kh]]
            // Parameters are the same for every term: set once.
            (local + slot).initialize(to: slot >= held && slot - held < seeded ? J(value, variable: slot - held) : J(value))
        }
        let scratchCount = TranslationExpansion<J>.scratchCount(dimension: held, dofCount: k, variableCount: count)
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: scratchCount)
        scratch.initialize(repeating: 0, count: scratchCount)
        let positions = e.positions, history = e.history
        defer {
            local.deinitialize(count: count)
            local.deallocate()
            scratch.deallocate()
        }
        try unknowns.indices.withUnsafeBufferPointer { unknownIndices in
          try connectivity.indices.withUnsafeBufferPointer { dofIndices in
            for t in 0 ..< terms.count {
                setValues(dofs: dofIndices.baseAddress! + t * k, positions: positions, history: history, into: local)
                // The result stays where the energy returned it and is read in place (`JetReference`): a
                // jet read through its methods, or copied out, is copied whole (a stall on every term).
                var result = terms[t].energy(LocalVariables(base: local, dofCount: k, historyCount: kh))
                try withUnsafePointer(to: &result) { pointer in
                    let r = JetReference(pointer)
                    var finite = r.value.isFinite
                    for i in 0 ..< seeded { finite = finite && r.derivative(i).isFinite }
                    guard finite else { throw nonFinite(t) }
                    let dofs = dofIndices.baseAddress! + t * k, unknowns = unknownIndices.baseAddress! + t * k
                    if held == 0 {
                        e.accumulate(r, term: t, dofCount: k, historyCount: kh, dofs: dofs, unknowns: unknowns,
                                     parameterIndices: parameterIndices, scatter: scatter)
                    } else {
                        let expansion = TranslationExpansion(pointer, dimension: held, dofCount: k, variableCount: count, scratch: scratch)
                        expansion.expand()
                        e.accumulate(expansion, term: t, dofCount: k, historyCount: kh, dofs: dofs, unknowns: unknowns,
                                     parameterIndices: parameterIndices, scatter: scatter)
                    }
                }
            }
          }
        }
    }

    @usableFromInline
    func nonFinite(_ t: Int) -> PhysicsError {
        .nonFinite(group: name, term: t, detail: "its dofs are \(Array(connectivity.term(t))); "
            + "check for overlapping atoms, inverted elements or parameters out of range")
    }
}
