import Bilevel
import Foundation
import Physics

/// Turns the text of `case.json` into a `CaseConfiguration`, collecting every problem it finds
/// (syntax, unknown or misspelt fields, wrong types, values out of range, names that do not
/// refer to anything) with its line and column.
public enum ConfigurationDecoder {
    /// Decodes `text`; `file` is how messages name the file. Returns nil when there were errors
    /// (all of them in `diagnostics`); warnings may be added either way.
    /// `registry` gives the model kinds (by default the running tool's, `ModelRegistry.current`).
    public static func decode(_ text: String, file: String, registry: ModelRegistry = .current,
                              diagnostics: DiagnosticList) -> CaseConfiguration? {
        diagnostics.file = file
        let root: JSONNode
        do {
            root = try JSONParser.parse(text)
        } catch {
            diagnostics.error("invalid JSON: \(error.message)", at: error.position)
            return nil
        }
        let topKnown = ["schema_version", "title", "description", "data", "model", "parameters", "experiments",
                        "optimizer", "uncertainty", "output"]
        guard let top = ObjectReader(root, context: "the configuration", known: topKnown, diagnostics: diagnostics) else {
            return nil
        }
        let errorsBefore = diagnostics.errors.count
        if let version = top.integer("schema_version", required: true,
                                     hint: "add \"schema_version\": \(CaseConfiguration.schemaVersion) as the first field") {
            guard version == CaseConfiguration.schemaVersion else {
                let advice = version > CaseConfiguration.schemaVersion
                    ? "this file was written for a newer calibrate; upgrade calibrate"
                    : "see docs/configuration.md for the changes since version \(version)"
                diagnostics.error("schema_version is \(version), but this calibrate reads version \(CaseConfiguration.schemaVersion); \(advice)",
                                  at: top.position(of: "schema_version"))
                return nil
            }
        }
        let title = top.string("title") ?? "untitled case"
        let description = top.string("description")
        let defaultData = top.string("data")
        let model = top.member("model", required: true, hint: "describe the physical model (see docs/configuration.md)")
            .flatMap { decodeModel($0.value, registry: registry, diagnostics: diagnostics) }
        var parameterNames = Set<String>()  // every name given, valid or not (to avoid follow-on errors)
        let parameters = top.array("parameters", required: true, hint: "list the model parameters")
            .map { decodeParameters($0, names: &parameterNames, diagnostics: diagnostics) } ?? []
        var experiments: [ExperimentConfiguration] = []
        if let list = top.array("experiments", required: true, hint: "list at least one experiment") {
            if list.isEmpty { diagnostics.error("'experiments' is empty; list at least one experiment", at: top.position(of: "experiments")) }
            var names: [String: TextPosition] = [:]
            for (k, node) in list.enumerated() {
                guard let e = decodeExperiment(node, index: k, defaultData: defaultData, model: model, diagnostics: diagnostics) else { continue }
                if let first = names[e.name] {
                    diagnostics.error("experiment '\(e.name)' is defined twice (first at line \(first.line)); give each experiment its own name", at: e.position)
                }
                names[e.name] = e.position
                experiments.append(e)
            }
        }
        let optimizer = top.object("optimizer", context: "optimizer", known: optimizerFields).map(decodeOptimizer) ?? OptimizerConfiguration()
        let uncertainty = top.object("uncertainty", context: "uncertainty", known: uncertaintyFields).map(decodeUncertainty) ?? UncertaintyOptions()
        var output = OutputConfiguration()
        if let o = top.object("output", context: "output", known: ["plots", "fields"]) {
            output.plots = o.bool("plots") ?? true
            output.fields = o.bool("fields") ?? true
            o.finish()
        }
        top.finish()
        if let model {
            crossCheck(model: model, parameters: parameters, named: parameterNames, experiments: experiments, diagnostics: diagnostics)
        }
        guard diagnostics.errors.count == errorsBefore, let model else { return nil }
        return CaseConfiguration(title: title, description: description, model: model, parameters: parameters,
                                 experiments: experiments, optimizer: optimizer, uncertainty: uncertainty, output: output)
    }

