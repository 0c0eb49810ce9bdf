import Foundation
import Physics
import Verification
import Testing

/// Regenerates the verification tables of docs/poroelasticity.md (run with `swift test --filter PoroelasticDocTables`
/// after removing `.disabled`); not part of the suite.
@Suite(.disabled("prints the tables of docs/poroelasticity.md")) struct PoroelasticDocTables {
    @Test func terzaghiTable() throws {
        let reference = TerzaghiSetup.reference
        let model = try TerzaghiSetup.model(rows: 16)
        let dtv = 0.001
        let result = try Consolidation(model: model, timeStep: reference.time(dimensionless: dtv), steps: 500).run(parameters: model.initialParameters)
        let depths = [0.1, 0.25, 0.5, 0.75, 1.0]
        let sensors = try TerzaghiSetup.sensors(model, depths: depths)
        print("| T | " + depths.map { "z/L = \($0)" }.joined(separator: " | ") + " | U FE | U exact |")
        for tv in [0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5] {
            let n = Int((tv / dtv).rounded())
            let v = try sensors.evaluate(layout: model.layout, displacement: result.states[n], parameters: model.initialParameters).values
            var line = String(format: "| %.2f |", tv)
            for (k, z) in depths.enumerated() {
                let exact = n == 0 ? reference.initialPressure : reference.pressure(depth: z, time: result.times[n])
                line += String(format: " %.4f / %.4f |", v[k] / reference.initialPressure, exact / reference.initialPressure)
            }
            let u = (v[5] - reference.undrainedSettlement) / (reference.drainedSettlement - reference.undrainedSettlement)
            line += String(format: " %.4f | %.4f |", u, n == 0 ? 0 : reference.degreeOfConsolidation(time: result.times[n]))
            print(line)
        }
    }

    @Test func mandelTable() throws {
        let reference = MandelSetup.reference
        let model = try MandelSetup.model(cells: 8)
        let dtv = 0.0025
        let result = try Consolidation(model: model, timeStep: reference.time(dimensionless: dtv), steps: 400).run(parameters: model.initialParameters)
        let sensors = try model.observables([.pressure(name: "p", at: SIMD2(0, 0)), .displacement(name: "plate", at: SIMD2(0.5, 1), component: 1),
                                             .displacement(name: "ux", at: SIMD2(1, 0), component: 0)])
        print("| T | p(0)/p0 FE | exact | plate u_y FE [mm] | exact | u_x(a) FE [mm] | exact |")
        for tv in [0.0, 0.01, 0.025, 0.05, 0.075, 0.1, 0.2, 0.5, 1.0] {
            let n = Int((tv / dtv).rounded())
            let t = result.times[n]
            let v = try sensors.evaluate(layout: model.layout, displacement: result.states[n], parameters: model.initialParameters).values
            let p = n == 0 ? reference.initialPressure : reference.pressure(x: 0, time: t)
            let uy = n == 0 ? reference.undrainedVerticalDisplacement(y: 1) : reference.verticalDisplacement(y: 1, time: t)
            let ux = n == 0 ? reference.undrainedHorizontalDisplacement(x: 1) : reference.horizontalDisplacement(x: 1, time: t)
            print(String(format: "| %.3f | %.4f | %.4f | %.5f | %.5f | %.5f | %.5f |", tv, v[0] / reference.initialPressure, p / reference.initialPressure,
                         1e3 * v[1], 1e3 * uy, 1e3 * v[2], 1e3 * ux))
        }
    }
}
