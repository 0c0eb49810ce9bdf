import Bilevel
import Foundation
import Testing

@Suite("Gradient checking")
struct TaylorTestTests {
    /// A smooth non-quadratic function and its exact gradient.
    static func f(_ z: [Double]) -> Double { exp(0.5 * z[0]) * sin(z[1]) + z[0] * z[0] * z[2] + cos(z[2]) }
    static func gradient(_ z: [Double]) -> [Double] {
        [0.5 * exp(0.5 * z[0]) * sin(z[1]) + 2 * z[0] * z[2], exp(0.5 * z[0]) * cos(z[1]), z[0] * z[0] - sin(z[2])]
    }
    static let z = [0.3, 1.1, -0.7]

    @Test func passesForTheRightGradient() throws {
        let report = try TaylorTest.run(Self.f, at: Self.z, gradient: Self.gradient(Self.z))
        #expect(report.passed, "\(report.table)")
        #expect(report.sweeps.count == 2)
        for sweep in report.sweeps {
            let order = try #require(sweep.fittedOrder)
            #expect(abs(order - 2) <= 0.1 && sweep.window.count >= 3)
            #expect(sweep.verdict.hasPrefix("PASS"))
        }
        #expect(report.table.contains("PASS") && report.table.contains("R(h)"))
    }

    @Test func failsForAGradientWithASmallError() throws {
        let wrong = Self.gradient(Self.z).enumerated().map { $0.offset == 1 ? $0.element * (1 + 1e-4) : $0.element }
        let report = try TaylorTest.run(Self.f, at: Self.z, gradient: wrong)
        #expect(!report.passed, "\(report.table)")
        for sweep in report.sweeps {
            #expect(abs((sweep.fittedOrder ?? 0) - 1) < 0.2, "a gradient error shows as order 1 at small h")
            #expect(sweep.verdict.contains("gradient is wrong"))
        }
        #expect(report.summary.hasPrefix("Taylor test: FAIL"))
    }

    @Test func picksAUsableRangeAboveTheRoundOffFloor() throws {
        // A large constant puts the round-off floor at ~1e3·ε·2e6 ≈ 4e-7 in R, i.e. h of order 1e-3.
        let offset = 1e6
        let counter = OuterCallCounter()
        let report = try TaylorTest.run({ z in
            counter.points.append(z)
            return offset + Self.f(z)
        }, at: Self.z, gradient: Self.gradient(Self.z))
        #expect(report.passed, "\(report.table)")
        for sweep in report.sweeps {
            #expect(sweep.usable.count < sweep.steps.count, "the smallest h must be excluded")
            let smallest = sweep.steps[try #require(sweep.window.last)]
            #expect(smallest > 1e-5 && smallest < 1e-2, "window ends at h = \(smallest)")
            for k in sweep.window { #expect(sweep.remainders[k] > sweep.roundOffFloors[k]) }
            #expect(sweep.usable.last! + 1 < sweep.steps.count && sweep.remainders[sweep.usable.last! + 1] <= sweep.roundOffFloors[sweep.usable.last! + 1])
        }
        #expect(counter.points.last == Self.z, "the last evaluation is at z itself (no side effect on warm starts)")
        let again = try TaylorTest.run({ offset + Self.f($0) }, at: Self.z, gradient: Self.gradient(Self.z))
        #expect(again == report, "deterministic for a fixed seed")
    }

    @Test func linearFunctionsPassAtRoundOffLevel() throws {
        let report = try TaylorTest.run({ 3 * $0[0] - 2 * $0[1] }, at: [1, 2], gradient: [3, -2])
        #expect(report.passed && report.sweeps[0].usable.isEmpty)
        let wrong = try TaylorTest.run({ 3 * $0[0] - 2 * $0[1] }, at: [1, 2], gradient: [3, -2.001])
        #expect(!wrong.passed)
    }

    @Test func centralDifferencesAreAccurate() {
        let fd = FiniteDifference.gradient(of: Self.f, at: Self.z)
        let exact = Self.gradient(Self.z)
        for k in 0 ..< 3 { #expect(abs(fd[k] - exact[k]) < 1e-9) }
        let j = FiniteDifference.jacobian(of: { [Self.f($0), $0[0] * $0[1]] }, at: Self.z)
        #expect(j.rows == 2 && j.columns == 3 && abs(j[1, 0] - Self.z[1]) < 1e-10 && abs(j[0, 2] - exact[2]) < 1e-9)
    }

    /// A stiff direction (f‴/f′ = −10⁶, as a lattice constant's at a fit) makes the plain central
    /// difference wrong in its sixth digit; the extrapolated one is right, and its error estimate covers
    /// the plain difference's error, so a check blames the difference, not the exact derivative.
    @Test func extrapolationRemovesTheTruncationErrorAndEstimatesIt() {
        let f: ([Double]) -> Double = { z in sin(1000 * z[0]) + exp(z[1]) }
        let z = [0.001, 0.5]
        let exact = [1000 * cos(1.0), exp(0.5)]
        let plain = FiniteDifference.gradient(of: f, at: z)
        let fd = FiniteDifference.extrapolatedGradient(of: f, at: z)
        #expect(abs(plain[0] - exact[0]) / exact[0] > 1e-6)
        #expect(abs(fd.value[0] - exact[0]) / exact[0] < 1e-9 && abs(fd.value[1] - exact[1]) < 1e-9)
        let plainHalf = FiniteDifference.gradient(of: f, at: z, relativeStep: FiniteDifference.defaultRelativeStep / 2)
        #expect(abs(plainHalf[0] - exact[0]) <= 1.5 * fd.error[0] && fd.error[0] > 0)
        // Agreement: within the tolerance, or within twice the difference's own error — never otherwise.
        #expect(FiniteDifference.agrees(exact: 1, difference: 1 + 1e-7, error: 0, tolerance: 1e-5, floor: 0))
        #expect(FiniteDifference.agrees(exact: 1, difference: 1.01, error: 0.006, tolerance: 1e-5, floor: 0))
        #expect(!FiniteDifference.agrees(exact: 1, difference: 1.01, error: 0.004, tolerance: 1e-5, floor: 0))
        #expect(FiniteDifference.agrees(exact: 1e-3, difference: 1.001e-3, error: 0, tolerance: 1e-5, floor: 1))
    }
}
