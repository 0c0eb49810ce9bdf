import Physics

extension ConfigurationDecoder {
    /// Every field any model kind accepts (the reader for `model` is created before the kind is known).
    static let modelFields = ["lattice", "cells", "lattice_constant", "periodic", "potential", "cutoff", "skin", "minimum_separation", "groups",
                              "units", "newton", "initial_lattice_constant"] + poroelasticFields.filter { $0 != "kind" && $0 != "newton" }
    static let latticeFields = ["kind", "lattice", "cells", "lattice_constant", "periodic", "potential", "cutoff", "skin", "minimum_separation",
                                "groups", "units", "newton"]
    static let crystalFields = ["kind", "lattice", "potential", "cutoff", "initial_lattice_constant", "units", "newton"]

    /// Lattice names as written in configurations.
    static let latticeNames: [(String, LatticeKind)] = [("square", .square), ("triangular", .triangular),
                                                        ("simple_cubic", .simpleCubic), ("bcc", .bcc), ("fcc", .fcc)]

    static func decodeModel(_ generic: ObjectReader) -> ModelConfiguration? {
        let d = generic.diagnostics
        let known = ModelConfiguration.kinds + ModelConfiguration.plannedKinds.keys.sorted()
        guard let kind = generic.string("kind", required: true, hint: "one of: " + ModelConfiguration.kinds.joined(separator: ", ")) else {
            return nil
        }
        if let note = ModelConfiguration.plannedKinds[kind] {
            d.error("model kind '\(kind)': \(note); available kinds are " + ModelConfiguration.kinds.joined(separator: ", "),
                    at: generic.position(of: "kind"))
            return nil
        }
        switch kind {
        case "lattice":
            return ObjectReader(generic.node, context: "model", known: latticeFields, diagnostics: d).flatMap(decodeLattice)
        case "crystal":
            return ObjectReader(generic.node, context: "model", known: crystalFields, diagnostics: d).flatMap(decodeCrystal)
        case "poroelastic":
            return ObjectReader(generic.node, context: "model", known: poroelasticFields, diagnostics: d).flatMap(decodePoroelastic)
        default:
            d.error("model kind '\(kind)' is not known" + Suggestion.hint(for: kind, among: known), at: generic.position(of: "kind"))
            return nil
        }
    }

    private static func latticeKind(_ r: ObjectReader) -> LatticeKind? {
        guard let name = r.choice("lattice", latticeNames.map(\.0), required: true) else { return nil }
        return latticeNames.first { $0.0 == name }!.1
    }

    private static func potential(_ r: ObjectReader) -> PotentialName? {
        r.choice("potential", PotentialName.allCases.map(\.rawValue), required: true).flatMap(PotentialName.init(rawValue:))
    }

    private static func cutoff(_ r: ObjectReader) -> (Double, Double)? {
        guard let c = r.object("cutoff", context: "the cutoff of the model", known: ["inner", "outer"], required: true,
                               hint: "give {\"inner\": …, \"outer\": …}, where the pair energy is switched off smoothly") else { return nil }
        let inner = c.number("inner", required: true), outer = c.number("outer", required: true)
        c.finish()
        guard let inner, let outer else { return nil }
        guard inner > 0, outer > inner else {
            r.diagnostics.error("the cutoff needs 0 < inner < outer, found inner \(inner), outer \(outer)", at: c.position)
            return nil
        }
        return (inner, outer)
    }

    private static func units(_ r: ObjectReader) -> ModelUnits? {
        guard let u = r.object("units", context: "the units of the model", known: ["length", "energy"]) else { return nil }
        let length = u.string("length", required: true), energy = u.string("energy", required: true)
        u.finish()
        guard let length, let energy else { return nil }
        for (what, text) in [("length", length), ("energy", energy)] where PhysicalUnit.parse(text) == nil {
            r.diagnostics.warning("the \(what) unit '\(text)' is not known to calibrate; units of data will be compared as text",
                                  at: u.position(of: what))
        }
        return ModelUnits(length: length, energy: energy)
    }

    static func newton(_ r: ObjectReader) -> NewtonOptions {
        var o = NewtonOptions()
        guard let n = r.object("newton", context: "the Newton options of the model",
                               known: ["maximum_iterations", "relative_tolerance", "absolute_tolerance", "step_tolerance"]) else { return o }
        if let x = n.integer("maximum_iterations") { o.maximumIterations = x }
        if let x = n.number("relative_tolerance") { o.relativeTolerance = x }
        if let x = n.number("absolute_tolerance") { o.absoluteTolerance = x }
        if let x = n.number("step_tolerance") { o.stepTolerance = x }
        n.finish()
        do { try o.validate() } catch { r.diagnostics.error(CaseTerms.translate("\(error)"), at: n.position) }
        return o
    }

    private static func decodeLattice(_ r: ObjectReader) -> ModelConfiguration? {
        let d = r.diagnostics
        _ = r.string("kind")
        let kind = latticeKind(r)
        let cells = r.integers("cells", required: true, hint: "give the number of cells along each axis, e.g. [12, 8]")
        let a = r.number("lattice_constant", required: true, hint: "give the nearest-neighbour distance (2D) or cube edge (3D)")
        let periodic = r.bools("periodic")
        let potential = potential(r)
        let cutoff = cutoff(r)
        let skin = r.number("skin") ?? 0.3
        let minimumSeparation = r.number("minimum_separation") ?? 0.5
        let units = units(r)
        let newton = newton(r)
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
        return .lattice(LatticeConfiguration(lattice: kind, cells: cells, latticeConstant: a, periodic: flags, potential: potential,
                                             cutoffInner: cutoff.0, cutoffOuter: cutoff.1, skin: skin, groups: groups,
                                             units: units, newton: newton, minimumSeparation: minimumSeparation))
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

    private static func decodeCrystal(_ r: ObjectReader) -> ModelConfiguration? {
        _ = r.string("kind")
        let kind = latticeKind(r)
        let potential = potential(r)
        let cutoff = cutoff(r)
        let a = r.number("initial_lattice_constant", required: true, hint: "give the lattice constant the relaxation starts from")
        let units = units(r)
        let newton = newton(r)
        r.finish()
        if let a, !(a > 0) {
            r.diagnostics.error("'initial_lattice_constant' in model must be > 0, found \(a)", at: r.position(of: "initial_lattice_constant"))
        }
        guard let kind, let potential, let cutoff, let a, a > 0 else { return nil }
        return .crystal(CrystalConfiguration(lattice: kind, potential: potential, cutoffInner: cutoff.0, cutoffOuter: cutoff.1,
                                             initialLatticeConstant: a, units: units, newton: newton))
    }

    /// Names of the groups a lattice model has: built-in ones and those of the configuration.
    static func groupNames(_ l: LatticeConfiguration) -> [String] {
        var names = ["all"]
        for axis in 0 ..< l.lattice.spatialDimension where !l.periodic[axis] {
            let b = Lattice.boundaryGroupNames(axis: axis)
            names += [b.lower, b.upper]
        }
        return names + l.groups.map(\.name)
    }
}
