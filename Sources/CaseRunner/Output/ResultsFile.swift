import Bilevel
import NetCDF

/// Writes `results.nc` (or `predictions.nc`): parameters with standard errors and intervals; the
/// observed, predicted and residual values of every observable on the dimensions of the input;
/// and the calibration history — classic netCDF with CF-1.8 attributes, so ncdump, xarray and
/// every other netCDF tool read it. `parameter` is a string coordinate (a char array with
/// `_Encoding = "utf-8"`, which xarray decodes to strings), so `ds.sel(parameter="E")` works; every
/// numeric variable has `units` and `long_name` (per-parameter units in `parameter_units` and on
/// the scalar `parameter_value_<name>` variables). The provenance (version, commit, command line, SHA-256
/// of every input) is in global attributes. Nothing time-dependent is written: the same inputs
/// and command line give the same bytes.
enum ResultsFile {
    /// netCDF's default double fill value, used as `_FillValue` for missing entries.
    static let fill = 9.969209968386869e36

    static func write(_ s: RunSummary, to path: String, version: String) throws {
        let out = try NetCDFWriter(path: path, format: .classic)
        let space = s.space
        func clean(_ x: Double) -> Double { x.isFinite ? x : fill }
        try out.setAttribute("Conventions", .text("CF-1.8"))
        try out.setAttribute("title", .text(s.configuration.title))
        if let d = s.configuration.description { try out.setAttribute("comment", .text(d)) }
        let provenance = Provenance.collect(s.loaded)
        // A user's tool built on the framework names itself first (`calibrate-beads (calibrate 1.0, commit …)`).
        let tool = CalibrateTool.toolName
        try out.setAttribute("source", .text(tool == "calibrate" ? "calibrate \(version) (commit \(provenance.commit))"
                                                                 : "\(tool) (calibrate \(version), commit \(provenance.commit))"))
        try out.setAttribute("history", .text(provenance.commandLine))
        try out.setAttribute("calibrate_version", .text(provenance.version))
        try out.setAttribute("calibrate_commit", .text(provenance.commit))
        try out.setAttribute("command_line", .text(provenance.commandLine))
        // In the format of sha256sum, so that `sha256sum -c` can check the inputs.
        try out.setAttribute("input_files_sha256", .text(provenance.inputs.map { "\($0.sha256)  \($0.path)" }.joined(separator: "\n")))
        try out.setAttribute("case", .text(s.loaded.location.directory))
        if let (d, names) = s.distribution {
            // Provenance: how the run was spread (the numbers do not depend on it).
            try out.setAttribute("mpi_ranks", .int32s([Int32(d.ranks)]))
            try out.setAttribute("jobs_per_rank", .int32s([Int32(d.jobs)]))
            if d.ranks > 1 {
                try out.setAttribute("experiments_by_rank", .text(d.experimentsByRank.enumerated().map { r, list in
                    "rank \(r): " + list.map { names[$0] }.joined(separator: " ")
                }.joined(separator: "; ")))
            }
        }
        let conversions = (s.data ?? []).flatMap { e in e.variables.compactMap { v in v.conversion.map { "\(v.name): \($0)" } } }
        if !conversions.isEmpty { try out.setAttribute("unit_conversions", .text(conversions.joined(separator: "; "))) }
        try out.setAttribute("parameter_names", .text(space.names.joined(separator: " ")))
        if let o = s.optimization {
            try out.setAttribute("optimizer", .text(o.method))
            try out.setAttribute("status", .text(o.status.description))
            try out.setAttribute("converged", .int32s([o.status.isConverged ? 1 : 0]))
            try out.setAttribute("objective", .doubles([o.objective]))
            try out.setAttribute("outer_iterations", .int32s([Int32(o.iterations)]))
            try out.setAttribute("evaluations", .int32s([Int32(o.objectiveEvaluations)]))
            try out.setAttribute("newton_iterations", .int32s([Int32(s.newtonIterations)]))
            if let d = o.optimality.decrement { try out.setAttribute("optimality_standard_errors", .doubles([d])) }
        }
        if let u = s.uncertainty {
            try out.setAttribute("chi_squared", .doubles([u.chiSquared]))
            try out.setAttribute("degrees_of_freedom", .int32s([Int32(u.degreesOfFreedom)]))
            try out.setAttribute("reduced_chi_squared", .doubles([u.reducedChiSquared]))
            if let p = u.chiSquaredPValue { try out.setAttribute("chi_squared_p_value", .doubles([p])) }
            try out.setAttribute("weighted_rms", .doubles([u.weightedRMS]))
            try out.setAttribute("error_scale", .text(u.errorScale.rawValue))
            try out.setAttribute("confidence_level", .doubles([u.confidenceLevel]))
        }

        // Parameters.
        let n = space.count
        let parameterUnits = s.configuration.parameters.map { $0.units ?? "1" }
        // One `units` for a variable along `parameter` only when every parameter shares it (CF allows one per variable).
        let sharedUnits: String? = Set(parameterUnits).count == 1 ? parameterUnits.first : nil
        try out.addDimension("parameter", length: n)
        try out.addDimension("parameter_b", length: n)
        try out.addDimension("name_length", length: max(1, (space.names + parameterUnits).map(\.utf8.count).max() ?? 1))
        try out.addVariable("parameter", type: .char, dimensions: ["parameter", "name_length"], longName: "parameter name")
        try out.setAttribute("_Encoding", .text("utf-8"), on: "parameter")
        try out.write(strings: space.names, to: "parameter")
        try out.addVariable("parameter_units", type: .char, dimensions: ["parameter", "name_length"], longName: "units of the parameter's values")
        try out.setAttribute("_Encoding", .text("utf-8"), on: "parameter_units")
        try out.write(strings: parameterUnits, to: "parameter_units")
        // The second axis of the correlation matrix, labelled too.
        try out.addVariable("parameter_b", type: .char, dimensions: ["parameter_b", "name_length"], longName: "parameter name")
        try out.setAttribute("_Encoding", .text("utf-8"), on: "parameter_b")
        try out.write(strings: space.names, to: "parameter_b")
        let vectors: [(String, String, [Double])] = [
            ("parameter_initial", "initial value", s.initialTheta),
            ("parameter_value", s.command == "run" ? "fitted value" : "value used", s.theta),
            ("parameter_standard_error", "standard error", perParameter(s) { u, k in u.standardErrorsPhysical[k] }),
            ("parameter_standard_error_conditional", "standard error conditional on the undetermined parameter combinations "
                + "(pseudo-inverse; equal to the standard error where every combination is determined)",
             perParameter(s) { u, k in conditional(u, k).se }),
            ("parameter_ci_lower", "lower end of the confidence interval", perParameter(s) { u, k in u.intervalsPhysical[k].lower }),
            ("parameter_ci_upper", "upper end of the confidence interval", perParameter(s) { u, k in u.intervalsPhysical[k].upper }),
            ("parameter_lower_bound", "lower bound (missing: unbounded)", space.parameters.map(\.lower)),
            ("parameter_upper_bound", "upper bound (missing: unbounded)", space.parameters.map(\.upper)),
        ]
        // A run that did not converge has no minimum for its intervals to describe: say so on every one.
        let invalid = s.optimization.map { $0.status.isConverged ? nil : "not valid: the run did not converge (\($0.status))" } ?? nil
        for (name, long, values) in vectors {
            try out.addVariable(name, type: .double, dimensions: ["parameter"], units: sharedUnits, longName: long, fillValue: fill)
            let comments = [sharedUnits == nil ? "units per parameter in parameter_units" : nil,
                            name.contains("standard_error") || name.contains("_ci_") ? invalid : nil].compactMap { $0 }
            if !comments.isEmpty { try out.setAttribute("comment", .text(comments.joined(separator: "; ")), on: name) }
            try out.write(values.map(clean), to: name)
        }
        // Each parameter's value also as a scalar carrying its own units: ds["parameter_value_E"].attrs["units"].
        for (i, name) in space.names.enumerated() {
            let variable = "parameter_value_" + name
            try out.addVariable(variable, type: .double, units: parameterUnits[i],
                                longName: s.configuration.parameters[i].description ?? "parameter \(name)", fillValue: fill)
            if let u = s.uncertainty, let k = s.freeIndex(of: i) {
                try out.setAttribute("standard_error", .doubles([clean(u.standardErrorsPhysical[k])]), on: variable)
                try out.setAttribute("ci_lower", .doubles([clean(u.intervalsPhysical[k].lower)]), on: variable)
                try out.setAttribute("ci_upper", .doubles([clean(u.intervalsPhysical[k].upper)]), on: variable)
            }
            try out.write([clean(s.theta[i])], to: variable)
        }
        try out.addVariable("parameter_fixed", type: .int, dimensions: ["parameter"], units: "1", longName: "1 when the parameter was held fixed")
        try out.write(space.parameters.map { $0.isFixed ? Int32(1) : 0 }, to: "parameter_fixed")
        try out.addVariable("parameter_log_transformed", type: .int, dimensions: ["parameter"], units: "1",
                            longName: "1 when the optimizer saw log(parameter)")
        try out.write(space.parameters.map { $0.transform == .log ? Int32(1) : 0 }, to: "parameter_log_transformed")
        try out.addVariable("parameter_at_bound", type: .int, dimensions: ["parameter"], units: "1",
                            longName: "-1 at the lower bound, 1 at the upper bound, 0 inside")
        try out.write(s.boundsHit.map(Int32.init), to: "parameter_at_bound")
        var correlation = [Double](repeating: fill, count: n * n)
        if let u = s.uncertainty {
            for a in 0 ..< n { for b in 0 ..< n {
                if let i = s.freeIndex(of: a), let j = s.freeIndex(of: b) { correlation[a * n + b] = clean(u.correlation[i, j]) }
            } }
        }
        try out.addVariable("parameter_correlation", type: .double, dimensions: ["parameter", "parameter_b"], units: "1",
                            longName: "correlation of the estimates", fillValue: fill)
        try out.write(correlation, to: "parameter_correlation")

        try writeObservables(s, out)
        try writeHistory(s, out)
        try out.commit()
    }

