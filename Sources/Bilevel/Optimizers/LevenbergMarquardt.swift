// Levenberg–Marquardt for min F(z) = ½‖r(z)‖², l ≤ z ≤ u (Madsen, Nielsen & Tingleff, "Methods for
// non-linear least squares problems", 2nd ed., IMM DTU 2004, §3.2, Alg. 3.16; Moré, "The
// Levenberg–Marquardt algorithm: implementation and theory", LNM 630, 1978, for the scaling), with
// geodesic acceleration (Transtrum & Sethna, "Improvements to the Levenberg–Marquardt algorithm for
// nonlinear least-squares minimization", arXiv:1201.5885, 2012).
//
// With g = Jᵀr, A = JᵀJ and Marquardt's scaling D = diag(A) at the current point (floored at 1e-12·max A_ii
// so a parameter without influence still gets damped; Moré's monotone max over iterations was tried and
// rejected: a huge early diagonal from a poor start kept the steps tiny for many iterations), the velocity
// solves
//     (A_FF + λ D_FF) v_F = −g_F,   v_i = 0 for i ∉ F,
// where F excludes variables sitting on a bound with the gradient pushing outward (a projected
// Newton-type active set; Kanzow, Yamashita & Fukushima, JCAM 172, 2004).
//
// Geodesic acceleration: in a curved valley (parameters that the data determine only in a curved
// combination, such as a lattice's D·α²) the linear model r + Jv is accurate only over steps far
// shorter than the distance to the minimum, and plain LM creeps along the valley at a gain ratio of
// ≈ 0.7 (34 iterations on the 10⁴-atom lattice benchmark). The second-order term of the path
// r(z + tv + ½t²a) is cancelled, to the extent J can, by the acceleration
//     (A_FF + λ D_FF) a_F = −(Jᵀ r_vv)_F,   r_vv = ∂²r/∂z² (v, v),
// and the step is v + ½a. Transtrum & Sethna estimate r_vv by an extra evaluation; here it comes free
// from the Jacobians already computed: with the latest other point z' where J is known (the previous
// accepted point, or a rejected trial) and d = z' − z, J(z') − J(z) = ∂²r(d, ·) + O(|d|²), so
//     r_vv ≈ (dᵀD v / dᵀD d) · (J(z') − J(z)) v,
// exact for v ∥ d, which is the valley's direction (consecutive steps follow it). The acceleration is
// used when 2‖a‖_D / ‖v‖_D ≤ α (Transtrum & Sethna's test that the expansion holds, α = 0.75 by default),
// else the plain step v is taken. The gain ratio compares the actual decrease at the trial point with
// the decrease L(0) − L(ṽ) = −gᵀṽ − ½ ṽᵀAṽ the linear model predicts for the projected velocity
// ṽ = P(z + v) − z; the trial point is P(z + h), h the step taken.
//
// Damping: Nielsen's update with a stronger floor, ρ > 0 → accept, λ ← λ·max(1/10, 1 − (2ρ − 1)³),
// ν ← 2; otherwise λ ← λν, ν ← 2ν. With the acceleration the gain ratio stays near 1 along the valley,
// and Nielsen's floor of 1/3 kept λ above the valley's eigenvalue of D^-½AD^-½ (5·10⁻⁷) for several
// iterations more than needed. A failed inner solve at the trial point is treated like ρ ≤ 0. Plain
// Gauss–Newton (λ = 0, every step accepted, no acceleration) is available for comparison; it can
// diverge from a poor start (MNT §3.1).

import Foundation

/// Bound-constrained Levenberg–Marquardt (or plain Gauss–Newton) on weighted residuals.
///
/// Guarantees: every evaluated point lies in the box; the objective never increases between accepted
/// points (Levenberg–Marquardt); failed evaluations are rejected, counted and logged; deterministic.
/// The result carries the residuals and Jacobian at the final point for `UncertaintyAnalysis`.
public struct LevenbergMarquardt: Sendable {
    public var options: LevenbergMarquardtOptions

    public init(options: LevenbergMarquardtOptions = LevenbergMarquardtOptions()) {
        self.options = options
    }

    /// Minimizes over the free parameters of `space`, starting at their initial values.
    public func minimize(_ residuals: ResidualFunction, in space: ParameterSpace,
                         progress: ProgressHandler? = nil) throws -> OptimizationResult {
        try minimize(residuals, from: space.initialTransformed, bounds: space.transformedBounds, scales: space.optimalityScales,
                     progress: progress)
    }

