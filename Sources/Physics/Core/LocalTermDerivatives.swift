import AutoDiff

/// The value and exact derivatives of one local term (a `LocalEnergy`, or a `PairPotential` as a
/// function of the distance) at given values, as automatic differentiation gives them to assembly:
/// the gradient and the full symmetric Hessian over the local variables [dofs | previous dofs |
/// parameters]. For unit tests of a user's term (against finite differences or closed forms) and to read
/// φ′(r), φ″(r) and ∂φ′/∂θ of a potential.
public struct LocalTermDerivatives: Sendable, Equatable {
    public let value: Double
    /// ∂f/∂vᵢ over all local variables.
    public let gradient: [Double]
    /// ∂²f/∂vᵢ∂vⱼ, dense and symmetric, row-major, `variableCount²` entries.
    public let hessianEntries: [Double]
    public let dofCount: Int
    /// Number of previous-step values (the dof count for terms that read history, else 0).
    public let historyCount: Int
    public let parameterCount: Int

    public var variableCount: Int { dofCount + historyCount + parameterCount }
    /// ∂²f/∂vᵢ∂vⱼ.
    public func hessian(_ i: Int, _ j: Int) -> Double { hessianEntries[i * variableCount + j] }
    /// ∂f/∂u over the dofs.
    public var dofGradient: [Double] { Array(gradient[0 ..< dofCount]) }
    /// ∂f/∂θ over the term's parameters.
    public var parameterGradient: [Double] { Array(gradient[(dofCount + historyCount)...]) }
    /// ∂²f/∂u_a∂u_b.
    public func dofHessian(_ a: Int, _ b: Int) -> Double { hessian(a, b) }
    /// ∂²f/∂u_a∂θ_j: the mixed derivative the implicit gradient uses.
    public func mixed(dof a: Int, parameter j: Int) -> Double { hessian(a, dofCount + historyCount + j) }

    /// Reads a jet's (or an expansion's) value and derivatives over all the local variables.
    @inlinable
    init<J: LocalDerivatives>(_ r: J, dofCount: Int, historyCount: Int, parameterCount: Int) {
        let n = dofCount + historyCount + parameterCount
        value = r.value
        gradient = (0 ..< n).map { r.derivative($0) }
        var h = [Double](repeating: 0, count: n * n)
        for i in 0 ..< n { for j in 0 ..< n { h[i * n + j] = r.secondDerivative(i, j) } }
        hessianEntries = h
        self.dofCount = dofCount
        self.historyCount = historyCount
        self.parameterCount = parameterCount
    }
}

extension LocalEnergy {
    /// The term's energy and its exact derivatives at dof values `dofs`, previous-step values
    /// `previous` (only for terms that read history) and its own parameters `parameters` (in the
    /// term's numbering), evaluated in `Hyper` exactly as `AutoDiffGroup` does.
    @inlinable
    public func derivatives(dofs: [Double], previous: [Double] = [], parameters: [Double]) throws -> LocalTermDerivatives {
        guard Hyper.variableCount == Self.localVariableCount, Hyper.hasConsistentSizes else {
            throw PhysicsError.invalidModel("\(Self.self) declares Hyper with \(Hyper.variableCount) variables but reads \(Self.localVariableCount); declare \(hyperJetDeclaration(variables: Self.localVariableCount))")
        }
        let values = try Self.localValues(dofs: dofs, previous: previous, parameters: parameters)
        let jets = values.enumerated().map { Hyper($0.element, variable: $0.offset) }
        let kh = Self.readsHistory ? Self.dofCount : 0
        let r = jets.withUnsafeBufferPointer {
            energy(LocalVariables(base: $0.baseAddress!, dofCount: Self.dofCount, historyCount: kh))
        }
        return LocalTermDerivatives(r, dofCount: Self.dofCount, historyCount: kh, parameterCount: Self.parameterCount)
    }

    /// The term's energy in plain numbers at the same arguments as `derivatives`.
    @inlinable
    public func energy(dofs: [Double], previous: [Double] = [], parameters: [Double]) throws -> Double {
        let values = try Self.localValues(dofs: dofs, previous: previous, parameters: parameters)
        return values.withUnsafeBufferPointer {
            energy(LocalVariables(base: $0.baseAddress!, dofCount: Self.dofCount, historyCount: Self.readsHistory ? Self.dofCount : 0))
        }
    }

    /// [dofs | previous | parameters], with every size checked against the term's declaration.
    @usableFromInline
    static func localValues(dofs: [Double], previous: [Double], parameters: [Double]) throws -> [Double] {
        guard dofs.count == dofCount else {
            throw PhysicsError.sizeMismatch(what: "the dof values of \(Self.self)", expected: dofCount, found: dofs.count)
        }
        guard previous.count == (readsHistory ? dofCount : 0) else {
            throw PhysicsError.sizeMismatch(what: "the previous-step values of \(Self.self) (readsHistory is \(readsHistory))",
                                            expected: readsHistory ? dofCount : 0, found: previous.count)
        }
        guard parameters.count == parameterCount else {
            throw PhysicsError.sizeMismatch(what: "the parameters of \(Self.self)", expected: parameterCount, found: parameters.count)
        }
        return dofs + previous + parameters
    }
}

extension PairPotential {
    /// φ and its exact derivatives at distance `r` and parameters `parameters` (the potential's order),
    /// over the variables [r | parameters], evaluated in `Radial` as `PairGroup` does (without the
    /// smooth cutoff, which the group applies): `gradient[0]` is φ′(r), `hessian(0, 0)` is φ″(r),
    /// `mixed(dof: 0, parameter: j)` is ∂φ′/∂θⱼ.
    @inlinable
    public func derivatives(r: Double, parameters: [Double]) throws -> LocalTermDerivatives {
        let q = Self.parameterNames.count
        guard Radial.variableCount == 1 + q, Radial.hasConsistentSizes else {
            throw PhysicsError.invalidModel("\(Self.self) declares Radial with \(Radial.variableCount) variables; declare \(hyperJetDeclaration(variables: 1 + q))")
        }
        guard parameters.count == q else {
            throw PhysicsError.sizeMismatch(what: "the parameters of \(Self.self) (\(Self.parameterNames.joined(separator: ", ")))",
                                            expected: q, found: parameters.count)
        }
        let jets = ([r] + parameters).enumerated().map { Radial($0.element, variable: $0.offset) }
        let phi = jets.withUnsafeBufferPointer {
            energy(r: $0[0], LocalVariables(base: $0.baseAddress!, dofCount: 1, historyCount: 0))
        }
        return LocalTermDerivatives(phi, dofCount: 1, historyCount: 0, parameterCount: q)
    }
}
