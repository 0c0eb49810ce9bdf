import Bilevel
import Foundation
import Reports
import Sparse

/// `report.md`: the case, the parameter table, correlations, identifiability, fit quality, solver
/// statistics and the plots, for a person to read.
enum MarkdownReport {
    static func text(_ s: RunSummary, plots: [(file: String, caption: String)], fields: [String], version: String) throws -> String {
        let c = s.configuration
        var md: [String] = ["# Calibration report: \(c.title)", ""]
        md += ReportSections.convergenceBanner(s)
        if let d = c.description { md += [d, ""] }
        md += ["- Case: `\(s.loaded.location.directory)` (configuration `\(s.loaded.location.configuration)`)",
               "- Model: \(modelDescription(s))",
               "- Experiments: " + s.loaded.setups.map { setup in
                   let steps = setup.series.map { ", \($0.observationTimes.count) observation times, \($0.consolidation.times.count - 1) time steps" }
                       ?? (setup.stepCount > 1 ? ", \(setup.stepCount) steps along \(setup.configuration.sweep!.dimension)" : "")
                   return "\(setup.configuration.name) (`\(setup.configuration.data)`\(steps))"
               }.joined(separator: "; "),
               "- Written by calibrate \(version)"]
        let conversions = (s.data ?? []).flatMap { e in e.variables.compactMap { v in v.conversion.map { "`\(v.name)` \($0)" } } }
        if !conversions.isEmpty { md += ["- Units converted on reading the data: " + conversions.joined(separator: "; ")] }
        md += [""]
        if let o = s.optimization {
            md += ["## Result", "", "**\(o.status.description.capitalizedFirst)** — \(o.method), \(o.iterations) outer iteration(s).", ""]
        }

        // Parameters.
        let level = Int((c.uncertainty.confidenceLevel * 100).rounded())
        md += ["## Parameters", ""]
        var table = try MarkdownTable(columns: ["parameter", "units", "initial", "fitted", "standard error", "\(level)% interval", "bounds", "bound hit"],
                                      alignments: [.left, .left, .right, .right, .right, .left, .left, .left], significantDigits: 6)
        for (i, p) in s.space.parameters.enumerated() {
            let units = c.parameters[i].units ?? ""
            let bounds = "[\(bound(p.lower)), \(bound(p.upper))]" + (p.transform == .log ? " log" : "")
            if p.isFixed {
                try table.append([.text(p.name), .text(units), .number(p.initial), .number(p.initial), "fixed", "", .text(bounds), ""])
                continue
            }
            var se: MarkdownTable.Cell = "—", interval = "—"
            if let u = s.uncertainty, let k = s.freeIndex(of: i) {
                let e = u.standardErrorsPhysical[k]
                func text(_ range: ConfidenceInterval) -> String {
                    "[\(NumberFormat.significant(range.lower, digits: 6)), \(NumberFormat.significant(range.upper, digits: 6))]"
                }
                if e.isFinite {
                    se = .number(e, digits: 3)
                    interval = text(u.intervalsPhysical[k])
                } else if let conditional = ReportSections.conditionalInterval(u, k) {
                    se = .text(NumberFormat.significant(conditional.se, digits: 3) + " (conditional)")
                    interval = text(conditional.interval) + " (conditional)"
                } else {
                    se = "undetermined"
                    interval = "unbounded"
                }
            }
            let hit = s.boundsHit[i] < 0 ? "lower" : (s.boundsHit[i] > 0 ? "upper" : "no")
            try table.append([.text(p.name), .text(units), .number(s.initialTheta[i]), .number(s.theta[i]), se, .text(interval), .text(bounds), .text(hit)])
        }
        md += [table.text]
        if let problem = s.uncertaintyProblem { md += ["No uncertainty estimate: \(problem).", ""] }

        if let u = s.uncertainty {
            md += ["## Correlation matrix", ""]
            var corr = try MarkdownTable(columns: [""] + u.names, significantDigits: 3)
            for a in u.names.indices {
                try corr.append([.text(u.names[a])] + u.names.indices.map { b in
                    let v = u.correlation[a, b]
                    if !v.isNaN { return .text(String(format: "%.3f", v)) }
                    return ReportSections.conditionalCorrelation(u, a, b).map { .text(String(format: "%.3f (c)", $0)) } ?? "undetermined"
                })
            }
            md += [corr.text]
            if u.names.indices.contains(where: { a in u.names.indices.contains { u.correlation[a, $0].isNaN && ReportSections.conditionalCorrelation(u, a, $0) != nil } }) {
                md += ["(c): conditional on the undetermined combination(s), from the pseudo-inverse of JᵀJ (see Identifiability).", ""]
            }
            md += ["## Identifiability", ""] + (try ReportSections.identifiability(u))
        } else {
            md += ["## Identifiability", ""]
        }
        md += s.notes.isEmpty ? ["Every parameter combination is determined by the data.", ""] : s.notes.map { "- \(ReportSections.sentence($0, names: s.space.names))." } + [""]

        md += try ReportSections.localMinima(s)
        md += try fitQuality(s)
        md += try solverStatistics(s)
        if !plots.isEmpty {
            md += ["## Plots", ""]
            for p in plots { md += ["![\(p.caption)](\(p.file))", "", "*\(p.caption)*", ""] }
        }
        md += ["## Files", "", "- `results.nc`: parameters with standard errors and intervals, observed/predicted/residual values, history",
               "- `history.csv`: one row per outer iteration"]
        md += fields.map { "- `\($0)`: displacement field for ParaView" }
        md += [""] + (try ReportSections.provenance(s))
        return md.joined(separator: "\n") + "\n"
    }

