import Foundation
import Reports

/// `calibrate forward CASE [--set NAME=VALUE …]`: solves every experiment at given parameters and
/// writes the predicted observables (with the observations and residuals when the data exist),
/// the fields and the plots into CASE/forward/.
enum ForwardCommand {
    static func execute(_ caseArgument: String, values: [(String, Double)], output: String?, jobs: Int? = nil, console: Console) throws -> Int32 {
        let (loaded, _) = try CommandSupport.load(caseArgument, console: console, readData: false)
        let theta = try loaded.parameters(with: values, option: "--set")
        for (i, p) in loaded.space.parameters.enumerated() where theta[i] < p.lower || theta[i] > p.upper {
            console.report(Diagnostic(.warning, "\(p.name) = \(formatNumber(theta[i])) lies outside its bounds [\(formatNumber(p.lower)), \(formatNumber(p.upper))]"))
        }
        // The observations, when every data file exists (their problems are errors, as for run).
        var data: [ExperimentData]?
        if loaded.dataFiles.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
            let diagnostics = DiagnosticList(file: loaded.location.configuration)
            data = loaded.readData(diagnostics: diagnostics)
            if data == nil { throw CaseError(diagnostics.items.filter { $0.severity == .error }) }
        } else {
            console.info("no data file yet: writing predictions only")
        }
        let staging = try OutputStaging(destination: output ?? CaseLocation.join(loaded.location.directory, "forward"))
        let clock = ContinuousClock(), start = clock.now
        let prediction = try Prediction.compute(loaded, theta: theta, jobs: jobs ?? loaded.configuration.optimizer.jobs)
        let seconds = Double((clock.now - start).components.seconds) + Double((clock.now - start).components.attoseconds) * 1e-18
        let summary = RunSummary(command: "forward", loaded: loaded, data: data, initialTheta: loaded.space.initialPhysical, theta: theta,
                                 optimization: nil, method: nil, history: [], uncertainty: nil, uncertaintyProblem: nil,
                                 prediction: prediction, notes: [], seconds: seconds, newtonIterations: prediction.newtonIterations)
        do {
            try ResultsFile.write(summary, to: try staging.path("predictions.nc"), version: CalibrateTool.version)
            if FieldOutput.wanted(loaded) {
                _ = try FieldOutput.write(summary, folder: try staging.folder("fields"), relativeTo: "fields/")
            }
            if loaded.configuration.output.plots, data != nil {
                _ = try Plots.write(summary, folder: try staging.folder("plots"), relativeTo: "plots/")
            }
        } catch {
            staging.discard()
            throw CaseError("cannot write the predictions into '\(staging.destination)': \(error)")
        }
        try staging.commit()
        let equilibria = loaded.setups.reduce(0) { $0 + $1.stepCount }
        console.print("solved \(equilibria) equilibri\(equilibria == 1 ? "um" : "a") at " + Prediction.describe(theta, loaded.space.names)
                      + " (\(prediction.newtonIterations) Newton iterations)")
        if let data {
            var chi2 = 0.0, count = 0
            for (e, setup) in loaded.setups.enumerated() {
                for j in setup.layouts.indices {
                    let v = data[e].variables[j], p = prediction.values[e][j]
                    for i in v.values.indices where !v.values[i].isNaN {
                        let r = (p[i] - v.values[i]) / v.sigma[i]
                        chi2 += r * r
                        count += 1
                    }
                }
            }
            console.print("misfit: χ² = \(Analysis.sig(chi2)) over \(count) observations (weighted RMS \(Analysis.sig((chi2 / Double(max(count, 1))).squareRoot())))")
        }
        console.print("predictions in \(staging.destination)/")
        return ExitStatus.success
    }
}
