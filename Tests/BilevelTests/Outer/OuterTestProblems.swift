import Bilevel
import Foundation

/// Small closed-form problems shared by the outer-layer tests.
enum OuterTestProblems {
    /// Rosenbrock f(z) = (1 − z₀)² + 100 (z₁ − z₀²)², minimum 0 at (1, 1).
    static func rosenbrock(_ z: [Double]) -> ObjectiveEvaluation {
        let a = 1 - z[0], b = z[1] - z[0] * z[0]
        return ObjectiveEvaluation(value: a * a + 100 * b * b,
                                   gradient: [-2 * a - 400 * z[0] * b, 200 * b], innerIterations: 3)
    }

    /// Abscissae 0, 0.2, …, 0.2(m − 1).
    static func abscissae(_ m: Int) -> [Double] { (0 ..< m).map { 0.2 * Double($0) } }

    /// Exponential decay y = A e^{−k x} sampled at `x`.
    static func decay(_ a: Double, _ k: Double, _ x: [Double]) -> [Double] { x.map { a * exp(-k * $0) } }

    /// Weighted residuals (A e^{−k x} − y)/σ and Jacobian for z = (A, k) (identity transforms).
    static func decayResiduals(x: [Double], y: [Double], sigma: Double) -> ResidualFunction {
        { z, needJacobian in
            let r = x.indices.map { (z[0] * exp(-z[1] * x[$0]) - y[$0]) / sigma }
            guard needJacobian else { return ResidualEvaluation(residuals: r, innerIterations: 2) }
            var j = DenseMatrix(rows: x.count, columns: 2)
            for i in x.indices {
                let e = exp(-z[1] * x[i])
                j[i, 0] = e / sigma
                j[i, 1] = -z[0] * x[i] * e / sigma
            }
            return ResidualEvaluation(residuals: r, jacobian: j, innerIterations: 2)
        }
    }

    /// The same model with z = (log A, log k): J_z = J_θ · diag(A, k) through the parameter space.
    static func logDecayResiduals(space: ParameterSpace, x: [Double], y: [Double], sigma: Double) -> ResidualFunction {
        { z, needJacobian in
            let theta = try space.physical(from: z)
            guard let e = try decayResiduals(x: x, y: y, sigma: sigma)(theta, needJacobian) else { return nil }
            guard let j = e.jacobian else { return e }
            return ResidualEvaluation(residuals: e.residuals, jacobian: try space.jacobianInTransformed(j, at: z))
        }
    }

    /// Noisy decay data from a seeded generator.
    static func noisyDecay(a: Double, k: Double, x: [Double], sigma: Double, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return decay(a, k, x).map { $0 + sigma * rng.nextNormal() }
    }
}

/// Counts calls of a closure from a non-Sendable context (tests run each optimizer synchronously).
final class OuterCallCounter {
    var count = 0
    var points: [[Double]] = []
}
