import Foundation

// Analytic references for verification, written independently of the model's code: the tests compare
// the finite-element model with them, and the verification plots of docs/poroelasticity.md draw them.

/// Terzaghi's one-dimensional consolidation of a column of height L with a drained top, an impermeable
/// fixed bottom and roller sides, loaded on top by σ₀ at t = 0 (Verruijt, Theory and Problems of
/// Poroelasticity, 2013, ch. 2; Wang, Theory of Linear Poroelasticity, 2000, §6.2). With depth z from
/// the top, K_v = λ + 2G the oedometric modulus:
///   p₀ = αMσ₀/(α²M + K_v),  c_v = (k/μ) M K_v/(K_v + α²M),
///   p(z, t) = p₀ Σₘ 4/((2m+1)π) sin(λₘ z) exp(−λₘ² c_v t),  λₘ = (2m+1)π/(2L),
///   U(t) = 1 − Σₘ 8/((2m+1)²π²) exp(−λₘ² c_v t)  (degree of consolidation, from the settlement).
public struct Terzaghi: Sendable {
    public let height: Double, load: Double
    public let youngsModulus: Double, poissonRatio: Double, biotCoefficient: Double, biotModulus: Double, mobility: Double

    public init(height: Double, load: Double, youngsModulus: Double, poissonRatio: Double, biotCoefficient: Double,
                biotModulus: Double, mobility: Double) {
        self.height = height
        self.load = load
        self.youngsModulus = youngsModulus
        self.poissonRatio = poissonRatio
        self.biotCoefficient = biotCoefficient
        self.biotModulus = biotModulus
        self.mobility = mobility
    }

    public var oedometricModulus: Double {
        youngsModulus * (1 - poissonRatio) / ((1 + poissonRatio) * (1 - 2 * poissonRatio))
    }
    public var initialPressure: Double {
        biotCoefficient * biotModulus * load / (biotCoefficient * biotCoefficient * biotModulus + oedometricModulus)
    }
    public var consolidationCoefficient: Double {
        let kv = oedometricModulus
        return mobility * biotModulus * kv / (kv + biotCoefficient * biotCoefficient * biotModulus)
    }
    /// Settlement at t = 0⁺ and t = ∞.
    public var undrainedSettlement: Double { load * height / (oedometricModulus + biotCoefficient * biotCoefficient * biotModulus) }
    public var drainedSettlement: Double { load * height / oedometricModulus }

    public func time(dimensionless tv: Double) -> Double { tv * height * height / consolidationCoefficient }

    public func lambda(_ m: Int) -> Double { Double(2 * m + 1) * Double.pi / (2 * height) }

    public func pressure(depth z: Double, time t: Double) -> Double {
        var sum = 0.0
        for m in 0 ..< 100_000 {
            let decay = exp(-lambda(m) * lambda(m) * consolidationCoefficient * t)
            if decay < 1e-18 { break }
            sum += 4 / (Double(2 * m + 1) * Double.pi) * sin(lambda(m) * z) * decay
        }
        return initialPressure * sum
    }

    /// The same series with each mode advanced by n backward-Euler steps of length Δt instead of
    /// exactly: the time-discrete solution, exact in space (isolates the spatial error of the FE model).
    public func backwardEulerPressure(depth z: Double, steps n: Int, timeStep dt: Double) -> Double {
        var sum = 0.0
        for m in 0 ..< 400_000 {
            let decay = pow(1 + lambda(m) * lambda(m) * consolidationCoefficient * dt, -Double(n))
            let term = 4 / (Double(2 * m + 1) * Double.pi) * decay
            sum += term * sin(lambda(m) * z)
            if term < 1e-13 { break }
        }
        return initialPressure * sum
    }

    public func degreeOfConsolidation(time t: Double) -> Double {
        var sum = 0.0
        for m in 0 ..< 100_000 {
            let decay = exp(-lambda(m) * lambda(m) * consolidationCoefficient * t)
            if decay < 1e-18 { break }
            sum += 8 / (Double((2 * m + 1) * (2 * m + 1)) * Double.pi * Double.pi) * decay
        }
        return 1 - sum
    }
}

/// Mandel's problem: a plane-strain specimen −a ≤ x ≤ a, −b ≤ y ≤ b squeezed at t = 0 between rigid,
/// frictionless, impermeable plates by a force 2F (per unit thickness), drained at x = ±a (Mandel 1953;
/// Abousleiman, Cheng, Cui, Detournay & Roegiers, Géotechnique 46, 1996; Cheng & Detournay 1988).
/// With K = E/(3(1−2ν)), K_u = K + α²M, B = αM/K_u, ν_u = (3K_u − 2G)/(2(3K_u + G)),
/// c = (k/μ) M (K + 4G/3)/(K_u + 4G/3), and αₙ the positive roots of tan αₙ = (1−ν)/(ν_u−ν) αₙ:
///   p = 2FB(1+ν_u)/(3a) Σ sin αₙ/(αₙ − sin αₙ cos αₙ) (cos(αₙx/a) − cos αₙ) e^{−αₙ²ct/a²},
///   u_x = [Fν/(2Ga) − Fν_u/(Ga) Σ sin αₙ cos αₙ/(αₙ − sin αₙ cos αₙ) e] x + F/G Σ cos αₙ/(αₙ − sin αₙ cos αₙ) sin(αₙx/a) e,
///   u_y = [−F(1−ν)/(2Ga) + F(1−ν_u)/(Ga) Σ sin αₙ cos αₙ/(αₙ − sin αₙ cos αₙ) e] y.
public struct Mandel: Sendable {
    public let a: Double, b: Double, force: Double
    public let youngsModulus: Double, poissonRatio: Double, biotCoefficient: Double, biotModulus: Double, mobility: Double
    public let roots: [Double]

