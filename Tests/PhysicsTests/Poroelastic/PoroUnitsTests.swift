import Foundation
import Physics
import Verification
import Testing

/// The same physical problem in pascals and metres and in megapascals and millimetres (seconds both):
/// lengths ×10³, stresses and moduli ×10⁻⁶, k/μ [m²/(Pa·s)] ×10¹², force per unit thickness [N/m] ×10⁻³.
/// Displacements must come out ×10³ and pressures ×10⁻⁶, to 1e-10 relative.
@Suite struct PoroelasticUnitsTests {
    static func scaled(_ m: PoroMaterial) -> PoroMaterial {
        PoroMaterial(youngsModulus: m.youngsModulus * 1e-6, poissonRatio: m.poissonRatio, biotCoefficient: m.biotCoefficient,
                     biotModulus: m.biotModulus * 1e-6, mobility: m.mobility * 1e12, permeabilityLaw: m.permeabilityLaw)
    }

    /// Largest difference between the converted millimetre–megapascal states and the SI states, relative
    /// to the largest displacement and pressure of the run.
    func mismatch(_ si: PoroelasticModel, _ siResult: ConsolidationResult, _ mm: PoroelasticModel, _ mmResult: ConsolidationResult) -> Double {
        let pressure = Set(si.pressureDofs.map(Int.init))
        let uScale = siResult.states.flatMap { s in s.indices.filter { !pressure.contains($0) }.map { abs(s[$0]) } }.max()!
        let pScale = siResult.states.flatMap { s in pressure.map { abs(s[$0]) } }.max()!
        var worst = 0.0
        for (a, b) in zip(siResult.states, mmResult.states) {
            for d in a.indices {
                let isPressure = pressure.contains(d)
                let converted = isPressure ? b[d] * 1e6 : b[d] * 1e-3
                worst = max(worst, abs(converted - a[d]) / (isPressure ? pScale : uScale))
            }
        }
        return worst
    }

    @Test func mandelIsTheSameInMillimetresAndMegapascals() throws {
        let si = try MandelSetup.model(cells: 4)
        let mm = try MandelSetup.model(cells: 4, scale: 1e3, material: PoroelasticUnitsTests.scaled(MandelSetup.material), force: MandelSetup.force * 1e-3)
        #expect(si.layout.dofCount == mm.layout.dofCount)
        let dt = MandelSetup.reference.time(dimensionless: 0.01)
        let a = try Consolidation(model: si, timeStep: dt, steps: 10).run(parameters: si.initialParameters)
        let b = try Consolidation(model: mm, timeStep: dt, steps: 10).run(parameters: mm.initialParameters)
        #expect(a.converged && b.converged)
        #expect(mismatch(si, a, mm, b) < 1e-10)
    }

    @Test func terzaghiIsTheSameInMillimetresAndMegapascals() throws {
        let si = try TerzaghiSetup.model(rows: 8)
        let mesh = try TriangleMesh.rectangle(width: 100, height: 1000, columns: 1, rows: 8, gradingY: 0.25)
        let mm = try PoroelasticModel(mesh: mesh, materials: ["domain": PoroelasticUnitsTests.scaled(TerzaghiSetup.material)], conditions: [
            .roller("left", component: 0), .roller("right", component: 0), .fixed(boundary: "bottom"),
            .drained(boundary: "top", pressure: 0),
            .traction(boundary: "top", traction: SIMD2(0, -TerzaghiSetup.load * 1e-6), history: .constant),
        ])
        let dt = TerzaghiSetup.reference.time(dimensionless: 0.01)
        let a = try Consolidation(model: si, timeStep: dt, steps: 10).run(parameters: si.initialParameters)
        let b = try Consolidation(model: mm, timeStep: dt, steps: 10).run(parameters: mm.initialParameters)
        #expect(mismatch(si, a, mm, b) < 1e-10)
    }

    @Test func kozenyCarmanIsTheSameInMillimetresAndMegapascals() throws {
        // The nonlinear model too: its Newton iterations stop at different round-off, far below 1e-10.
        func model(_ scale: Double, _ material: PoroMaterial, _ load: Double) throws -> PoroelasticModel {
            let mesh = try TriangleMesh.rectangle(width: 0.1 * scale, height: scale, columns: 1, rows: 4, gradingY: 0.5)
            return try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
                .roller("left", component: 0), .roller("right", component: 0), .fixed(boundary: "bottom"),
                .drained(boundary: "top", pressure: 0), .traction(boundary: "top", traction: SIMD2(0, -load), history: .constant),
            ])
        }
        var material = TerzaghiSetup.material
        material.permeabilityLaw = .kozenyCarman(referencePorosity: 0.3)
        let si = try model(1, material, 1e5), mm = try model(1e3, PoroelasticUnitsTests.scaled(material), 1e5 * 1e-6)
        let dt = TerzaghiSetup.reference.time(dimensionless: 0.02)
        let a = try Consolidation(model: si, timeStep: dt, steps: 3).run(parameters: si.initialParameters)
        let b = try Consolidation(model: mm, timeStep: dt, steps: 3).run(parameters: mm.initialParameters)
        #expect(a.converged && b.converged)
        #expect(mismatch(si, a, mm, b) < 1e-10)
    }
}
