import Bilevel
import Foundation
import NetCDF
import Physics

/// A time-stepped poroelastic experiment: the model, its consolidation run, the sensors and their
/// observation times (the experiment's sweep values along "time").
final class PoroSeries {
    let model: PoroelasticModel
    let consolidation: Consolidation
    let sensors: ObservableSet
    let bindings: [ParameterBinding]
    let observationTimes: [Double]

    init(model: PoroelasticModel, consolidation: Consolidation, sensors: ObservableSet, bindings: [ParameterBinding], observationTimes: [Double]) {
        self.model = model
        self.consolidation = consolidation
        self.sensors = sensors
        self.bindings = bindings
        self.observationTimes = observationTimes
    }

    /// Observed components per time (one per observable).
    var componentCount: Int { sensors.count }

    /// The model parameters for calibration parameters θ (ordered as `names`).
    func modelTheta(_ theta: [Double], names: [String]) throws -> [Double] {
        try bindings.map { b in
            switch b {
            case let .constant(v): return v
            case let .parameter(n):
                guard let k = names.firstIndex(of: n) else { throw CaseError("the poroelastic model needs parameter '\(n)', which is not defined") }
                return theta[k]
            }
        }
    }

    /// Why the last forward run was rejected although it converged (an inverted element), if it was.
    private(set) var lastRejection: String?

    /// The forward run; nil when a step did not converge, the parameters are invalid (ν ≥ ½, E ≤ 0, …),
    /// or a state turns an element inside out (not a state of the material: `lastRejection` says where).
    func run(_ modelTheta: [Double]) -> (states: [[Double]], iterations: Int)? {
        lastRejection = nil
        do {
            try model.validate(parameters: modelTheta)
            let run = try consolidation.run(parameters: modelTheta)
            guard run.converged else { return nil }
            for (n, state) in run.states.enumerated() {
                if let t = model.firstInvertedTriangle(displacement: state) {
                    lastRejection = "element \(t) (region '\(model.mesh.regionNames[Int(model.mesh.triangleRegions[t])])') is turned inside out "
                        + "at t = \(consolidation.times[n]) s: the displacements are larger than the mesh can represent"
                    return nil
                }
            }
            return (run.states, run.solves.reduce(0) { $0 + $1.iterations })
        } catch {
            return nil
        }
    }

    /// The calibration experiment with these observations (time-major: all components at the first time, …).
    func experiment(name: String, observed: [Double], sigma: [Double],
                    forward: (([Double]) throws -> (states: [[Double]], iterations: Int)?)? = nil) throws -> TimeSeriesExperiment {
        try TimeSeriesExperiment(name: name, sequence: consolidation, stepTimes: consolidation.times,
                                 forward: forward ?? { [unowned self] in self.run($0) },
                                 observationTimes: observationTimes, observables: sensors, layout: model.layout,
                                 observed: observed, sigma: sigma, bindings: bindings)
    }

    /// Predictions (time-major) and the states of every step; nil when the run failed.
    func predict(theta: [Double], names: [String]) throws -> (values: [Double], states: [[Double]], iterations: Int)? {
        let m = try modelTheta(theta, names: names)
        guard let (states, iterations) = run(m) else { return nil }
        let count = observationTimes.count * componentCount
        let e = try experiment(name: "prediction", observed: [Double](repeating: 0, count: count), sigma: [Double](repeating: 1, count: count),
                               forward: { _ in (states, iterations) })
        guard let r = try e.residuals(theta: theta, names: names, derivatives: .none) else { return nil }
        return (r.predicted, states, iterations)
    }

    /// Without 'times' in an experiment, its observation times are the data file's `time` coordinate (in s).
    static func resolveObservationTimes(_ c: inout CaseConfiguration, directory: String, configFile: String, diagnostics d: DiagnosticList) {
        guard case .poroelastic = c.model else { return }
        for k in c.experiments.indices {
            guard var sweep = c.experiments[k].sweep, sweep.target == .time, sweep.values.isEmpty else { continue }
            let e = c.experiments[k]
            let path = CaseLocation.join(directory, e.data)
            guard FileManager.default.fileExists(atPath: path) else {
                d.error("experiment '\(e.name)' has no 'times', and its data file '\(path)' does not exist to read them from: list the "
                        + "observation times (s) in 'times' (then 'calibrate synth' can make the data)", at: e.position, file: configFile)
                continue
            }
            do {
                let file = try NetCDFReader(path: path)
                guard (try? file.coordinateVariable(for: "time")) != nil else {
                    d.error("experiment '\(e.name)': '\(path)' has no coordinate variable 'time' (the observation times, in s); add it, or list "
                            + "the times in the experiment's 'times'", at: e.position, file: configFile)
                    continue
                }
                let (times, conversion) = try CFTime.read("time", file: file, target: "s")
                if let conversion { d.note("\(conversion) (experiment '\(e.name)')", file: path) }
                if times.isEmpty || times.contains(where: { !$0.isFinite }) || zip(times, times.dropFirst()).contains(where: { !($1 > $0) }) {
                    d.error("coordinate variable 'time' must hold strictly increasing, finite times (experiment '\(e.name)')", file: path)
                    continue
                }
                sweep.values = times
                c.experiments[k].sweep = sweep
            } catch {
                d.error("\(error) (experiment '\(e.name)')", file: path)
            }
        }
    }
}