    public init(a: Double, b: Double, force: Double, youngsModulus: Double, poissonRatio: Double, biotCoefficient: Double,
         biotModulus: Double, mobility: Double, rootCount: Int = 400) {
        self.a = a
        self.b = b
        self.force = force
        self.youngsModulus = youngsModulus
        self.poissonRatio = poissonRatio
        self.biotCoefficient = biotCoefficient
        self.biotModulus = biotModulus
        self.mobility = mobility
        let g = youngsModulus / (2 * (1 + poissonRatio))
        let k = youngsModulus / (3 * (1 - 2 * poissonRatio)), ku = k + biotCoefficient * biotCoefficient * biotModulus
        let nuU = (3 * ku - 2 * g) / (2 * (3 * ku + g))
        let ratio = (1 - poissonRatio) / (nuU - poissonRatio)
        // sin x − A x cos x changes sign once on ((n−1)π, (n−½)π]: bisect.
        roots = (1 ... rootCount).map { n in
            var lo = Double(n - 1) * Double.pi + 1e-9, hi = (Double(n) - 0.5) * Double.pi
            func f(_ x: Double) -> Double { sin(x) - ratio * x * cos(x) }
            let flo = f(lo)
            for _ in 0 ..< 200 {
                let mid = 0.5 * (lo + hi)
                if (f(mid) < 0) == (flo < 0) { lo = mid } else { hi = mid }
            }
            return 0.5 * (lo + hi)
        }
    }

    public var shearModulus: Double { youngsModulus / (2 * (1 + poissonRatio)) }
    public var bulkModulus: Double { youngsModulus / (3 * (1 - 2 * poissonRatio)) }
    public var undrainedBulkModulus: Double { bulkModulus + biotCoefficient * biotCoefficient * biotModulus }
    public var skempton: Double { biotCoefficient * biotModulus / undrainedBulkModulus }
    public var undrainedPoissonRatio: Double {
        (3 * undrainedBulkModulus - 2 * shearModulus) / (2 * (3 * undrainedBulkModulus + shearModulus))
    }
    public var consolidationCoefficient: Double {
        let g = shearModulus
        return mobility * biotModulus * (bulkModulus + 4 * g / 3) / (undrainedBulkModulus + 4 * g / 3)
    }
    public var initialPressure: Double { force * skempton * (1 + undrainedPoissonRatio) / (3 * a) }

    public func time(dimensionless tv: Double) -> Double { tv * a * a / consolidationCoefficient }

    private func decay(_ r: Double, _ t: Double) -> Double { exp(-r * r * consolidationCoefficient * t / (a * a)) }

    public func pressure(x: Double, time t: Double) -> Double {
        var sum = 0.0
        for r in roots { sum += sin(r) / (r - sin(r) * cos(r)) * (cos(r * x / a) - cos(r)) * decay(r, t) }
        return 2 * initialPressure * sum
    }

    public func horizontalDisplacement(x: Double, time t: Double) -> Double {
        let g = shearModulus, f = force, nu = poissonRatio, nuU = undrainedPoissonRatio
        var s1 = 0.0, s2 = 0.0
        for r in roots {
            let d = r - sin(r) * cos(r), e = decay(r, t)
            s1 += sin(r) * cos(r) / d * e
            s2 += cos(r) / d * sin(r * x / a) * e
        }
        return (f * nu / (2 * g * a) - f * nuU / (g * a) * s1) * x + f / g * s2
    }

    /// The undrained response at t = 0⁺ in closed form (the t → 0 limit, where the series converge slowly).
    public func undrainedHorizontalDisplacement(x: Double) -> Double { force * undrainedPoissonRatio * x / (2 * shearModulus * a) }
    public func undrainedVerticalDisplacement(y: Double) -> Double { -force * (1 - undrainedPoissonRatio) * y / (2 * shearModulus * a) }

    public func verticalDisplacement(y: Double, time t: Double) -> Double {
        let g = shearModulus, f = force, nu = poissonRatio, nuU = undrainedPoissonRatio
        var s1 = 0.0
        for r in roots { s1 += sin(r) * cos(r) / (r - sin(r) * cos(r)) * decay(r, t) }
        return (-f * (1 - nu) / (2 * g * a) + f * (1 - nuU) / (g * a) * s1) * y
    }
}

/// Observed order of convergence between successive refinements by a factor 2.
