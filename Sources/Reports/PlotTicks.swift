import Foundation

/// A tick label: `base`, optionally followed by a raised `exponent` ("10" + "-3", "2.5×10" + "4").
/// Kept in two parts so the SVG can typeset a real superscript.
struct TickLabel: Equatable {
    var base: String
    var exponent: String?

    /// The label as one plain string, `10^-3` style (used for width estimates and tests).
    var plain: String { exponent.map { base + "^" + $0 } ?? base }
}

/// The range shown on one axis and where its ticks go, in data units.
struct AxisTicks: Equatable {
    var lower: Double
    var upper: Double
    var scale: AxisScale
    var major: [Double]
    var labels: [TickLabel]
    /// Unlabelled small ticks (2…9 × 10ᵏ on log axes).
    var minor: [Double]

    /// The position of `value` between the ends of the axis: 0 at `lower`, 1 at `upper`.
    func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - lower) / (upper - lower)
        case .log10: return (Foundation.log10(value) - Foundation.log10(lower))
            / (Foundation.log10(upper) - Foundation.log10(lower))
        }
    }
}

/// Chooses axis ranges and "nice" ticks. Pure functions of their inputs, so output is deterministic.
enum TickGenerator {
    /// Fraction of the data span added on both sides of automatic ranges, so that points on the
    /// extremes are not drawn on the frame.
    static let padding = 0.04
    static let minus = "\u{2212}"