extension ModelAssembly {
    static func buildPoroelastic(_ p: PoroelasticConfiguration, experiment e: ExperimentConfiguration, index: Int, directory: String,
                                 space: ParameterSpace?, diagnostics d: DiagnosticList) throws -> ExperimentSetup? {
        let mesh: TriangleMesh
        do {
            switch p.mesh {
            case let .rectangle(w, h, c, r, gx, gy):
                mesh = try TriangleMesh.rectangle(width: w, height: h, columns: c, rows: r, gradingX: gx, gradingY: gy)
            case let .gmsh(file):
                let path = CaseLocation.join(directory, file)
                guard FileManager.default.fileExists(atPath: path) else {
                    d.error("the mesh file '\(path)' does not exist; 'gmsh' is relative to the case folder", at: p.meshPosition)
                    return nil
                }
                do { mesh = try TriangleMesh.readGmsh(path: path) } catch {
                    // Located in the .msh file (and its line), not in case.json: that is where the fix goes.
                    if case let .syntax(_, section, line, message) = error {
                        d.error("MSH syntax error\(section.map { " in \($0)" } ?? ""): \(message)", at: TextPosition(line: line, column: 1), file: path)
                    } else {
                        d.error("\(error)", file: path)
                    }
                    return nil
                }
                // Size before work: the mesh (bounded by its file) is read, the model not yet built.
                guard CaseSize.admit(CaseSize.estimate(mesh: mesh, steps: p.times.count), diagnostics: d) else { return nil }
            }
        } catch {
            d.error("the mesh: \(error)", at: p.meshPosition)
            return nil
        }
        for region in p.permeabilityLaws.keys.sorted() where !mesh.regionNames.contains(region) {
            d.error("'materials' names region '\(region)', which the mesh does not have" + Suggestion.hint(for: region, among: mesh.regionNames)
                    + " (regions: \(mesh.regionNames.joined(separator: ", ")))", at: p.meshPosition)
        }
        for c in p.conditions where !mesh.boundaryNames.contains(c.condition.boundary) {
            d.error("boundary '\(c.condition.boundary)' is not a boundary of the mesh" + Suggestion.hint(for: c.condition.boundary, among: mesh.boundaryNames)
                    + " (boundaries: \(mesh.boundaryNames.joined(separator: ", ")))", at: c.position)
        }
        let parameterNames = mesh.regionNames.flatMap { region in
            PoroMaterial.parameterBaseNames.map { mesh.regionNames.count == 1 ? $0 : "\($0)_\(region)" }
        }
        // Every model parameter needs a value: a calibration parameter of that name or a constant.
        let constants = Set(e.constants.map(\.name))
        for name in parameterNames where space.map({ !$0.names.contains(name) }) ?? false && !constants.contains(name) {
            d.error("model parameter '\(name)' has no value in experiment '\(e.name)': add a parameter named '\(name)' to 'parameters' "
                    + "(\"fixed\": true if it is not calibrated), or set it in the experiment's 'constants'"
                    + (mesh.regionNames.count > 1 ? " (with several regions, the names are E_region, nu_region, alpha_region, M_region, k_region)" : ""),
                    at: e.position)
        }
        for c in e.constants where !parameterNames.contains(c.name) {
            d.error("experiment '\(e.name)' sets '\(c.name)' in 'constants', which is not a parameter of the model"
                    + Suggestion.hint(for: c.name, among: parameterNames), at: c.position)
        }
        if d.hasErrors { return nil }
        var materials: [String: PoroMaterial] = [:]
        for region in mesh.regionNames {
            materials[region] = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1, biotModulus: 1e9, mobility: 1e-9,
                                             permeabilityLaw: p.permeabilityLaws[region] ?? .constant)
        }
        let model: PoroelasticModel
        do {
            model = try PoroelasticModel(mesh: mesh, materials: materials, conditions: p.conditions.map(\.condition))
        } catch let error as PhysicsError {
            d.error(CaseTerms.translate(error.description), at: p.meshPosition)
            return nil
        }
        let times = e.sweep?.values ?? []
        if let first = p.times.first, let last = p.times.last, let outside = times.first(where: { $0 < first || $0 > last }) {
            d.error("experiment '\(e.name)' observes at t = \(formatNumber(outside)) s, outside the simulated times \(formatNumber(first))…\(formatNumber(last)) s; "
                    + "extend the model's time_stepping", at: e.position)
        }
        var sensors: [PoroSensor] = []
        var layouts: [ObservableLayout] = []
        for o in e.observables {
            guard case let .poro(q) = o.quantity else { continue }
            let sensor = q.sensor(name: o.variable)
            do { _ = try model.observables([sensor]) } catch {
                d.error("observable '\(o.variable)': \(error)", at: o.position)
                continue
            }
            var expected = q.unit
            if let given = o.units {
                if let message = UnitCheck.mismatchMessage(expected: q.unit, found: given, comparison: UnitCheck.compare(expected: q.unit, found: given)) {
                    d.error("the units of observable '\(o.variable)' in the configuration do not fit the model: "
                            + message.replacingOccurrences(of: "its units are", with: "they are") + " (the poroelastic model works in Pa, m and s)",
                            at: o.position)
                }
                expected = given
            }
            sensors.append(sensor)
            layouts.append(ObservableLayout(configuration: o, shape: [times.count], perStep: 1, atoms: nil, expectedUnits: expected))
        }
        if d.hasErrors { return nil }
        let consolidation = try Consolidation(model: model, times: p.times, options: p.newton.map { o in
            var o = o
            o.problem = .saddle
            o.hessianIsConstant = model.isLinear
            return o
        })
        let series = PoroSeries(model: model, consolidation: consolidation, sensors: try model.observables(sensors),
                                bindings: bindings(model.parameterNames, experiment: e, step: 0), observationTimes: times)
        return ExperimentSetup(configuration: e, steps: [], layouts: layouts, series: series)
    }
}
