import Physics

/// Exact derivatives through a time-stepped equilibrium: the adjoint, run backwards through the steps,
/// and forward sensitivities, run forwards.
///
/// Step n solves gₙ(uₙ, uₙ₋₁, θ) = ∂Πₙ/∂uₙ = 0; differentiating, Hₙ Sₙ + Cₙ Sₙ₋₁ + Mₙ = 0 with
/// Hₙ = ∂²Πₙ/∂uₙ², Cₙ = ∂²Πₙ/∂uₙ∂uₙ₋₁, Mₙ = ∂²Πₙ/∂uₙ∂θ and Sₙ = duₙ/dθ (S before the first step is 0:
/// the initial state does not depend on θ).
/// - Forward: Sₙ = −Hₙ⁻¹(Mₙ + Cₙ Sₙ₋₁), one solve per parameter and step.
/// - Adjoint, for L = Σₙ ℓₙ(uₙ, θ): from the last step down,
///   Hₙ λₙ = ∂ℓₙ/∂uₙ − Cₙ₊₁ᵀ λₙ₊₁ (λ after the last step is 0), and dL/dθ = Σₙ (∂ℓₙ/∂θ − Mₙᵀ λₙ):
///   one solve per step whatever the number of parameters.
/// Each step's solve uses its solver's factorization: for linear models at fixed θ
/// (`NewtonOptions.hessianIsConstant`) the forward run's factorization serves every step of both passes,
/// and each adjoint step costs one solve and one assembly pass (M and Cₙᵀλₙ together).
/// Otherwise the factorization at hand (of a neighbouring step's Hessian, which changes slowly from step
/// to step) preconditions iterative refinement against the exact Hessian of each step, so that most steps
/// cost a few sparse products and solves instead of a factorization; where refinement stalls, that step's
/// Hessian is factored (see `Linearization`).
public enum TimeSteppedAdjoint {
    /// The misfit's partial derivatives at one step: over that step's unknowns and over the parameters.
    public struct StepSensitivity: Sendable {
        public var dLdu: [Double]
        public var dLdtheta: [Double]
        public init(dLdu: [Double], dLdtheta: [Double]) {
            self.dLdu = dLdu
            self.dLdtheta = dLdtheta
        }
    }

    /// dL/dθ through the steps whose converged states are `states` (one per step of `sequence`, from
    /// `sequence.initialState`); `misfit(n, uₙ)` gives step n's partials (zeros where it has no data).
    public static func gradient(_ sequence: any EquilibriumSequence, states: [[Double]], parameters theta: [Double],
                                misfit: (Int, [Double]) throws -> StepSensitivity) throws -> [Double] {
        var gradient = [Double](repeating: 0, count: theta.count)
        var coupling: [Double] = []   // Cₙ₊₁ᵀλₙ₊₁ over dofs
        for n in stride(from: states.count - 1, through: 0, by: -1) {
            let state = states[n], previous = n == 0 ? sequence.initialState : states[n - 1]
            let solver = try sequence.prepare(step: n, previous: previous)
            let layout = solver.model.layout
            let partials = try misfit(n, state)
            var rhs = partials.dLdu
            if !coupling.isEmpty { for (k, dof) in layout.dofOfUnknown.enumerated() { rhs[k] -= coupling[Int(dof)] } }
            let lambda: [Double], correction: [Double]
            if solver.options.hessianIsConstant && solver.factor.isFactorized {
                // The factor is of this step's (constant) Hessian: solve first, then M and Cᵀλ in one
                // assembly pass.
                lambda = try solver.factor.solve(rhs)
                if n > 0 {
                    try solver.assembler.historyCouplingProduct(displacement: state, parameters: theta, adjoint: lambda, also: .mixed)
                } else {
                    try solver.assembler.evaluate(displacement: state, parameters: theta, needs: .mixed)
                }
                correction = solver.assembler.mixedTransposeProduct(lambda)
            } else {
                let linearization = try linearize(solver, state, theta)
                lambda = try linearization.solve(rhs)
                correction = linearization.mixedTransposeProduct(lambda)
                if n > 0 { try solver.assembler.historyCouplingProduct(displacement: state, parameters: theta, adjoint: lambda) }
            }
            for p in gradient.indices { gradient[p] += partials.dLdtheta[p] - correction[p] }
            if n > 0 { coupling = solver.assembler.historyProduct }
        }
        return gradient
    }

    /// duₙ/dθ for every step: `result[n]` holds, column by column (one per parameter), the sensitivity
    /// of every dof of step n (zero for prescribed dofs).
    public static func sensitivities(_ sequence: any EquilibriumSequence, states: [[Double]],
                                     parameters theta: [Double]) throws -> [[Double]] {
        var result: [[Double]] = []
        var previousSensitivity: [Double] = []   // dofs × parameters, column by column
        for n in states.indices {
            let state = states[n], previous = n == 0 ? sequence.initialState : states[n - 1]
            let solver = try sequence.prepare(step: n, previous: previous)
            let layout = solver.model.layout
            let dofs = layout.dofCount, unknowns = layout.unknownCount, p = theta.count
            let linearization = try linearize(solver, state, theta)
            var rhs = linearization.mixed
            if !previousSensitivity.isEmpty {
                for j in 0 ..< p {
                    let column = Array(previousSensitivity[j * dofs ..< (j + 1) * dofs])
                    let cs = try solver.assembler.historyCouplingForwardProduct(displacement: state, parameters: theta, direction: column)
                    for i in 0 ..< unknowns { rhs[j * unknowns + i] += cs[i] }
                }
            }
            let s = try linearization.solve(rhs, columns: p)
            var full = [Double](repeating: 0, count: dofs * p)
            for j in 0 ..< p {
                for (k, dof) in layout.dofOfUnknown.enumerated() { full[j * dofs + Int(dof)] = -s[j * unknowns + k] }
            }
            result.append(full)
            previousSensitivity = full
        }
        return result
    }

    /// H, M at step n's state; solves are exact for this step's Hessian.
    private static func linearize(_ solver: Equilibrium, _ state: [Double], _ theta: [Double]) throws -> Linearization {
        let factor: Linearization.FactorState = solver.options.hessianIsConstant
            ? .current : (solver.factor.isFactorized ? .nearby : .unrelated)
        return try Linearization(solver: solver, displacement: state, parameters: theta, factor: factor)
    }
}
