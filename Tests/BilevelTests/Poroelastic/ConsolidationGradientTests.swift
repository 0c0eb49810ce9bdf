import Bilevel
import Foundation
import Physics
import Sparse
import Testing

/// A small Terzaghi column (SI units), observed through two pressure sensors and the settlement at times
/// that fall between steps, calibrated in E and k (both log-transformed).
private func experiment(kozenyCarman: Bool, observed: [Double]? = nil, withoutData: Bool = false,
                        factorization: FactorizationOptions.Kind? = nil) throws -> (TimeSeriesExperiment, PoroelasticModel) {
    let law: PermeabilityLaw = kozenyCarman ? .kozenyCarman(referencePorosity: 0.35) : .constant
    let material = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1, biotModulus: 5e7, mobility: 1e-9,
                                permeabilityLaw: law)
    let mesh = try TriangleMesh.rectangle(width: 0.1, height: 1, columns: 1, rows: 4)
    let model = try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
        .roller("left", component: 0), .roller("right", component: 0), .fixed(boundary: "bottom"),
        .drained(boundary: "top", pressure: 0), .traction(boundary: "top", traction: SIMD2(0, -1e5), history: .constant),
    ])
    var options = NewtonOptions()
    options.problem = .saddle
    options.hessianIsConstant = model.isLinear
    options.maximumIterations = 25
    options.saddleFactorization = factorization
    let consolidation = try Consolidation(model: model, timeStep: 2, steps: 8, options: options)
    let sensors = try model.observables([.pressure(name: "p1", at: SIMD2(0.05, 0.7)), .pressure(name: "p2", at: SIMD2(0.05, 0.3)),
                                         .settlement(name: "settlement", boundary: "top")])
    let times = [1.0, 5.0, 9.0, 15.0]
    let count = times.count * sensors.count
    let bindings = model.parameterNames.map { name -> ParameterBinding in
        ["E", "k"].contains(name) ? .parameter(name) : .constant(model.initialParameters[model.parameterNames.firstIndex(of: name)!])
    }
    let e = try TimeSeriesExperiment(
        name: "column", sequence: consolidation, stepTimes: consolidation.times,
        forward: { theta in
            let run = try consolidation.run(parameters: theta)
            return run.converged ? (run.states, run.solves.reduce(0) { $0 + $1.iterations }) : nil
        },
        observationTimes: times, observables: sensors, layout: model.layout,
        observed: withoutData ? nil : observed ?? [Double](repeating: 0, count: count),
        sigma: withoutData ? nil : (0 ..< count).map { $0 % 3 == 2 ? 1e-4 : 1e3 }, bindings: bindings)
    return (e, model)
}

private let names = ["E", "k"]

@Suite struct ConsolidationGradientTests {
    /// Both saddle factorizations (CHOLMOD's simplicial LDLᵀ, MUMPS's multifrontal one) give exact
    /// gradients, for the linear model (one factorization per solver) and Kozeny–Carman (refinement).
    @Test(arguments: [false, true], [FactorizationOptions.Kind.ldlt, .multifrontalLDLT])
    func timeSteppedAdjointMatchesFiniteDifferencesJacobianAndTaylor(kozenyCarman: Bool, factorization: FactorizationOptions.Kind) throws {
        let (probe, _) = try experiment(kozenyCarman: kozenyCarman, factorization: factorization)
        let data = try probe.residuals(theta: [1.2e7, 1.5e-9], names: names, derivatives: .none)!.predicted
        let (e, _) = try experiment(kozenyCarman: kozenyCarman, observed: data, factorization: factorization)
        let space = try ParameterSpace([
            Parameter(name: "E", initial: 0.9e7, lower: 1e6, upper: 1e8, transform: .log),
            Parameter(name: "k", initial: 0.8e-9, lower: 1e-11, upper: 1e-7, transform: .log),
        ])
        let problem = try CalibrationProblem(space: space, experiments: [e])
        let z = space.initialTransformed
        let f = problem.objectiveFunction
        let g = try f(z)!.gradient
        let fd = try FiniteDifference.gradient(of: { try f($0)!.value }, at: z)
        for k in g.indices { #expect(abs(g[k] - fd[k]) <= 1e-6 * max(abs(fd[k]), 1e-3 * fd.map(abs).max()!), "\(names[k]): \(g[k]) vs \(fd[k])") }
        let r = try problem.residualFunction(z, true)!
        let jtr = r.jacobian!.transposeMultiply(r.residuals)
        for k in g.indices { #expect(abs(jtr[k] - g[k]) <= 1e-8 * g.map(abs).max()!, "forward sensitivities vs adjoint") }
        let report = try TaylorTest.run({ try f($0)!.value }, at: z, gradient: g)
        #expect(report.passed, "\(report.table)")
    }

    /// Predictions need no data: the same values as the residuals' predictions, whatever the order of
    /// the calibration names; asking a data-free experiment for residuals is an error that says so.
    @Test func predictionsWithoutDataAreThoseOfTheResiduals() throws {
        let (probe, _) = try experiment(kozenyCarman: false, withoutData: true)
        let (withData, _) = try experiment(kozenyCarman: false)
        let theta = [1.2e7, 1.5e-9]
        let predicted = try #require(try probe.predict(theta: theta, names: names))
        #expect(predicted.values == (try withData.residuals(theta: theta, names: names, derivatives: .none)!.predicted))
        #expect(predicted.states.count == 9 && predicted.values.count == 12)
        #expect(try probe.predict(theta: theta.reversed(), names: names.reversed())!.values == predicted.values)
        #expect(try probe.valuesAtEveryStep(predicted.states, theta: theta, names: names).count == 9)
        #expect(throws: PhysicsError.self) { try probe.residuals(theta: theta, names: names, derivatives: .none) }
    }

    @Test func levenbergMarquardtRecoversEAndKFromNoiseFreePressuresAndSettlement() throws {
        let (probe, _) = try experiment(kozenyCarman: false, withoutData: true)
        let truth = [1.2e7, 1.5e-9]
        let data = try probe.predict(theta: truth, names: names)!.values
        let (e, _) = try experiment(kozenyCarman: false, observed: data)
        let space = try ParameterSpace([
            Parameter(name: "E", initial: 0.9e7, lower: 1e6, upper: 1e8, transform: .log),
            Parameter(name: "k", initial: 0.8e-9, lower: 1e-11, upper: 1e-7, transform: .log),
        ])
        let result = try LevenbergMarquardt().minimize(try CalibrationProblem(space: space, experiments: [e]).residualFunction, in: space)
        let theta = try space.physical(from: result.z)
        for i in 0 ..< 2 { #expect(abs(theta[i] - truth[i]) <= 1e-6 * truth[i], "\(names[i]) = \(theta[i]); \(result.briefReport)") }
    }
}
