import Bilevel
import Foundation
import Testing

/// f computed through an inner solve carries noise far above rounding (a Newton tolerance); the
/// Taylor test must still pass a right gradient and fail a wrong one (gradcheck on Terzaghi once
/// failed with "no stable range of at least 3 h" while adjoint and finite differences agreed to 1e-9).
@Suite struct TaylorTestNoiseTests {
    static let z = [0.3, 1.1, -0.7]

    /// The smooth function of the other Taylor tests plus a deterministic, bit-pattern-hashed noise of
    /// relative amplitude `level`: what an inner solve stopped at a tolerance adds.
    static func noisy(level: Double) -> ([Double]) -> Double {
        { z in
            let smooth = exp(0.5 * z[0]) * sin(z[1]) + z[0] * z[0] * z[2] + cos(z[2])
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for x in z { hash = (hash ^ x.bitPattern) &* 0x0000_0100_0000_01B3 }
            var rng = SplitMix64(seed: hash)
            return smooth * (1 + level * (2 * rng.nextUniform() - 1))
        }
    }

    static func gradient(_ z: [Double]) -> [Double] {
        [0.5 * exp(0.5 * z[0]) * sin(z[1]) + 2 * z[0] * z[2], exp(0.5 * z[0]) * cos(z[1]), z[0] * z[0] - sin(z[2])]
    }

    @Test(arguments: [1e-12, 1e-10, 1e-8])
    func aRightGradientPassesThroughNoise(level: Double) throws {
        let report = try TaylorTest.run(Self.noisy(level: level), at: Self.z, gradient: Self.gradient(Self.z))
        #expect(report.passed, "\(report.table)")
        for sweep in report.sweeps { #expect(sweep.window.count >= 3 && abs(sweep.fittedOrder! - 2) <= 0.1, "\(report.table)") }
    }

    @Test(arguments: [1e-12, 1e-10])
    func aWrongGradientStillFailsThroughNoise(level: Double) throws {
        let wrong = Self.gradient(Self.z).enumerated().map { $0.offset == 1 ? $0.element * (1 + 1e-3) : $0.element }
        let report = try TaylorTest.run(Self.noisy(level: level), at: Self.z, gradient: wrong)
        #expect(!report.passed, "\(report.table)")
        for sweep in report.sweeps { #expect(sweep.verdict.contains("gradient is wrong"), "\(report.table)") }
    }
}
