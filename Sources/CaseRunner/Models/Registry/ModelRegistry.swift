import Physics

/// The model kinds and pair potentials a `calibrate` tool knows.
///
/// `standard` holds the built-in kinds (lattice, crystal, poroelastic) and potentials (morse,
/// lennard-jones, harmonic). A user's executable extends a copy and hands it to
/// `CalibrateTool.main(_:registry:)`:
///
/// ```swift
/// var registry = ModelRegistry.standard
/// registry.register(BeadSpringCase.self)
/// CalibrateTool.executableMain(registry: registry)
/// ```
///
/// Guarantees: kinds and potentials are looked up by name only (the tool never lists them in code);
/// registering a name again replaces the earlier entry, so a build can also override a built-in.
public struct ModelRegistry: Sendable {
    public private(set) var kinds: [any CaseModel.Type] = []
    public var potentials = PairPotentialTable()

    /// An empty registry (no kinds, no potentials).
    public init() {}

    /// The built-in kinds and potentials.
    public static var standard: ModelRegistry {
        var r = ModelRegistry()
        r.register(LatticeConfiguration.self)
        r.register(CrystalConfiguration.self)
        r.register(PoroelasticConfiguration.self)
        r.potentials = .standard
        return r
    }

    /// Adds `kind` (replacing a kind of the same name).
    public mutating func register(_ kind: any CaseModel.Type) {
        kinds.removeAll { $0.kind == kind.kind }
        kinds.append(kind)
    }

    /// The kind called `name` in `model.kind`.
    public func kind(named name: String) -> (any CaseModel.Type)? { kinds.first { $0.kind == name } }

    /// Every kind's name, in registration order.
    public var kindNames: [String] { kinds.map { $0.kind } }

    /// Every field any kind accepts in `model` (the section is read before its kind is known).
    var allModelFields: [String] {
        var seen = Set<String>()
        return kinds.flatMap { $0.fields }.filter { seen.insert($0).inserted }
    }

    /// The registry of the running tool: `CalibrateTool.main(_:registry:)` binds it for the commands.
    @TaskLocal public static var current: ModelRegistry = .standard
}

/// Pair potentials by the name case.json gives in "potential".
///
/// Guarantees: each entry builds the same potential every time, and knows its parameters (in the
/// potential's order) and which of them scales the whole energy (for identifiability notes).
public struct PairPotentialTable: Sendable {
    /// One potential: its name, parameters and how to make it.
    public struct Entry: Sendable {
        public let name: String
        public let parameterNames: [String]
        /// The parameter that scales the whole energy (φ → cφ), if one does.
        public let energyScale: String?
        let make: @Sendable () -> any PairPotential
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    /// morse (D, alpha, r0), lennard-jones (epsilon, sigma), harmonic (k, r0).
    public static var standard: PairPotentialTable {
        var t = PairPotentialTable()
        t.register("morse", Morse(), energyScale: "D")
        t.register("lennard-jones", LennardJones(), energyScale: "epsilon")
        t.register("harmonic", HarmonicSpring(), energyScale: "k")
        return t
    }

    /// Adds `potential` under `name` (replacing an entry of that name).
    public mutating func register<P: PairPotential>(_ name: String, _ potential: P, energyScale: String? = nil) {
        entries.removeAll { $0.name == name }
        entries.append(Entry(name: name, parameterNames: P.parameterNames, energyScale: energyScale, make: { potential }))
    }

    public var names: [String] { entries.map(\.name) }

    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }
}