    // MARK: Parameters

    static let parameterFields = ["name", "initial", "lower", "upper", "transform", "fixed", "prior", "units", "description"]

    static func decodeParameters(_ list: [JSONNode], names: inout Set<String>, diagnostics: DiagnosticList) -> [ParameterConfiguration] {
        var out: [ParameterConfiguration] = []
        var seen: [String: TextPosition] = [:]
        for (k, node) in list.enumerated() {
            guard let r = ObjectReader(node, context: "parameter \(k + 1)", known: parameterFields, diagnostics: diagnostics) else { continue }
            guard let name = r.string("name", required: true, hint: "give the parameter's name") else { r.finish(); continue }
            let reader = ObjectReader(node, context: "parameter '\(name)'", known: parameterFields, diagnostics: diagnostics)!
            _ = reader.string("name")
            if let first = seen[name] {
                diagnostics.error("parameter '\(name)' is defined twice (first at line \(first.line)); a parameter shared by several "
                                  + "experiments is defined once and referred to by name", at: node.position)
            }
            seen[name] = node.position
            names.insert(name)
            let fixed = reader.bool("fixed") ?? false
            let initial = reader.number("initial", required: true, hint: fixed ? "give the value it is fixed at" : "give its starting value")
            let lower = reader.numberOrNull("lower") ?? nil
            let upper = reader.numberOrNull("upper") ?? nil
            var transform = ParameterTransform.identity
            if let t = reader.choice("transform", ParameterTransform.allCases.map(\.rawValue)) { transform = ParameterTransform(rawValue: t)! }
            var prior: GaussianPrior?
            if let p = reader.object("prior", context: "the prior of parameter '\(name)'", known: ["mean", "standard_deviation"]) {
                if let mean = p.number("mean", required: true), let sd = p.number("standard_deviation", required: true) {
                    prior = GaussianPrior(mean: mean, standardDeviation: sd)
                }
                p.finish()
            }
            let units = reader.string("units")
            let description = reader.string("description")
            reader.finish()
            guard let initial else { continue }
            let parameter = Parameter(name: name, initial: initial, lower: lower ?? -.infinity, upper: upper ?? .infinity,
                                      transform: transform, isFixed: fixed, prior: prior)
            if let problem = parameter.validationError() {
                diagnostics.error(problem.description, at: node.position)
                continue
            }
            out.append(ParameterConfiguration(parameter: parameter, units: units, description: description, position: node.position))
        }
        return out
    }

    // MARK: Optimizer, uncertainty

    static let optimizerFields = ["method", "maximum_iterations", "maximum_evaluations", "relative_objective_tolerance",
                                  "projected_gradient_tolerance", "step_tolerance", "initial_damping", "starts", "continuation", "jobs"]

