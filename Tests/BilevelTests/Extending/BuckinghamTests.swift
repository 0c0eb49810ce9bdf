import AutoDiff
import Bilevel
import Foundation
import Physics
import Testing

/// The example of docs/extending.md, as a user would write it in their own package.
public struct Buckingham: PairPotential {
    public typealias Radial = HyperJet<4, 10>
    public static let parameterNames = ["A", "rho", "C"]
    public init() {}
    public func energy<S: Real>(r: S, _ p: LocalVariables<S>) -> S {
        p.parameter(0) * S.exp(-(r / p.parameter(1))) - p.parameter(2) / S.pow(r, 6)
    }
    public func validate(_ parameters: [Double]) throws { try requirePositive(parameters, [0, 1]) }
}

@Suite struct BuckinghamTests {
    let theta = [1000.0, 0.3, 10.0]

    @Test func latticeDerivativesOfAUserPotentialMatchFiniteDifferences() throws {
        let lattice = try Lattice(kind: .triangular, cells: [5, 3], latticeConstant: 2.0, periodic: [true, false])
        let model = try LatticeModel(lattice: lattice, potential: Buckingham(), cutoff: try SmoothCutoff(inner: 3.0, outer: 3.8),
                                     constraints: [.fixed("bottom", dimension: 2)])
        let a = try Assembler(model: try model.makeModel())
        var u = model.initialDisplacement()
        for d in u.indices where !model.layout.isPrescribed(d) { u[d] = 0.03 * sin(Double(d)) }
        try a.evaluate(displacement: u, parameters: theta, needs: .all)
        let g = a.gradient, mixed = a.mixed
        let h = 1e-6
        for (k, dof) in model.layout.dofOfUnknown.enumerated().prefix(6) {
            var up = u, down = u
            up[Int(dof)] += h
            down[Int(dof)] -= h
            try a.evaluate(displacement: up, parameters: theta, needs: .energy)
            let ep = a.energy
            try a.evaluate(displacement: down, parameters: theta, needs: .energy)
            let fd = (ep - a.energy) / (2 * h)
            #expect(abs(g[k] - fd) <= 1e-6 * max(1, abs(fd)))
        }
        for p in 0 ..< 3 {
            var up = theta, down = theta
            up[p] *= 1 + 1e-6
            down[p] *= 1 - 1e-6
            try a.evaluate(displacement: u, parameters: up, needs: .gradient)
            let gp = a.gradient
            try a.evaluate(displacement: u, parameters: down, needs: .gradient)
            let n = a.unknownCount
            for i in 0 ..< n {
                let fd = (gp[i] - a.gradient[i]) / (2e-6 * theta[p])
                #expect(abs(mixed[p * n + i] - fd) <= 1e-5 * max(1, abs(fd)))
            }
        }
    }

    @Test func aUserPotentialRelaxesACrystalWithExactProperties() throws {
        let crystal = try CrystalModel(kind: .fcc, potential: Buckingham(), cutoff: try SmoothCutoff(inner: 5, outer: 6),
                                       initialLatticeConstant: 3.2)
        let solver = try Equilibrium(model: try crystal.makeModel())
        let result = try solver.solve(parameters: theta, initial: crystal.initialDisplacement)
        #expect(result.converged, "\(result.fullReport)")
        let v = try crystal.observables([.bulkModulus, .c11, .c12, .c44])
            .evaluate(layout: solver.model.layout, displacement: result.displacement, parameters: theta).values
        #expect(v[0] > 0)
        #expect(abs((v[1] + 2 * v[2]) / 3 - v[0]) <= 1e-6 * v[0])
        #expect(abs(v[2] - v[3]) <= 1e-12 * abs(v[2]))
    }

    @Test func aUserPotentialIsCalibratedEndToEndFromCrystalData() throws {
        // Synthetic data: lattice constant, cohesive energy and bulk modulus of an FCC Buckingham crystal.
        let crystal = try CrystalModel(kind: .fcc, potential: Buckingham(), cutoff: try SmoothCutoff(inner: 5, outer: 6),
                                       initialLatticeConstant: 3.2)
        let observables = try crystal.observables([.latticeConstant, .cohesiveEnergy, .bulkModulus])
        func experiment(_ observed: [Double]) throws -> Experiment {
            try Experiment(name: "crystal", model: try crystal.makeModel(), observables: observables, observed: observed,
                           sigma: observed.map { 0.01 * abs($0) }, initial: crystal.initialDisplacement,
                           bindings: [.parameter("A"), .parameter("rho"), .constant(10)])
        }
        let names = ["A", "rho"]
        let data = try experiment([1, 1, 1]).evaluate(theta: [1000, 0.3], names: names, derivatives: .none)!.predicted
        let space = try ParameterSpace([
            Parameter(name: "A", initial: 700, lower: 100, upper: 1e4, transform: .log),
            Parameter(name: "rho", initial: 0.32, lower: 0.2, upper: 0.5),
        ])
        let problem = try CalibrationProblem(space: space, experiments: [try experiment(data)])
        // Polished past the policy's stop (10⁻³ standard errors) so that the fit shows exact derivatives.
        var options = LevenbergMarquardtOptions()
        options.stopAtFirstOrderOptimality = false
        let result = try LevenbergMarquardt(options: options).minimize(problem.residualFunction, in: space)
        let fitted = try space.physical(from: result.z)
        #expect(abs(fitted[0] - 1000) <= 1e-6 * 1000, "\(result.briefReport)")
        #expect(abs(fitted[1] - 0.3) <= 1e-6 * 0.3)
    }
}
