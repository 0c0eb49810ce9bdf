import Bilevel
import Foundation
import Physics
import Testing

/// A triangular Morse lattice, open along x, bottom held, top pulled up and sheared: the bundled
/// lattice case in miniature.
private func lattice() throws -> LatticeModel<Morse> {
    let l = try Lattice(kind: .triangular, cells: [4, 3], latticeConstant: 1, periodic: [false, false])
    return try LatticeModel(lattice: l, potential: Morse(), cutoff: try SmoothCutoff(inner: 1.5, outer: 1.9),
                            constraints: [.fixed("bottom", dimension: 2), GroupConstraint(group: "top", components: [0: 0.04, 1: 0.03])])
}

private let truth = [1.0, 3.0, 1.0]
private let names = ["D", "alpha", "r0"]

/// Observed displacements of the interior atoms (both axes), optionally the reaction force on the top.
private func observables(_ model: LatticeModel<Morse>, forces: Bool) -> [LatticeObservable] {
    let held = Set(model.lattice.groups["bottom"]! + model.lattice.groups["top"]!)
    var list: [LatticeObservable] = []
    for a in 0 ..< model.lattice.atomCount where !held.contains(a) {
        list += [.displacement(atom: a, axis: 0), .displacement(atom: a, axis: 1)]
    }
    if forces { list += [.reactionForce(group: "top", axis: 0), .reactionForce(group: "top", axis: 1)] }
    return list
}

private func experiment(forces: Bool, noise: Double = 0, seed: UInt64 = 0) throws -> Experiment {
    let model = try lattice()
    let list = observables(model, forces: forces)
    let set = try model.observables(list)
    var newton = NewtonOptions()
    newton.relativeTolerance = 1e-13
    let probe = try Experiment(name: "probe", model: try model.makeModel(), newton: newton, observables: set,
                               observed: [Double](repeating: 0, count: list.count), sigma: [Double](repeating: 1, count: list.count),
                               initial: model.initialDisplacement(), bindings: names.map { .parameter($0) })
    let predicted = try probe.evaluate(theta: truth, names: names, derivatives: .none)!.predicted
    // σ: 1% of the largest value of each kind (displacements, forces).
    let scaleU = predicted.prefix(list.count - (forces ? 2 : 0)).map(abs).max()!
    let scaleF = forces ? predicted.suffix(2).map(abs).max()! : 1
    let sigma = list.map { if case .reactionForce = $0 { return 0.01 * scaleF } else { return 0.01 * scaleU } }
    var rng = SplitMix64(seed: seed)
    let observed = zip(predicted, sigma).map { value, s in value + noise * s * gaussian(&rng) }
    return try Experiment(name: "lattice", model: try model.makeModel(), newton: newton, observables: set, observed: observed,
                          sigma: sigma, initial: model.initialDisplacement(), bindings: names.map { .parameter($0) })
}

private func gaussian(_ rng: inout SplitMix64) -> Double {
    let u1 = Double.random(in: Double.ulpOfOne ..< 1, using: &rng), u2 = Double.random(in: 0 ..< 1, using: &rng)
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
}

private func space(_ start: [Double] = [0.8, 3.3, 0.97]) throws -> ParameterSpace {
    try ParameterSpace([
        Parameter(name: "D", initial: start[0], lower: 0.05, upper: 20, transform: .log),
        Parameter(name: "alpha", initial: start[1], lower: 1, upper: 8),
        Parameter(name: "r0", initial: start[2], lower: 0.8, upper: 1.2),
    ])
}