    private static func bound(_ x: Double) -> String {
        x.isFinite ? NumberFormat.significant(x, digits: 6) : (x > 0 ? "∞" : "−∞")
    }

    private static func modelDescription(_ s: RunSummary) -> String {
        s.configuration.model.summary(of: s.loaded.setups)
    }

    private static func fitQuality(_ s: RunSummary) throws -> [String] {
        guard let data = s.data else { return [] }
        var md = ["## Fit quality", ""]
        if let u = s.uncertainty {
            md += ["χ² = \(NumberFormat.significant(u.chiSquared, digits: 6)) with \(u.residualCount) observations and \(u.parameterCount) free "
                   + "parameters: \(u.degreesOfFreedom) degrees of freedom, **χ²/dof = \(NumberFormat.significant(u.reducedChiSquared, digits: 4))**, "
                   + "weighted RMS = \(NumberFormat.significant(u.weightedRMS, digits: 4)) (σ treated as \(u.errorScale.rawValue)).", ""]
        }
        var table = try MarkdownTable(columns: ["experiment", "observable", "quantity", "units", "values", "weighted RMS", "max |weighted residual|"])
        for (e, setup) in s.loaded.setups.enumerated() {
            for (j, layout) in setup.layouts.enumerated() {
                let v = data[e].variables[j]
                let predicted = s.prediction.values[e][j]
                let w = v.values.indices.filter { !v.values[$0].isNaN }.map { (predicted[$0] - v.values[$0]) / v.sigma[$0] }
                let rms = w.isEmpty ? 0 : (w.reduce(0) { $0 + $1 * $1 } / Double(w.count)).squareRoot()
                try table.append([.text(setup.configuration.name), .text(layout.configuration.variable), .text(layout.configuration.quantity.label),
                                  .text(v.units ?? layout.expectedUnits ?? ""), .integer(w.count), .number(rms, digits: 4),
                                  .number(w.map(abs).max() ?? 0, digits: 4)])
            }
        }
        return md + [table.text] + (try scalarObservables(s, data))
    }

    /// One table of the scalar observables (a crystal's properties): observed, predicted, relative deviation.
    private static func scalarObservables(_ s: RunSummary, _ data: [ExperimentData]) throws -> [String] {
        var table = try MarkdownTable(columns: ["observable", "units", "observed", "σ", "predicted", "relative deviation", "(pred. − obs.)/σ"],
                                      alignments: [.left, .left, .right, .right, .right, .right, .right], significantDigits: 6)
        var rows = 0
        for (e, setup) in s.loaded.setups.enumerated() where setup.series == nil {
            for (j, layout) in setup.layouts.enumerated() where layout.count == 1 {
                let v = data[e].variables[j], predicted = s.prediction.values[e][j][0], observed = v.values[0]
                guard !observed.isNaN else { continue }
                try table.append([.text(s.prefix(e) + layout.configuration.variable), .text(v.units ?? layout.expectedUnits ?? ""),
                                  .number(observed), .number(v.sigma[0], digits: 3), .number(predicted),
                                  .text(observed == 0 ? "—" : String(format: "%+.3g%%", 100 * (predicted - observed) / abs(observed))),
                                  .number((predicted - observed) / v.sigma[0], digits: 3)])
                rows += 1
            }
        }
        return rows == 0 ? [] : ["### Scalar observables", "", table.text]
    }

    private static func solverStatistics(_ s: RunSummary) throws -> [String] {
        guard let o = s.optimization else { return [] }
        var table = try MarkdownTable(columns: ["statistic", "value"], alignments: [.left, .right])
        try table.append(["outer iterations", .integer(o.iterations)])
        try table.append(["model evaluations (failed)", .text("\(o.objectiveEvaluations) (\(o.failedEvaluations))")])
        try table.append(["inner Newton iterations", .integer(s.newtonIterations)])
        try table.append(["equilibria per evaluation", .integer(s.loaded.setups.reduce(0) { $0 + $1.stepCount })])
        try table.append(["BLAS threads", .integer(BLASThreads.current)])
        if let (d, names) = s.distribution {
            try table.append(["MPI ranks × jobs per rank", .text("\(d.ranks) × \(d.jobs)")])
            for (r, list) in d.experimentsByRank.enumerated() where d.ranks > 1 {
                try table.append([.text("experiments of rank \(r)"), .text(list.isEmpty ? "none" : list.map { names[$0] }.joined(separator: ", "))])
            }
        }
        try table.append(["wall-clock time", .text(String(format: "%.2f s", s.seconds))])
        return ["## Solver statistics", "", table.text,
                "The wall-clock time is the only figure in these outputs that differs between runs with the same inputs.", ""]
    }
}
