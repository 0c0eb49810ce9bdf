// Taylor remainder test for a claimed gradient (Farrell, Ham, Funke & Rognes, "Automated derivation of
// the adjoint of high-level transient finite element programs", SIAM J. Sci. Comput. 35, 2013, §4.3).
//
// For a random direction δ (never the gradient, which can hide errors) and a decreasing sweep of h,
//     R(h) = |f(z + hδ) − f(z) − h ∇f·δ| = O(h²)  if ∇f is right,   O(h) if it is wrong,
// so the observed order log(R(h_k)/R(h_{k+1}))/log(h_k/h_{k+1}) must approach 2 as h → 0.
// Usable range: R(h) must exceed a round-off floor margin·ε·(|f(z)| + |f(z + hδ)| + |h ∇f·δ|), the
// size of rounding errors in computing R; the usable range is the first contiguous run of such h from the
// top of the sweep. The decision is made at its small-h end (the asymptotic regime, where a gradient
// error would show): the window grows upward from the smallest usable pair while the observed order stays
// within the tolerance of the order there, i.e. until the nonlinearity ceiling. The fitted order is the
// least-squares slope of log R against log h over that window; the test passes when it is within
// tolerance of 2 (or of 3: the curvature vanishes along δ but the gradient is right) over at least
// `minimumWindow` consecutive h. If R is below the floor for every h, f is linear along δ and the gradient
// is right to rounding: pass.
//
// Noisy f. When f involves an inner solve converged to a tolerance (Newton, a time-stepping run), f
// carries noise ν far above rounding, and at small h the remainder is R ≈ ν: constant, with erratic
// observed orders. That region says nothing about the gradient, so (1) the floor is raised to
// `noiseMargin` × the median remainder of the `noiseSamples` smallest h (a noise level measured from the
// sweep itself: with an exact f those remainders are at rounding level and the floor hardly moves), and
// (2) the decisive window is the smallest-h run of at least `minimumWindow` steps over which R falls at
// a steady order above ½, pairs below it being skipped. A wrong gradient still shows: its R = h|e| falls
// at a steady order 1 at small h.

import Foundation

/// Settings of the Taylor test, with documented defaults.
public struct TaylorTestOptions: Sendable, Codable, Equatable {
    /// Number of random directions; the test passes only if every direction passes. Default 2.
    public var directions = 2
    /// Seed of the SplitMix64 generator for the directions. Default 0x7A71_0E57.
    public var seed: UInt64 = 0x7A71_0E57
    /// Largest step h₀; δ_i = ξ_i·max(|z_i|, 1)/‖ξ‖₂ with ξ standard normal. Default 0.1.
    public var largestStep = 0.1
    /// Ratio h_{k+1}/h_k. Default 0.5.
    public var reduction = 0.5
    /// Number of h values. Default 40 (h down to ≈ 2e-13·h₀).
    public var stepCount = 40
    /// Expected order. Default 2.
    public var expectedOrder = 2.0
    /// Accepted deviation of the fitted order. Default 0.1.
    public var orderTolerance = 0.1
    /// Minimum number of consecutive h in the decisive window. Default 3.
    public var minimumWindow = 3
    /// Safety factor of the round-off floor. Default 1000 (R keeps ≥ 3 significant digits).
    public var roundOffMargin = 1000.0
    /// Number of smallest h whose median remainder measures the noise of f. Default 5.
    public var noiseSamples = 5
    /// Safety factor over the measured noise level. Default 10.
    public var noiseMargin = 10.0

    public init() {}

    public func validate() throws(OptimizerError) {
        try requireOption(directions > 0, "directions", directions, "a positive integer")
        try requireOption(largestStep > 0 && largestStep.isFinite, "largestStep", largestStep, "a positive finite number")
        try requireOption(reduction > 0 && reduction < 1, "reduction", reduction, "strictly between 0 and 1")
        try requireOption(stepCount >= minimumWindow + 1, "stepCount", stepCount, "larger than minimumWindow")
        try requireOption(orderTolerance > 0, "orderTolerance", orderTolerance, "positive")
        try requireOption(minimumWindow >= 2, "minimumWindow", minimumWindow, "at least 2")
        try requireOption(roundOffMargin >= 1, "roundOffMargin", roundOffMargin, "at least 1")
        try requireOption(noiseSamples >= 1 && noiseSamples < stepCount, "noiseSamples", noiseSamples, "between 1 and stepCount − 1")
        try requireOption(noiseMargin >= 1, "noiseMargin", noiseMargin, "at least 1")
    }
}

