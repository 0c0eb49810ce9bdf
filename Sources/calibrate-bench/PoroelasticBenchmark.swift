import Bilevel
import Foundation
import Physics

/// Issue 6's benchmark: Mandel's problem (a rigid plate on a drained block; quarter model) with 50 time
/// steps. Times assembly and the first factorization, the forward run, and the adjoint gradient of a
/// pressure-and-settlement misfit with respect to all five parameters, for the linear model (one LDLᵀ
/// factorization for the run and its adjoint) and the Kozeny–Carman variant (a factorization per step).
enum PoroelasticBenchmark {
    static func run(sizes: [Int]) throws {
        for target in sizes {
            for kozenyCarman in [false, true] {
                try measure(unknowns: target, kozenyCarman: kozenyCarman)
            }
        }
    }

    static func measure(unknowns target: Int, kozenyCarman: Bool) throws {
        // P2/P1 on an n × n grid of cell pairs: about 2(2n+1)² + (n+1)² ≈ 9n² unknowns.
        let n = max(4, Int((Double(target) / 9).squareRoot().rounded()))
        let law: PermeabilityLaw = kozenyCarman ? .kozenyCarman(referencePorosity: 0.35) : .constant
        let material = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.2, biotCoefficient: 1, biotModulus: 1e9, mobility: 1e-9,
                                    permeabilityLaw: law)
        let mesh = try TriangleMesh.rectangle(width: 1, height: 1, columns: n, rows: n, gradingX: 0.3)
        let model = try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
            .roller("left", component: 0), .roller("bottom", component: 1), .drained(boundary: "right", pressure: 0),
            .rigidPlate(boundary: "top", component: 1, force: -1e4, history: .constant),
        ])
        let theta = model.initialParameters
        let consolidation = try Consolidation(model: model, timeStep: 0.5, steps: 50)
        let stepSolver = try consolidation.solver(timeStep: 0.5)
        let zero = [Double](repeating: 0, count: model.layout.dofCount)
        stepSolver.assembler.history = zero
        let assembly = try Measurement.best(of: 3) {
            try stepSolver.assembler.evaluate(displacement: zero, parameters: theta, needs: .newton)
        }
        let factorization = try Measurement.time { try stepSolver.factor.factorize(stepSolver.assembler.hessian) }.seconds
        let before = consolidation.factorizationCount
        let (forward, run) = try Measurement.time { try consolidation.run(parameters: theta) }
        let forwardFactorizations = consolidation.factorizationCount - before
        let sensors = try model.observables([.pressure(name: "centre", at: SIMD2(0.01, 0.01)), .settlement(name: "plate", boundary: "top")])
        let (adjoint, _) = try Measurement.time {
            try TimeSteppedAdjoint.gradient(consolidation, states: run.states, parameters: theta) { _, state in
                let v = try sensors.evaluate(layout: model.layout, displacement: state, parameters: theta)
                return .init(dLdu: model.layout.gather(v.weightedDofGradient(weights: [1e-4, 1e3], dofCount: model.layout.dofCount)),
                             dLdtheta: v.weightedParameterGradient(weights: [1e-4, 1e3]))
            }
        }
        let rss = Measurement.residentBytes()
        Measurement.emit([
            "benchmark": "mandel-consolidation", "model": kozenyCarman ? "kozeny-carman" : "linear",
            "unknowns": model.layout.unknownCount, "steps": 50, "parameters": theta.count,
            "assembly_s": assembly, "factorization_s": factorization, "ratio_assembly_over_factorization": assembly / factorization,
            "forward_s": forward, "forward_factorizations": forwardFactorizations, "converged": run.converged,
            "adjoint_gradient_s": adjoint, "ratio_gradient_over_forward": adjoint / forward,
            "factorizations_after_adjoint": consolidation.factorizationCount - before,
            "resident_mb": Double(rss) / 1e6,
        ])
    }
}