    /// The step of the form {1, 2, 5} × 10ᵏ that divides `span` into the number of intervals
    /// closest to `target` (on a tie, the larger step: fewer labels read better than more).
    static func niceStep(span: Double, target: Int) -> Double {
        let target = Double(max(1, target))
        guard span > 0, span.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(span / target)))
        var best = magnitude, bestScore = Double.infinity
        for factor in [0.5, 1, 2, 5, 10, 20] {
            let step = factor * magnitude
            let score = abs(span / step - target)
            if score <= bestScore + 1e-9 { (best, bestScore) = (step, min(score, bestScore)) }
        }
        return best
    }

    /// Ticks for a linear axis covering `dataMin...dataMax` (or exactly `limits`), about `target`
    /// of them.
    static func linear(dataMin: Double, dataMax: Double, limits: ClosedRange<Double>?,
                       target: Int, integer: Bool) -> AxisTicks {
        var lower: Double, upper: Double
        if let limits, limits.upperBound > limits.lowerBound {
            (lower, upper) = (limits.lowerBound, limits.upperBound)
        } else {
            // Clamped so that the span and the padding below cannot overflow to infinity; data
            // beyond ±1e306 are simply clipped at the frame.
            (lower, upper) = (max(-1e306, min(1e306, dataMin)), max(-1e306, min(1e306, dataMax)))
            if !(upper > lower) {
                // One distinct value: show a small range around it.
                let half = lower == 0 ? 1 : abs(lower) * 0.1
                (lower, upper) = (lower - half, upper + half)
            }
            let pad = (upper - lower) * padding
            (lower, upper) = (lower - pad, upper + pad)
        }
        var step = niceStep(span: upper - lower, target: target)
        if integer { step = max(step, 1) }
        let first = (lower / step - 1e-9).rounded(.up), last = (upper / step + 1e-9).rounded(.down)
        guard abs(first) < 1e15, abs(last) < 1e15, last - first <= 1000 else {
            // A span too small for the magnitude of the values (e.g. 1e20 ± 1) to be resolved by
            // Doubles: label the ends and the middle rather than trap on an Int conversion.
            let major = [lower, lower / 2 + upper / 2, upper]
            return AxisTicks(lower: lower, upper: upper, scale: .linear, major: major,
                             labels: major.map(plainLabel), minor: [])
        }
        // Integer multiples of the step, not repeated additions, so no rounding drift creeps in.
        let major = first <= last ? (Int(first) ... Int(last)).map { Double($0) * step } : []
        return AxisTicks(lower: lower, upper: upper, scale: .linear, major: major,
                         labels: linearLabels(major, step: step), minor: [])
    }

    /// Labels for evenly spaced ticks: fixed decimals implied by the step, or — for very large or
    /// small numbers — a mantissa times a common power of ten.
    static func linearLabels(_ ticks: [Double], step: Double) -> [TickLabel] {
        let stepExponent = Int(floor(log10(step) + 1e-9))
        let largest = ticks.map(abs).max() ?? 0
        let exponent = largest > 0 ? Int(floor(log10(largest) + 1e-9)) : 0
        if largest > 0 && (exponent >= 5 || exponent <= -4) {
            let decimals = max(0, exponent - stepExponent)
            let scale = pow(10, Double(exponent))
            return ticks.map { value in
                if value == 0 { return TickLabel(base: "0") }
                let mantissa = signed(NumberFormat.fixed(value / scale, decimals: decimals))
                return TickLabel(base: mantissa + "\u{00D7}10", exponent: signed(String(exponent)))
            }
        }
        let decimals = max(0, -stepExponent)
        return ticks.map { TickLabel(base: signed(NumberFormat.fixed($0, decimals: decimals))) }
    }

    /// Ticks for a log axis covering positive `dataMin...dataMax` (or exactly `limits`).
    static func log(dataMin: Double, dataMax: Double, limits: ClosedRange<Double>?, target: Int) -> AxisTicks {
        var lo: Double, hi: Double
        if let limits, limits.lowerBound > 0, limits.upperBound > limits.lowerBound {
            (lo, hi) = (log10(limits.lowerBound), log10(limits.upperBound))
        } else {
            (lo, hi) = (log10(dataMin), log10(dataMax))
            if !(hi > lo) { (lo, hi) = (lo - 0.5, hi + 0.5) }
            let pad = (hi - lo) * padding
            // Keep both ends representable (10^308.3 would be infinite).
            (lo, hi) = (max(-307, lo - pad), min(308, hi + pad))
        }
        let lower = pow(10, lo), upper = pow(10, hi)
        let firstDecade = Int((lo - 1e-9).rounded(.up)), lastDecade = Int((hi + 1e-9).rounded(.down))
        let decadeCount = lastDecade - firstDecade + 1

        if decadeCount >= 2 {
            // Label every k-th decade so that at most about `target` labels appear.
            var stride = 1
            for candidate in [1, 2, 3, 5, 10, 20, 50, 100] {
                stride = candidate
                if (decadeCount + candidate - 1) / candidate <= max(2, target) { break }
            }
            let start = Int((Double(firstDecade) / Double(stride)).rounded(.up)) * stride
            let decades = Swift.stride(from: start, through: lastDecade, by: stride).map { $0 }
            let major = decades.map { pow(10, Double($0)) }
            let labels = decades.map { TickLabel(base: "10", exponent: signed(String($0))) }
            var minor: [Double] = []
            if stride == 1 && decadeCount <= 12 {
                for decade in (firstDecade - 1) ... lastDecade {
                    for mantissa in 2 ... 9 {
                        let value = Double(mantissa) * pow(10, Double(decade))
                        if value > lower && value < upper { minor.append(value) }
                    }
                }
            } else if stride > 1 {
                minor = (firstDecade ... lastDecade).filter { ($0 - start) % stride != 0 }
                    .map { pow(10, Double($0)) }
            }
            return AxisTicks(lower: lower, upper: upper, scale: .log10, major: major, labels: labels, minor: minor)
        }

        // Less than two decades visible: 1-2-5 within each decade, then every integer mantissa.
        for mantissas in [[1.0, 2.0, 5.0], [1, 2, 3, 4, 5, 6, 7, 8, 9]] {
            var major: [Double] = []
            for decade in (firstDecade - 1) ... (lastDecade + 1) {
                for mantissa in mantissas {
                    let value = mantissa * pow(10, Double(decade))
                    if value >= lower * (1 - 1e-12) && value <= upper * (1 + 1e-12) { major.append(value) }
                }
            }
            if major.count >= 3 {
                return AxisTicks(lower: lower, upper: upper, scale: .log10, major: major,
                                 labels: major.map(plainLabel), minor: [])
            }
        }
        // Within a fraction of a decade: linear ticks read best.
        let linear = linear(dataMin: lower, dataMax: upper, limits: lower ... upper, target: target, integer: false)
        return AxisTicks(lower: lower, upper: upper, scale: .log10, major: linear.major,
                         labels: linear.labels, minor: [])
    }

    /// A single value in the shortest plain form, with a common power of ten if extreme.
    static func plainLabel(_ value: Double) -> TickLabel {
        guard value != 0, value.isFinite else { return TickLabel(base: value == 0 ? "0" : NumberFormat.roundTrip(value)) }
        let exponent = Int(floor(log10(abs(value)) + 1e-9))
        if exponent >= 5 || exponent <= -4 {
            let mantissa = NumberFormat.significant(value / pow(10, Double(exponent)), digits: 3)
            return TickLabel(base: signed(mantissa) + "\u{00D7}10", exponent: signed(String(exponent)))
        }
        return TickLabel(base: signed(NumberFormat.significant(value, digits: 6)))
    }

    /// Replaces an ASCII hyphen used as a minus sign by the typographic minus.
    static func signed(_ text: String) -> String {
        text.hasPrefix("-") ? minus + text.dropFirst() : text
    }
}
