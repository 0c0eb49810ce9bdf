import Foundation
import Physics
import Verification
import Testing

/// Terzaghi's column in SI units: 1 m high, 0.1 m wide, one column of cells; roller sides, fixed
/// bottom, drained top loaded by 10 kPa at t = 0. p₀/σ₀ = 0.806 (compressible constituents, M = 50 MPa).
struct TerzaghiSetup {
    static let load = 1e4
    static let material = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1, biotModulus: 5e7, mobility: 1e-10)
    static let reference = Terzaghi(height: 1, load: load, youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1,
                                    biotModulus: 5e7, mobility: 1e-10)

    static func model(rows: Int, grading: Double = 0.25) throws -> PoroelasticModel {
        let mesh = try TriangleMesh.rectangle(width: 0.1, height: 1, columns: 1, rows: rows, gradingY: grading)
        return try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
            .roller("left", component: 0), .roller("right", component: 0), .fixed(boundary: "bottom"),
            .drained(boundary: "top", pressure: 0),
            .traction(boundary: "top", traction: SIMD2(0, -load), history: .constant),
        ])
    }

    /// Pressure sensors at `depths` below the top (off the mesh's nodes), then the top's settlement.
    static func sensors(_ model: PoroelasticModel, depths: [Double]) throws -> ObservableSet {
        try model.observables(depths.map { .pressure(name: "p at depth \($0)", at: SIMD2(0.03, 1 - $0)) }
            + [.settlement(name: "settlement", boundary: "top")])
    }
}

@Suite struct TerzaghiTests {
    let reference = TerzaghiSetup.reference

    /// Largest |p_h − p|/p₀ over `depths` at the last state of a run of `steps` steps of dimensionless
    /// length `dtv`, against the exact series or (`semidiscrete`) the backward-Euler series.
    func pressureError(rows: Int, grading: Double, dtv: Double, steps: Int, depths: [Double],
                       semidiscrete: Bool = false, rms: Bool = false) throws -> Double {
        let model = try TerzaghiSetup.model(rows: rows, grading: grading)
        let dt = reference.time(dimensionless: dtv)
        let result = try Consolidation(model: model, timeStep: dt, steps: steps).run(parameters: model.initialParameters)
        let values = try TerzaghiSetup.sensors(model, depths: depths)
            .evaluate(layout: model.layout, displacement: result.states.last!, parameters: model.initialParameters).values
        let errors = depths.enumerated().map { k, z in
            let exact = semidiscrete ? reference.backwardEulerPressure(depth: z, steps: steps, timeStep: dt)
                : reference.pressure(depth: z, time: result.times.last!)
            return abs(values[k] - exact) / reference.initialPressure
        }
        return rms ? (errors.map { $0 * $0 }.reduce(0, +) / Double(errors.count)).squareRoot() : errors.max()!
    }

    @Test func pressureAndDegreeOfConsolidationMatchTheSeries() throws {
        // 16 graded rows, Δt = 0.001 L²/c_v. Backward Euler's error after n steps from the
        // discontinuous undrained state is O(1/n) (its smoothing estimate Δt/t), so the comparison
        // starts after 20 steps; from there every pressure is within 1% of p₀ and U within 1%.
        let model = try TerzaghiSetup.model(rows: 16)
        let dtv = 0.001
        let run = try Consolidation(model: model, timeStep: reference.time(dimensionless: dtv), steps: 500)
        let result = try run.run(parameters: model.initialParameters)
        #expect(result.converged && result.states.count == 501)
        let depths = [0.1, 0.25, 0.5, 0.75, 1.0]
        let sensors = try TerzaghiSetup.sensors(model, depths: depths)
        // The undrained response: p₀ everywhere but in the top element (drained from t = 0⁺).
        let initial = try sensors.evaluate(layout: model.layout, displacement: result.states[0], parameters: model.initialParameters).values
        for k in 1 ..< depths.count { #expect(abs(initial[k] / reference.initialPressure - 1) < 1e-3) }
        for tv in [0.02, 0.05, 0.1, 0.2, 0.5] {
            let n = Int((tv / dtv).rounded())
            let v = try sensors.evaluate(layout: model.layout, displacement: result.states[n], parameters: model.initialParameters).values
            for (k, z) in depths.enumerated() {
                let exact = reference.pressure(depth: z, time: result.times[n])
                #expect(abs(v[k] - exact) / reference.initialPressure < 0.01, "p at depth \(z), T = \(tv)")
            }
            let u = (v[depths.count] - reference.undrainedSettlement) / (reference.drainedSettlement - reference.undrainedSettlement)
            let exactU = reference.degreeOfConsolidation(time: result.times[n])
            #expect(abs(u - exactU) / exactU < 0.01, "U at T = \(tv): \(u) against \(exactU)")
        }
        // A linear model with a constant step: one factorization for the undrained response and one
        // for all 500 steps.
        #expect(try run.solver(timeStep: reference.time(dimensionless: dtv)).factor.factorizationCount == 1)
        #expect(run.factorizationCount == 2)
        #expect(result.solves.dropFirst().allSatisfy { $0.iterations == 1 })
        // A second run at the same θ reuses both factorizations.
        _ = try run.run(parameters: model.initialParameters)
        #expect(run.factorizationCount == 2)
    }

    @Test func spatialErrorFallsAtSecondOrder() throws {
        // Against the backward-Euler series (exact in space, same Δt and steps), so only the spatial
        // error remains: P1 pressure, O(h²). RMS over 40 depths at T = 0.1, uniform meshes.
        let depths = (0 ..< 40).map { 0.0125 + 0.025 * Double($0) }
        let errors = try [4, 8, 16, 32].map {
            try pressureError(rows: $0, grading: 1, dtv: 0.005, steps: 20, depths: depths, semidiscrete: true, rms: true)
        }
        let orders = observedConvergenceOrders(errors)
        #expect(orders.allSatisfy { $0 > 1.7 && $0 < 2.6 }, "errors \(errors), orders \(orders)")
    }

    @Test func temporalErrorFallsAtFirstOrder() throws {
        // Against the exact series on a fine graded mesh (spatial error ≪ time error): backward Euler, O(Δt).
        let depths = [0.15, 0.3, 0.45, 0.6, 0.85]
        let errors = try [(0.01, 10), (0.005, 20), (0.0025, 40), (0.00125, 80)].map {
            try pressureError(rows: 32, grading: 0.25, dtv: $0.0, steps: $0.1, depths: depths)
        }
        let orders = observedConvergenceOrders(errors)
        #expect(orders.allSatisfy { abs($0 - 1) < 0.1 }, "errors \(errors), orders \(orders)")
    }
}