@Suite struct LatticeCalibrationTests {
    @Test func adjointGradientWithDisplacementAndForceDataPassesFiniteDifferencesAndTaylor() throws {
        let s = try space()
        let problem = try CalibrationProblem(space: s, experiments: [try experiment(forces: true)])
        let f = problem.objectiveFunction
        let z = try s.transformed(from: [0.9, 3.2, 0.98])
        let g = try f(z)!.gradient
        let fd = try FiniteDifference.gradient(of: { try f($0)!.value }, at: z)
        for k in g.indices { #expect(abs(g[k] - fd[k]) <= 1e-6 * max(abs(fd[k]), 1e-3 * fd.map(abs).max()!), "\(names[k]): \(g[k]) vs \(fd[k])") }
        // The Taylor test's largest steps change r0 by 10%: the lattice's equilibrium on the loading path
        // there is not the continuation of the one at z (a branch jump), and the evaluation is rejected.
        let report = try TaylorTest.run({ try f($0)?.value ?? .nan }, at: z, gradient: g)
        #expect(report.passed, "\(report.table)")
        // The residual Jacobian from forward sensitivities agrees with the adjoint gradient: ∇ = Jᵀr.
        let r = try problem.residualFunction(z, true)!
        let jtr = r.jacobian!.transposeMultiply(r.residuals)
        for k in g.indices { #expect(abs(jtr[k] - g[k]) <= 1e-9 * g.map(abs).max()!) }
    }

    @Test func levenbergMarquardtRecoversTheTruthFromNoiseFreeData() throws {
        let s = try space()
        let problem = try CalibrationProblem(space: s, experiments: [try experiment(forces: true)])
        let result = try LevenbergMarquardt().minimize(problem.residualFunction, in: s)
        let theta = try s.physical(from: result.z)
        for k in 0 ..< 3 { #expect(abs(theta[k] - truth[k]) <= 1e-6 * truth[k], "\(names[k]) = \(theta[k]); \(result.briefReport)") }
    }

    @Test func continuationReachesTheSameFitWithFewerNewtonIterations() throws {
        let s = try space()
        let cold = try CalibrationProblem(space: s, experiments: [try experiment(forces: true)])
        let coldResult = try LevenbergMarquardt().minimize(cold.residualFunction, in: s)
        let warmExperiment = try experiment(forces: true)
        warmExperiment.continuation.enabled = true
        let warm = try CalibrationProblem(space: s, experiments: [warmExperiment])
        let warmResult = try LevenbergMarquardt().minimize(warm.residualFunction, in: s)
        #expect(warmResult.status.isConverged, "\(warmResult.briefReport)")
        let theta = try s.physical(from: warmResult.z)
        for k in 0 ..< 3 { #expect(abs(theta[k] - truth[k]) <= 1e-6 * truth[k], "\(names[k]) = \(theta[k])") }
        // Every evaluation after the first started from an earlier equilibrium, none was rejected.
        let stats = warm.continuationStatistics
        #expect(stats.loadPathSolves == 1 && stats.continued == warmResult.objectiveEvaluations - 1, "\(stats)")
        #expect(stats.branchJumps == 0 && stats.instabilities == 0 && warm.events.isEmpty)
        #expect(warmResult.innerIterations < coldResult.innerIterations, "\(warmResult.innerIterations) vs \(coldResult.innerIterations)")
        // Anchors round-trip: restored into a fresh experiment, the next evaluation continues from them.
        let restored = try experiment(forces: true)
        restored.continuation.enabled = true
        restored.anchors = warmExperiment.anchors
        _ = try restored.evaluate(theta: theta, names: names, derivatives: .none)
        #expect(restored.statistics.continued == 1 && restored.statistics.loadPathSolves == 0)
    }

    @Test func withoutForceDataTheEnergyScaleIsReportedUnidentifiable() throws {
        let s = try space()
        let problem = try CalibrationProblem(space: s, experiments: [try experiment(forces: false)])
        let z = try s.transformed(from: truth)
        let r = try problem.residualFunction(z, true)!
        var options = UncertaintyOptions()
        options.errorScale = .absolute
        let report = try UncertaintyAnalysis.analyze(residuals: r.residuals, jacobian: r.jacobian!, at: z, space: s, options: options)
        #expect(report.unidentifiable.count == 1)
        let combination = report.unidentifiable.first!
        // The undetermined direction is log D alone: scaling D scales the whole energy.
        #expect(abs(combination.coefficients[0]) > 0.999, "\(combination.description)")
        #expect(combination.parameters == ["D"] || combination.description.contains("D"))
        // With the reaction force the same analysis finds nothing undetermined.
        let withForces = try CalibrationProblem(space: s, experiments: [try experiment(forces: true)])
        let rf = try withForces.residualFunction(z, true)!
        let full = try UncertaintyAnalysis.analyze(residuals: rf.residuals, jacobian: rf.jacobian!, at: z, space: s, options: options)
        #expect(full.unidentifiable.isEmpty)
    }

    @Test func ninetyFivePercentIntervalsCoverTheTruthAboutNinetyFivePercentOfTheTime() throws {
        // 60 noisy realizations; with exact 95% intervals the count inside is Binomial(60, 0.95):
        // 52…60 holds with probability > 99%.
        var inside = 0
        let seeds = 60
        for seed in 1 ... seeds {
            let s = try space(truth)
            let problem = try CalibrationProblem(space: s, experiments: [try experiment(forces: true, noise: 1, seed: UInt64(seed))])
            let result = try LevenbergMarquardt().minimize(problem.residualFunction, in: s)
            var options = UncertaintyOptions()
            options.errorScale = .absolute
            let report = try UncertaintyAnalysis.analyze(residuals: result.residuals!, jacobian: result.jacobian!, at: result.z, space: s, options: options)
            // Count joint coverage parameter by parameter: the test is on alpha (the best-determined).
            let interval = report.intervalsPhysical[1]
            if interval.lower <= truth[1] && truth[1] <= interval.upper { inside += 1 }
        }
        #expect(inside >= 52, "truth inside the 95% interval in \(inside) of \(seeds) realizations")
    }
}
