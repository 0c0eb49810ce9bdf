import Bilevel
import Foundation
import Testing

/// A curved valley like the lattice benchmark's: observations D·α²·x(1 + ε α x) determine D·α² sharply and,
/// through the small nonlinear term, α weakly, so that in z = (log D, α) the misfit's minimum lies at the
/// end of a long curved valley. Noise-free data: the minimum is the truth (D = 1, α = 3).
@Suite("Levenberg–Marquardt: geodesic acceleration")
struct GeodesicAccelerationTests {
    static let x = (0 ..< 20).map { 0.05 + 0.05 * Double($0) }
    static let epsilon = 0.003, sigma = 0.01

    static func model(_ d: Double, _ alpha: Double, _ x: Double) -> Double { d * alpha * alpha * x * (1 + epsilon * alpha * x) }

    static var residuals: ResidualFunction {
        { z, needJacobian in
            let d = exp(z[0]), alpha = z[1]
            let r = x.map { (model(d, alpha, $0) - model(1, 3, $0)) / sigma }
            guard needJacobian else { return ResidualEvaluation(residuals: r) }
            var j = DenseMatrix(rows: x.count, columns: 2)
            for (i, xi) in x.enumerated() {
                j[i, 0] = model(d, alpha, xi) / sigma                                       // ∂/∂ log D
                j[i, 1] = d * xi * (2 * alpha + 3 * epsilon * alpha * alpha * xi) / sigma  // ∂/∂α
            }
            return ResidualEvaluation(residuals: r, jacobian: j)
        }
    }

    static func run(accelerated: Bool) throws -> OptimizationResult {
        var options = LevenbergMarquardtOptions()
        options.geodesicAcceleration = accelerated
        options.maximumIterations = 200
        return try LevenbergMarquardt(options: options).minimize(residuals, from: [log(0.8), 3.3], bounds: .unbounded(2))
    }

    @Test func followsACurvedValleyInAtMostHalfTheIterations() throws {
        let plain = try Self.run(accelerated: false)
        let accelerated = try Self.run(accelerated: true)
        for result in [plain, accelerated] {
            #expect(result.status.isConverged, "\(result.fullReport)")
            // Zero residual: the minimum is the truth; the stop at 10⁻³ standard errors leaves it well within 0.01.
            #expect(abs(result.z[0]) < 0.01 && abs(result.z[1] - 3) < 0.01, "\(result.z)")
            let accepted = result.history.filter(\.accepted).map(\.objective)
            #expect(zip(accepted, accepted.dropFirst()).allSatisfy { $1 <= $0 }, "accepted objectives never increase")
        }
        // Without the acceleration the steps creep along the valley (about 30 iterations); with it about 10.
        #expect(2 * accelerated.iterations <= plain.iterations, "plain \(plain.iterations), accelerated \(accelerated.iterations)")
        #expect(accelerated.objectiveEvaluations == accelerated.iterations + 1, "the acceleration costs no extra evaluation")
    }

    @Test func theAccelerationLimitIsValidated() throws {
        var options = LevenbergMarquardtOptions()
        options.accelerationLimit = 0
        #expect(throws: OptimizerError.self) { try options.validate() }
        options.accelerationLimit = .nan
        #expect(throws: OptimizerError.self) { try options.validate() }
    }
}
