import Foundation
import Physics
import Reports
import Verification

/// The verification figures of docs/poroelasticity.md: the finite-element model against Terzaghi's and
/// Mandel's analytic solutions (the same set-ups as the tests), drawn by the project's own plots.
enum VerificationPlots {
    static func run(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try terzaghi(directory)
        try mandel(directory)
    }

    static func terzaghi(_ directory: String) throws {
        let load = 1e4
        let material = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1, biotModulus: 5e7, mobility: 1e-10)
        let reference = Terzaghi(height: 1, load: load, youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1,
                                 biotModulus: 5e7, mobility: 1e-10)
        let mesh = try TriangleMesh.rectangle(width: 0.1, height: 1, columns: 1, rows: 16, gradingY: 0.25)
        let model = try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
            .roller("left", component: 0), .roller("right", component: 0), .fixed(boundary: "bottom"),
            .drained(boundary: "top", pressure: 0), .traction(boundary: "top", traction: SIMD2(0, -load), history: .constant),
        ])
        let dt = reference.time(dimensionless: 0.001)
        let run = try Consolidation(model: model, timeStep: dt, steps: 500).run(parameters: model.initialParameters)
        let depths = stride(from: 0.0, through: 1.0, by: 0.05).map { min($0, 0.999) }
        let sensors = try model.observables(depths.map { .pressure(name: "p\($0)", at: SIMD2(0.05, 1 - $0)) }
            + [.settlement(name: "settlement", boundary: "top")])
        var series: [PlotSeries] = []
        let p0 = reference.initialPressure
        for (k, tv) in [0.01, 0.05, 0.1, 0.2, 0.5].enumerated() {
            let state = run.states[Int((tv / 0.001).rounded())]
            let values = try sensors.evaluate(layout: model.layout, displacement: state, parameters: model.initialParameters).values
            let color = PlotColor.palette[k % PlotColor.palette.count]
            let fine = stride(from: 0.0, through: 1.0, by: 0.01).map { $0 }
            series.append(.line("analytic, T = \(tv)", x: fine.map { reference.pressure(depth: $0, time: reference.time(dimensionless: tv)) / p0 },
                                y: fine, color: color))
            series.append(.scatter("finite elements, T = \(tv)", x: depths.indices.map { values[$0] / p0 }, y: depths, color: color))
        }
        let profile = SVGPlot(title: "Terzaghi consolidation: pore pressure isochrones",
                              xAxis: PlotAxis("p / p₀"), yAxis: PlotAxis("depth below the drained top", unit: "m"),
                              series: series, legend: .automatic)
        _ = try profile.write(to: directory + "/terzaghi-pressure.svg")

        var tvs: [Double] = [], numerical: [Double] = [], analytic: [Double] = []
        let s0 = reference.undrainedSettlement, sInf = reference.drainedSettlement
        for n in stride(from: 1, through: 500, by: 10) {
            let settlement = -(try sensors.evaluate(layout: model.layout, displacement: run.states[n], parameters: model.initialParameters).values.last!)
            tvs.append(Double(n) * 0.001)
            numerical.append((settlement - s0) / (sInf - s0))
            analytic.append(reference.degreeOfConsolidation(time: reference.time(dimensionless: Double(n) * 0.001)))
        }
        let degree = SVGPlot(title: "Terzaghi consolidation: degree of consolidation",
                             xAxis: PlotAxis("dimensionless time T = c_v t / L²"), yAxis: PlotAxis("degree of consolidation U"),
                             series: [.line("analytic", x: tvs, y: analytic), .scatter("finite elements (settlement)", x: tvs, y: numerical)])
        _ = try degree.write(to: directory + "/terzaghi-degree.svg")
    }

    static func mandel(_ directory: String) throws {
        let force = 1e4
        let material = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.2, biotCoefficient: 1, biotModulus: 1e8, mobility: 1e-10)
        let reference = Mandel(a: 1, b: 1, force: force, youngsModulus: 1e7, poissonRatio: 0.2, biotCoefficient: 1,
                               biotModulus: 1e8, mobility: 1e-10)
        let mesh = try TriangleMesh.rectangle(width: 1, height: 1, columns: 16, rows: 16, gradingX: 0.3)
        let model = try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
            .roller("left", component: 0), .roller("bottom", component: 1), .drained(boundary: "right", pressure: 0),
            .rigidPlate(boundary: "top", component: 1, force: -force, history: .constant),
        ])
        let dtv = 0.0025
        let run = try Consolidation(model: model, timeStep: reference.time(dimensionless: dtv), steps: 400)
            .run(parameters: model.initialParameters)
        let sensors = try model.observables([.pressure(name: "centre", at: SIMD2(0, 0))])
        let p0 = reference.initialPressure
        var tvs: [Double] = [], numerical: [Double] = [], analytic: [Double] = []
        for n in stride(from: 0, through: 400, by: 4) {
            let tv = Double(n) * dtv
            tvs.append(max(tv, 1e-4))
            numerical.append(try sensors.evaluate(layout: model.layout, displacement: run.states[n], parameters: model.initialParameters).values[0] / p0)
            analytic.append(reference.pressure(x: 0, time: reference.time(dimensionless: max(tv, 1e-4))) / p0)
        }
        let plot = SVGPlot(title: "Mandel's problem: pore pressure at the centre (Mandel–Cryer effect)",
                           xAxis: PlotAxis("dimensionless time T = c t / a²", scale: .log10), yAxis: PlotAxis("p / p₀"),
                           series: [.line("analytic", x: tvs, y: analytic), .scatter("finite elements", x: tvs, y: numerical)])
        _ = try plot.write(to: directory + "/mandel-pressure.svg")
    }
}
