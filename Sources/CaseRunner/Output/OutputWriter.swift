import Foundation
import Reports

/// Writes every output of a run into its staging folder: results.nc, report.md, history.csv,
/// plots/*.svg and fields/*.vtu|pvd. The fields' frames are already there when `framesWritten` (`run`
/// has them written by the processes that solved the final predictions: `FinalPredictions`); then only
/// the collections naming them are written here.
enum OutputWriter {
    static func write(_ s: RunSummary, to staging: OutputStaging, framesWritten: Bool = false, console: Console) throws {
        do {
            try ResultsFile.write(s, to: try staging.path("results.nc"), version: CalibrateTool.version)
            try historyTable(s).write(to: try staging.path("history.csv"))
            var plots: [(file: String, caption: String)] = []
            if s.configuration.output.plots {
                plots = try Plots.write(s, folder: try staging.folder("plots"), relativeTo: "plots/")
            }
            var fields: [String] = []
            if FieldOutput.wanted(s.loaded) {
                let folder = try staging.folder("fields")
                fields = framesWritten ? try FieldOutput.writeCollections(s.loaded, folder: folder, relativeTo: "fields/")
                    : try FieldOutput.write(s, folder: folder, relativeTo: "fields/")
            }
            let report = try MarkdownReport.text(s, plots: plots, fields: fields, version: CalibrateTool.version)
            try AtomicFile.write(report, to: try staging.path("report.md"))
        } catch let error as CaseError {
            staging.discard()
            throw error
        } catch {
            staging.discard()
            throw CaseError("cannot write the results into '\(staging.destination)': \(error)")
        }
    }

    /// history.csv: one row per outer iteration, with the parameters at the current point.
    static func historyTable(_ s: RunSummary) throws -> CSVTable {
        var table = try CSVTable(columns: ["iteration", "objective", "gradient_norm", "step_norm", "accepted", "damping", "evaluations",
                                           "newton_iterations"] + s.space.names)
        for row in s.history {
            let r = row.record
            try table.append([.integer(r.iteration), .number(r.objective), .number(r.projectedGradientNorm), .number(r.stepNorm),
                              .integer(r.accepted ? 1 : 0), r.damping.map { .number($0) } ?? .text(""), .integer(r.evaluations),
                              .integer(r.innerIterations)] + row.theta.map { .number($0) })
        }
        return table
    }
}