    /// Standard error and interval of free parameter k: the usual ones, or those conditional on the null space.
    private static func conditional(_ u: UncertaintyReport, _ k: Int) -> (se: Double, interval: ConfidenceInterval) {
        if u.standardErrorsPhysical[k].isFinite { return (u.standardErrorsPhysical[k], u.intervalsPhysical[k]) }
        return ReportSections.conditionalInterval(u, k) ?? (.nan, ConfidenceInterval(lower: .nan, upper: .nan))
    }

    private static func perParameter(_ s: RunSummary, _ value: (UncertaintyReport, Int) -> Double) -> [Double] {
        s.space.parameters.indices.map { i in
            guard let u = s.uncertainty, let k = s.freeIndex(of: i) else { return .nan }
            return value(u, k)
        }
    }

    private static func writeObservables(_ s: RunSummary, _ out: NetCDFWriter) throws {
        var defined: [String: Int] = [:]
        for (e, setup) in s.loaded.setups.enumerated() {
            let prefix = s.prefix(e)
            for (j, layout) in setup.layouts.enumerated() {
                let o = layout.configuration
                let observed = s.data?[e].variables[j]
                let dims = layout.dimensions.map { prefix + $0 }
                for (k, dim) in dims.enumerated() where defined[dim] == nil {
                    try out.addDimension(dim, length: layout.shape[k])
                    defined[dim] = layout.shape[k]
                    // A coordinate variable: from the input file, else the sweep values or atom indices.
                    let source = layout.dimensions[k]
                    if let atoms = layout.atoms, k == layout.dimensions.count - 2 {
                        try out.addVariable(dim, type: .int, dimensions: [dim], units: "1", longName: "atom index in the lattice as built")
                        try out.write(atoms.map(Int32.init), to: dim)
                    } else if let c = observed?.coordinates[source] {
                        try out.addVariable(dim, type: .double, dimensions: [dim], units: c.units ?? "1", longName: source)
                        try out.write(c.values.map { $0.isFinite ? $0 : fill }, to: dim)
                    } else if k == 0, let sweep = setup.configuration.sweep, source == sweep.dimension {
                        try out.addVariable(dim, type: .double, dimensions: [dim], units: sweep.units ?? "1", longName: source)
                        try out.write(sweep.values, to: dim)
                    }
                }
                let units = observed?.units ?? layout.expectedUnits
                let name = prefix + o.variable
                let long = o.quantity.label
                let predicted = s.prediction.values[e][j]
                try out.addVariable(name + "_predicted", type: .double, dimensions: dims, units: units, longName: "predicted " + long, fillValue: fill)
                try out.write(predicted.map { $0.isFinite ? $0 : fill }, to: name + "_predicted")
                if let every = try s.everyStep(experiment: e, observable: j) {
                    // The model between the observations too: at every time step of the simulation.
                    let stepDimension = prefix + "time_step"
                    if defined[stepDimension] == nil {
                        try out.addDimension(stepDimension, length: every.times.count)
                        defined[stepDimension] = every.times.count
                        try out.addVariable(stepDimension, type: .double, dimensions: [stepDimension], units: "s", longName: "time of each model step")
                        try out.write(every.times, to: stepDimension)
                    }
                    try out.addVariable(name + "_predicted_every_step", type: .double, dimensions: [stepDimension], units: units,
                                        longName: "predicted \(long) at every time step", fillValue: fill)
                    try out.write(every.values.map { $0.isFinite ? $0 : fill }, to: name + "_predicted_every_step")
                }
                guard let observed else { continue }
                let residual = zip(predicted, observed.values).map { $1.isNaN ? fill : $0 - $1 }
                let weighted = predicted.indices.map { i in observed.values[i].isNaN ? fill : (predicted[i] - observed.values[i]) / observed.sigma[i] }
                let columns: [(String, String?, String, [Double])] = [
                    ("_observed", units, "observed " + long, observed.values.map { $0.isNaN ? fill : $0 }),
                    ("_sigma", units, "standard deviation of the observations", observed.sigma.map { $0.isNaN ? fill : $0 }),
                    ("_residual", units, "predicted minus observed", residual),
                    ("_weighted_residual", "1", "(predicted - observed) / sigma", weighted),
                ]
                for (suffix, u, l, values) in columns {
                    try out.addVariable(name + suffix, type: .double, dimensions: dims, units: u, longName: l, fillValue: fill)
                    try out.write(values, to: name + suffix)
                }
                try out.setAttribute("source_file", .text(s.data![e].file), on: name + "_observed")
                try out.setAttribute("source_variable", .text(o.variable), on: name + "_observed")
                if let conversion = observed.conversion {
                    try out.setAttribute("unit_conversion", .text("converted on reading: \(conversion)"), on: name + "_observed")
                }
            }
        }
    }

