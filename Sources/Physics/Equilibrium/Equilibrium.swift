import Foundation
import Sparse

/// Newton's method for the equilibrium u*(θ): a stationary point of Π(u; θ) over the unknowns, the
/// prescribed dofs held at the values the loading gives them.
///
/// Each iteration assembles the gradient and Hessian in one automatic-differentiation pass, refactors
/// numerically on the pattern analysed once at creation, and steps p = −H⁻¹g. For minima (`.minimum`),
/// a Hessian that is not positive definite is shifted, H + τI with τ growing geometrically (modified
/// Newton, Nocedal & Wright, Numerical Optimization, §3.4), and the step is backtracked until Armijo's
/// sufficient decrease holds; near convergence energy differences are at round-off, so the test allows
/// a relative slack of 10 ε|Π|. Saddle problems (`.saddle`) take full steps with an LDLᵀ factorization
/// (CHOLMOD's simplicial one for small problems, MUMPS's multifrontal one for large).
///
/// The solver keeps its assembler and factorization between solves: after `solve`, `assembler` holds
/// Π, ∂Π/∂u and ∂²Π/∂u² at the returned state (for a declared-quadratic model, `hessianIsConstant`, at
/// the state the single step started from: the step is exact, and its result's energy and gradient norm
/// come from the Hessian), and `factor` the latest factorization (see
/// `EquilibriumResult.factorIsAtSolution`), which the bilevel layer reuses for adjoint solves.
public final class Equilibrium {
    public let options: NewtonOptions
    public let assembler: Assembler
    /// CHOLMOD's LLᵀ for minima, an LDLᵀ for saddle points (`NewtonOptions.factorizationOptions(unknowns:)`).
    public let factor: SparseFactorization
    /// Parameters of the current factorization, when it can be reused (`hessianIsConstant`).
    private var factoredParameters: [Double]?

    public init(model: Model, options: NewtonOptions = NewtonOptions()) throws {
        try options.validate()
        self.options = options
        assembler = try Assembler(model: model)
        factor = try SparseFactorization(pattern: assembler.pattern,
                                         options: options.factorizationOptions(unknowns: assembler.unknownCount))
    }

    public var model: Model { assembler.model }

