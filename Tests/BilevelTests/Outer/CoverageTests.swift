import Bilevel
import Foundation
import Testing

/// Frequentist check of the whole chain (Levenberg–Marquardt fit, Gauss–Newton covariance, t intervals,
/// log transform): on y = A e^{−k x} + N(0, σ²) with 20 points, the 95% intervals must contain the truth
/// in about 95% of realizations. With 100 seeds × 2 parameters the binomial standard deviation of the
/// observed rate is ≈ 1.5%; the accepted band 88–100% is about four standard deviations wide below 95%
/// and also allows for the small curvature bias of linearized intervals.
@Suite("Interval coverage")
struct CoverageTests {
    @Test func ninetyFivePercentIntervalsCoverTheTruth() throws {
        let (a, k, sigma) = (2.0, 1.5, 0.05)
        let x = OuterTestProblems.abscissae(20)
        let space = try ParameterSpace([Parameter(name: "A", initial: 1, lower: 1e-2, upper: 1e2, transform: .log),
                                        Parameter(name: "k", initial: 1, lower: 1e-2, upper: 1e2, transform: .log)])
        var covered = [0, 0], realizations = 0
        for seed in 1 ... 100 as ClosedRange<UInt64> {
            let y = OuterTestProblems.noisyDecay(a: a, k: k, x: x, sigma: sigma, seed: seed)
            let fit = try LevenbergMarquardt().minimize(OuterTestProblems.logDecayResiduals(space: space, x: x, y: y, sigma: sigma), in: space)
            try #require(fit.status.isConverged, "seed \(seed): \(fit.briefReport)")
            let report = try UncertaintyAnalysis.analyze(fit, space: space)
            realizations += 1
            if report.intervalsPhysical[0].contains(a) { covered[0] += 1 }
            if report.intervalsPhysical[1].contains(k) { covered[1] += 1 }
        }
        let rate = Double(covered[0] + covered[1]) / Double(2 * realizations)
        #expect(rate >= 0.88 && rate <= 1.0, "coverage \(rate) (A: \(covered[0]), k: \(covered[1]) of \(realizations))")
        for c in covered { #expect(Double(c) / Double(realizations) >= 0.85) }
    }
}
