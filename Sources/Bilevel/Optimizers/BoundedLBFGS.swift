// Bound-constrained quasi-Newton minimization of a smooth f(z), l ≤ z ≤ u, by NLopt's L-BFGS
// (limited-memory BFGS with projected search directions; Nocedal & Wright, "Numerical Optimization",
// 2nd ed. 2006, §7.2 and §16.7). This file adds what NLopt lacks:
//
// • Projected-gradient stopping: at every new best point the wrapper computes ‖P(z − ∇f) − z‖∞ and
//   forces NLopt to stop when it is ≤ tol (NLopt's L-BFGS only has a fixed internal 1e-8 test).
// • Failed inner solves: NLopt has no notion of "cannot evaluate here" (NaN is not a documented
//   signal, and exceptions cannot cross its C interface). A failed point z_f is reported to NLopt as
//   lying on a steep quadratic wall rising from the best point z_b:
//       f(z_f) := f_b + W,  ∇f(z_f) := 2W (z_f − z_b)/‖z_f − z_b‖²,  W = penalty·(1 + |f_b|),
//   i.e. the value and slope of f_b + W t² at t = 1 along the segment, so the line search's
//   interpolation backs off toward z_b instead of aborting. If NLopt's line search then gives up
//   (NLOPT_FAILURE / ROUNDOFF_LIMITED), the run restarts from z_b with a fresh memory, a bounded number
//   of times. Consecutive failures beyond a limit end the run with a failed status.
// • Iterations and progress: an "iteration" is an evaluation that lowers the best objective.
// • Honest termination: whatever NLopt's reason to stop, the status is "converged" only where the
//   `TerminationPolicy` finds first-order optimality at the best point; NLopt giving up at such a point
//   (round-off, which depends on the CPU) is converged, and its other stops elsewhere are "stalled".

import Foundation

/// Bound-constrained L-BFGS (NLopt `LD_LBFGS`) over the free transformed parameters z.
///
/// Guarantees: the result's `z` is the best successful evaluation (all points NLopt evaluates lie in
/// the box); failed evaluations never end the run by themselves (see `LBFGSOptions`); errors thrown
/// by the objective are rethrown unchanged after NLopt has been stopped; deterministic.
public struct BoundedLBFGS: Sendable {
    public var options: LBFGSOptions

    public init(options: LBFGSOptions = LBFGSOptions()) {
        self.options = options
    }

    /// Minimizes over the free parameters of `space`, starting at their initial values. `curvature`
    /// (for least squares, JᵀJ at z) lets the termination policy judge optimality in standard errors.
    public func minimize(_ objective: ObjectiveFunction, in space: ParameterSpace, curvature: CurvatureFunction? = nil,
                         progress: ProgressHandler? = nil) throws -> OptimizationResult {
        try minimize(objective, from: space.initialTransformed, bounds: space.transformedBounds, scales: space.optimalityScales,
                     curvature: curvature, progress: progress)
    }

