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
/// Line search without waste: the full Newton step is evaluated with everything the next iteration needs
/// (energy, gradient and Hessian in one pass); when it satisfies Armijo's test it is taken with no other
/// evaluation, and only a rejected full step costs energy-only evaluations of shorter ones. The step,
/// the trial state and the unknowns live in buffers kept across iterations and solves.
///
/// Models whose terms depend on the configuration (pairs within a cutoff: `Model.refresh`) are asked at
/// the start of a solve and wherever Newton converges whether their terms hold there; when not (atoms
/// moved farther than the neighbour list's skin allows and pairs came within the cutoff), the terms are
/// rebuilt at that state, the Hessian's pattern re-analysed, and Newton goes on from there, so a
/// returned equilibrium never lacks a pair (`rebuildCount`). Iterates in between keep the terms they
/// started with: the line search compares energies of one function, and a trial step that wanders far
/// (a shifted step of a cold start) does not change which equilibrium the solve lands on.
///
/// The solver keeps its assembler and factorization between solves: after `solve`, `assembler` holds
/// Π, ∂Π/∂u and ∂²Π/∂u² at the returned state (for a declared-quadratic model, `hessianIsConstant`, at
/// the state the single step started from: the step is exact, and its result's energy and gradient norm
/// come from the Hessian), and `factor` the latest factorization (see
/// `EquilibriumResult.factorIsAtSolution`), which the bilevel layer reuses for adjoint solves.
public final class Equilibrium {
    public let options: NewtonOptions
    /// The assembler of the current model (replaced when the model's terms are rebuilt).
    public private(set) var assembler: Assembler
    /// CHOLMOD's LLᵀ for minima, an LDLᵀ for saddle points (`NewtonOptions.factorizationOptions(unknowns:)`),
    /// on the current model's pattern.
    public private(set) var factor: SparseFactorization
    /// Times the model's terms were rebuilt (neighbour lists refreshed, pattern re-analysed) so far.
    public private(set) var rebuildCount = 0
    /// The assembler and factorization of the model given at creation, kept while a rebuilt model serves.
    private let baseAssembler: Assembler
    private let baseFactor: SparseFactorization
    /// Parameters of the current factorization, when it can be reused (`hessianIsConstant`).
    private var factoredParameters: [Double]?
    /// Newton step and trial state, kept across iterations and solves (no large temporaries per iteration).
    private var stepBuffer: [Double] = []
    private var trialBuffer: [Double] = []

    public init(model: Model, options: NewtonOptions = NewtonOptions()) throws {
        try options.validate()
        self.options = options
        assembler = try Assembler(model: model)
        factor = try SparseFactorization(pattern: assembler.pattern,
                                         options: options.factorizationOptions(unknowns: assembler.unknownCount))
        baseAssembler = assembler
        baseFactor = factor
    }

    public var model: Model { assembler.model }

    /// Makes the assembler's terms those that hold at `displacement` (`Model.refresh`): the model given
    /// at creation wherever its terms hold (its assembler and analysis are kept, so a solve near the
    /// reference runs exactly as without refreshing), else a model rebuilt there — a new assembler
    /// (pattern, scatter maps) and a new analysis of the factorization. With `canonical` (the start of a
    /// solve) a model rebuilt earlier is not reused even where it would hold, so that the terms a solve
    /// starts with depend on its starting state alone, not on the solves before it (a resumed run
    /// repeats an uninterrupted one bit for bit). Returns whether the terms changed.
    @discardableResult
    public func refreshTerms(at displacement: [Double], canonical: Bool = false) throws -> Bool {
        if assembler !== baseAssembler, let baseRefresh = baseAssembler.model.refresh {
            guard let rebuilt = try baseRefresh(displacement) else {
                install(baseAssembler, baseFactor)
                return true
            }
            if !canonical, let refresh = assembler.model.refresh, try refresh(displacement) == nil { return false }
            try install(rebuilt)
            return true
        }
        guard let refresh = assembler.model.refresh, let rebuilt = try refresh(displacement) else { return false }
        try install(rebuilt)
        return true
    }

    private func install(_ model: Model) throws {
        let next = try Assembler(model: model)
        install(next, try SparseFactorization(pattern: next.pattern, options: options.factorizationOptions(unknowns: next.unknownCount)))
        rebuildCount += 1
    }

