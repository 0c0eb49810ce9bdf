import AutoDiff
import Sparse

/// One local piece of a measured quantity, written generically like a `LocalEnergy`: the displacement
/// of one atom, the energy of one crystal, a sensor's interpolated pressure.
///
/// The framework evaluates `value` in `Gradient` (a first-order `Jet` over the term's dofs and
/// parameters; declare `typealias Gradient = Jet<dofCount + parameterCount>`) and obtains exactly
/// ∂o/∂u and ∂o/∂θ. Observables never read the previous time step.
public protocol LocalObservable: Sendable {
    associatedtype Gradient: FirstOrderJet
    static var dofCount: Int { get }
    static var parameterCount: Int { get }
    func value<S: Real>(_ v: LocalVariables<S>) -> S
}

/// Values and exact first derivatives of a vector of observables o(u, θ) ∈ ℝᵐ at one state.
///
/// ∂o/∂u is sparse (each component reads a few dofs) and kept as a list of entries over dofs;
/// ∂o/∂θ is dense, m × P, row by row.
public struct ObservableValues: Sendable {
    public var values: [Double]
    /// (component, dof, ∂o_component/∂u_dof), possibly with repeated (component, dof) pairs to be summed.
    public var dofDerivatives: [(component: Int32, dof: Int32, value: Double)]
    /// ∂o/∂θ, row `c` at `c · parameterCount`.
    public var parameterDerivatives: [Double]
    public let parameterCount: Int

    public init(componentCount m: Int, parameterCount p: Int) {
        values = [Double](repeating: 0, count: m)
        dofDerivatives = []
        parameterDerivatives = [Double](repeating: 0, count: m * p)
        parameterCount = p
    }

    /// Σ_c w_c ∂o_c/∂u as a dense vector over dofs: the right-hand side of an adjoint solve.
    public func weightedDofGradient(weights: [Double], dofCount: Int) -> [Double] {
        var g = [Double](repeating: 0, count: dofCount)
        for e in dofDerivatives { g[Int(e.dof)] += weights[Int(e.component)] * e.value }
        return g
    }

    /// Σ_c w_c ∂o_c/∂θ.
    public func weightedParameterGradient(weights: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: parameterCount)
        for c in values.indices {
            for p in 0 ..< parameterCount { g[p] += weights[c] * parameterDerivatives[c * parameterCount + p] }
        }
        return g
    }
}

/// A group of terms that add into components of a vector of observables.
public protocol ObservableGroup: Sendable {
    var name: String { get }
    /// Adds each term's value into `values.values[component]` and its derivatives alongside.
    func evaluate(positions: UnsafeBufferPointer<Double>, parameters: UnsafeBufferPointer<Double>,
                  into values: inout ObservableValues) throws
}

/// `LocalObservable` terms with automatic derivatives; term t reads dofs `connectivity.term(t)` and
/// adds `weights[t] × value` into component `components[t]`.
public struct LocalObservableGroup<Term: LocalObservable>: ObservableGroup {
    public let name: String
    public let terms: [Term]
    public let connectivity: Connectivity
    public let components: [Int32]
    public let weights: [Double]
    public let parameterIndices: [Int]

    public init(name: String, terms: [Term], connectivity: Connectivity, components: [Int32],
                weights: [Double]? = nil, parameterIndices: [Int]) throws {
        guard Term.Gradient.variableCount == Term.dofCount + Term.parameterCount else {
            throw PhysicsError.invalidModel("\(Term.self) declares Gradient with \(Term.Gradient.variableCount) variables; declare Jet<\(Term.dofCount + Term.parameterCount)>")
        }
        guard connectivity.termCount == terms.count, components.count == terms.count,
              connectivity.indices.count == terms.count * Term.dofCount,
              parameterIndices.count == Term.parameterCount, (weights?.count ?? terms.count) == terms.count
        else {
            throw PhysicsError.invalidModel("\(name): terms, connectivity, components, weights and parameters disagree in size")
        }
        self.name = name
        self.terms = terms
        self.connectivity = connectivity
        self.components = components
        self.weights = weights ?? [Double](repeating: 1, count: terms.count)
        self.parameterIndices = parameterIndices
    }

    public func evaluate(positions: UnsafeBufferPointer<Double>, parameters: UnsafeBufferPointer<Double>,
                         into out: inout ObservableValues) throws {
        let k = Term.dofCount, q = Term.parameterCount, p = out.parameterCount
        let local = UnsafeMutablePointer<Term.Gradient>.allocate(capacity: k + q)
        defer { local.deallocate() }
        for t in terms.indices {
            let dofs = connectivity.term(t)
            for (a, dof) in dofs.enumerated() { local[a] = Term.Gradient(positions[Int(dof)], variable: a) }
            for (j, index) in parameterIndices.enumerated() { local[k + j] = Term.Gradient(parameters[index], variable: k + j) }
            let r = terms[t].value(LocalVariables(base: local, dofCount: k, historyCount: 0))
            guard r.value.isFinite else {
                throw PhysicsError.nonFinite(group: name, term: t, detail: "observable term on dofs \(Array(dofs))")
            }
            let c = Int(components[t]), w = weights[t]
            out.values[c] += w * r.value
            for (a, dof) in dofs.enumerated() where r.derivative(a) != 0 {
                out.dofDerivatives.append((Int32(c), dof, w * r.derivative(a)))
            }
            for (j, index) in parameterIndices.enumerated() {
                out.parameterDerivatives[c * p + index] += w * r.derivative(k + j)
            }
        }
    }
}

/// A named vector of observables: the model's predictions of one experiment's measurements.
public struct ObservableSet: Sendable {
    /// Name of each component (for reports and data mapping).
    public var componentNames: [String]
    public var groups: [any ObservableGroup]

    public init(componentNames: [String], groups: [any ObservableGroup]) {
        self.componentNames = componentNames
        self.groups = groups
    }

    public var count: Int { componentNames.count }

    /// Values and derivatives at reference + `displacement` (all dofs) and parameters `theta`.
    public func evaluate(layout: DofLayout, displacement: [Double], parameters theta: [Double]) throws -> ObservableValues {
        guard displacement.count == layout.dofCount else {
            throw PhysicsError.sizeMismatch(what: "the displacement", expected: layout.dofCount, found: displacement.count)
        }
        let positions = zip(layout.reference, displacement).map { $0 + $1 }
        var out = ObservableValues(componentCount: count, parameterCount: theta.count)
        try positions.withUnsafeBufferPointer { x in
            try theta.withUnsafeBufferPointer { p in
                for group in groups { try group.evaluate(positions: x, parameters: p, into: &out) }
            }
        }
        return out
    }
}
