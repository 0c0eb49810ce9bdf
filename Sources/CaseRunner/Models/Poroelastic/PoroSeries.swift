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
    static func resolveObservationTimes(_ experiments: inout [ExperimentConfiguration], context: ModelBuildContext) {
        let d = context.diagnostics, configFile = context.configurationFile
        for k in experiments.indices {
            guard var sweep = experiments[k].sweep, sweep.target == .time, sweep.values.isEmpty else { continue }
            let e = experiments[k]
            let path = context.path(e.data)
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
                experiments[k].sweep = sweep
            } catch {
                d.error("\(error) (experiment '\(e.name)')", file: path)
            }
        }
    }
}

