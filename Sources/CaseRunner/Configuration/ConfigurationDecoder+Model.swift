import Physics

extension ConfigurationDecoder {
    /// The `model` section through the kind it names in the registry: the kind decodes its own fields.
    static func decodeModel(_ node: JSONNode, registry: ModelRegistry, diagnostics d: DiagnosticList) -> (any CaseModel)? {
        guard let generic = ObjectReader(node, context: "model", known: ["kind"] + registry.allModelFields, diagnostics: d) else { return nil }
        let names = registry.kindNames
        guard let kind = generic.string("kind", required: true, hint: "one of: " + names.joined(separator: ", ")) else { return nil }
        guard let type = registry.kind(named: kind) else {
            d.error("model kind '\(kind)' is not known" + Suggestion.hint(for: kind, among: names)
                    + (Suggestion.closest(to: kind, among: names) == nil ? " (kinds: \(names.joined(separator: ", ")))" : ""),
                    at: generic.position(of: "kind"))
            return nil
        }
        guard let reader = ObjectReader(node, context: "model", known: ["kind"] + type.fields, diagnostics: d) else { return nil }
        return type.decode(reader, registry: registry)
    }
}

/// Fields several model kinds share, read the same way for each: the lattice, the pair potential and its
/// cutoff, units, Newton options. Public so that a user's kind reads them as the built-in kinds do.
public enum ModelSection {
    /// Lattice names as written in configurations.
    static let latticeNames: [(String, LatticeKind)] = [("square", .square), ("triangular", .triangular),
                                                        ("simple_cubic", .simpleCubic), ("bcc", .bcc), ("fcc", .fcc)]

    /// "lattice": square, triangular, simple_cubic, bcc or fcc.
    public static func latticeKind(_ r: ObjectReader) -> LatticeKind? {
        guard let name = r.choice("lattice", latticeNames.map(\.0), required: true) else { return nil }
        return latticeNames.first { $0.0 == name }!.1
    }

    /// "potential": a name from the registry's table.
    public static func potential(_ r: ObjectReader, _ table: PairPotentialTable) -> PairPotentialTable.Entry? {
        r.choice("potential", table.names, required: true).flatMap(table.entry(named:))
    }

    /// "cutoff": {"inner", "outer"} with 0 < inner < outer.
    public static func cutoff(_ r: ObjectReader) -> (Double, Double)? {
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

    /// "units": {"length", "energy"}.
    public static func units(_ r: ObjectReader) -> ModelUnits? {
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

    /// "newton": the options of the equilibrium solve, validated.
    public static func newton(_ r: ObjectReader) -> NewtonOptions {
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
}
