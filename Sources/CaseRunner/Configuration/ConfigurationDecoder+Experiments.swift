import Physics

extension ConfigurationDecoder {
    /// Fields every experiment has; a model kind adds its own (`CaseModel.experimentFields`).
    static let experimentFields = ["name", "data", "constants", "sweep", "observables"]
    static let axisNames = ["x", "y", "z"]

    /// One experiment: the common fields here, the kind's own through `model` (nil when the model section
    /// could not be read: then only the common fields are checked).
    static func decodeExperiment(_ node: JSONNode, index: Int, defaultData: String?, model: (any CaseModel)?,
                                 diagnostics d: DiagnosticList) -> ExperimentConfiguration? {
        let known = experimentFields + (model?.experimentFields ?? [])
        guard let first = ObjectReader(node, context: "experiment \(index + 1)", known: known, diagnostics: d) else { return nil }
        let name = first.string("name") ?? (index == 0 ? "experiment" : "experiment\(index + 1)")
        guard let r = ObjectReader(node, context: "experiment '\(name)'", known: known, diagnostics: d) else { return nil }
        _ = r.string("name")
        if name.isEmpty || name.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            d.error("experiment name '\(name)' may only contain letters, digits, '_' and '-' (it is used in variable and file names)",
                    at: r.position(of: "name"))
        }
        let data = r.string("data") ?? defaultData
        if data == nil {
            d.error("experiment '\(name)' has no 'data'; give the netCDF file holding its observations (or a top-level 'data')", at: node.position)
        }
        var constants: [(String, Double, TextPosition)] = []
        if let c = r.object("constants", context: "the constants of experiment '\(name)'", known: []) {
            if case let .object(members) = c.node.value {
                for m in members {
                    guard case let .number(x, _) = m.value.value else {
                        d.error("constant '\(m.key)' of experiment '\(name)' must be a number, found \(m.value.kindDescription)", at: m.value.position)
                        continue
                    }
                    constants.append((m.key, x, m.keyPosition))
                }
            }
        }
        let sweep = r.object("sweep", context: "the sweep of experiment '\(name)'", known: ["dimension", "sets", "values", "units"])
            .flatMap(decodeSweep)
        var experiment = ExperimentConfiguration(name: name, data: data ?? "", dataPosition: r.position(of: "data"), settings: nil,
                                                 constants: constants, sweep: sweep, observables: [], position: node.position)
        model?.decodeExperiment(r, into: &experiment)
        var observables: [ObservableConfiguration] = []
        if let list = r.array("observables", required: true, hint: "list what was measured and where the data are") {
            if list.isEmpty { d.error("experiment '\(name)' has no observables; list at least one", at: r.position(of: "observables")) }
            for (k, o) in list.enumerated() {
                if let obs = decodeObservable(o, context: "observable \(k + 1) of experiment '\(name)'", model: model,
                                              experiment: experiment, diagnostics: d) {
                    observables.append(obs)
                }
            }
        }
        var variables: [String: TextPosition] = [:]
        for o in observables {
            if let first = variables[o.variable] {
                d.error("variable '\(o.variable)' is used by two observables of experiment '\(name)' (first at line \(first.line))", at: o.position)
            }
            variables[o.variable] = o.position
        }
        if model != nil { r.finish() }
        experiment.observables = observables
        return experiment
    }

    private static func decodeSweep(_ r: ObjectReader) -> SweepConfiguration? {
        let dimension = r.string("dimension", required: true, hint: "name the data dimension the sweep runs along")
        let sets = r.string("sets", required: true, hint: "give the model parameter it sets (e.g. \"indenter_depth\") or \"load_factor\"")
        let values = r.numbers("values", required: true, hint: "list the value of each step")
        let units = r.string("units")
        r.finish()
        guard let dimension, let sets, let values else { return nil }
        if values.isEmpty { r.diagnostics.error("the sweep has no 'values'; list at least one", at: r.position(of: "values")) }
        return SweepConfiguration(dimension: dimension, target: sets == "load_factor" ? .loadFactor : .parameter(sets), values: values,
                                  units: units, position: r.position)
    }

    private static func decodeObservable(_ node: JSONNode, context: String, model: (any CaseModel)?, experiment: ExperimentConfiguration,
                                         diagnostics d: DiagnosticList) -> ObservableConfiguration? {
        let known = ObservableConfiguration.commonFields + (model?.observableFields ?? [])
        guard let r = ObjectReader(node, context: context, known: known, diagnostics: d) else { return nil }
        let variable = r.string("variable", required: true, hint: "name the netCDF variable that holds the data")
        let units = r.string("units")
        var sigma: SigmaConfiguration?
        if let m = r.member("sigma", required: true, hint: "give the standard deviation: a number, {\"relative\": 0.01} or {\"variable\": \"name\"}") {
            sigma = decodeSigma(m.value, context: context, diagnostics: d)
        }
        // Without a model, the quantity and its fields cannot be checked (the model's problems are reported).
        guard let model else { return nil }
        defer { r.finish() }
        guard let name = r.string("quantity", required: true, hint: "one of: " + model.quantityNames.joined(separator: ", ")) else { return nil }
        guard model.quantityNames.contains(name) else {
            d.error("quantity '\(name)' in \(context) is not one of the \(model.kind) model's quantities"
                    + Suggestion.hint(for: name, among: model.quantityNames) + " (quantities: \(model.quantityNames.joined(separator: ", ")))",
                    at: r.position(of: "quantity"))
            return nil
        }
        guard let quantity = model.decodeQuantity(name, r, experiment: experiment) else { return nil }
        let sweep = experiment.sweep
        var defaultDimensions = quantity.defaultDimensions
        if let sweep { defaultDimensions.insert(sweep.dimension, at: 0) }
        var dimensions = defaultDimensions
        if let given = r.strings("dimensions") {
            if given.count != defaultDimensions.count {
                d.error("\(context) ('\(name)') has \(defaultDimensions.count) dimension(s) (" + defaultDimensions.joined(separator: ", ")
                        + " by default), but 'dimensions' lists \(given.count): \(given)", at: r.position(of: "dimensions"))
            } else if let sweep, given.first != sweep.dimension {
                d.error("the first dimension of \(context) must be the \(sweep.target == .time ? "time" : "sweep") dimension '\(sweep.dimension)', found '\(given[0])'",
                        at: r.position(of: "dimensions"))
            } else {
                dimensions = given
            }
        }
        guard let variable, let sigma else { return nil }
        return ObservableConfiguration(quantity: quantity, variable: variable, dimensions: dimensions, units: units, sigma: sigma,
                                       position: node.position)
    }

    private static func decodeSigma(_ node: JSONNode, context: String, diagnostics d: DiagnosticList) -> SigmaConfiguration? {
        if case let .number(x, _) = node.value {
            guard x > 0 else {
                d.error("sigma of \(context) is \(x); a standard deviation must be > 0", at: node.position)
                return nil
            }
            return .absolute(x)
        }
        guard let s = ObjectReader(node, context: "the sigma of \(context)", known: ["relative", "of", "variable"], diagnostics: d) else { return nil }
        defer { s.finish() }
        if let v = s.string("variable") { return .variable(v) }
        guard let fraction = s.number("relative", required: true, hint: "give a number, {\"relative\": fraction} or {\"variable\": name}") else { return nil }
        guard fraction > 0 else {
            d.error("the relative sigma of \(context) is \(fraction); a standard deviation must be > 0", at: s.position(of: "relative"))
            return nil
        }
        let of = s.choice("of", ["value", "maximum"]) ?? "value"
        return .relative(fraction, ofMaximum: of == "maximum")
    }
}
