import AutoDiff
import Foundation
import Testing

/// A function using every function added for angles and switches, written once, generically.
private func g<S: Real>(_ x: S, _ y: S, _ z: S) -> S {
    let a = S.atan2(y + 0.3 * z, x - 0.2) * S.tanh(0.8 * x * z)
    let b = S.asin(0.4 * y) + S.acos(0.5 * z - 0.3) * S.atan(x * y + z)
    return a + b * S.abs(y) + S.max(x, z) - 2 * S.min(x * z, y)
}

private let point: [Double] = [0.7, -0.45, 0.35]

private func gd(_ p: [Double]) -> Double { g(p[0], p[1], p[2]) }

/// Central differences of order h², with steps small enough for the 1e-6 tolerances used here and
/// the point away from every kink of `g` (|y| > 0, x ≠ z, xz ≠ y).
private func finiteDifferences(_ f: ([Double]) -> Double, at p: [Double], h: Double) -> (gradient: [Double], hessian: [[Double]]) {
    func shifted(_ q: [Double], _ i: Int, _ s: Double) -> [Double] { var r = q; r[i] += s; return r }
    let n = p.count
    let grad = (0 ..< n).map { i in (f(shifted(p, i, h)) - f(shifted(p, i, -h))) / (2 * h) }
    let hess = (0 ..< n).map { i in
        (0 ..< n).map { j in
            (f(shifted(shifted(p, i, h), j, h)) - f(shifted(shifted(p, i, h), j, -h))
                - f(shifted(shifted(p, i, -h), j, h)) + f(shifted(shifted(p, i, -h), j, -h))) / (4 * h * h)
        }
    }
    return (grad, hess)
}

private func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

