import Bilevel
import BeadSpring
import Physics
import Testing

@Suite struct BeadSpringCalibrationTests {
    let truth = [2.0, 1.0, 0.3]

    /// Predictions at `theta`.
    func predictions(_ setup: BeadSpringCalibration, _ theta: [Double]) throws -> [Double] {
        try setup.predictor().predict(theta: theta, names: BeadSpringNetwork.parameterNames)!.values
    }

    @Test func theThreeParametersAreRecoveredFromDisplacementsAndTheReaction() throws {
        let setup = try BeadSpringCalibration()
        let data = try predictions(setup, truth)
        let experiment = try setup.experiment(observed: data, sigma: data.map { max(1e-3, 0.01 * abs($0)) })
        let space = try ParameterSpace([
            Parameter(name: "k_bond", initial: 1.4, lower: 0.1, upper: 10, transform: .log),
            Parameter(name: "r0", initial: 1.1, lower: 0.8, upper: 1.2),
            Parameter(name: "k_angle", initial: 0.5, lower: 0.01, upper: 5, transform: .log),
        ])
        let problem = try CalibrationProblem(space: space, experiments: [experiment])
        let result = try LevenbergMarquardt().minimize(problem.residualFunction, in: space)
        let fitted = try space.physical(from: result.z)
        for (f, t) in zip(fitted, truth) { #expect(abs(f - t) <= 1e-6 * t, "\(result.briefReport)") }
    }

    @Test func automaticAndHandWrittenModelsPredictTheSame() throws {
        let a = try predictions(try BeadSpringCalibration(), truth)
        let b = try predictions(try BeadSpringCalibration(handWritten: true), truth)
        for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-9 * max(1, abs(x))) }
    }
}
