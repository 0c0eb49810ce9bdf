import Physics

extension ConfigurationDecoder {
    static let experimentFields = ["name", "data", "loading", "constants", "sweep", "observables", "times"]
    static let observableFields = ["quantity", "atoms", "group", "axes", "variable", "dimensions", "units", "sigma", "point", "axis", "boundary"]
    static let axisNames = ["x", "y", "z"]

    static func decodeExperiment(_ node: JSONNode, index: Int, defaultData: String?, model: ModelConfiguration?,
                                 diagnostics d: DiagnosticList) -> ExperimentConfiguration? {
        guard let first = ObjectReader(node, context: "experiment \(index + 1)", known: experimentFields, diagnostics: d) else { return nil }
        let name = first.string("name") ?? (index == 0 ? "experiment" : "experiment\(index + 1)")
        guard let r = ObjectReader(node, context: "experiment '\(name)'", known: experimentFields, diagnostics: d) else { return nil }
        _ = r.string("name")
        if name.isEmpty || name.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            d.error("experiment name '\(name)' may only contain letters, digits, '_' and '-' (it is used in variable and file names)",
                    at: r.position(of: "name"))
        }
        let data = r.string("data") ?? defaultData
        if data == nil {
            d.error("experiment '\(name)' has no 'data'; give the netCDF file holding its observations (or a top-level 'data')", at: node.position)
        }
        // Without a usable model (its problems are reported already), axis counts and group names are not checked.
        var dimension: Int?
        var groups: [String]?
        var isLattice = false
        var isPoro = false
        switch model {
        case let .lattice(l)?:
            dimension = l.lattice.spatialDimension
            groups = groupNames(l)
            isLattice = true
        case let .crystal(c)?:
            dimension = c.lattice.spatialDimension
            groups = []
        case .poroelastic?:
            dimension = 2
            groups = []
            isPoro = true
        case nil:
            break
        }
        var loading = LoadingConfiguration()
        if let l = r.object("loading", context: "the loading of experiment '\(name)'", known: ["constraints", "forces", "indenter"]) {
            if !isLattice, model != nil { d.error("experiment '\(name)' has a 'loading', but only lattice models are loaded", at: l.position) }
            loading = decodeLoading(l, dimension: dimension, groups: groups)
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
        var sweep = r.object("sweep", context: "the sweep of experiment '\(name)'", known: ["dimension", "sets", "values", "units"])
            .flatMap(decodeSweep)
        let times = r.numbers("times")
        if isPoro {
            if sweep != nil { d.error("experiment '\(name)' has a 'sweep', but a poroelastic experiment runs along time; remove it", at: r.position(of: "sweep")) }
            if let times, times.isEmpty || zip(times, times.dropFirst()).contains(where: { !($1 > $0) }) {
                d.error("'times' of experiment '\(name)' must list strictly increasing observation times (s)", at: r.position(of: "times"))
            }
            // Without 'times', the observation times are read from the data file's 'time' coordinate when the case is loaded.
            sweep = SweepConfiguration(dimension: "time", target: .time, values: times ?? [], units: "s", position: r.position(of: "times"))
        } else if times != nil {
            d.error("'times' in experiment '\(name)' is for poroelastic models only; a sweep runs along 'sweep'", at: r.position(of: "times"))
        }
        var observables: [ObservableConfiguration] = []
        if let list = r.array("observables", required: true, hint: "list what was measured and where the data are") {
            if list.isEmpty { d.error("experiment '\(name)' has no observables; list at least one", at: r.position(of: "observables")) }
            for (k, o) in list.enumerated() {
                if let obs = decodeObservable(o, context: "observable \(k + 1) of experiment '\(name)'", dimension: dimension,
                                              groups: groups, isLattice: isLattice, isPoro: isPoro, hasModel: model != nil,
                                              hasIndenter: loading.indenter != nil, sweep: sweep, diagnostics: d) {
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
        r.finish()
        return ExperimentConfiguration(name: name, data: data ?? "", dataPosition: r.position(of: "data"), loading: loading,
                                       constants: constants, sweep: sweep, observables: observables, position: node.position)
    }

    private static func decodeLoading(_ r: ObjectReader, dimension: Int?, groups: [String]?) -> LoadingConfiguration {
        let d = r.diagnostics
        var loading = LoadingConfiguration()
        func checkGroup(_ g: String, _ p: TextPosition) {
            if let groups, !groups.contains(g) {
                d.error("group '\(g)' is not defined" + Suggestion.hint(for: g, among: groups)
                        + " (built-in groups depend on which axes are open; define others under model.groups)", at: p)
            }
        }
        for node in r.array("constraints") ?? [] {
            guard let c = ObjectReader(node, context: "a constraint", known: ["group", "fixed", "displacement"], diagnostics: d),
                  let group = c.string("group", required: true) else { continue }
            checkGroup(group, c.position(of: "group"))
            var displacement: [Double?]?
            if c.bool("fixed") == true {
                displacement = [Double?](repeating: 0, count: dimension ?? 3)
                if c.has("displacement") { d.error("constraint on '\(group)' gives both 'fixed' and 'displacement'; use one", at: c.position) }
            } else if let items = c.array("displacement", required: true, hint: "give \"fixed\": true or a 'displacement' per axis (null for a free axis)") {
                var values: [Double?] = []
                for item in items {
                    switch item.value {
                    case let .number(x, _): values.append(x)
                    case .null: values.append(nil)
                    default: d.error("a displacement component must be a number or null (free), found \(item.kindDescription)", at: item.position)
                    }
                }
                if let dimension, values.count != dimension {
                    d.error("the displacement of group '\(group)' needs \(dimension) components (null for a free axis), found \(values.count)",
                            at: c.position(of: "displacement"))
                } else {
                    displacement = values
                }
            }
            c.finish()
            if let displacement {
                loading.constraints.append(.init(group: group, displacement: displacement, position: node.position))
            }
        }
        for node in r.array("forces") ?? [] {
            guard let f = ObjectReader(node, context: "a force", known: ["group", "force"], diagnostics: d),
                  let group = f.string("group", required: true), let force = f.numbers("force", required: true) else { continue }
            checkGroup(group, f.position(of: "group"))
            if let dimension, force.count != dimension {
                d.error("the force on group '\(group)' needs \(dimension) components, found \(force.count)", at: f.position(of: "force"))
            }
            f.finish()
            loading.forces.append(.init(group: group, force: force, position: node.position))
        }
        if let i = r.object("indenter", context: "the indenter", known: ["radius", "lateral", "maximum_depth"]) {
            let radius = i.number("radius", required: true)
            let lateral = i.numbers("lateral")
            let depth = i.number("maximum_depth")
            i.finish()
            if let lateral, let dimension, lateral.count != dimension - 1 {
                d.error("the indenter's 'lateral' position needs \(dimension - 1) coordinate(s), found \(lateral.count)", at: i.position(of: "lateral"))
            }
            if let radius, !(radius > 0) { d.error("the indenter radius must be > 0, found \(radius)", at: i.position(of: "radius")) }
            if let depth, !(depth > 0) { d.error("the indenter's maximum_depth must be > 0, found \(depth)", at: i.position(of: "maximum_depth")) }
            if let radius, radius > 0 {
                loading.indenter = .init(radius: radius, lateral: lateral, maximumDepth: depth, position: i.position)
            }
        }
        r.finish()
        return loading
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

    private static func decodeObservable(_ node: JSONNode, context: String, dimension: Int?, groups: [String]?, isLattice: Bool, isPoro: Bool,
                                         hasModel: Bool, hasIndenter: Bool, sweep: SweepConfiguration?,
                                         diagnostics d: DiagnosticList) -> ObservableConfiguration? {
        guard let r = ObjectReader(node, context: context, known: observableFields, diagnostics: d) else { return nil }
        defer { r.finish() }
        guard let name = r.choice("quantity", Quantity.names, required: true) else { return nil }
        let variable = r.string("variable", required: true, hint: "name the netCDF variable that holds the data")
        var axes = Array(0 ..< (dimension ?? 3))
        if let names = r.strings("axes") {
            var list: [Int] = []
            for n in names {
                guard let a = axisNames.prefix(dimension ?? 3).firstIndex(of: n) else {
                    d.error("axis '\(n)' in \(context) is not one of " + axisNames.prefix(dimension ?? 3).joined(separator: ", "), at: r.position(of: "axes"))
                    continue
                }
                list.append(a)
            }
            if list.isEmpty || Set(list).count != list.count {
                d.error("'axes' in \(context) must list distinct axes", at: r.position(of: "axes"))
            }
            axes = list
        }
        func group() -> String? {
            guard let g = r.string("group", required: true, hint: "name the group of atoms it refers to") else { return nil }
            if isLattice, let groups, !groups.contains(g) { d.error("group '\(g)' is not defined" + Suggestion.hint(for: g, among: groups), at: r.position(of: "group")) }
            return g
        }
        let latticeOnly = ["displacement", "mean_displacement", "reaction_force", "indenter_force"]
        if hasModel && (PoroQuantity.names.contains(name) != isPoro || (!isPoro && latticeOnly.contains(name) != isLattice)) {
            d.error("quantity '\(name)' in \(context) does not belong to this kind of model", at: r.position(of: "quantity"))
            return nil
        }
        var quantity: Quantity
        var defaultDimensions: [String]
        switch name {
        case "displacement":
            var atoms = Quantity.AtomSelection.unconstrained
            if let m = r.member("atoms") {
                switch m.value.value {
                case let .string(s):
                    if s != "unconstrained" {
                        if isLattice, let groups, !groups.contains(s) {
                            d.error("group '\(s)' is not defined" + Suggestion.hint(for: s, among: groups + ["unconstrained"]), at: m.value.position)
                        }
                        atoms = .group(s)
                    }
                default:
                    guard let list = r.integers("atoms") else { return nil }
                    atoms = .atoms(list)
                }
            }
            quantity = .displacement(atoms: atoms, axes: axes)
            defaultDimensions = ["atom", "component"]
        case "mean_displacement":
            guard let g = group() else { return nil }
            quantity = .meanDisplacement(group: g, axes: axes)
            defaultDimensions = ["component"]
        case "reaction_force":
            guard let g = group() else { return nil }
            quantity = .reactionForce(group: g, axes: axes)
            defaultDimensions = ["component"]
        case "indenter_force":
            if !hasIndenter { d.error("\(context) observes the indenter force, but the experiment's loading has no indenter", at: r.position(of: "quantity")) }
            quantity = .indenterForce
            defaultDimensions = []
        case "pressure", "point_displacement":
            guard let point = r.numbers("point", required: true, hint: "give the sensor's position [x, y] in m") else { return nil }
            guard point.count == 2 else {
                d.error("'point' in \(context) needs 2 coordinates [x, y] (m), found \(point.count)", at: r.position(of: "point"))
                return nil
            }
            if name == "pressure" {
                quantity = .poro(.pressure(point: point))
            } else {
                guard let axis = r.choice("axis", ["x", "y"], required: true) else { return nil }
                quantity = .poro(.pointDisplacement(point: point, axis: axis == "x" ? 0 : 1))
            }
            defaultDimensions = []
        case "settlement":
            guard let b = r.string("boundary", required: true, hint: "name the mesh boundary whose mean downward displacement is measured") else { return nil }
            quantity = .poro(.settlement(boundary: b))
            defaultDimensions = []
        default:
            quantity = .crystal(CrystalProperty<Morse>.Kind(rawValue: name)!)
            defaultDimensions = []
        }
        if let sweep { defaultDimensions.insert(sweep.dimension, at: 0) }
        var dimensions = defaultDimensions
        if let given = r.strings("dimensions") {
            if given.count != defaultDimensions.count {
                let meaning = (sweep.map { [$0.target == .time ? "the time '\($0.dimension)'" : "the sweep '\($0.dimension)'"] } ?? [])
                    + (quantity.axes != nil && name == "displacement" ? ["atoms"] : []) + (quantity.axes != nil ? ["components"] : [])
                d.error("\(context) ('\(name)') has \(defaultDimensions.count) dimension(s)"
                        + (meaning.isEmpty ? "" : " (" + meaning.joined(separator: ", ") + ")")
                        + ", but 'dimensions' lists \(given.count): \(given)", at: r.position(of: "dimensions"))
            } else if let sweep, given.first != sweep.dimension {
                d.error("the first dimension of \(context) must be the \(sweep.target == .time ? "time" : "sweep") dimension '\(sweep.dimension)', found '\(given[0])'",
                        at: r.position(of: "dimensions"))
            } else {
                dimensions = given
            }
        }
        let units = r.string("units")
        var sigma: SigmaConfiguration?
        if let m = r.member("sigma", required: true, hint: "give the standard deviation: a number, {\"relative\": 0.01} or {\"variable\": \"name\"}") {
            sigma = decodeSigma(m.value, context: context, diagnostics: d)
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
