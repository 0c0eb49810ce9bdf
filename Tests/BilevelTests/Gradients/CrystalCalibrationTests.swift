import Bilevel
import Foundation
import Physics
import Testing

/// A Morse FCC crystal observed through its lattice constant, cohesive energy and bulk modulus.
private func crystalExperiment(observed: [Double], sigma: [Double]) throws -> Experiment {
    let crystal = try CrystalModel(kind: .fcc, potential: Morse(), cutoff: try SmoothCutoff(inner: 2.6, outer: 3.2),
                                   initialLatticeConstant: 1.45)
    return try Experiment(name: "crystal", model: try crystal.makeModel(),
                          observables: try crystal.observables([.latticeConstant, .cohesiveEnergy, .bulkModulus]),
                          observed: observed, sigma: sigma, initial: crystal.initialDisplacement,
                          bindings: [.parameter("D"), .parameter("alpha"), .parameter("r0")])
}

private let truth = [0.8, 4.0, 1.05]

private func space() throws -> ParameterSpace {
    try ParameterSpace([
        Parameter(name: "D", initial: 0.6, lower: 0.1, upper: 5, transform: .log),
        Parameter(name: "alpha", initial: 3.5, lower: 1, upper: 10),
        Parameter(name: "r0", initial: 1.0, lower: 0.7, upper: 1.5),
    ])
}

/// The crystal without data, for predictions.
private func crystalPredictor() throws -> Experiment {
    let crystal = try CrystalModel(kind: .fcc, potential: Morse(), cutoff: try SmoothCutoff(inner: 2.6, outer: 3.2),
                                   initialLatticeConstant: 1.45)
    return try Experiment(name: "crystal", model: try crystal.makeModel(),
                          observables: try crystal.observables([.latticeConstant, .cohesiveEnergy, .bulkModulus]),
                          initial: crystal.initialDisplacement, bindings: [.parameter("D"), .parameter("alpha"), .parameter("r0")])
}

/// Synthetic data: the model's own predictions at the true parameters.
private func syntheticData() throws -> [Double] {
    try crystalPredictor().predict(theta: truth, names: ["D", "alpha", "r0"])!.values
}

@Suite struct CrystalCalibrationTests {
    /// A prediction needs no data and equals the prediction inside an evaluation; bindings follow the
    /// names whatever their order (and extra names are ignored); a missing name is an error naming it.
    @Test func predictionsNeedNoDataAndFollowTheNames() throws {
        let predictor = try crystalPredictor()
        let data = try syntheticData()
        let e = try crystalExperiment(observed: data, sigma: [1, 1, 1])
        let evaluated = try #require(try e.evaluate(theta: truth, names: ["D", "alpha", "r0"], derivatives: .none))
        #expect(evaluated.predicted == data && evaluated.residuals == [0, 0, 0])
        let shuffled = try #require(try predictor.predict(theta: [9, truth[2], truth[0], truth[1]], names: ["extra", "r0", "D", "alpha"]))
        #expect(shuffled.values == data)
        #expect(try predictor.predict(theta: truth, names: ["D", "alpha", "r0"])!.values == data)
        #expect(throws: PhysicsError.self) { try predictor.evaluate(theta: truth, names: ["D", "alpha", "r0"], derivatives: .none) }
        do {
            _ = try predictor.predict(theta: [1, 2], names: ["D", "alpha"])
            Issue.record("a missing parameter was accepted")
        } catch {
            #expect("\(error)".contains("needs parameter 'r0'"), "\(error)")
        }
    }

    @Test func adjointGradientMatchesFiniteDifferencesAndPassesTheTaylorTest() throws {
        let data = try syntheticData()
        let problem = try CalibrationProblem(space: try space(),
                                             experiments: [try crystalExperiment(observed: data, sigma: data.map { 0.01 * abs($0) })])
        let f = problem.objectiveFunction
        let z = try space().initialTransformed
        let g = try f(z)!.gradient
        let fd = try FiniteDifference.gradient(of: { try f($0)!.value }, at: z)
        for k in g.indices { #expect(abs(g[k] - fd[k]) <= 1e-6 * max(abs(fd[k]), 1e-3 * g.map(abs).max()!)) }
        let report = try TaylorTest.run({ try f($0)!.value }, at: z, gradient: g)
        #expect(report.passed, "\(report.table)")
    }

    @Test func jacobianFromSensitivitiesMatchesFiniteDifferences() throws {
        let data = try syntheticData()
        let e = try crystalExperiment(observed: data, sigma: [1, 1, 1])
        let names = ["D", "alpha", "r0"], theta = [0.7, 3.7, 1.1]
        let j = try e.evaluate(theta: theta, names: names, derivatives: .jacobian)!.jacobian!
        let h = 1e-6
        for p in 0 ..< 3 {
            var up = theta, down = theta
            up[p] += h
            down[p] -= h
            let rp = try e.evaluate(theta: up, names: names, derivatives: .none)!.residuals
            let rm = try e.evaluate(theta: down, names: names, derivatives: .none)!.residuals
            for c in 0 ..< 3 {
                let fd = (rp[c] - rm[c]) / (2 * h)
                #expect(abs(j[c][p] - fd) <= 1e-6 * max(1, abs(fd)))
            }
        }
    }

    @Test func levenbergMarquardtRecoversTheTruthFromNoiseFreeData() throws {
        let data = try syntheticData()
        let s = try space()
        let problem = try CalibrationProblem(space: s, experiments: [try crystalExperiment(observed: data, sigma: data.map { 0.01 * abs($0) })])
        // Polished past the policy's stop at 10⁻³ standard errors (about 10⁻⁵ relative here, where the
        // iterates decide where within it the run ends), so that the truth itself is checked to 10⁻⁶.
        var options = LevenbergMarquardtOptions()
        options.stopAtFirstOrderOptimality = false
        let result = try LevenbergMarquardt(options: options).minimize(problem.residualFunction, in: s)
        #expect(result.status.isConverged, "\(result.fullReport)")
        let theta = try s.physical(from: result.z)
        for k in 0 ..< 3 { #expect(abs(theta[k] - truth[k]) <= 1e-6 * truth[k], "\(s.names[k]): \(theta[k])") }
    }

    @Test func boundedLBFGSRecoversTheTruthFromNoiseFreeData() throws {
        let data = try syntheticData()
        let s = try space()
        let problem = try CalibrationProblem(space: s, experiments: [try crystalExperiment(observed: data, sigma: data.map { 0.01 * abs($0) })])
        var options = LBFGSOptions()
        options.maximumEvaluations = 500
        let result = try BoundedLBFGS(options: options).minimize(problem.objectiveFunction, in: s)
        let theta = try s.physical(from: result.z)
        for k in 0 ..< 3 { #expect(abs(theta[k] - truth[k]) <= 1e-5 * truth[k], "\(s.names[k]): \(theta[k]) \(result.briefReport)") }
    }
}
