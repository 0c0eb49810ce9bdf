import AutoDiff
import Foundation
import Testing

/// A function touching every operation of `Real`, written once, generically.
private func f<S: Real>(_ x: S, _ y: S, _ z: S) -> S {
    let a = S.exp(-(0.7 * x)) * y - S.log(z + 2.0) / (y * y + 1.0)
    let b = S.sqrt(x * x + z * z + 0.5) * S.sin(y) + S.cos(x * z) - S.pow(z + 3.0, 1.5)
    return a * b + S.pow(y - 0.2, -3) - 2.0 / (x + 4.0)
}

private let point: [Double] = [0.3, -0.8, 1.7]

/// Central finite-difference gradient and Hessian of `f` in Double.
private func finiteDifferences(h: Double) -> (gradient: [Double], hessian: [[Double]]) {
    func eval(_ p: [Double]) -> Double { f(p[0], p[1], p[2]) }
    func shifted(_ i: Int, _ s: Double, _ p: [Double] = point) -> [Double] {
        var q = p
        q[i] += s
        return q
    }
    let g = (0 ..< 3).map { i in (eval(shifted(i, h)) - eval(shifted(i, -h))) / (2 * h) }
    let hess = (0 ..< 3).map { i in
        (0 ..< 3).map { j in
            (eval(shifted(j, h, shifted(i, h))) - eval(shifted(j, -h, shifted(i, h)))
                - eval(shifted(j, h, shifted(i, -h))) + eval(shifted(j, -h, shifted(i, -h)))) / (4 * h * h)
        }
    }
    return (g, hess)
}

@Suite struct JetTests {
    @Test func jetGradientMatchesFiniteDifferences() {
        let r = f(Jet<3>(point[0], variable: 0), Jet<3>(point[1], variable: 1), Jet<3>(point[2], variable: 2))
        let fd = finiteDifferences(h: 1e-5)
        #expect(r.value == f(point[0], point[1], point[2]))
        for i in 0 ..< 3 { #expect(abs(r.gradient[i] - fd.gradient[i]) <= 1e-8 * max(1, abs(fd.gradient[i]))) }
    }

    @Test func hyperJetGradientAndHessianMatchFiniteDifferences() {
        let r = f(HyperJet<3, 6>(point[0], variable: 0), HyperJet<3, 6>(point[1], variable: 1),
                  HyperJet<3, 6>(point[2], variable: 2))
        let fd = finiteDifferences(h: 1e-4)
        #expect(r.value == f(point[0], point[1], point[2]))
        for i in 0 ..< 3 {
            #expect(abs(r.gradient[i] - fd.gradient[i]) <= 1e-6 * max(1, abs(fd.gradient[i])))
            for j in 0 ..< 3 {
                #expect(abs(r.hessian(i, j) - fd.hessian[i][j]) <= 1e-5 * max(1, abs(fd.hessian[i][j])))
            }
        }
    }

    @Test func jetReferenceReadsEveryEntryOfTheStoredJet() {
        // Entries are read at computed byte offsets: each must be the jet's own, (i, j) and (j, i) alike.
        let r = f(HyperJet<3, 6>(point[0], variable: 0), HyperJet<3, 6>(point[1], variable: 1),
                  HyperJet<3, 6>(point[2], variable: 2))
        let stored = UnsafeMutablePointer<HyperJet<3, 6>>.allocate(capacity: 1)
        defer { stored.deallocate() }
        stored.initialize(to: r)
        let reference = JetReference(UnsafePointer(stored))
        #expect(reference.value == r.value)
        for i in 0 ..< 3 {
            #expect(reference.derivative(i) == r.gradient[i])
            for j in 0 ..< 3 { #expect(reference.secondDerivative(i, j) == r.hessian(i, j)) }
        }
        // The entries differ from each other, so a wrong offset could not pass by chance.
        #expect(Set((0 ..< 3).flatMap { i in (i ..< 3).map { r.hessian(i, $0) } }).count == 6)
    }

    @Test func hyperJetAgreesWithJetToRoundOff() {
        let h = f(HyperJet<3, 6>(point[0], variable: 0), HyperJet<3, 6>(point[1], variable: 1), HyperJet<3, 6>(point[2], variable: 2))
        let j = f(Jet<3>(point[0], variable: 0), Jet<3>(point[1], variable: 1), Jet<3>(point[2], variable: 2))
        for i in 0 ..< 3 { #expect(abs(h.gradient[i] - j.gradient[i]) <= 1e-13 * max(1, abs(j.gradient[i]))) }
    }

    @Test func nestedDualGivesSecondDerivativeWithOuterGradient() {
        // g(x; a) = a·x³: g′ = 3a x², g″ = 6a x; with respect to a: ∂g″/∂a = 6x.
        let x = 1.3, a = 0.7
        typealias Outer = Jet<1>
        let aJet = Outer(a, variable: 0)
        let seeded = Dual<Dual<Outer>>(Dual(Outer(x), 1), Dual(1, 0))
        let g = Dual<Dual<Outer>>(Dual(aJet, 0), Dual(0, 0)) * seeded * seeded * seeded
        #expect(abs(g.tangent.tangent.value - 6 * a * x) <= 1e-14)
        #expect(abs(g.tangent.primal.value - 3 * a * x * x) <= 1e-14)
        #expect(abs(g.tangent.tangent.gradient[0] - 6 * x) <= 1e-14)
    }

    @Test func integerPowerIsExact() {
        let x = HyperJet<1, 1>(1.1, variable: 0)
        let p = HyperJet<1, 1>.pow(x, -6)
        #expect(abs(p.value - pow(1.1, -6)) <= 1e-15)
        #expect(abs(p.gradient[0] - (-6 * pow(1.1, -7))) <= 1e-14)
        #expect(abs(p.hessian(0, 0) - 42 * pow(1.1, -8)) <= 1e-13)
    }

    @Test func comparisonsUseValuesOnly() {
        let a = Jet<2>(1.0, variable: 0), b = Jet<2>(1.0, variable: 1)
        #expect(a == b)
        #expect(!(a < b))
        #expect(Jet<2>(0.5) < a)
    }
}
