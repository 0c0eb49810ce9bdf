import Bilevel
import Physics

/// `model` with `"kind": "crystal"`: a perfect crystal relaxed to zero pressure, observed through its
/// lattice constant, cohesive energy and elastic constants. The registered kind: decoding and building.
public struct CrystalConfiguration: Sendable {
    public var lattice: LatticeKind
    public var potential: PairPotentialTable.Entry
    public var cutoffInner: Double
    public var cutoffOuter: Double
    public var initialLatticeConstant: Double
    public var units: ModelUnits?
    public var newton: NewtonOptions
}

/// A property of a relaxed crystal.
public struct CrystalQuantity: ObservedQuantity, Equatable {
    public typealias Kind = CrystalProperty<Morse>.Kind
    public let kind: Kind

    public var name: String { kind.rawValue }
    public var label: String { kind.rawValue.replacingOccurrences(of: "_", with: " ") }

    public func unitKind(dimension: Int) -> UnitKind? {
        switch kind {
        case .latticeConstant: return .length
        case .cohesiveEnergy: return .energy
        case .bulkModulus, .c11, .c12, .c44: return .stress(dimension: dimension)
        }
    }
}

extension CrystalConfiguration: BuiltInModel {
    public static let kind = "crystal"
    public static let fields = ["lattice", "potential", "cutoff", "initial_lattice_constant", "units", "newton"]

    public static func decode(_ r: ObjectReader, registry: ModelRegistry) -> CrystalConfiguration? {
        let kind = ModelSection.latticeKind(r)
        let potential = ModelSection.potential(r, registry.potentials)
        let cutoff = ModelSection.cutoff(r)
        let a = r.number("initial_lattice_constant", required: true, hint: "give the lattice constant the relaxation starts from")
        let units = ModelSection.units(r)
        let newton = ModelSection.newton(r)
        r.finish()
        if let a, !(a > 0) {
            r.diagnostics.error("'initial_lattice_constant' in model must be > 0, found \(a)", at: r.position(of: "initial_lattice_constant"))
        }
        guard let kind, let potential, let cutoff, let a, a > 0 else { return nil }
        return CrystalConfiguration(lattice: kind, potential: potential, cutoffInner: cutoff.0, cutoffOuter: cutoff.1,
                                    initialLatticeConstant: a, units: units, newton: newton)
    }

    public var dimension: Int { lattice.spatialDimension }
    public var quantityNames: [String] { CrystalQuantity.Kind.allCases.map(\.rawValue) }

    public func decodeQuantity(_ name: String, _ entry: ObjectReader, experiment: ExperimentConfiguration) -> (any ObservedQuantity)? {
        CrystalQuantity.Kind(rawValue: name).map(CrystalQuantity.init(kind:))
    }

    public func parameterNames(experiment: ExperimentConfiguration) -> [String]? { potential.parameterNames }

    public func build(_ e: ExperimentConfiguration, index: Int, context: ModelBuildContext) throws -> ExperimentSetup? {
        try build(e, index: index, potential: potential.make(), context: context)
    }

    private func build<P: PairPotential>(_ e: ExperimentConfiguration, index: Int, potential: P, context: ModelBuildContext) throws -> ExperimentSetup? {
        let crystal = try CrystalModel(kind: lattice, potential: potential, cutoff: try SmoothCutoff(inner: cutoffInner, outer: cutoffOuter),
                                       initialLatticeConstant: initialLatticeConstant)
        let steps = e.sweep?.values.count ?? 1
        var kinds: [CrystalProperty<P>.Kind] = []
        var layouts: [ObservableLayout] = []
        for o in e.observables {
            guard let q = o.quantity as? CrystalQuantity else { continue }
            kinds.append(CrystalProperty<P>.Kind(rawValue: q.kind.rawValue)!)
            layouts.append(ObservableLayout(configuration: o, shape: e.sweep == nil ? [] : [steps], perStep: 1, atoms: nil,
                                            expectedUnits: context.expectedUnits(o, units: units, dimension: dimension)))
        }
        if context.diagnostics.hasErrors { return nil }
        let model = try crystal.makeModel()
        let setups = (0 ..< steps).filter { context.builds(experiment: index, step: $0) }.map { k in
            StepSetup(experiment: index, step: k, model: model, newton: newton, initial: crystal.initialDisplacement,
                      bindings: e.bindings(crystal.parameterNames, step: k), componentCount: kinds.count,
                      makeObservables: { try crystal.observables($0.map { kinds[$0] }) }, field: nil)
        }
        return ExperimentSetup(configuration: e, steps: setups, layouts: layouts)
    }

    public func summary(of setups: [ExperimentSetup]) -> String {
        "\(lattice) crystal relaxed to zero pressure, \(potential.name) potential, cutoff \(formatNumber(cutoffInner))–\(formatNumber(cutoffOuter))"
    }
}