@Suite struct ElementaryFunctionTests {
    @Test func hyperJetMatchesFiniteDifferences() {
        typealias H = HyperJet<3, 6>
        let r = g(H(point[0], variable: 0), H(point[1], variable: 1), H(point[2], variable: 2))
        let fd = finiteDifferences(gd, at: point, h: 1e-4)
        #expect(r.value == gd(point))
        for i in 0 ..< 3 {
            #expect(close(r.gradient[i], fd.gradient[i], 1e-7))
            for j in 0 ..< 3 { #expect(close(r.hessian(i, j), fd.hessian[i][j], 1e-6)) }
        }
    }

    @Test func jetAndNestedDualsAgreeWithHyperJet() {
        typealias H = HyperJet<3, 6>
        let h = g(H(point[0], variable: 0), H(point[1], variable: 1), H(point[2], variable: 2))
        let j = g(Jet<3>(point[0], variable: 0), Jet<3>(point[1], variable: 1), Jet<3>(point[2], variable: 2))
        for i in 0 ..< 3 { #expect(close(j.gradient[i], h.gradient[i], 1e-13)) }
        // Second derivative along v with Dual<Dual<Double>>: vᵀ∇²g v; and ∂/∂x of ∇g·v with an outer Jet.
        let v = [0.3, -1.1, 0.6]
        typealias D = Dual<Dual<Double>>
        let seeded = (0 ..< 3).map { D(Dual(point[$0], v[$0]), Dual(v[$0], 0)) }
        let dd = g(seeded[0], seeded[1], seeded[2])
        var vHv = 0.0, Hv0 = 0.0
        for a in 0 ..< 3 {
            Hv0 += h.hessian(0, a) * v[a]
            for b in 0 ..< 3 { vHv += v[a] * h.hessian(a, b) * v[b] }
        }
        #expect(close(dd.tangent.tangent, vHv, 1e-12))
        #expect(close(dd.tangent.primal, (0 ..< 3).map { h.gradient[$0] * v[$0] }.reduce(0, +), 1e-13))
        typealias O = Dual<Jet<1>>
        let outer = (0 ..< 3).map { O($0 == 0 ? Jet<1>(point[0], variable: 0) : Jet<1>(point[$0]), Jet<1>(v[$0])) }
        let mixed = g(outer[0], outer[1], outer[2])
        #expect(close(mixed.tangent.gradient[0], Hv0, 1e-12))
    }

    @Test func closedFormsAtOrdinaryPoints() {
        typealias H = HyperJet<1, 1>
        let x = 0.3, c = 1 - x * x
        let acos = H.acos(H(x, variable: 0)), asin = H.asin(H(x, variable: 0))
        #expect(close(acos.gradient[0], -1 / c.squareRoot(), 1e-15) && close(acos.hessian(0, 0), -x / pow(c, 1.5), 1e-14))
        #expect(close(asin.gradient[0], 1 / c.squareRoot(), 1e-15) && close(asin.hessian(0, 0), x / pow(c, 1.5), 1e-14))
        let atan = H.atan(H(x, variable: 0)), tanh = H.tanh(H(x, variable: 0))
        #expect(close(atan.gradient[0], 1 / (1 + x * x), 1e-15) && close(atan.hessian(0, 0), -2 * x / pow(1 + x * x, 2), 1e-14))
        let t = Foundation.tanh(x)
        #expect(close(tanh.gradient[0], 1 - t * t, 1e-15) && close(tanh.hessian(0, 0), -2 * t * (1 - t * t), 1e-14))
        // atan2 at (y, x) = (1, 1): ∇ = (x, −y)/2; ∂²/∂y² = −2xy/4, ∂²/∂x² = 2xy/4, ∂²/∂x∂y = 0.
        typealias H2 = HyperJet<2, 3>
        let a = H2.atan2(H2(1, variable: 0), H2(1, variable: 1))
        #expect(close(a.value, Double.pi / 4, 1e-16))
        #expect(close(a.gradient[0], 0.5, 1e-16) && close(a.gradient[1], -0.5, 1e-16))
        #expect(close(a.hessian(0, 0), -0.5, 1e-15) && close(a.hessian(1, 1), 0.5, 1e-15) && abs(a.hessian(0, 1)) <= 1e-16)
    }

    @Test func atan2IsSmoothAcrossTheNegativeAxisWhereItsValueJumps() {
        typealias H2 = HyperJet<2, 3>
        let above = H2.atan2(H2(1e-12, variable: 0), H2(-2, variable: 1))
        let below = H2.atan2(H2(-1e-12, variable: 0), H2(-2, variable: 1))
        #expect(above.value > 3.14 && below.value < -3.14)
        // ∂/∂y = x/(x² + y²) = −1/2 on both sides; ∂/∂x = −y/(x² + y²) → 0; ∂²/∂x∂y = (y² − x²)/s² = −1/4.
        for r in [above, below] {
            #expect(close(r.gradient[0], -0.5, 1e-12) && abs(r.gradient[1]) <= 1e-12)
            #expect(close(r.hessian(0, 1), -0.25, 1e-12))
        }
    }

    @Test func acosHasAnInfiniteDerivativeAtAStraightAngleWhereAtan2IsFinite() {
        // The documented reason to write angles with atan2: at cos θ = −1 acos′ is infinite.
        typealias H = HyperJet<1, 1>
        #expect(!H.acos(H(-1, variable: 0)).gradient[0].isFinite)
        typealias H2 = HyperJet<2, 3>
        let straight = H2.atan2(H2(0, variable: 0), H2(-1, variable: 1))
        #expect(straight.gradient[0] == -1 && straight.gradient[1] == 0)
    }

    @Test func absMinMaxTakeTheDocumentedOneSidedDerivatives() {
        typealias H = HyperJet<2, 3>
        let zero = H(0, variable: 0), negative = H(-2, variable: 0)
        #expect(H.abs(zero).gradient[0] == 1)                 // right-hand derivative at the kink
        #expect(H.abs(negative).value == 2 && H.abs(negative).gradient[0] == -1)
        let a = H(1.5, variable: 0), b = H(1.5, variable: 1)   // a tie: the first argument wins
        #expect(H.min(a, b).gradient[0] == 1 && H.min(a, b).gradient[1] == 0)
        #expect(H.max(a, b).gradient[0] == 1 && H.max(a, b).gradient[1] == 0)
        #expect(H.min(b, a).gradient[1] == 1 && H.max(b, a).gradient[1] == 1)
        let c = H(1.0, variable: 1)
        #expect(H.min(a, c).gradient[1] == 1 && H.max(a, c).gradient[0] == 1)
        // Nested duals take the same branch from the innermost value.
        typealias D = Dual<Dual<Double>>
        let x = D(Dual(-3, 1), Dual(1, 0))
        let y = D.abs(x * x * x)                              // |x³| = −x³ for x < 0: second derivative −6x = 18
        #expect(y.tangent.tangent == 18 && y.tangent.primal == -27)
        #expect(Double.abs(-0.0) == 0 && Double.min(2, 1) == 1 && Double.max(2, 1) == 2)
    }

    @Test func packedHessianSizesAreChecked() {
        #expect(HyperJet<7, 28>.hasConsistentSizes)
        #expect(!HyperJet<7, 49>.hasConsistentSizes)
        #expect(hyperJetDeclaration(variables: 7) == "HyperJet<7, 28>")
        // Packed row-major order: (0,0) (0,1) (0,2) (1,1) (1,2) (2,2).
        var x = HyperJet<3, 6>(0)
        for p in 0 ..< 6 { x.packedHessian[p] = Double(p) }
        #expect(x.hessian(0, 2) == 2 && x.hessian(2, 0) == 2 && x.hessian(1, 1) == 3 && x.hessian(2, 1) == 4 && x.hessian(2, 2) == 5)
    }
}
