import Foundation

/// `calibrate check CASE --refine`: the discretization error against the data's σ. Solves the case at
/// the initial (or `--set`) parameters with its own discretization and with one refined once
/// (`Refinement`), and reports, per observable, the largest |change|/σ over its values, which passes
/// below 1/3.
///
/// Guarantees: nothing is written; an observable fails when any of its values changes by σ/3 or more
/// (or turns non-finite); a model without discretization is reported as such, not as a pass.
enum RefinementCheck {
    /// The threshold on |change|/σ.
    static let limit = 1.0 / 3.0

    /// One observable's largest change under refinement.
    struct Row {
        let experiment: String
        let variable: String
        /// max over values of |refined − coarse|/σ (infinite where a prediction is not finite).
        let largestChange: Double
        /// Index of that value in the variable (row-major, as in the data file).
        let index: Int
        var passes: Bool { largestChange < RefinementCheck.limit }
    }

    /// Compares the predictions of `loaded` and its refinement at `theta`; nil when the model has no
    /// discretization (the reason printed). Throws a `CaseError` when either solve fails.
    static func compare(_ loaded: LoadedCase, data: [ExperimentData], theta: [Double], console: Console) throws -> [Row]? {
        let refinement = Refinement.of(loaded.configuration)
        guard refinement.configuration != nil else {
            console.print("refinement: \(refinement.description)")
            return nil
        }
        console.print("refinement: \(refinement.description)")
        let diagnostics = DiagnosticList(file: loaded.location.configuration)
        guard let refined = LoadedCase.load(loaded.location, diagnostics: diagnostics, transform: { Refinement.of($0).configuration! }) else {
            throw CaseError(diagnostics.items.filter { $0.severity == .error })
        }
        let coarse = try Prediction.compute(loaded, theta: theta)
        let fine = try Prediction.compute(refined, theta: theta)
        var rows: [Row] = []
        for (e, setup) in loaded.setups.enumerated() {
            for (j, variable) in data[e].variables.enumerated() {
                var largest = 0.0, index = 0
                for i in variable.values.indices where !variable.values[i].isNaN {
                    let change = abs(fine.values[e][j][i] - coarse.values[e][j][i]) / variable.sigma[i]
                    if !change.isFinite || change > largest { (largest, index) = (change.isFinite ? change : .infinity, i) }
                    if !change.isFinite { break }
                }
                rows.append(Row(experiment: setup.configuration.name, variable: variable.name, largestChange: largest, index: index))
            }
        }
        return rows
    }

    /// Prints the table; returns whether every observable passed.
    static func report(_ rows: [Row], console: Console) -> Bool {
        console.print("largest |change|/σ under refinement, per observable (pass below 1/3):")
        for r in rows {
            let value = r.largestChange.isFinite ? String(format: "%.3g", r.largestChange) : "not finite"
            console.print("  \(r.experiment) / \(r.variable): \(value) (value \(r.index))  \(r.passes ? "pass" : "FAIL")")
        }
        let failed = rows.filter { !$0.passes }
        if failed.isEmpty {
            console.print("the discretization error is below σ/3 for every observable")
        } else {
            console.print("\(failed.count) observable(s) change by σ/3 or more under refinement: the discretization error biases "
                          + "the fit; refine the mesh ('rows', 'columns') or the time steps ('time_stepping') and regenerate the data")
        }
        return failed.isEmpty
    }
}