    private func install(_ next: Assembler, _ nextFactor: SparseFactorization) {
        next.time = assembler.time
        if !assembler.history.isEmpty { next.history = assembler.history }
        assembler = next
        factor = nextFactor
        factoredParameters = nil
    }

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
        try refreshTerms(at: displacement, canonical: true)
        try assembler.evaluate(displacement: displacement, parameters: theta, needs: iterateNeeds())
        var norms = [norm(assembler.gradient)]
        let target = max(options.absoluteTolerance, options.relativeTolerance * norms[0])
        var shifts: [Double] = [], backtracks = 0, iterations = 0
        var factorizationSeconds = 0.0, linearSolveSeconds = 0.0
        func timed<T>(_ seconds: inout Double, _ body: () throws -> T) rethrows -> T {
            let begin = DispatchTime.now().uptimeNanoseconds
            defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - begin) * 1e-9 }
            return try body()
        }
        var factorIsAtSolution = false
        if stepBuffer.count != u.count { stepBuffer = [Double](repeating: 0, count: u.count) }
        var step = stepBuffer
        stepBuffer = []
        defer { stepBuffer = step }
        var trial = trialBuffer
        trialBuffer = []
        defer { trialBuffer = trial }
        // The prescribed dofs of the trial state are this solve's.
        if trial.count != displacement.count { trial = displacement } else { for i in trial.indices { trial[i] = displacement[i] } }

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
                                     seconds: Date().timeIntervalSince(start), factorizationSeconds: factorizationSeconds,
                                     linearSolveSeconds: linearSolveSeconds)
        }

        /// At a converged state, the terms that hold there: when they differ from those Newton converged
        /// with (pairs came within the cutoff on the way), it goes on from this state with them.
        func termsChangedAtSolution() throws -> Bool {
            guard try refreshTerms(at: displacement) else { return false }
            try assembler.evaluate(displacement: displacement, parameters: theta, needs: iterateNeeds())
            norms.append(norm(assembler.gradient))
            factorIsAtSolution = false
            return true
        }

        while iterations < options.maximumIterations {
            if norms.last! <= target {
                if try termsChangedAtSolution() { continue }
                return try finish(.converged)
            }
            let shift: Double
            if options.hessianIsConstant, factoredParameters == theta, factor.isFactorized {
                shift = factor.shift
            } else {
                factoredParameters = nil
                do { shift = try timed(&factorizationSeconds) { try factorizeShifted() } } catch let error as SparseError {
                    return try finish(.factorizationFailed(error.description))
                }
                if options.hessianIsConstant { factoredParameters = theta }
            }
            shifts.append(shift)
            let g = assembler.gradient
            try timed(&linearSolveSeconds) {
                try g.withUnsafeBufferPointer { b in try step.withUnsafeMutableBufferPointer { try factor.solve(b, into: $0) } }
            }
            for i in step.indices { step[i] = -step[i] }
            var alpha = 1.0
            /// Whether the assembler already holds the evaluation at the accepted state.
            var evaluatedAtStep = false
            if options.problem == .minimum {
                let slope = zip(g, step).reduce(0) { $0 + $1.0 * $1.1 }
                let e0 = assembler.energy
                func sufficientDecrease(_ e: Double) -> Bool {
                    e <= e0 + options.armijo * alpha * slope + 10 * Double.ulpOfOne * abs(e0)
                }
                // Near the solution the predicted decrease −gᵀp falls below the round-off of the energy
                // sum, which then cannot judge the step: take the Newton step, whose quality the gradient
                // norm (accurate to far smaller values) shows at the next iteration.
                var accepted = shift == 0 && -slope <= 1e3 * Double.ulpOfOne * abs(e0)
                if !accepted {
                    // The full step, evaluated with what the next iteration needs: accepted, it costs nothing more.
                    for (k, d) in layout.dofOfUnknown.enumerated() { trial[Int(d)] = u[k] + step[k] }
                    let needs: Needs = options.hessianIsConstant ? .energy : iterateNeeds()
                    if let e = try trialEnergy(trial, theta, needs: needs), sufficientDecrease(e) {
                        accepted = true
                        evaluatedAtStep = !options.hessianIsConstant
                    } else {
                        alpha *= options.backtrackingFactor
                        backtracks += 1
                    }
                }
                for _ in 1 ... options.maximumBacktracks where !accepted {
                    for (k, d) in layout.dofOfUnknown.enumerated() { trial[Int(d)] = u[k] + alpha * step[k] }
                    if let e = try trialEnergy(trial, theta, needs: .energy), sufficientDecrease(e) {
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
            if !evaluatedAtStep { try assembler.evaluate(displacement: displacement, parameters: theta, needs: iterateNeeds()) }
            factorIsAtSolution = false
            iterations += 1
            norms.append(norm(assembler.gradient))
            if alpha == 1 && shift == 0 && largestStep <= options.stepTolerance * scale {
                if try termsChangedAtSolution() { continue }
                return try finish(.converged)
            }
            if options.problem == .minimum && alpha == 1 && shift == 0 && largestStep <= 1e-4 * scale,
               try chordStepIsNegligible(scale: scale, into: &step) {
                if try termsChangedAtSolution() { continue }
                return try finish(.converged)
            }
        }
        return try finish(norms.last! <= target && !(try termsChangedAtSolution()) ? .converged : .maximumIterations)
    }

    /// Whether the next Newton step is already below the step tolerance, judged without factoring: after
    /// a short full step the factor at hand (of the Hessian one iterate back) gives the chord step
    /// F⁻¹g, which equals the Newton step H⁻¹g to within ‖I − F⁻¹H‖ = O(last step) relative. In the
    /// quadratic regime (a warm start, the end of a cold one) the state is then accurate to the step
    /// tolerance, as after the confirming step the test above waits for, and that step's factorization
    /// (the largest cost of a warm solve) is saved. `buffer` receives the chord step.
    private func chordStepIsNegligible(scale: Double, into buffer: inout [Double]) throws -> Bool {
        guard factor.isFactorized, factor.shift == 0 else { return false }
        let g = assembler.gradient
        try g.withUnsafeBufferPointer { b in try buffer.withUnsafeMutableBufferPointer { try factor.solve(b, into: $0) } }
        var largest = 0.0
        for x in buffer { largest = max(largest, abs(x)) }
        return largest <= options.stepTolerance * scale
    }

    /// Energy at a trial state, or nil where the energy is not finite there (the step is then shortened:
    /// a trial step may overshoot into overlapping atoms even when the equilibrium is well defined).
    private func trialEnergy(_ displacement: [Double], _ theta: [Double], needs: Needs) throws -> Double? {
        do {
            try assembler.evaluate(displacement: displacement, parameters: theta, needs: needs)
            guard assembler.energy.isFinite else { return nil }
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