    /// Minimizes `objective` from `start` (projected into `bounds`); `scales` are the typical magnitudes
    /// of z for the relative-gradient test (nil: max(|z_i|, 1)).
    public func minimize(_ objective: ObjectiveFunction, from start: [Double], bounds: BoxBounds, scales: [Double]? = nil,
                         curvature: CurvatureFunction? = nil, progress: ProgressHandler? = nil) throws -> OptimizationResult {
        try options.validate()
        try bounds.validateStart(start)
        let n = start.count

        let nlopt = try NLoptLBFGS(dimension: n, memory: options.memory)
        let run = LBFGSRun(options: options, bounds: bounds, scales: scales, progress: progress)
        var x = bounds.project(start)
        if options.curvatureScaling {
            // The start's evaluation sets the scaling; NLopt's own first call there is answered from it.
            run.evaluateStart(x, objective)
            if let error = run.thrown { throw error }
            if let a = run.best?.curvature {
                run.scale = (0 ..< n).map { i in
                    let d = a[i, i]
                    return d > 0 && d.isFinite && (1 / d.squareRoot()).isNormal ? 1 / d.squareRoot() : 1
                }
            }
        }
        try nlopt.setBounds(BoxBounds(lower: zip(bounds.lower, run.scale).map { $0 / $1 },
                                      upper: zip(bounds.upper, run.scale).map { $0 / $1 }))
        try nlopt.setRelativeObjectiveTolerance(options.relativeObjectiveTolerance)
        x = zip(x, run.scale).map { $0 / $1 }
        run.markStart(x)
        // Optimality at the best point, with curvature computed once per best point (it costs an evaluation).
        var measured: (z: [Double], optimality: Optimality)?
        func optimality(_ best: LBFGSRun.Best, withCurvature: Bool = true) throws -> Optimality {
            if withCurvature, let measured, measured.z == best.z { return measured.optimality }
            let a = withCurvature ? try best.curvature ?? curvature?(best.z) : best.curvature
            let o = Optimality.measure(z: best.z, objective: best.value, gradient: best.gradient, bounds: bounds, curvature: a,
                                       scales: scales, objectiveScale: options.termination.objectiveScale)
            if withCurvature { measured = (best.z, o) }
            return o
        }

        var restarts = 0
        var status: OptimizationStatus?
        var stop: StopCriterion?
        while status == nil && stop == nil {
            let remaining = options.maximumEvaluations - run.evaluations
            if remaining <= 0 { status = .maximumEvaluations; break }
            try nlopt.setMaximumEvaluations(remaining)
            let bestBefore = run.best?.value
            let (outcome, code, _) = try nlopt.minimize(from: &x) { xs, g in run.evaluate(xs, g, objective) }
            if let error = run.thrown { throw error }
            guard let best = run.best else { throw OptimizerError.initialEvaluationFailed }
            if let own = run.stop {
                switch own {
                case .converged(.projectedGradient): stop = .projectedGradient
                case .converged(.firstOrderOptimality): stop = .firstOrderOptimality
                default: status = own
                }
                break
            }
            switch outcome {
            case .objectiveToleranceReached: stop = .objectiveChange
            case .stepToleranceReached: stop = .stepSize
            case .success:
                stop = best.projectedGradientNorm <= options.projectedGradientTolerance ? .projectedGradient : .solverSuccess
            case .maximumEvaluationsReached: status = .maximumEvaluations
            default:
                // NLopt's line search gave up. At a first-order point that is round-off, not failure;
                // elsewhere restart from the best point with a fresh memory while that still helps.
                let gaveUp = StopCriterion.solverGaveUp(code: code, meaning: NLoptOutcome.name(of: code))
                let optimal = options.termination.isOptimal(try optimality(best), absoluteTolerance: options.projectedGradientTolerance)
                if !optimal && restarts < options.maximumRestarts && (bestBefore == nil || best.value < bestBefore!) {
                    restarts += 1
                    run.log.append("NLopt stopped with \(NLoptOutcome.name(of: code)) after \(run.evaluations) evaluations; "
                        + "restart \(restarts) from the best point (f = \(outerFormat(best.value)))")
                    x = zip(best.z, run.scale).map { $0 / $1 }
                    continue
                }
                stop = gaveUp
            }
        }
        guard let best = run.best else { throw OptimizerError.initialEvaluationFailed }
        // Curvature costs an evaluation: spent only where the policy has a stop to judge (a run stopped by
        // its handler or a limit is reported as such, and must not evaluate again before it is resumed).
        let finalOptimality = try optimality(best, withCurvature: stop != nil)
        let final = stop.map { options.termination.status(after: $0, optimality: finalOptimality,
                                                          absoluteTolerance: options.projectedGradientTolerance) }
            ?? status ?? .maximumEvaluations
        run.log.append("stopped: \(final)")
        return OptimizationResult(
            method: "L-BFGS-B (NLopt LD_LBFGS)", status: final, z: best.z, objective: best.value,
            gradient: best.gradient, projectedGradientNorm: best.projectedGradientNorm, optimality: finalOptimality,
            residuals: nil, jacobian: nil,
            iterations: run.iterations, objectiveEvaluations: run.evaluations, jacobianEvaluations: run.successes,
            failedEvaluations: run.failures, rejectedSteps: run.failures, restarts: restarts,
            innerIterations: run.innerTotal, history: run.history, log: run.log)
    }
}

