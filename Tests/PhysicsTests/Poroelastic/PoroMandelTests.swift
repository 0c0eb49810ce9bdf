import Foundation
import Physics
import Verification
import Testing

/// Mandel's problem on the quarter [0, a] × [0, b] (a = b = 1 m): symmetry rollers on the left and the
/// bottom, drained right side, a rigid frictionless impermeable plate on top carrying F = 10 kN/m
/// (a mean stress of 10 kPa); E = 10 MPa, ν = 0.2, α = 1, M = 100 MPa (B = 0.947, ν_u = 0.481).
struct MandelSetup {
    static let force = 1e4
    static let material = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.2, biotCoefficient: 1, biotModulus: 1e8, mobility: 1e-10)
    static let reference = Mandel(a: 1, b: 1, force: force, youngsModulus: 1e7, poissonRatio: 0.2, biotCoefficient: 1,
                                  biotModulus: 1e8, mobility: 1e-10)

    /// `cells × cells` cells, graded towards the drained side.
    static func model(cells: Int, scale: Double = 1, material: PoroMaterial = material, force: Double = force) throws -> PoroelasticModel {
        let mesh = try TriangleMesh.rectangle(width: scale, height: scale, columns: cells, rows: cells, gradingX: 0.3)
        return try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
            .roller("left", component: 0), .roller("bottom", component: 1), .drained(boundary: "right", pressure: 0),
            .rigidPlate(boundary: "top", component: 1, force: -force, history: .constant),
        ])
    }
}

@Suite struct MandelTests {
    let reference = MandelSetup.reference

    @Test func analyticSolutionIsConsistent() {
        // Independent checks of the reference itself: the two textbook forms of c agree, the roots solve
        // tan αₙ = (1−ν)/(ν_u−ν) αₙ, and as t → 0 the series gives the uniform undrained pressure.
        let r = reference
        let g = r.shearModulus, nu = r.poissonRatio, nuU = r.undrainedPoissonRatio, b = r.skempton
        let cheng = 2 * r.mobility * b * b * g * (1 - nu) * (1 + nuU) * (1 + nuU) / (9 * (1 - nuU) * (nuU - nu))
        #expect(abs(cheng / r.consolidationCoefficient - 1) < 1e-12)
        for x in r.roots.prefix(20) { #expect(abs(tan(x) / x - (1 - nu) / (nuU - nu)) < 1e-8) }
        // (The centre pressure starts rising at once, like √t: at T = 10⁻⁶ it is 0.04% up.)
        let fine = Mandel(a: 1, b: 1, force: MandelSetup.force, youngsModulus: 1e7, poissonRatio: 0.2, biotCoefficient: 1,
                          biotModulus: 1e8, mobility: 1e-10, rootCount: 4000)
        let earliest = r.time(dimensionless: 1e-6)
        #expect(abs(fine.pressure(x: 0, time: earliest) / r.initialPressure - 1) < 1e-3)
        #expect(abs(fine.pressure(x: 0.9, time: earliest) / r.initialPressure - 1) < 1e-3)
        #expect(abs(fine.verticalDisplacement(y: 1, time: earliest) / r.undrainedVerticalDisplacement(y: 1) - 1) < 3e-3)
        #expect(abs(fine.horizontalDisplacement(x: 1, time: earliest) / r.undrainedHorizontalDisplacement(x: 1) - 1) < 3e-3)
    }

    @Test func centrePressureRisesAboveItsInitialValueAndMatchesMandel() throws {
        // 8 × 8 cells graded towards the drained side, Δt = 0.0025 a²/c.
        let model = try MandelSetup.model(cells: 8)
        let dtv = 0.0025
        let run = try Consolidation(model: model, timeStep: reference.time(dimensionless: dtv), steps: 400)
        let result = try run.run(parameters: model.initialParameters)
        #expect(result.converged)
        #expect(run.factorizationCount == 2)
        let sensors = try model.observables([
            .pressure(name: "p centre", at: SIMD2(0, 0)),
            .displacement(name: "plate", at: SIMD2(0.5, 1), component: 1),
            .displacement(name: "u_x at the drained side", at: SIMD2(1, 0), component: 0),
        ])
        var peak = 0.0
        for n in result.states.indices {
            let v = try sensors.evaluate(layout: model.layout, displacement: result.states[n], parameters: model.initialParameters).values
            peak = max(peak, v[0])
            let tv = Double(n) * dtv
            guard [0.0, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0].contains(where: { abs($0 - tv) < 1e-9 }) else { continue }
            // At t = 0⁺ the analytic state is the undrained limit, in closed form.
            let t = result.times[n]
            let p = n == 0 ? reference.initialPressure : reference.pressure(x: 0, time: t)
            #expect(abs(v[0] - p) / reference.initialPressure < 0.01, "centre pressure at T = \(tv): \(v[0]) against \(p)")
            let plate = n == 0 ? reference.undrainedVerticalDisplacement(y: 1) : reference.verticalDisplacement(y: 1, time: t)
            #expect(abs(v[1] / plate - 1) < 0.01, "plate displacement at T = \(tv): \(v[1]) against \(plate)")
            let ux = n == 0 ? reference.undrainedHorizontalDisplacement(x: 1) : reference.horizontalDisplacement(x: 1, time: t)
            #expect(abs(v[2] / ux - 1) < 0.01, "u_x at the drained side at T = \(tv): \(v[2]) against \(ux)")
        }
        // The Mandel–Cryer effect: the centre pressure first rises about 9% above its initial value.
        var exactPeak = 0.0
        for k in 1 ... 200 { exactPeak = max(exactPeak, reference.pressure(x: 0, time: reference.time(dimensionless: 0.001 * Double(k)))) }
        #expect(exactPeak / reference.initialPressure > 1.08)
        #expect(abs(peak - exactPeak) / reference.initialPressure < 0.015, "peak \(peak / reference.initialPressure) p₀ against \(exactPeak / reference.initialPressure) p₀")
        // The plate stays level: every top node moves with the plate.
        let plateDof = model.plateDofs["top"]!
        for node in model.mesh.nodes(onBoundary: "top")! {
            #expect(model.displacementDof(node: Int(node), component: 1) == Int(plateDof))
        }
    }
}