/// The sweep along one direction and its verdict.
public struct TaylorSweep: Sendable, Codable, Equatable {
    public var direction: [Double]
    /// The claimed ∇f·δ.
    public var directionalDerivative: Double
    public var steps: [Double]
    public var remainders: [Double]
    public var roundOffFloors: [Double]
    /// orders[k] is the observed order between steps[k] and steps[k + 1] (nil if a remainder is 0).
    public var orders: [Double?]
    /// Indices of the usable h (above the floor), first contiguous run.
    public var usable: [Int]
    /// Indices of the decisive window at the small-h end of the usable range.
    public var window: [Int]
    /// Least-squares order over the window.
    public var fittedOrder: Double?
    public var passed: Bool
    /// A plain explanation of the verdict.
    public var verdict: String
}

/// The outcome of a Taylor test: every sweep, an overall pass/fail and readable tables.
public struct TaylorTestReport: Sendable, Codable, Equatable {
    public var value: Double
    public var sweeps: [TaylorSweep]
    public var options: TaylorTestOptions
    /// True when every direction passed.
    public var passed: Bool { sweeps.allSatisfy(\.passed) }

    /// One line per direction.
    public var summary: String {
        (["Taylor test: " + (passed ? "PASS" : "FAIL")] + sweeps.enumerated().map { "direction \($0.offset + 1): \($0.element.verdict)" })
            .joined(separator: "\n")
    }

