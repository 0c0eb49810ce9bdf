import Bilevel
import Foundation

/// After the optimizer: uncertainty, identifiability notes, predictions at the fitted parameters,
/// and the summary printed at the end of a run.
enum Analysis {
    /// `predict` gives the predictions at the fitted θ (solved by the processes that own the steps:
    /// `FinalPredictions`).
    /// `rejectedBefore`: what the interrupted runs this one resumes had rejected (from the checkpoint).
    static func summarize(fit: FitProblem, result: OptimizationResult, history: [HistoryRow], seconds: Double,
                          method: OptimizerConfiguration.Method, rejectedBefore: RejectedEvaluations = RejectedEvaluations(),
                          predict: ([Double]) throws -> Prediction) throws -> RunSummary {
        let loaded = fit.loaded
        let space = loaded.space
        let theta = try space.physical(from: result.z)
        var uncertainty: UncertaintyReport?
        var problem: String?
        var leastSquares = result
        if leastSquares.residuals == nil, let e = try fit.residualFunction(result.z, true) {
            leastSquares.residuals = e.residuals
            leastSquares.jacobian = e.jacobian
        }
        do {
            uncertainty = try UncertaintyAnalysis.analyze(leastSquares, space: space, priorRows: space.priorCount,
                                                          options: loaded.configuration.uncertainty)
        } catch {
            problem = error.description
        }
        let prediction = try predict(theta)
        let newton = result.innerIterations
        var summary = RunSummary(command: "run", loaded: loaded, data: fit.data, initialTheta: space.initialPhysical, theta: theta,
                                 optimization: result, method: method.rawValue, history: history, uncertainty: uncertainty,
                                 uncertaintyProblem: problem, prediction: prediction, notes: [], seconds: seconds, newtonIterations: newton)
        summary.notes = IdentifiabilityNotes.notes(for: summary) + rejectedBefore.adding(.of(fit.problem)).notes
        summary.distribution = (fit.problem.executor.distribution, fit.problem.experiments.map(\.name))
        return summary
    }

    /// The end-of-run summary on standard output: status, parameters, fit quality, where the results are.
    static func printSummary(_ s: RunSummary, output: String, console: Console) {
        guard let o = s.optimization else { return }
        console.print("\(o.method): \(o.status) after \(o.iterations) outer iteration(s), \(s.newtonIterations) Newton iteration(s), "
                      + String(format: "%.1f s", s.seconds))
        let level = Int((s.configuration.uncertainty.confidenceLevel * 100).rounded())
        if !o.status.isConverged {
            console.print("  NOT CONVERGED: the values below are the best point found, not a minimum; their intervals assume one "
                          + "and are not valid")
            if let advice = o.status.advice { console.print("  advice: \(advice) (\(CalibrateTool.toolName) gradcheck CASE --set …, \"starts\" in optimizer)") }
        }
        for (k, i) in s.space.freeIndices.enumerated() {
            let name = s.space.names[i]
            var line = "  \(name) = \(sig(s.theta[i]))"
            if let u = s.uncertainty {
                let se = u.standardErrorsPhysical[k]
                line += se.isFinite ? " ± \(sig(se))  (\(level)% interval [\(sig(u.intervalsPhysical[k].lower)), \(sig(u.intervalsPhysical[k].upper))])"
                    : "  (not determined by the data)"
            }
            if s.boundsHit[i] != 0 { line += s.boundsHit[i] < 0 ? "  at its lower bound" : "  at its upper bound" }
            console.print(line)
        }
        if let u = s.uncertainty {
            let p = u.chiSquaredPValue.map { ", p = \(sig($0))" } ?? ""
            console.print("  χ²/dof = \(sig(u.reducedChiSquared)) (\(u.degreesOfFreedom) degrees of freedom\(p)), weighted RMS = \(sig(u.weightedRMS))")
        }
        if s.minima.count > 1 {
            console.print("  \(s.minima.count) distinct minima from \(s.minima.reduce(0) { $0 + $1.starts.count }) starts (lowest first):")
            for m in s.minima {
                let theta = (try? s.space.physical(from: m.z)) ?? []
                console.print("    ½χ² = \(sig(m.objective))  " + s.space.freeIndices.map { "\(s.space.names[$0]) = \(sig(theta[$0]))" }.joined(separator: ", ")
                              + (m.converged ? "" : "  (not converged)") + "  from start(s) " + m.starts.map { "\($0 + 1)" }.joined(separator: ", "))
            }
        }
        for note in s.notes { console.print("  note: \(note)") }
        console.print("results in \(output)/ (report.md, results.nc, history.csv)")
    }

    static func sig(_ x: Double) -> String {
        if !x.isFinite { return x.isNaN ? "undefined" : (x > 0 ? "∞" : "-∞") }
        return String(format: "%.6g", x)
    }
}

/// Shared steps of the commands.
enum CommandSupport {
    /// Locates and loads a case (and its data), printing warnings; throws every error found.
    /// With `rank` of `ranks`, only that rank's steps are built (`WorkPlan`).
    static func load(_ argument: String, console: Console, readData: Bool, rank: (Int, of: Int)? = nil) throws(CaseError)
        -> (LoadedCase, [ExperimentData]?) {
        let location = try CaseLocation.locate(argument)
        let diagnostics = DiagnosticList(file: location.configuration)
        guard let loaded = LoadedCase.load(location, diagnostics: diagnostics, rank: rank) else {
            throw CaseError(diagnostics.items.filter { $0.severity != .note })
        }
        var data: [ExperimentData]?
        if readData {
            data = loaded.readData(diagnostics: diagnostics)
            if data == nil { throw CaseError(diagnostics.items.filter { $0.severity != .note }) }
        }
        for d in diagnostics.items where d.severity == .warning { console.report(d) }
        // Data converted on reading are worth a line (silenced by --quiet), as check shows them.
        for e in data ?? [] {
            for v in e.variables { if let c = v.conversion { console.info("\(e.file): variable '\(v.name)' converted on reading: \(c)") } }
        }
        for d in diagnostics.items where d.severity == .note && d.message.hasPrefix("size: ") { console.info(d.message) }
        return (loaded, data)
    }

    /// Parses "NAME=VALUE" pairs of an option.
    static func assignments(_ texts: [String], option: String, command: String) throws(UsageError) -> [(String, Double)] {
        try texts.map { (text: String) throws(UsageError) -> (String, Double) in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let value = Double(parts[1].trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw UsageError("\(option) expects NAME=VALUE with a finite number, found '\(text)'", command: command)
            }
            return (parts[0].trimmingCharacters(in: .whitespaces), value)
        }
    }
}
