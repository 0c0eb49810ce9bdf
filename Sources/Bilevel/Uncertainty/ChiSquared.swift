// The χ² distribution with ν degrees of freedom, for goodness of fit.
//
// P(X ≥ x) = Q(ν/2, x/2), the regularized upper incomplete gamma function Q(a, y) = Γ(a, y)/Γ(a)
// (Abramowitz & Stegun 26.4.19 with 6.5.3). Q is evaluated by the series of P = 1 − Q for y < a + 1 and
// by Legendre's continued fraction (modified Lentz) otherwise (Press et al., "Numerical Recipes", 3rd ed.
// 2007, §6.2), each to full double precision; ln Γ comes from `StudentT.logGamma` (thread-safe Lanczos).

import Foundation

/// Tail probabilities of the χ² distribution (pure functions, thread-safe).
public enum ChiSquared {
    /// P(X ≥ x) for X ~ χ²(ν): the p-value of an observed χ² = x. Requires ν > 0 (traps otherwise).
    public static func upperTail(_ x: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(nu > 0, "degrees of freedom \(nu) must be positive")
        guard x > 0 else { return 1 }
        guard x.isFinite else { return 0 }
        let a = nu / 2, y = x / 2
        return y < a + 1 ? max(0, 1 - lowerSeries(a, y)) : upperContinuedFraction(a, y)
    }

    /// P(a, y) by its series y^a e^{−y}/Γ(a+1) · Σ yⁿ/((a+1)…(a+n)).
    private static func lowerSeries(_ a: Double, _ y: Double) -> Double {
        var term = 1 / a, sum = term, ap = a
        for _ in 0 ..< 10_000 {
            ap += 1
            term *= y / ap
            sum += term
            if abs(term) < abs(sum) * 1e-17 { break }
        }
        return sum * exp(-y + a * log(y) - StudentT.logGamma(a))
    }

    /// Q(a, y) by Legendre's continued fraction, evaluated with the modified Lentz method.
    private static func upperContinuedFraction(_ a: Double, _ y: Double) -> Double {
        let tiny = 1e-300
        var b = y + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1 ... 10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(-y + a * log(y) - StudentT.logGamma(a)) * h
    }
}
