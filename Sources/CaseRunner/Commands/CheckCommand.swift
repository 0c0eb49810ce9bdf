/// `calibrate check CASE`: validates the configuration and the data against each other, as `run`
/// would, with one forward solve at the initial parameters unless `solve` is false (`--no-solve`),
/// and lists every problem found (errors, warnings and notes), not only the first.
enum CheckCommand {
    /// `refine`: also compare with the discretization refined once (`RefinementCheck`) at the initial
    /// parameters overridden by `values`; exit status 1 when an observable changes by σ/3 or more.
    static func execute(_ caseArgument: String, solve: Bool = true, refine: Bool = false, values: [(String, Double)] = [],
                        console: Console) throws -> Int32 {
        guard refine || values.isEmpty else {
            throw UsageError("--set gives the parameters of the refinement check; add --refine", command: "check")
        }
        let location = try CaseLocation.locate(caseArgument)
        let diagnostics = DiagnosticList(file: location.configuration)
        var summary: String?
        var refinementPassed = true
        if let loaded = LoadedCase.load(location, diagnostics: diagnostics),
           let data = loaded.readData(diagnostics: diagnostics) {
            let observations = data.reduce(0) { $0 + $1.variables.reduce(0) { $0 + $1.values.count - $1.missingCount } }
            let missing = data.reduce(0) { $0 + $1.variables.reduce(0) { $0 + $1.missingCount } }
            let equilibria = loaded.setups.reduce(0) { $0 + $1.stepCount }
            summary = "'\(location.directory)' is valid: \(loaded.setups.count) experiment(s), \(equilibria) equilibri\(equilibria == 1 ? "um" : "a") "
                + "per evaluation, \(loaded.space.freeCount) free and \(loaded.space.count - loaded.space.freeCount) fixed parameter(s), "
                + "\(observations) observations" + (missing > 0 ? " (\(missing) missing values left out)" : "")
            if observations <= loaded.space.freeCount {
                diagnostics.warning("there are \(observations) observations for \(loaded.space.freeCount) free parameters; "
                                    + "no uncertainty estimate can be made (add data or fix parameters)")
            }
            if let solved = RunReadiness.check(loaded, data: data, solve: solve, diagnostics: diagnostics) { summary! += "; " + solved }
            if refine, !diagnostics.hasErrors {
                let theta = try loaded.parameters(with: values, option: "--set")
                if let rows = try RefinementCheck.compare(loaded, data: data, theta: theta, console: console) {
                    refinementPassed = RefinementCheck.report(rows, console: console)
                }
            }
        }
        for d in diagnostics.items { console.print(d.description) }
        let errors = diagnostics.errors.count
        if errors > 0 {
            console.print("\(errors) problem\(errors == 1 ? "" : "s") found in '\(location.directory)'.")
            return ExitStatus.badInput
        }
        console.print(summary ?? "'\(location.directory)' is valid.")
        return refinementPassed ? ExitStatus.success : ExitStatus.notConverged
    }
}