/// Mutable state of one L-BFGS run, shared by the NLopt callback and the driver.
private final class LBFGSRun {
    struct Best {
        var z: [Double]
        var value: Double
        var gradient: [Double]
        var projectedGradientNorm: Double
        /// JᵀJ when the evaluation carried it.
        var curvature: DenseMatrix?
    }

    let options: LBFGSOptions
    let bounds: BoxBounds
    let progress: ProgressHandler?
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant

    var best: Best?
    var evaluations = 0, successes = 0, failures = 0, consecutiveFailures = 0
    var iterations = 0, innerTotal = 0
    var evaluationsSinceRecord = 0, innerSinceRecord = 0
    var history: [IterationRecord] = []
    var log: [String] = []
    var stop: OptimizationStatus?
    var thrown: (any Error)?

    let scales: [Double]?

    init(options: LBFGSOptions, bounds: BoxBounds, scales: [Double]?, progress: ProgressHandler?) {
        self.options = options
        self.bounds = bounds
        self.scales = scales
        scale = [Double](repeating: 1, count: bounds.lower.count)
        self.progress = progress
        started = clock.now
    }

    /// The NLopt objective: evaluates, tracks the best point, applies the failure wall and stop rules.
    /// The evaluation limit is enforced here too: NLopt checks its own only between line searches.
    /// NLopt's variable is y = z / scale (1 without curvature scaling).
    var scale: [Double]
    /// The evaluation of the start made before NLopt ran, answered to NLopt's first call at y.
    private var pendingStart: (y: [Double], value: Double, gradient: [Double])?

    /// Evaluates the start (in z) before NLopt runs, so that its curvature can set `scale`.
    func evaluateStart(_ z: [Double], _ objective: ObjectiveFunction) {
        var g = [Double](repeating: 0, count: z.count)
        _ = z.withUnsafeBufferPointer { zs in g.withUnsafeMutableBufferPointer { evaluateOnce(zs, $0, objective) } }
    }

    /// Records NLopt's starting y, whose evaluation `evaluateStart` has made (if it succeeded).
    func markStart(_ y: [Double]) {
        if let b = best { pendingStart = (y, b.value, b.gradient) }
    }

    func evaluate(_ xs: UnsafeBufferPointer<Double>, _ g: UnsafeMutableBufferPointer<Double>?,
                  _ objective: ObjectiveFunction) -> (value: Double, stop: Bool) {
        if stop != nil || thrown != nil { return (best?.value ?? .infinity, true) }
        if let p = pendingStart {
            pendingStart = nil
            if Array(xs) == p.y {
                if let g { for i in 0 ..< g.count { g[i] = p.gradient[i] * scale[i] } }
                return (p.value, false)
            }
        }
        let (value, halt) = evaluateOnce(xs, g, objective)
        if !halt && evaluations >= options.maximumEvaluations {
            stop = .maximumEvaluations
            return (value, true)
        }
        return (value, halt)
    }

