import Foundation
import Physics
import Verification
import Testing

@Suite struct KozenyCarmanTests {
    /// Terzaghi's column (8 graded rows) with Kozeny–Carman permeability, φ₀ = 0.3, loaded by `load`.
    func column(load: Double, law: PermeabilityLaw) throws -> PoroelasticModel {
        var material = TerzaghiSetup.material
        material.permeabilityLaw = law
        let mesh = try TriangleMesh.rectangle(width: 0.1, height: 1, columns: 1, rows: 8, gradingY: 0.25)
        return try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
            .roller("left", component: 0), .roller("right", component: 0), .fixed(boundary: "bottom"),
            .drained(boundary: "top", pressure: 0), .traction(boundary: "top", traction: SIMD2(0, -load), history: .constant),
        ])
    }

    func bottomPressures(_ model: PoroelasticModel, _ result: ConsolidationResult) throws -> [Double] {
        let sensor = try model.observables([.pressure(name: "p bottom", at: SIMD2(0.05, 0))])
        return try result.states.map { try sensor.evaluate(layout: model.layout, displacement: $0, parameters: model.initialParameters).values[0] }
    }

    @Test func everyStepIsRefactoredAndSolved() throws {
        // 100 kPa on a 12 MPa soil: volumetric strains near 1%, permeability down by about 10%. The
        // permeability of a step depends on the previous state, so the step matrix changes every step.
        let model = try column(load: 1e5, law: .kozenyCarman(referencePorosity: 0.3))
        #expect(!model.isLinear)
        let run = try Consolidation(model: model, timeStep: TerzaghiSetup.reference.time(dimensionless: 0.01), steps: 8)
        #expect(!run.options.hessianIsConstant && run.options.problem == .saddle)
        let result = try run.run(parameters: model.initialParameters)
        #expect(result.converged)
        for solve in result.solves { #expect(solve.iterations >= 1 && solve.iterations <= 2, "\(solve.fullReport)") }
        #expect(run.factorizationCount == result.solves.reduce(0) { $0 + $1.iterations })
        #expect(run.factorizationCount >= result.solves.count)
    }

    @Test func compactionSlowsConsolidation() throws {
        let dt = TerzaghiSetup.reference.time(dimensionless: 0.02)
        let nonlinear = try column(load: 1e5, law: .kozenyCarman(referencePorosity: 0.3))
        let linear = try column(load: 1e5, law: .constant)
        let pn = try bottomPressures(nonlinear, Consolidation(model: nonlinear, timeStep: dt, steps: 10).run(parameters: nonlinear.initialParameters))
        let pl = try bottomPressures(linear, Consolidation(model: linear, timeStep: dt, steps: 10).run(parameters: linear.initialParameters))
        // Same undrained response (no flow at t = 0⁺); afterwards the compacted, less permeable soil
        // drains more slowly, by a few per cent.
        #expect(abs(pn[0] - pl[0]) <= 1e-9 * pl[0])
        for n in 3 ... 10 {
            #expect(pn[n] > pl[n])
            #expect((pn[n] - pl[n]) / pl[0] < 0.05)
        }
    }

    @Test func vanishingStrainsRecoverTheLinearModel() throws {
        // Under a 1 Pa load the permeability changes by ~1e-7: the two models agree to that order.
        let dt = TerzaghiSetup.reference.time(dimensionless: 0.02)
        let nonlinear = try column(load: 1, law: .kozenyCarman(referencePorosity: 0.3))
        let linear = try column(load: 1, law: .constant)
        let a = try Consolidation(model: nonlinear, timeStep: dt, steps: 4).run(parameters: nonlinear.initialParameters)
        let b = try Consolidation(model: linear, timeStep: dt, steps: 4).run(parameters: linear.initialParameters)
        let scale = b.states.flatMap { $0 }.map(abs).max()!
        for (x, y) in zip(a.states, b.states) {
            for d in x.indices where linear.pressureDofs.contains(Int32(d)) { #expect(abs(x[d] - y[d]) <= 1e-5 * scale) }
        }
    }
}
