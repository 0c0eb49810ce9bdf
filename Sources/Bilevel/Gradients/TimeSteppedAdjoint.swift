import Physics

/// The adjoint of a time-stepped equilibrium, run backwards through the steps.
///
/// Step n solves gₙ(uₙ, uₙ₋₁, θ) = ∂Πₙ/∂uₙ = 0. For L = Σₙ ℓₙ(uₙ, θ), the Lagrangian
/// L − Σₙ λₙᵀgₙ gives, from the last step down to the first,
///   Hₙ λₙ = ∂ℓₙ/∂uₙ − Cₙ₊₁ᵀ λₙ₊₁,   Cₙ₊₁ = ∂²Πₙ₊₁/∂uₙ₊₁∂uₙ,   λ_{N+1} = 0,
///   dL/dθ = Σₙ (∂ℓₙ/∂θ − Mₙᵀ λₙ).
/// Each step needs one solve with its Hessian. For linear models at fixed θ
/// (`NewtonOptions.hessianIsConstant`), the forward run's single factorization serves every backward
/// step as well; otherwise each step's Hessian is factored once on the way back (the forward run took
/// one factorization per Newton iteration of every step, so this costs a fraction of it).
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

    /// dL/dθ for the run `run` of `stepping` at `theta`; `misfit(n, uₙ)` gives step n's partials
    /// (zero vectors where step n has no data).
    public static func gradient(_ stepping: TimeStepping, run: TimeStepping.Run, parameters theta: [Double],
                                misfit: (Int, [Double]) throws -> StepSensitivity) throws -> [Double] {
        let solver = stepping.solver
        let layout = solver.model.layout
        let constant = solver.options.hessianIsConstant
        var gradient = [Double](repeating: 0, count: theta.count)
        var coupling = [Double](repeating: 0, count: layout.dofCount)   // Cₙ₊₁ᵀλₙ₊₁ over dofs
        for n in stride(from: run.states.count - 1, through: 0, by: -1) {
            let state = run.states[n], previous = n == 0 ? run.initial : run.states[n - 1]
            stepping.setStep(n, previous: previous)
            let partials = try misfit(n, state)
            var rhs = partials.dLdu
            for (k, dof) in layout.dofOfUnknown.enumerated() { rhs[k] -= coupling[Int(dof)] }
            let linearization = try Linearization(solver: solver, displacement: state, parameters: theta,
                                                  factor: constant ? .current : .unrelated)
            let lambda = try linearization.solve(rhs)
            let correction = linearization.mixedTransposeProduct(lambda)
            for p in gradient.indices { gradient[p] += partials.dLdtheta[p] - correction[p] }
            if n > 0 {
                try solver.assembler.historyCouplingProduct(displacement: state, parameters: theta, adjoint: lambda)
                coupling = solver.assembler.historyProduct
            }
        }
        return gradient
    }
}
