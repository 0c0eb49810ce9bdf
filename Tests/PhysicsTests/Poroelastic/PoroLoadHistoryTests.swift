import Foundation
import Physics
import Verification
import Testing

@Suite struct PoroLoadHistoryTests {
    @Test func historiesInterpolateAsDocumented() {
        #expect(LoadHistory.step(at: 2).value(at: 1.999) == 0 && LoadHistory.step(at: 2).value(at: 2) == 1)
        #expect(LoadHistory.constant.value(at: 0) == 1)
        let ramp = LoadHistory.ramp(start: 1, duration: 4)
        #expect(ramp.value(at: 0) == 0 && ramp.value(at: 2) == 0.25 && ramp.value(at: 5) == 1 && ramp.value(at: 9) == 1)
        let table = LoadHistory.table(times: [0, 1, 3], values: [0, 2, -1])
        #expect(table.value(at: -1) == 0 && table.value(at: 0.5) == 1 && table.value(at: 2) == 0.5 && table.value(at: 7) == -1)
    }

    @Test func drainedColumnFollowsATabulatedLoad() throws {
        // A very permeable column drains within each step, so its settlement follows the load
        // elastically: s(t) = h(t) σ₀ L / K_v, for a traction and for a prescribed displacement alike.
        let history = LoadHistory.table(times: [0, 10, 20, 40], values: [0, 1, 0.5, 0.5])
        var material = TerzaghiSetup.material
        material.mobility = 1e-2
        let mesh = try TriangleMesh.rectangle(width: 0.1, height: 1, columns: 1, rows: 4)
        let model = try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
            .roller("left", component: 0), .roller("right", component: 0), .fixed(boundary: "bottom"),
            .drained(boundary: "top", pressure: 0), .traction(boundary: "top", traction: SIMD2(0, -1e4), history: history),
        ])
        let result = try Consolidation(model: model, timeStep: 5, steps: 8).run(parameters: model.initialParameters)
        let sensor = try model.observables([.settlement(name: "s", boundary: "top")])
        let full = 1e4 * 1 / TerzaghiSetup.reference.oedometricModulus
        for (t, state) in zip(result.times, result.states) {
            let s = try sensor.evaluate(layout: model.layout, displacement: state, parameters: model.initialParameters).values[0]
            #expect(abs(s - history.value(at: t) * full) <= 1e-6 * full, "t = \(t)")
        }
        // The same settlements imposed as a displacement history.
        let imposed = try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
            .roller("left", component: 0), .roller("right", component: 0), .fixed(boundary: "bottom"),
            .drained(boundary: "top", pressure: 0), .displacement(boundary: "top", component: 1, value: -full, history: history),
        ])
        let again = try Consolidation(model: imposed, timeStep: 5, steps: 8).run(parameters: imposed.initialParameters)
        for (a, b) in zip(result.states, again.states) {
            for d in imposed.pressureDofs.map(Int.init) { #expect(abs(a[d] - b[d]) <= 1e-6 * 1e4) }
        }
    }
}