    static func decodeOptimizer(_ r: ObjectReader) -> OptimizerConfiguration {
        var c = OptimizerConfiguration()
        if let m = r.string("method") {
            if let method = OptimizerConfiguration.method(named: m) {
                c.method = method
            } else {
                r.diagnostics.error("'method' in optimizer is '\(m)', which is not known"
                                    + Suggestion.hint(for: m, among: OptimizerConfiguration.Method.allCases.map(\.rawValue)),
                                    at: r.position(of: "method"))
            }
        }
        if let n = r.integer("maximum_iterations") { c.levenbergMarquardt.maximumIterations = n; c.lbfgs.maximumIterations = n }
        if let n = r.integer("maximum_evaluations") { c.lbfgs.maximumEvaluations = n }
        if let x = r.number("relative_objective_tolerance") {
            c.levenbergMarquardt.relativeObjectiveTolerance = x
            c.lbfgs.relativeObjectiveTolerance = x
        }
        if let x = r.number("projected_gradient_tolerance") {
            c.levenbergMarquardt.projectedGradientTolerance = x
            c.lbfgs.projectedGradientTolerance = x
        }
        if let x = r.number("step_tolerance") { c.levenbergMarquardt.stepTolerance = x }
        if let x = r.number("initial_damping") { c.levenbergMarquardt.initialDamping = x }
        if let n = r.integer("starts") {
            if (1 ... 1000).contains(n) { c.starts = n } else {
                r.diagnostics.error("'starts' in optimizer is \(n); give a whole number from 1 (the initial values only) to 1000",
                                    at: r.position(of: "starts"))
            }
        }
        if let b = r.bool("continuation") { c.continuation = b }
        if let n = r.integer("jobs") {
            if (1 ... 1024).contains(n) { c.jobs = n } else {
                r.diagnostics.error("'jobs' in optimizer is \(n); give the number of workers evaluating experiments at once, "
                                    + "a whole number from 1 to 1024 (at most the machine's cores is useful)", at: r.position(of: "jobs"))
            }
        }
        r.finish()
        do {
            try c.levenbergMarquardt.validate()
            try c.lbfgs.validate()
        } catch {
            r.diagnostics.error("optimizer: " + CaseTerms.translate(error.description), at: r.position)
        }
        return c
    }

    static let uncertaintyFields = ["error_scale", "confidence_level", "include_prior", "identifiability_threshold"]

    static func decodeUncertainty(_ r: ObjectReader) -> UncertaintyOptions {
        var o = UncertaintyOptions()
        if let s = r.choice("error_scale", ["absolute", "relative"]) { o.errorScale = ErrorScale(rawValue: s)! }
        if let x = r.number("confidence_level") { o.confidenceLevel = x }
        if let b = r.bool("include_prior") { o.includePrior = b }
        if let x = r.number("identifiability_threshold") { o.identifiabilityThreshold = x }
        r.finish()
        do { try o.validate() } catch { r.diagnostics.error("uncertainty: \(error.description)", at: r.position) }
        return o
    }

    // MARK: Cross-references

    /// Checks what needs both the model and the rest: every model parameter gets a value in every
    /// experiment, and every defined parameter is used (kinds whose parameters are known only once
    /// built check this when building).
    static func crossCheck(model: any CaseModel, parameters: [ParameterConfiguration], named defined: Set<String>,
                           experiments: [ExperimentConfiguration], diagnostics: DiagnosticList) {
        var used = Set<String>()
        for e in experiments {
            guard let modelNames = model.parameterNames(experiment: e) else { return }
            let constants = Set(e.constants.map(\.name))
            var swept: String?
            if case let .parameter(p)? = e.sweep?.target { swept = p }
            for c in e.constants where !modelNames.contains(c.name) {
                diagnostics.error("experiment '\(e.name)' sets '\(c.name)' in 'constants', which is not a parameter of the model"
                                  + Suggestion.hint(for: c.name, among: modelNames), at: c.position)
            }
            if let swept, !modelNames.contains(swept), let sweep = e.sweep {
                diagnostics.error("the sweep of experiment '\(e.name)' sets '\(swept)', which is not a parameter of the model"
                                  + Suggestion.hint(for: swept, among: modelNames + ["load_factor"]), at: sweep.position)
            }
            for name in modelNames where !constants.contains(name) && name != swept {
                if defined.contains(name) {
                    used.insert(name)
                } else {
                    diagnostics.error("model parameter '\(name)' has no value in experiment '\(e.name)': add a parameter named '\(name)' "
                                      + "to 'parameters' (\"fixed\": true if it is not calibrated), or set it in the experiment's 'constants'",
                                      at: e.position)
                }
            }
        }
        for p in parameters where !used.contains(p.parameter.name) && !experiments.isEmpty {
            diagnostics.warning("parameter '\(p.parameter.name)' is not used by any experiment; it will not be calibrated", at: p.position)
        }
    }
}
