import Physics
import Sparse

/// The equilibrium's linearization at u*(θ): solves with the Hessian H = ∂²Π/∂u² at u*, and its mixed
/// derivative M = ∂²Π/∂u∂θ — the two ingredients of the implicit function theorem,
/// du*/dθ = −H⁻¹M.
///
/// Solves reuse the Newton solver's factorization. When the last Newton step moved u after that
/// factorization (`factorIsAtSolution == false`), the factor F is of a nearby Hessian; solutions are then
/// made exact for H(u*) by iterative refinement, x ← x + F⁻¹(b − H x), with exact sparse Hessian–vector
/// products (Higham, Accuracy and Stability of Numerical Algorithms, §12.1). Its error contracts by
/// ‖I − F⁻¹H‖ per step, tiny near convergence; if it stalls, H(u*) is factored afresh. No new
/// factorization is needed in the usual case.
public final class Linearization {
    public let solver: Equilibrium
    /// Parameters and full displacement of the equilibrium.
    public let parameters: [Double]
    public let displacement: [Double]
    /// Refinement steps taken by the latest `solve`, and its componentwise backward error (0 when the
    /// factorization was of H itself and nothing was measured).
    public private(set) var lastRefinementSteps = 0
    public private(set) var lastBackwardError = 0.0
    /// Whether the solver's factor had to be recomputed at u*.
    public private(set) var refactored = false
    /// Componentwise backward error the refinement aims for. Default 1e-14 (a backward-stable direct
    /// solve reaches a small multiple of ε ≈ 2.2e-16).
    public var tolerance = 1e-14
    /// Refinement steps before falling back to a fresh factorization. Default 30 (a solve costs a few
    /// percent of a factorization).
    public var maximumRefinementSteps = 30
    private var factorIsCurrent: Bool

    /// How the solver's current factorization relates to the Hessian at the state linearized.
    public enum FactorState: Sendable {
        /// It is the factorization of this very Hessian.
        case current
        /// It is of a nearby Hessian (the last Newton iterate): refine against the exact one.
        case nearby
        /// It is of another matrix (another time step): factor this Hessian afresh.
        case unrelated
    }

    /// Evaluates H, M, ∂Π/∂θ at the equilibrium `result` found by `solver` at `parameters`.
    /// Use it before the solver's next solve: the solver's factor and assembler are shared.
    public convenience init(solver: Equilibrium, result: EquilibriumResult, parameters: [Double]) throws {
        let current = result.factorIsAtSolution && solver.factor.isFactorized && solver.factor.shift == 0
        try self.init(solver: solver, displacement: result.displacement, parameters: parameters,
                      factor: current ? .current : .nearby)
    }

    /// Evaluates H, M, ∂Π/∂θ at `displacement` (an equilibrium; for time steps, with the assembler's
    /// history and time already set to that step's). With a `.current` factor of a constant Hessian
    /// (`NewtonOptions.hessianIsConstant`), H is not assembled again: the solves need only the factor.
    public init(solver: Equilibrium, displacement: [Double], parameters: [Double], factor: FactorState) throws {
        self.solver = solver
        self.parameters = parameters
        self.displacement = displacement
        let hessianKnown = factor == .current && solver.options.hessianIsConstant
        try solver.assembler.evaluate(displacement: displacement, parameters: parameters,
                                      needs: hessianKnown ? [.energy, .gradient, .mixed, .parameterGradient] : .all)
        switch factor {
        case .current:
            factorIsCurrent = solver.factor.isFactorized
        case .nearby:
            factorIsCurrent = false
        case .unrelated:
            try solver.factor.factorize(solver.assembler.hessian)
            factorIsCurrent = true
            refactored = true
        }
    }

    public var unknownCount: Int { solver.assembler.unknownCount }
    public var parameterCount: Int { parameters.count }

    /// M = ∂²Π/∂u∂θ, unknowns × parameters, column by column.
    public var mixed: [Double] { solver.assembler.mixed }
    /// ∂Π/∂θ at the equilibrium.
    public var energyParameterGradient: [Double] { solver.assembler.parameterGradient }

    /// Solves H(u*) X = B for `columns` right-hand sides (column by column), exactly to `tolerance`.
    public func solve(_ b: [Double], columns: Int = 1) throws -> [Double] {
        let n = unknownCount
        guard b.count == n * columns else {
            throw PhysicsError.sizeMismatch(what: "the right-hand side", expected: n * columns, found: b.count)
        }
        var x = try factorSolve(b, columns)
        lastRefinementSteps = 0
        // A factorization of H itself gives a backward-stable solve: nothing to measure or refine.
        guard !factorIsCurrent else {
            lastBackwardError = 0
            return x
        }
        lastBackwardError = residualNorm(b, x, columns)
        if lastBackwardError <= tolerance { return x }
        var previous = Double.infinity
        while lastBackwardError > tolerance && lastRefinementSteps < maximumRefinementSteps
            && lastBackwardError < 0.5 * previous
        {
            let correction = try factorSolve(residual(b, x, columns), columns)
            for i in x.indices { x[i] += correction[i] }
            previous = lastBackwardError
            lastBackwardError = residualNorm(b, x, columns)
            lastRefinementSteps += 1
        }
        if lastBackwardError > tolerance {
            // Refinement stalled: the old factor is too far from H(u*). Factor H(u*) itself.
            try solver.factor.factorize(solver.assembler.hessian)
            factorIsCurrent = true
            refactored = true
            x = try factorSolve(b, columns)
            lastBackwardError = residualNorm(b, x, columns)
        }
        return x
    }

    /// Mᵀ y: the contraction of the mixed derivative with an adjoint vector, one entry per parameter.
    public func mixedTransposeProduct(_ y: [Double]) -> [Double] {
        solver.assembler.mixedTransposeProduct(y)
    }

    private func factorSolve(_ b: [Double], _ columns: Int) throws -> [Double] {
        var x = [Double](repeating: 0, count: b.count)
        try b.withUnsafeBufferPointer { bb in
            try x.withUnsafeMutableBufferPointer { try solver.factor.solve(bb, into: $0, columns: columns) }
        }
        return x
    }

    private func residual(_ b: [Double], _ x: [Double], _ columns: Int) -> [Double] {
        let n = unknownCount
        var r = b
        var hx = [Double](repeating: 0, count: n)
        for c in 0 ..< columns {
            x[c * n ..< (c + 1) * n].withUnsafeBufferPointer { xc in
                hx.withUnsafeMutableBufferPointer { solver.assembler.hessian.multiply(xc, into: $0) }
            }
            for i in 0 ..< n { r[c * n + i] -= hx[i] }
        }
        return r
    }

    /// The componentwise backward error max_i |b − Hx|_i / (|H||x| + |b|)_i (Oettli & Prager 1964): the
    /// relative perturbation of H and b that x solves exactly. Unlike a norm of the residual it does not
    /// let rows in large units (forces) hide the residual of rows in small ones (fluid volumes).
    private func residualNorm(_ b: [Double], _ x: [Double], _ columns: Int) -> Double {
        let n = unknownCount
        let r = residual(b, x, columns)
        var scale = [Double](repeating: 0, count: n)
        var worst = 0.0
        for c in 0 ..< columns {
            x[c * n ..< (c + 1) * n].withUnsafeBufferPointer { xc in
                scale.withUnsafeMutableBufferPointer { solver.assembler.hessian.multiplyAbsolute(xc, into: $0) }
            }
            for i in 0 ..< n {
                let denominator = scale[i] + abs(b[c * n + i])
                if denominator > 0 { worst = max(worst, abs(r[c * n + i]) / denominator) }
            }
        }
        return worst
    }
}