    /// Solves from `initial` (full displacement: prescribed dofs carry their imposed values, unknown
    /// dofs the starting guess) at parameters `theta`. Throws only for invalid input or non-finite
    /// evaluations; a solve that does not converge returns a status.
    public func solve(parameters theta: [Double], initial: [Double]) throws -> EquilibriumResult {
        let start = Date()
        let layout = model.layout
        var displacement = initial
        var u = layout.gather(displacement)
        // A linear model whose factorization at this θ is kept needs no Hessian assembly at all.
        func iterateNeeds() -> Needs {
            options.hessianIsConstant && factoredParameters == theta && factor.isFactorized ? [.energy, .gradient] : .newton
        }
        try assembler.evaluate(displacement: displacement, parameters: theta, needs: iterateNeeds())
        var norms = [norm(assembler.gradient)]
        let target = max(options.absoluteTolerance, options.relativeTolerance * norms[0])
        var shifts: [Double] = [], backtracks = 0, iterations = 0
        var factorIsAtSolution = false
        var step = [Double](repeating: 0, count: u.count)

        /// Π at the returned state when it was not evaluated there (a declared-quadratic step).
        var energyAtState: Double?
        func finish(_ s: EquilibriumResult.Status) throws -> EquilibriumResult {
            if s == .converged && !factorIsAtSolution && factor.factorizationCount == 0 {
                // Converged without factoring (the initial guess was the solution): factor once so the
                // bilevel layer always finds a factorization of this state's Hessian.
                if (try? factorizeShifted()) != nil { factorIsAtSolution = true }
            }
            return EquilibriumResult(status: s, displacement: displacement, energy: energyAtState ?? assembler.energy,
                                     gradientNorms: norms, iterations: iterations, backtracks: backtracks,
                                     shifts: shifts, factorIsAtSolution: factorIsAtSolution,
                                     seconds: Date().timeIntervalSince(start))
        }

        while iterations < options.maximumIterations {
            if norms.last! <= target { return try finish(.converged) }
            let shift: Double
            if options.hessianIsConstant, factoredParameters == theta, factor.isFactorized {
                shift = factor.shift
            } else {
                factoredParameters = nil
                do { shift = try factorizeShifted() } catch let error as SparseError {
                    return try finish(.factorizationFailed(error.description))
                }
                if options.hessianIsConstant { factoredParameters = theta }
            }
            shifts.append(shift)
            let g = assembler.gradient
            step = try factor.solve(g)
            for i in step.indices { step[i] = -step[i] }
            var alpha = 1.0
            if options.problem == .minimum {
                let slope = zip(g, step).reduce(0) { $0 + $1.0 * $1.1 }
                let e0 = assembler.energy
                var trial = displacement
                // Near the solution the predicted decrease −gᵀp falls below the round-off of the energy
                // sum, which then cannot judge the step: take the Newton step, whose quality the gradient
                // norm (accurate to far smaller values) shows at the next iteration.
                var accepted = shift == 0 && -slope <= 1e3 * Double.ulpOfOne * abs(e0)
                for _ in 0 ... options.maximumBacktracks where !accepted {
                    for (k, d) in layout.dofOfUnknown.enumerated() { trial[Int(d)] = u[k] + alpha * step[k] }
                    let e = try trialEnergy(trial, theta)
                    if let e, e <= e0 + options.armijo * alpha * slope + 10 * Double.ulpOfOne * abs(e0) {
                        accepted = true
                        break
                    }
                    alpha *= options.backtrackingFactor
                    backtracks += 1
                }
                if !accepted {
                    try assembler.evaluate(displacement: displacement, parameters: theta, needs: .newton)
                    factorIsAtSolution = true
                    return try finish(.lineSearchFailed)
                }
            }
            var largestStep = 0.0, scale = Double.leastNormalMagnitude
            for k in u.indices {
                u[k] += alpha * step[k]
                largestStep = max(largestStep, abs(alpha * step[k]))
                scale = max(scale, abs(layout.reference[Int(layout.dofOfUnknown[k])] + u[k]))
            }
            layout.scatter(unknowns: u, into: &displacement)
            if options.hessianIsConstant && shift == 0 {
                // One Newton step solves a quadratic problem exactly; what remains is round-off. Its
                // gradient and energy after the step follow from the Hessian at hand (the one factored,
                // at this θ), g + αHp and Π + αgᵀp + ½α²pᵀHp: one sparse product instead of an
                // assembly pass, which is a third of a linear time step's cost.
                let hp = assembler.hessian.multiply(step)
                var energy = assembler.energy, squaredNorm = 0.0
                for k in step.indices {
                    energy += alpha * g[k] * step[k] + 0.5 * alpha * alpha * step[k] * hp[k]
                    let r = g[k] + alpha * hp[k]
                    squaredNorm += r * r
                }
                energyAtState = energy
                norms.append(squaredNorm.squareRoot())
                iterations += 1
                factorIsAtSolution = true
                return try finish(.converged)
            }
            try assembler.evaluate(displacement: displacement, parameters: theta, needs: iterateNeeds())
            factorIsAtSolution = false
            iterations += 1
            norms.append(norm(assembler.gradient))
            if alpha == 1 && shift == 0 && largestStep <= options.stepTolerance * scale { return try finish(.converged) }
        }
        return try finish(norms.last! <= target ? .converged : .maximumIterations)
    }

    /// Energy at a trial state, or nil where the energy is not finite there (the step is then shortened:
    /// a trial step may overshoot into overlapping atoms even when the equilibrium is well defined).
    private func trialEnergy(_ displacement: [Double], _ theta: [Double]) throws -> Double? {
        do {
            try assembler.evaluate(displacement: displacement, parameters: theta, needs: .energy)
            return assembler.energy
        } catch is PhysicsError {
            return nil
        }
    }

    /// Factors the assembled Hessian, shifting it for minima until it is positive definite; returns the
    /// shift used.
    @discardableResult
    private func factorizeShifted() throws -> Double {
        let h = assembler.hessian
        do {
            try factor.factorize(h)
            return 0
        } catch SparseError.notPositiveDefinite where options.problem == .minimum {
            // Nocedal & Wright, Algorithm 3.3: start above the most negative diagonal entry by a margin
            // β‖diag‖, so the shifted matrix is safely definite rather than barely (a near-zero pivot
            // would make the step enormous), then grow geometrically.
            var largest = 0.0, smallest = Double.infinity
            for j in 0 ..< h.dimension {
                let v = h[j, j]
                largest = max(largest, abs(v))
                smallest = min(smallest, v)
            }
            let margin = options.initialShift * max(largest, 1e-300)
            var shift = max(margin, margin - smallest)
            while true {
                do {
                    try factor.factorize(h, shift: shift)
                    return shift
                } catch SparseError.notPositiveDefinite where shift < 1e6 * max(largest, 1) {
                    shift *= options.shiftGrowth
                }
            }
        }
    }

    private func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