    /// Minimizes ½‖r(z)‖² from `start` (projected into `bounds`); `scales` are the typical magnitudes of
    /// z for the relative-gradient test (nil: max(|z_i|, 1)).
    public func minimize(_ residuals: ResidualFunction, from start: [Double], bounds: BoxBounds, scales: [Double]? = nil,
                         progress: ProgressHandler? = nil) throws -> OptimizationResult {
        try options.validate()
        try bounds.validateStart(start)
        let n = start.count
        let gaussNewton = options.method == .gaussNewton
        var counter = LMCounters()
        let clock = ContinuousClock(), started = clock.now
        func elapsed() -> Double {
            let d = clock.now - started
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        var expectedCount: Int?
        // One call of the user's function: shape checks, counting, non-finite output treated as failure.
        func call(_ z: [Double], jacobian: Bool) throws -> (ResidualEvaluation?, nonFinite: Bool) {
            counter.evaluations += 1
            counter.sinceRecord += 1
            guard let e = try residuals(z, jacobian) else { return (nil, false) }
            counter.inner += e.innerIterations
            counter.innerSinceRecord += e.innerIterations
            let m = expectedCount ?? e.residuals.count
            guard e.residuals.count == m, m > 0 else {
                throw OptimizerError.malformedEvaluation("\(e.residuals.count) residuals, expected \(m) (and at least 1)")
            }
            expectedCount = m
            if jacobian {
                guard let j = e.jacobian else { throw OptimizerError.malformedEvaluation("a Jacobian was requested but none returned") }
                guard j.rows == m, j.columns == n else {
                    throw OptimizerError.malformedEvaluation("Jacobian is \(j.rows)×\(j.columns), expected \(m)×\(n)")
                }
                counter.jacobians += 1
                if !j.isFinite { return (nil, true) }
            }
            return e.residuals.allSatisfy(\.isFinite) ? (e, false) : (nil, true)
        }

        var z = bounds.project(start)
        guard let first = try call(z, jacobian: true).0 else { throw OptimizerError.initialEvaluationFailed }
        var state = LMState(first, z: z, bounds: bounds)
        var scaling = [Double](repeating: 0, count: n)
        var lambda = gaussNewton ? 0 : options.initialDamping
        var nu = 2.0
        var history: [IterationRecord] = []
        var log: [String] = []
        var status: OptimizationStatus?
        // The optimizer's own test that ended the run, judged by the termination policy at the end.
        var stop: StopCriterion?
        var iterations = 0
        // The latest other point with a Jacobian (previous accepted point or rejected trial), for r_vv.
        var other: (z: [Double], jacobian: DenseMatrix)?

        func record(_ step: Double, accepted: Bool) -> ProgressAction {
            let r = IterationRecord(iteration: iterations, objective: state.objective, projectedGradientNorm: state.projectedGradient,
                                    stepNorm: step, accepted: accepted, damping: gaussNewton ? nil : lambda,
                                    evaluations: counter.sinceRecord, innerIterations: counter.innerSinceRecord,
                                    elapsedSeconds: elapsed())
            history.append(r)
            counter.sinceRecord = 0
            counter.innerSinceRecord = 0
            return progress?(r) ?? .proceed
        }

        if record(0, accepted: true) == .stop { status = .stoppedByCallback }
        // The policy's own test, checked at every accepted point (a 3×3 eigenproblem for three parameters):
        // without it a run polishes a minimum already located to a thousandth of a standard error until
        // round-off stops it, each rejected step costing an inner solve.
        func isOptimal(_ s: LMState) -> Bool {
            guard options.stopAtFirstOrderOptimality else { return false }
            let o = Optimality.measure(z: s.z, objective: s.objective, gradient: s.gradient, bounds: bounds, curvature: s.normal,
                                       scales: scales, objectiveScale: options.termination.objectiveScale)
            return options.termination.isOptimal(o, absoluteTolerance: options.projectedGradientTolerance)
        }
        if status == nil, state.projectedGradient <= options.projectedGradientTolerance {
            stop = .projectedGradient
        } else if status == nil, isOptimal(state) {
            stop = .firstOrderOptimality
        }
        while status == nil && stop == nil {
            if iterations >= options.maximumIterations { status = .maximumIterations; break }
            iterations += 1
            let diagonal = state.normal.diagonal
            let diagonalFloor = 1e-12 * max(diagonal.max() ?? 0, .leastNormalMagnitude)
            for i in 0 ..< n { scaling[i] = max(diagonal[i], diagonalFloor) }
            var accepted = false
            var stepNorm = 0.0
            if let v = LMState.step(state, damping: lambda, scaling: scaling, bounds: bounds) {
                var h = v
                if !gaussNewton, options.geodesicAcceleration, let other,
                   let a = LMState.acceleration(state, velocity: v, other: other, damping: lambda, scaling: scaling, bounds: bounds),
                   2 * (scaledNorm(a, scaling) / scaledNorm(v, scaling)) <= options.accelerationLimit {
                    for i in 0 ..< n { h[i] += 0.5 * a[i] }
                }
                let trial = bounds.project(zip(z, h).map { $0 + $1 })
                let taken = zip(trial, z).map { $0 - $1 }
                let takenNorm = outerNorm(taken)
                if takenNorm <= options.stepTolerance * (outerNorm(z) + options.stepTolerance) {
                    stop = .stepSize
                    break
                }
                // The linear model's decrease for the velocity (the acceleration only keeps the path on it).
                let velocity = zip(bounds.project(zip(z, v).map { $0 + $1 }), z).map { $0 - $1 }
                let predicted = -(outerDot(state.gradient, velocity) + 0.5 * outerDot(velocity, state.normal.multiply(velocity)))
                var (evaluation, nonFinite) = try call(trial, jacobian: gaussNewton || options.jacobianAtTrialPoints)
                if let e = evaluation {
                    counter.consecutiveFailures = 0
                    let actual = state.objective - e.halfSumOfSquares
                    let rho = predicted > 0 ? actual / predicted : -1
                    if !(gaussNewton || rho > 0), let j = e.jacobian { other = (trial, j) }
                    if gaussNewton || rho > 0 {
                        if e.jacobian == nil || !(gaussNewton || options.jacobianAtTrialPoints) {
                            (evaluation, nonFinite) = try call(trial, jacobian: true)
                        }
                        if let e = evaluation {
                            let converged = actual >= 0 && actual <= options.relativeObjectiveTolerance * state.objective
                                && predicted <= options.relativeObjectiveTolerance * state.objective
                            other = (z, state.jacobian)
                            z = trial
                            state = LMState(e, z: z, bounds: bounds)
                            if !gaussNewton {
                                lambda *= max(0.1, 1 - pow(2 * rho - 1, 3))
                                nu = 2
                            }
                            accepted = true
                            stepNorm = takenNorm
                            if state.projectedGradient <= options.projectedGradientTolerance {
                                stop = .projectedGradient
                            } else if isOptimal(state) {
                                stop = .firstOrderOptimality
                            } else if converged {
                                stop = .objectiveChange
                            }
                        }
                    }
                }
                if evaluation == nil {
                    counter.failures += 1
                    counter.consecutiveFailures += 1
                    let why = nonFinite ? "returned non-finite values" : "failed (inner solve)"
                    if gaussNewton {
                        log.append("iteration \(iterations): evaluation \(why); Gauss–Newton cannot backtrack")
                        status = .failed(nonFinite ? .diverged : .innerSolveFailed)
                    } else {
                        logFailure("iteration \(iterations): evaluation \(why); step rejected, damping raised to \(outerFormat(lambda * nu))",
                                   count: counter.failures, into: &log)
                        if counter.consecutiveFailures >= options.maximumConsecutiveFailures {
                            status = .failed(.tooManyFailedEvaluations(counter.consecutiveFailures))
                        }
                    }
                }
            } else if gaussNewton {
                status = .failed(.singularNormalEquations)
            }
            if !accepted && !gaussNewton {
                counter.rejected += 1
                lambda *= nu
                nu *= 2
                if lambda > options.maximumDamping, status == nil { stop = .dampingCeiling }
            }
            if record(stepNorm, accepted: accepted) == .stop, status == nil, stop == nil {
                status = .stoppedByCallback
                log.append("iteration \(iterations): the progress handler asked to stop")
            }
        }
        let optimality = Optimality.measure(z: z, objective: state.objective, gradient: state.gradient, bounds: bounds,
                                            curvature: state.normal, scales: scales,
                                            objectiveScale: options.termination.objectiveScale)
        let final = stop.map { options.termination.status(after: $0, optimality: optimality,
                                                          absoluteTolerance: options.projectedGradientTolerance) }
            ?? status ?? .maximumIterations
        log.append("stopped: \(final)")
        return OptimizationResult(
            method: gaussNewton ? "Gauss–Newton" : "Levenberg–Marquardt", status: final, z: z, objective: state.objective,
            gradient: state.gradient, projectedGradientNorm: state.projectedGradient, optimality: optimality,
            residuals: state.residuals,
            jacobian: state.jacobian, iterations: iterations, objectiveEvaluations: counter.evaluations,
            jacobianEvaluations: counter.jacobians, failedEvaluations: counter.failures, rejectedSteps: counter.rejected,
            restarts: 0, innerIterations: counter.inner, history: history, log: log)
    }
}

private struct LMCounters {
    var evaluations = 0, jacobians = 0, failures = 0, consecutiveFailures = 0, rejected = 0
    var inner = 0, sinceRecord = 0, innerSinceRecord = 0
}

/// Everything known at the current accepted point.
private struct LMState {
    let residuals: [Double]
    let jacobian: DenseMatrix
    let objective: Double
    let gradient: [Double]
    let normal: DenseMatrix
    let projectedGradient: Double
    let z: [Double]