    private static func writeHistory(_ s: RunSummary, _ out: NetCDFWriter) throws {
        guard !s.history.isEmpty else { return }
        let rows = s.history
        try out.addDimension("iteration", length: rows.count)
        try out.addVariable("iteration", type: .int, dimensions: ["iteration"], units: "1", longName: "outer iteration (0: the starting point)")
        try out.write(rows.map { Int32($0.record.iteration) }, to: "iteration")
        let doubles: [(String, String, [Double])] = [
            ("history_objective", "objective (half the weighted sum of squares)", rows.map(\.record.objective)),
            ("history_gradient_norm", "projected gradient norm (infinity norm)", rows.map(\.record.projectedGradientNorm)),
            ("history_step_norm", "length of the step taken (0 when rejected)", rows.map(\.record.stepNorm)),
            ("history_damping", "Levenberg-Marquardt damping", rows.map { $0.record.damping ?? .nan }),
        ]
        for (name, long, values) in doubles {
            try out.addVariable(name, type: .double, dimensions: ["iteration"], units: "1", longName: long, fillValue: fill)
            try out.write(values.map { $0.isFinite ? $0 : fill }, to: name)
        }
        let ints: [(String, String, [Int])] = [
            ("history_accepted", "1 when the trial point was accepted", rows.map { $0.record.accepted ? 1 : 0 }),
            ("history_evaluations", "model evaluations in this iteration", rows.map(\.record.evaluations)),
            ("history_newton_iterations", "inner Newton iterations in this iteration", rows.map(\.record.innerIterations)),
        ]
        for (name, long, values) in ints {
            try out.addVariable(name, type: .int, dimensions: ["iteration"], units: "1", longName: long)
            try out.write(values.map(Int32.init), to: name)
        }
        let parameterUnits = s.configuration.parameters.map { $0.units ?? "1" }
        let sharedUnits: String? = Set(parameterUnits).count == 1 ? parameterUnits.first : nil
        try out.addVariable("history_parameter", type: .double, dimensions: ["iteration", "parameter"], units: sharedUnits,
                            longName: "parameter values at the current point", fillValue: fill)
        if sharedUnits == nil { try out.setAttribute("comment", .text("units per parameter in parameter_units"), on: "history_parameter") }
        try out.write(rows.flatMap(\.theta), to: "history_parameter")
    }
}
