import CaseRunner
import Physics
import Testing

/// Model kinds and pair potentials come from the registry the tool runs with: the built-in ones are
/// registered like any other, and what is not registered is not known.
@Suite struct ModelRegistryTests {
    private func decode(_ text: String, registry: ModelRegistry) -> (CaseConfiguration?, [String]) {
        let diagnostics = DiagnosticList()
        let configuration = ConfigurationDecoder.decode(text, file: "case.json", registry: registry, diagnostics: diagnostics)
        return (configuration, diagnostics.items.map(\.description))
    }

    @Test func theStandardRegistryHoldsTheBuiltInKindsAndPotentials() {
        #expect(ModelRegistry.standard.kindNames == ["lattice", "crystal", "poroelastic"])
        #expect(ModelRegistry.standard.potentials.names == ["morse", "lennard-jones", "harmonic"])
        #expect(ModelRegistry.standard.potentials.entry(named: "morse")?.parameterNames == ["D", "alpha", "r0"])
    }

    @Test func aKindThatIsNotRegisteredIsNotKnown() {
        let (configuration, messages) = decode(smallLatticeCase(), registry: ModelRegistry())
        #expect(configuration == nil)
        #expect(messages.contains { $0.contains("error: model kind 'lattice' is not known") }, "\(messages)")
        let misspelt = smallLatticeCase().replacingOccurrences(of: "\"kind\": \"lattice\"", with: "\"kind\": \"latice\"")
        let (_, more) = decode(misspelt, registry: .standard)
        #expect(more.contains { $0.contains("model kind 'latice' is not known; did you mean 'lattice'?") }, "\(more)")
    }

    @Test func aRegisteredPairPotentialIsUsedByName() throws {
        var registry = ModelRegistry.standard
        registry.potentials.register("morse-copy", Morse(), energyScale: "D")
        let text = smallLatticeCase().replacingOccurrences(of: "\"potential\": \"morse\"", with: "\"potential\": \"morse-copy\"")
        let (configuration, messages) = decode(text, registry: registry)
        #expect(messages.isEmpty, "\(messages)")
        let lattice = try #require(configuration?.model as? LatticeConfiguration)
        #expect(lattice.potential.name == "morse-copy" && lattice.potential.parameterNames == ["D", "alpha", "r0"])
        let (_, standard) = decode(text, registry: .standard)
        #expect(standard.contains { $0.contains("'potential' in model is 'morse-copy', which is not known") }, "\(standard)")
    }

    @Test func registeringANameAgainReplacesTheKind() {
        var registry = ModelRegistry.standard
        registry.register(LatticeConfiguration.self)
        #expect(registry.kindNames == ["crystal", "poroelastic", "lattice"])
    }

    @Test func eachKindOwnsItsQuantities() {
        // A lattice quantity in a crystal case is reported against the crystal's quantities.
        let text = """
            {"schema_version": 1, "data": "d.nc",
             "model": {"kind": "crystal", "lattice": "fcc", "potential": "morse", "cutoff": {"inner": 2.6, "outer": 3.2},
                       "initial_lattice_constant": 1.45},
             "parameters": [{"name": "D", "initial": 1}, {"name": "alpha", "initial": 4}, {"name": "r0", "initial": 1}],
             "experiments": [{"name": "e", "observables": [{"quantity": "indenter_force", "variable": "f", "sigma": 1}]}]}
            """
        let (configuration, messages) = decode(text, registry: .standard)
        #expect(configuration == nil)
        #expect(messages.contains { $0.contains("quantity 'indenter_force' in observable 1 of experiment 'e' is not one of the crystal model's quantities") },
                "\(messages)")
    }
}