    private func evaluateOnce(_ xs: UnsafeBufferPointer<Double>, _ g: UnsafeMutableBufferPointer<Double>?,
                              _ objective: ObjectiveFunction) -> (value: Double, stop: Bool) {
        let z = (0 ..< xs.count).map { xs[$0] * scale[$0] }
        evaluations += 1
        evaluationsSinceRecord += 1
        let result: ObjectiveEvaluation?
        do {
            result = try objective(z)
        } catch {
            thrown = error
            return (best?.value ?? .infinity, true)
        }
        if let e = result, e.gradient.count != z.count {
            thrown = OptimizerError.malformedEvaluation("gradient has \(e.gradient.count) entries for \(z.count) parameters")
            return (best?.value ?? .infinity, true)
        }
        if let e = result { innerTotal += e.innerIterations; innerSinceRecord += e.innerIterations }
        guard let e = result, e.value.isFinite, e.gradient.allSatisfy(\.isFinite) else {
            return rejectFailure(at: z, g, nonFinite: result != nil)
        }
        successes += 1
        consecutiveFailures = 0
        if let g { for i in 0 ..< g.count { g[i] = e.gradient[i] * scale[i] } }
        if let b = best, !(e.value < b.value) { return (e.value, false) }

        let step = best.map { b in sqrt(zip(z, b.z).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }) } ?? 0
        let pg = bounds.projectedGradientNorm(at: z, gradient: e.gradient)
        let isStart = best == nil
        best = Best(z: z, value: e.value, gradient: e.gradient, projectedGradientNorm: pg, curvature: e.curvature)
        if !isStart { iterations += 1 }
        let record = IterationRecord(iteration: iterations, objective: e.value, projectedGradientNorm: pg, stepNorm: step,
                                     accepted: true, damping: nil, evaluations: evaluationsSinceRecord,
                                     innerIterations: innerSinceRecord, elapsedSeconds: elapsed())
        history.append(record)
        evaluationsSinceRecord = 0
        innerSinceRecord = 0
        if pg <= options.projectedGradientTolerance {
            stop = .converged(.projectedGradient)
        } else if !isStart, options.stopAtFirstOrderOptimality, e.curvature != nil, isOptimal(best!) {
            stop = .converged(.firstOrderOptimality)
        } else if iterations >= options.maximumIterations {
            stop = .maximumIterations
        }
        if progress?(record) == .stop, stop == nil {
            stop = .stoppedByCallback
            log.append("iteration \(iterations): the progress handler asked to stop")
        }
        return (e.value, stop != nil)
    }

    /// The termination policy at a best point, with the curvature its evaluation carried (if any).
    private func isOptimal(_ b: Best) -> Bool {
        let o = Optimality.measure(z: b.z, objective: b.value, gradient: b.gradient, bounds: bounds, curvature: b.curvature,
                                   scales: scales, objectiveScale: options.termination.objectiveScale)
        return options.termination.isOptimal(o, absoluteTolerance: options.projectedGradientTolerance)
    }

    private func rejectFailure(at z: [Double], _ g: UnsafeMutableBufferPointer<Double>?, nonFinite: Bool) -> (value: Double, stop: Bool) {
        failures += 1
        consecutiveFailures += 1
        let why = nonFinite ? "returned non-finite values" : "failed (inner solve)"
        guard let b = best else {
            log.append("evaluation 1 at the starting point \(why)")
            stop = .failed(.innerSolveFailed)
            return (.infinity, true)
        }
        logFailure("evaluation \(evaluations) \(why); point rejected, line search backs off toward the best point",
                   count: failures, into: &log)
        if consecutiveFailures >= options.maximumConsecutiveFailures {
            stop = .failed(.tooManyFailedEvaluations(consecutiveFailures))
            return (b.value, true)
        }
        let wall = options.failurePenalty * (1 + abs(b.value))
        if let g {
            // The wall's slope in NLopt's variable y = z / scale.
            var d2 = 0.0
            for i in 0 ..< z.count { d2 += (z[i] - b.z[i]) * (z[i] - b.z[i]) / (scale[i] * scale[i]) }
            for i in 0 ..< z.count { g[i] = d2 > 0 ? 2 * wall * (z[i] - b.z[i]) / scale[i] / d2 : 0 }
        }
        return (b.value + wall, false)
    }

    private func elapsed() -> Double {
        let d = clock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