    init(_ e: ResidualEvaluation, z: [Double], bounds: BoxBounds) {
        residuals = e.residuals
        jacobian = e.jacobian!
        objective = e.halfSumOfSquares
        gradient = jacobian.transposeMultiply(residuals)
        normal = jacobian.gram()
        projectedGradient = bounds.projectedGradientNorm(at: z, gradient: gradient)
        self.z = z
    }

    /// The geodesic acceleration for velocity `v`, with r_vv estimated from the Jacobian at `other`
    /// (see the header); nil when the two points coincide in the scaled metric.
    static func acceleration(_ s: LMState, velocity v: [Double], other: (z: [Double], jacobian: DenseMatrix), damping: Double,
                             scaling: [Double], bounds: BoxBounds) -> [Double]? {
        var dv = 0.0, dd = 0.0
        for i in v.indices {
            let d = other.z[i] - s.z[i]
            dv += d * scaling[i] * v[i]
            dd += d * scaling[i] * d
        }
        guard dd > 0, dd.isFinite else { return nil }
        let there = other.jacobian.multiply(v), here = s.jacobian.multiply(v)
        let rvv = zip(there, here).map { (dv / dd) * ($0 - $1) }
        return step(s, damping: damping, scaling: scaling, bounds: bounds, gradient: s.jacobian.transposeMultiply(rvv))
    }