    /// The summary and, per direction, a table of h, remainder, floor and order (`*` marks the window,
    /// `.` other usable h).
    public var table: String {
        var lines = [summary]
        for (d, s) in sweeps.enumerated() {
            lines.append("")
            lines.append("direction \(d + 1), ∇f·δ = \(outerFormat(s.directionalDerivative))")
            lines.append("      h            R(h)         floor        order")
            for k in s.steps.indices {
                let mark = s.window.contains(k) ? "*" : (s.usable.contains(k) ? "." : " ")
                let order = k < s.orders.count ? (s.orders[k].map { String(format: "%.3f", $0) } ?? "-") : ""
                lines.append(mark + " " + outerPad(outerFormat(s.steps[k]), 11) + "  " + outerPad(outerFormat(s.remainders[k]), 11) + "  "
                    + outerPad(outerFormat(s.roundOffFloors[k]), 11) + "  " + outerPad(order, 8))
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// The Taylor remainder test as a library call.
///
/// Guarantees: deterministic for a given seed; evaluates f only at z and z + hδ, and evaluates f(z)
/// last, so a caller whose closure keeps a warm start for its inner solve is left where it began;
/// errors thrown by f are rethrown.
public enum TaylorTest {
    public static func run(_ f: ([Double]) throws -> Double, at z: [Double], gradient: [Double],
                           options: TaylorTestOptions = TaylorTestOptions()) throws -> TaylorTestReport {
        try options.validate()
        guard gradient.count == z.count, !z.isEmpty else {
            throw OptimizerError.dimensionMismatch(what: "gradient", expected: z.count, found: gradient.count)
        }
        var rng = SplitMix64(seed: options.seed)
        let f0 = try f(z)
        guard f0.isFinite else { throw OptimizerError.initialEvaluationFailed }
        var sweeps: [TaylorSweep] = []
        for _ in 0 ..< options.directions {
            let xi = z.map { _ in rng.nextNormal() }
            let length = xi.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let delta = z.indices.map { xi[$0] * max(abs(z[$0]), 1) / length }
            sweeps.append(try sweep(f, z: z, f0: f0, gradient: gradient, delta: delta, options: options))
        }
        _ = try f(z)
        return TaylorTestReport(value: f0, sweeps: sweeps, options: options)
    }

    private static func sweep(_ f: ([Double]) throws -> Double, z: [Double], f0: Double, gradient: [Double],
                              delta: [Double], options o: TaylorTestOptions) throws -> TaylorSweep {
        let slope = zip(gradient, delta).reduce(0) { $0 + $1.0 * $1.1 }
        var steps: [Double] = [], remainders: [Double] = [], floors: [Double] = []
        var h = o.largestStep
        for _ in 0 ..< o.stepCount {
            let fh = try f(zip(z, delta).map { $0 + h * $1 })
            steps.append(h)
            remainders.append(fh.isFinite ? abs(fh - f0 - h * slope) : .nan)
            floors.append(o.roundOffMargin * Double.ulpOfOne * (abs(f0) + abs(fh) + abs(h * slope)))
            h *= o.reduction
        }
        // The noise level of f, measured at the smallest h (see the note at the top).
        let tail = remainders.suffix(o.noiseSamples).map { $0.isFinite ? $0 : 0 }.sorted()
        let noiseFloor = o.noiseMargin * tail[tail.count / 2]
        floors = floors.map { max($0, noiseFloor) }
        let orders: [Double?] = (0 ..< o.stepCount - 1).map { k in
            let (a, b) = (remainders[k], remainders[k + 1])
            guard a > 0, b > 0, a.isFinite, b.isFinite else { return nil }
            return log(a / b) / log(steps[k] / steps[k + 1])
        }
        let above = remainders.indices.map { remainders[$0].isFinite && remainders[$0] > floors[$0] }
        var usable: [Int] = []
        if let first = above.firstIndex(of: true) {
            var k = first
            while k < above.count && above[k] { usable.append(k); k += 1 }
        }
        var result = TaylorSweep(direction: delta, directionalDerivative: slope, steps: steps, remainders: remainders,
                                 roundOffFloors: floors, orders: orders, usable: usable, window: [], fittedOrder: nil,
                                 passed: false, verdict: "")
        guard let bottom = usable.last else {
            let finite = remainders.allSatisfy(\.isFinite)
            result.passed = finite
            result.verdict = finite
                ? "PASS: the remainder is at round-off level for every h (f is linear along δ; the gradient is right to rounding)"
                : "FAIL: f returned non-finite values along δ; reduce largestStep"
            return result
        }
        // The decisive window: the smallest-h run of at least `minimumWindow` steps where R falls at a
        // steady order (> ½, within the tolerance of the run's lowest pair); failing that, the longest run.
        var best = bottom ... bottom
        var lowest = bottom
        while lowest - 1 >= usable[0] {
            defer { lowest -= 1 }
            guard let reference = orders[lowest - 1], reference > 0.5 else { continue }
            var top = lowest - 1
            while top - 1 >= usable[0], let o1 = orders[top - 1], abs(o1 - reference) <= o.orderTolerance { top -= 1 }
            if lowest - top + 1 > best.count { best = top ... lowest }
            if best.count >= o.minimumWindow { break }
        }
        let (top, end) = (best.lowerBound, best.upperBound)
        result.window = Array(top ... end)
        let xs = result.window.map { log(steps[$0]) }, ys = result.window.map { log(remainders[$0]) }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        let fitted = sxx > 0 ? sxy / sxx : nil
        result.fittedOrder = fitted
        let range = "h from \(outerFormat(steps[top])) to \(outerFormat(steps[end]))"
        guard let fitted, result.window.count >= o.minimumWindow else {
            result.verdict = "FAIL: no stable range of at least \(o.minimumWindow) h above the round-off floor "
                + "(\(result.window.count) found, \(range)); increase largestStep or check f for noise"
            return result
        }
        let order = String(format: "%.3f", fitted)
        if abs(fitted - o.expectedOrder) <= o.orderTolerance {
            result.passed = true
            result.verdict = "PASS: order \(order) over \(result.window.count) steps (\(range))"
        } else if abs(fitted - o.expectedOrder - 1) <= o.orderTolerance {
            result.passed = true
            result.verdict = "PASS: order \(order) over \(result.window.count) steps (\(range)); the curvature vanishes "
                + "along δ, which hides nothing about the gradient"
        } else {
            result.verdict = "FAIL: order \(order), expected \(outerFormat(o.expectedOrder)) ± \(outerFormat(o.orderTolerance)) "
                + "(\(range)); " + (fitted < o.expectedOrder ? "the gradient is wrong along δ" : "f is not smooth enough")
        }
        return result
    }
}
