import Bilevel
import Foundation
import Physics

/// Issue 4's benchmark on the lattice of `LatticeBenchmark`: the cost of the implicit gradient of a
/// least-squares misfit (displacements of interior atoms and the reaction force on the top) against a
/// forward solve and against central finite differences, and full calibrations with each optimizer.
enum GradientBenchmark {
    static func experiment(atoms: Int) throws -> (Experiment, [String]) {
        let model = try LatticeBenchmark.model(atoms: atoms)
        let names = ["D", "alpha", "r0"]
        // Every 97th atom along both axes, and the reaction force on the sheared top.
        var list: [LatticeObservable] = stride(from: 0, to: model.lattice.atomCount, by: 97).flatMap {
            [LatticeObservable.displacement(atom: $0, axis: 0), .displacement(atom: $0, axis: 1)]
        }
        list += [.reactionForce(group: "top", axis: 0), .reactionForce(group: "top", axis: 1)]
        let observables = try model.observables(list)
        let initial = model.initialDisplacement(displacementGradient: LatticeBenchmark.gradient)
        let probe = try Experiment(name: "probe", model: try model.makeModel(), observables: observables,
                                   observed: [Double](repeating: 0, count: list.count), sigma: [Double](repeating: 1, count: list.count),
                                   initial: initial, bindings: names.map { .parameter($0) })
        let predicted = try probe.evaluate(theta: LatticeBenchmark.theta, names: names, derivatives: .none)!.predicted
        let sigma = predicted.map { max(1e-3, 0.01 * abs($0)) }
        return (try Experiment(name: "lattice", model: try model.makeModel(), observables: observables, observed: predicted,
                               sigma: sigma, initial: initial, bindings: names.map { .parameter($0) }), names)
    }

    /// `continuation`: the calibrations continue each solve from the nearest equilibrium computed
    /// (`Experiment.continuation`), as a library user would enable it; false solves every point cold.
    static func run(sizes: [Int], optimizers: Set<String>, continuation: Bool = true) throws {
        for target in sizes {
            let (experiment, names) = try Self.experiment(atoms: target)
            let theta = [0.9, 3.2, 1.01]
            let (forward, solved) = try Measurement.time { try experiment.evaluate(theta: theta, names: names, derivatives: .none)! }
            // Implicit gradient: linearize at the equilibrium just found and solve once.
            let (implicitTime, _) = try Measurement.time {
                try experiment.evaluate(theta: theta, names: names, derivatives: .gradient)!
            }
            let adjointOnly = implicitTime - forward
            let h = 1e-6
            let (fdTime, _) = try Measurement.time {
                for p in 0 ..< theta.count {
                    var up = theta, down = theta
                    up[p] += h
                    down[p] -= h
                    _ = try experiment.evaluate(theta: up, names: names, derivatives: .none)
                    _ = try experiment.evaluate(theta: down, names: names, derivatives: .none)
                }
            }
            var fields: [String: Any] = [
                "benchmark": "lattice-gradient", "atoms": target, "observations": experiment.observables.count,
                "parameters": theta.count, "forward_s": forward, "newton_iterations": solved.equilibrium.iterations,

                "implicit_gradient_s": adjointOnly, "finite_difference_gradient_s": fdTime,
                "ratio_implicit_over_forward": adjointOnly / forward, "ratio_fd_over_implicit": fdTime / adjointOnly,
            ]
            if continuation {
                // The cost of one continued evaluation, in parts: a solve from the predictor, and the same
                // with the Jacobian (linearization and three sensitivity solves).
                experiment.continuation.enabled = true
                experiment.anchors = []
                _ = try experiment.evaluate(theta: theta, names: names, derivatives: .none)
                let near = [theta[0] * 1.001, theta[1] * 0.999, theta[2] * 1.0001]
                let (warm, warmResult) = try Measurement.time { try experiment.evaluate(theta: near, names: names, derivatives: .none)! }
                let (warmJacobian, _) = try Measurement.time { try experiment.evaluate(theta: theta, names: names, derivatives: .jacobian)! }
                fields["warm_solve_s"] = warm
                fields["warm_solve_newton_iterations"] = warmResult.equilibrium.iterations
                fields["warm_solve_with_jacobian_s"] = warmJacobian
                experiment.continuation.enabled = false
            }
            if !optimizers.isEmpty {
                let space = try ParameterSpace([
                    Parameter(name: "D", initial: 0.8, lower: 0.1, upper: 10, transform: .log),
                    Parameter(name: "alpha", initial: 3.3, lower: 1, upper: 8),
                    Parameter(name: "r0", initial: 0.99, lower: 0.9, upper: 1.1),
                ])
                let problem = try CalibrationProblem(space: space, experiments: [experiment])
                experiment.continuation.enabled = continuation
                fields["continuation"] = continuation
                if optimizers.contains("lm") {
                    experiment.anchors = []
                    let before = experiment.statistics
                    let (seconds, result) = try Measurement.time {
                        try LevenbergMarquardt().minimize(problem.residualFunction, in: space)
                    }
                    record(result, seconds: seconds, prefix: "lm", into: &fields)
                    record(experiment.statistics, since: before, prefix: "lm", into: &fields)
                }
                if optimizers.contains("lbfgs") {
                    experiment.anchors = []
                    let before = experiment.statistics
                    var options = LBFGSOptions()
                    options.maximumEvaluations = 300
                    let (seconds, result) = try Measurement.time {
                        try BoundedLBFGS(options: options).minimize(problem.objectiveFunction, in: space,
                                                                    curvature: problem.curvatureFunction)
                    }
                    record(result, seconds: seconds, prefix: "lbfgs", into: &fields)
                    record(experiment.statistics, since: before, prefix: "lbfgs", into: &fields)
                }
            }
            Measurement.emit(fields)
        }
    }

    private static func record(_ now: ContinuationStatistics, since before: ContinuationStatistics, prefix: String,
                               into fields: inout [String: Any]) {
        fields[prefix + "_continued_solves"] = now.continued - before.continued
        fields[prefix + "_load_path_solves"] = now.loadPathSolves - before.loadPathSolves
        fields[prefix + "_branch_jumps"] = now.branchJumps - before.branchJumps
    }

    private static func record(_ result: OptimizationResult, seconds: Double, prefix: String, into fields: inout [String: Any]) {
        fields[prefix + "_s"] = seconds
        fields[prefix + "_iterations"] = result.iterations
        fields[prefix + "_inner_solves"] = result.objectiveEvaluations
        fields[prefix + "_newton_iterations"] = result.innerIterations
        fields[prefix + "_status"] = "\(result.status)"
        fields[prefix + "_converged"] = result.status.isConverged
        fields[prefix + "_z"] = result.z
        fields[prefix + "_objective"] = result.objective
        fields[prefix + "_decrement"] = result.optimality.decrement ?? .nan
        if ProcessInfo.processInfo.environment["BENCH_HISTORY"] != nil {
            for r in result.history {
                FileHandle.standardError.write(Data("\(prefix) \(r.iteration) f=\(r.objective) pg=\(r.projectedGradientNorm) step=\(r.stepNorm) accepted=\(r.accepted) damping=\(r.damping ?? .nan) evals=\(r.evaluations) newton=\(r.innerIterations) t=\(r.elapsedSeconds)\n".utf8))
            }
        }
    }
}
