import Bilevel
import Testing

@Suite("Student t quantiles")
struct StudentTTests {
    /// Table values (six decimals) from standard t tables / R's qt.
    @Test(arguments: [
        (0.975, 1.0, 12.706205), (0.975, 2.0, 4.302653), (0.975, 5.0, 2.570582), (0.975, 10.0, 2.228139),
        (0.975, 30.0, 2.042272), (0.95, 1.0, 6.313752), (0.995, 10.0, 3.169273), (0.9, 3.0, 1.637744),
        (0.975, 1000.0, 1.962339), (0.975, 1e6, 1.959966), (0.975, Double.infinity, 1.959964),
    ])
    func matchesTables(p: Double, nu: Double, expected: Double) {
        let t = StudentT.quantile(p, degreesOfFreedom: nu)
        #expect(abs(t - expected) < 1e-6, "t(\(p), \(nu)) = \(t), table \(expected)")
        #expect(abs(StudentT.quantile(1 - p, degreesOfFreedom: nu) + t) < 1e-12, "symmetry")
        // ln B(ν/2, ½) from ln Γ loses digits to cancellation at huge ν: the cdf is good to ~1e-11 there.
        if nu.isFinite { #expect(abs(StudentT.cdf(t, degreesOfFreedom: nu) - p) < (nu > 1e5 ? 1e-10 : 1e-12), "cdf inverts the quantile") }
    }

    @Test func normalQuantileIsFullPrecision() {
        #expect(abs(StudentT.normalQuantile(0.975) - 1.959963984540054) < 1e-14)
        #expect(abs(StudentT.normalQuantile(0.5)) < 1e-15)
        #expect(abs(StudentT.normalQuantile(1e-10) + 6.361340902404056) < 1e-11)
        #expect(StudentT.quantile(0.5, degreesOfFreedom: 3) == 0)
    }
}
