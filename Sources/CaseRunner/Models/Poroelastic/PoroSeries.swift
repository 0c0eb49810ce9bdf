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

    /// The calibration experiment with these observations (time-major: all components at the first
    /// time, …), or without data (nil) for predictions.
    func experiment(name: String, observed: [Double]?, sigma: [Double]?) throws -> TimeSeriesExperiment {
        try TimeSeriesExperiment(name: name, sequence: consolidation, stepTimes: consolidation.times,
                                 forward: { [unowned self] in self.run($0) },
                                 observationTimes: observationTimes, observables: sensors, layout: model.layout,
                                 observed: observed, sigma: sigma, bindings: bindings)
    }

    private var predictor: TimeSeriesExperiment?

    /// Predictions (time-major) and the states of every step; nil when the run failed (`lastRejection`
    /// says why when it converged to a state that is not physical).
    func predict(theta: [Double], names: [String]) throws -> TimeSeriesExperiment.Prediction? {
        try predictingExperiment().predict(theta: theta, names: names)
    }

    /// The sensors at every time step of a forward run's `states`, [step][sensor].
    func valuesAtEveryStep(_ states: [[Double]], theta: [Double], names: [String]) throws -> [[Double]] {
        try predictingExperiment().valuesAtEveryStep(states, theta: theta, names: names)
    }

    private func predictingExperiment() throws -> TimeSeriesExperiment {
        if let predictor { return predictor }
        let e = try experiment(name: "prediction", observed: nil, sigma: nil)
        predictor = e
        return e
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
                        + "observation times (s) in 'times' (then '\(CalibrateTool.toolName) synth' can make the data)", at: e.position, file: configFile)
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

