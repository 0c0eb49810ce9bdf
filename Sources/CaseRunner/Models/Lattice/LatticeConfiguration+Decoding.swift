import Physics

/// Reading a lattice model, its experiments' loading and its observables from case.json.
extension LatticeConfiguration: BuiltInModel {
    public static let kind = "lattice"
    public static let fields = ["lattice", "cells", "lattice_constant", "periodic", "potential", "cutoff", "skin", "minimum_separation",
                                "groups", "units", "newton"]

    public static func decode(_ r: ObjectReader, registry: ModelRegistry) -> LatticeConfiguration? {
        let d = r.diagnostics
        let kind = ModelSection.latticeKind(r)
        let cells = r.integers("cells", required: true, hint: "give the number of cells along each axis, e.g. [12, 8]")
        let a = r.number("lattice_constant", required: true, hint: "give the nearest-neighbour distance (2D) or cube edge (3D)")
        let periodic = r.bools("periodic")
        let potential = ModelSection.potential(r, registry.potentials)
        let cutoff = ModelSection.cutoff(r)
        let skin = r.number("skin") ?? 0.3
        let minimumSeparation = r.number("minimum_separation") ?? 0.5
        let units = ModelSection.units(r)
        let newton = ModelSection.newton(r)
        var groups: [GroupDefinition] = []
        if let g = r.object("groups", context: "groups", known: []) {
            if case let .object(members) = g.node.value {
                for m in members { if let def = decodeGroup(m, diagnostics: d) { groups.append(def) } }
            }
        }
        r.finish()
        if let a, !(a > 0) { d.error("'lattice_constant' in model must be > 0, found \(a)", at: r.position(of: "lattice_constant")) }
        if skin < 0 { d.error("'skin' in model must be ≥ 0, found \(skin)", at: r.position(of: "skin")) }
        if !(minimumSeparation >= 0 && minimumSeparation < 1) {
            d.error("'minimum_separation' in model is a fraction of the nearest-neighbour distance in [0, 1) (0 turns the check off), "
                    + "found \(minimumSeparation)", at: r.position(of: "minimum_separation"))
        }
        guard let kind, let cells, let a, a > 0, let potential, let cutoff else { return nil }
        let dimension = kind.spatialDimension
        guard cells.count == dimension, cells.allSatisfy({ $0 >= 1 }) else {
            d.error("'cells' in model must list \(dimension) positive numbers for a \(dimension)D \(r.string("lattice") ?? "") lattice, found \(cells)",
                    at: r.position(of: "cells"))
            return nil
        }
        let flags = periodic ?? [Bool](repeating: false, count: dimension)
        guard flags.count == dimension else {
            d.error("'periodic' in model must list \(dimension) true/false values, one per axis, found \(flags.count)", at: r.position(of: "periodic"))
            return nil
        }
        let nearest = kind.nearestNeighbourDistance(latticeConstant: a)
        if cutoff.1 <= nearest {
            d.error("the cutoff's outer radius \(cutoff.1) does not reach the nearest-neighbour distance \(nearest): atoms would not interact; "
                    + "increase it", at: r.position(of: "cutoff"))
        }
        for g in groups {
            if case let .region(lower, upper) = g.selection, lower.count != dimension || upper.count != dimension {
                d.error("group '\(g.name)': 'lower' and 'upper' need \(dimension) coordinates each", at: g.position)
            }
        }
        return LatticeConfiguration(lattice: kind, cells: cells, latticeConstant: a, periodic: flags, potential: potential,
                                    cutoffInner: cutoff.0, cutoffOuter: cutoff.1, skin: skin, groups: groups,
                                    units: units, newton: newton, minimumSeparation: minimumSeparation)
    }

    private static func decodeGroup(_ m: JSONMember, diagnostics d: DiagnosticList) -> GroupDefinition? {
        guard let g = ObjectReader(m.value, context: "group '\(m.key)'", known: ["lower", "upper", "atoms"], diagnostics: d) else { return nil }
        defer { g.finish() }
        if let atoms = g.integers("atoms") {
            if g.has("lower") || g.has("upper") {
                d.error("group '\(m.key)' gives both 'atoms' and a region ('lower'/'upper'); use one", at: m.value.position)
            }
            return GroupDefinition(name: m.key, selection: .atoms(atoms), position: m.value.position)
        }
        guard let lower = g.numbers("lower", required: true, hint: "give the box corners 'lower' and 'upper', or 'atoms'"),
              let upper = g.numbers("upper", required: true) else { return nil }
        return GroupDefinition(name: m.key, selection: .region(lower: lower, upper: upper), position: m.value.position)
    }

    public var dimension: Int { lattice.spatialDimension }

    /// Names of the groups the lattice has: built-in ones (by which axes are open) and those of the configuration.
    var groupNames: [String] {
        var names = ["all"]
        for axis in 0 ..< dimension where !periodic[axis] {
            let b = Lattice.boundaryGroupNames(axis: axis)
            names += [b.lower, b.upper]
        }
        return names + groups.map(\.name)
    }

    public func parameterNames(experiment: ExperimentConfiguration) -> [String]? {
        potential.parameterNames + (experiment.loading.indenter == nil ? [] : ["indenter_stiffness", "indenter_depth"])
    }

