// Quantiles for confidence intervals.
//
// Student t with ν degrees of freedom: for t ≥ 0 the upper tail is
//     Q(t) = ½ I_x(ν/2, ½),  x = ν/(ν + t²)
// (Abramowitz & Stegun 26.7.1 with 26.5.27), where I_x(a, b) is the regularized incomplete beta function,
// evaluated by its continued fraction with the modified Lentz method (Press et al., "Numerical Recipes",
// 3rd ed. 2007, §6.4). The quantile solves Q(t) = 1 − p by bisection on t, which is monotone and cannot
// fail; for ν > 10⁵ the Cornish–Fisher expansion t ≈ z + (z³ + z)/(4ν) + (5z⁵ + 16z³ + 3z)/(96ν²)
// (A&S 26.7.5) is used, with error O(ν⁻³) < 10⁻¹⁴.
// ln Γ by the Lanczos approximation (g = 7, 9 terms; ~15 digits), written here because glibc's lgamma
// writes the global `signgam` and is not thread-safe.
// Normal quantile: Acklam's rational approximation refined by two Halley steps on erfc (full precision).

import Foundation

/// Quantiles of the Student t and standard normal distributions (pure functions, thread-safe).
public enum StudentT {
    /// The p-quantile of Student's t with ν degrees of freedom (ν may be `.infinity`: normal).
    /// Requires 0 < p < 1 and ν > 0 (traps otherwise: a programming error).
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(p > 0 && p < 1, "probability \(p) must lie in (0, 1)")
        precondition(nu > 0, "degrees of freedom \(nu) must be positive")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p, degreesOfFreedom: nu) }
        if nu > 1e5 {
            let z = normalQuantile(p)
            if nu == .infinity { return z }
            let z3 = z * z * z, z5 = z3 * z * z
            return z + (z3 + z) / (4 * nu) + (5 * z5 + 16 * z3 + 3 * z) / (96 * nu * nu)
        }
        let target = 1 - p
        var lo = 0.0, hi = 1.0
        while upperTail(hi, nu) > target { hi *= 2 }
        for _ in 0 ..< 200 {
            let mid = 0.5 * (lo + hi)
            if mid == lo || mid == hi { break }
            if upperTail(mid, nu) > target { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }

    /// P(T ≤ t) for Student's t with ν degrees of freedom.
    public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        t >= 0 ? 1 - upperTail(t, nu) : upperTail(-t, nu)
    }

    /// The p-quantile of the standard normal distribution, 0 < p < 1.
    public static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "probability \(p) must lie in (0, 1)")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low || p > 1 - low {
            let q = (-2 * Foundation.log(p < low ? p : 1 - p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            if p > 1 - low { x = -x }
        } else {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        for _ in 0 ..< 2 {
            let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
            let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
            x -= u / (1 + x * u / 2)
        }
        return x
    }

    /// Q(t) = P(T > t) for t ≥ 0.
    static func upperTail(_ t: Double, _ nu: Double) -> Double {
        if t == 0 { return 0.5 }
        if t == .infinity { return 0 }
        return 0.5 * regularizedIncompleteBeta(nu / (nu + t * t), nu / 2, 0.5)
    }

    /// I_x(a, b) for 0 ≤ x ≤ 1, a, b > 0.
    static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Foundation.log(x) + b * Foundation.log1p(-x))
        if x < (a + 1) / (a + b + 2) {
            return front * betaContinuedFraction(x, a, b) / a
        }
        return 1 - front * betaContinuedFraction(1 - x, b, a) / b
    }

    /// The continued fraction of I_x(a, b) (modified Lentz; converges for x < (a + 1)/(a + b + 2)).
    private static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1 ... 100_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }

    /// ln Γ(x) for x > 0 (Lanczos, g = 7).
    static func logGamma(_ x: Double) -> Double {
        if x < 0.5 {
            // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
            return Foundation.log(Double.pi / sin(Double.pi * x)) - logGamma(1 - x)
        }
        let coefficients = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
                            9.9843695780195716e-6, 1.5056327351493116e-7]
        let y = x - 1
        var sum = coefficients[0]
        for i in 1 ..< coefficients.count { sum += coefficients[i] / (y + Double(i)) }
        let t = y + 7.5
        return 0.5 * Foundation.log(2 * Double.pi) + (y + 0.5) * Foundation.log(t) - t + Foundation.log(sum)
    }
}