    /// The damped step −(A_FF + λD_FF)⁻¹ g_F for `gradient` (default: the objective's) with variables on a
    /// bound (gradient pointing outward) held fixed; nil when the system is not numerically positive definite.
    static func step(_ s: LMState, damping: Double, scaling: [Double], bounds: BoxBounds, gradient: [Double]? = nil) -> [Double]? {
        let rhs = gradient ?? s.gradient
        let n = s.z.count
        let free = (0 ..< n).filter { i in
            !((s.z[i] <= bounds.lower[i] && s.gradient[i] > 0) || (s.z[i] >= bounds.upper[i] && s.gradient[i] < 0))
        }
        var h = [Double](repeating: 0, count: n)
        guard !free.isEmpty else { return h }
        var m = DenseMatrix(rows: free.count, columns: free.count)
        for (a, i) in free.enumerated() {
            for (b, j) in free.enumerated() { m[a, b] = s.normal[i, j] }
            m[a, a] += damping * scaling[i]
        }
        guard let hf = DenseCholesky.solve(m, free.map { -rhs[$0] }) else { return nil }
        for (a, i) in free.enumerated() { h[i] = hf[a] }
        return h
    }
}

/// Logs the first 20 failed evaluations, then one line saying the rest are only counted, so that a
/// model failing over a whole region does not flood the report.
func logFailure(_ message: String, count: Int, into log: inout [String]) {
    if count <= 20 {
        log.append(message)
    } else if count == 21 {
        log.append("further failed evaluations are counted (failedEvaluations) but not logged")
    }
}

func outerDot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
func outerNorm(_ a: [Double]) -> Double { outerDot(a, a).squareRoot() }
/// ‖x‖_D = √(Σ D_i x_i²).
private func scaledNorm(_ x: [Double], _ d: [Double]) -> Double { zip(x, d).reduce(0) { $0 + $1.1 * $1.0 * $1.0 }.squareRoot() }