    // MARK: Experiments: the loading

    public var experimentFields: [String] { ["loading"] }

    public func decodeExperiment(_ entry: ObjectReader, into experiment: inout ExperimentConfiguration) {
        guard let r = entry.object("loading", context: "the loading of experiment '\(experiment.name)'", known: ["constraints", "forces", "indenter"])
        else { return }
        experiment.settings = decodeLoading(r)
    }

    private func checkGroup(_ g: String, _ p: TextPosition, _ d: DiagnosticList) {
        if !groupNames.contains(g) {
            d.error("group '\(g)' is not defined" + Suggestion.hint(for: g, among: groupNames)
                    + " (built-in groups depend on which axes are open; define others under model.groups)", at: p)
        }
    }

    private func decodeLoading(_ r: ObjectReader) -> LoadingConfiguration {
        let d = r.diagnostics
        var loading = LoadingConfiguration()
        for node in r.array("constraints") ?? [] {
            guard let c = ObjectReader(node, context: "a constraint", known: ["group", "fixed", "displacement"], diagnostics: d),
                  let group = c.string("group", required: true) else { continue }
            checkGroup(group, c.position(of: "group"), d)
            var displacement: [Double?]?
            if c.bool("fixed") == true {
                displacement = [Double?](repeating: 0, count: dimension)
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
                if values.count != dimension {
                    d.error("the displacement of group '\(group)' needs \(dimension) components (null for a free axis), found \(values.count)",
                            at: c.position(of: "displacement"))
                } else {
                    displacement = values
                }
            }
            c.finish()
            if let displacement { loading.constraints.append(.init(group: group, displacement: displacement, position: node.position)) }
        }
        for node in r.array("forces") ?? [] {
            guard let f = ObjectReader(node, context: "a force", known: ["group", "force"], diagnostics: d),
                  let group = f.string("group", required: true), let force = f.numbers("force", required: true) else { continue }
            checkGroup(group, f.position(of: "group"), d)
            if force.count != dimension {
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
            if let lateral, lateral.count != dimension - 1 {
                d.error("the indenter's 'lateral' position needs \(dimension - 1) coordinate(s), found \(lateral.count)", at: i.position(of: "lateral"))
            }
            if let radius, !(radius > 0) { d.error("the indenter radius must be > 0, found \(radius)", at: i.position(of: "radius")) }
            if let depth, !(depth > 0) { d.error("the indenter's maximum_depth must be > 0, found \(depth)", at: i.position(of: "maximum_depth")) }
            if let radius, radius > 0 { loading.indenter = .init(radius: radius, lateral: lateral, maximumDepth: depth, position: i.position) }
        }
        r.finish()
        return loading
    }

    // MARK: Observables

    public var quantityNames: [String] { LatticeQuantity.names }
    public var observableFields: [String] { ["atoms", "group", "axes"] }

    public func decodeQuantity(_ name: String, _ r: ObjectReader, experiment: ExperimentConfiguration) -> (any ObservedQuantity)? {
        let d = r.diagnostics
        let context = r.context
        var axes = Array(0 ..< dimension)
        let axisNames = ConfigurationDecoder.axisNames.prefix(dimension)
        if let names = r.strings("axes") {
            var list: [Int] = []
            for n in names {
                guard let a = axisNames.firstIndex(of: n) else {
                    d.error("axis '\(n)' in \(context) is not one of " + axisNames.joined(separator: ", "), at: r.position(of: "axes"))
                    continue
                }
                list.append(a)
            }
            if list.isEmpty || Set(list).count != list.count { d.error("'axes' in \(context) must list distinct axes", at: r.position(of: "axes")) }
            axes = list
        }
        func group() -> String? {
            guard let g = r.string("group", required: true, hint: "name the group of atoms it refers to") else { return nil }
            if !groupNames.contains(g) { d.error("group '\(g)' is not defined" + Suggestion.hint(for: g, among: groupNames), at: r.position(of: "group")) }
            return g
        }
        switch name {
        case "displacement":
            var atoms = LatticeQuantity.AtomSelection.unconstrained
            if let m = r.member("atoms") {
                if case let .string(s) = m.value.value {
                    if s != "unconstrained" {
                        if !groupNames.contains(s) {
                            d.error("group '\(s)' is not defined" + Suggestion.hint(for: s, among: groupNames + ["unconstrained"]), at: m.value.position)
                        }
                        atoms = .group(s)
                    }
                } else {
                    guard let list = r.integers("atoms") else { return nil }
                    atoms = .atoms(list)
                }
            }
            return LatticeQuantity.displacement(atoms: atoms, axes: axes)
        case "mean_displacement":
            return group().map { LatticeQuantity.meanDisplacement(group: $0, axes: axes) }
        case "reaction_force":
            return group().map { LatticeQuantity.reactionForce(group: $0, axes: axes) }
        default:
            if experiment.loading.indenter == nil {
                d.error("\(context) observes the indenter force, but the experiment's loading has no indenter", at: r.position(of: "quantity"))
            }
            return LatticeQuantity.indenterForce
        }
    }
}
