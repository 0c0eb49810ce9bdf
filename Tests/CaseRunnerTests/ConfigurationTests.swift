@testable import CaseRunner
import Testing

/// Decoding case.json: every problem found at once, each with its line and column.
@Suite struct ConfigurationTests {
    private func decode(_ text: String) -> (CaseConfiguration?, [String]) {
        let diagnostics = DiagnosticList()
        let configuration = ConfigurationDecoder.decode(text, file: "case.json", diagnostics: diagnostics)
        return (configuration, diagnostics.items.map(\.description))
    }

    @Test func theSmallCaseDecodes() throws {
        let (configuration, messages) = decode(smallLatticeCase())
        #expect(messages.isEmpty, "\(messages)")
        let c = try #require(configuration)
        #expect(c.parameters.map(\.parameter.name) == ["D", "alpha", "r0"])
        #expect(c.experiments[0].observables.map(\.dimensions) == [["atom", "component"], ["force_component"]])
        let l = try #require(c.model as? LatticeConfiguration)
        #expect(l.cells == [4, 3] && l.potential.name == "morse" && l.units == ModelUnits(length: "angstrom", energy: "eV"))
    }

    @Test func unknownFieldsAreReportedWithASuggestion() {
        let text = smallLatticeCase().replacingOccurrences(of: "\"lattice_constant\"", with: "\"lattice_constnt\"")
        let (configuration, messages) = decode(text)
        #expect(configuration == nil)
        #expect(messages.contains("case.json:9:5: error: unknown field 'lattice_constnt' in model; did you mean 'lattice_constant'?"), "\(messages)")
        // The missing field is reported too: check lists every problem, not only the first.
        #expect(messages.contains("case.json:5:12: error: model has no 'lattice_constant'; give the nearest-neighbour distance (2D) or cube edge (3D)"),
                "\(messages)")
    }

    @Test func everyProblemOfTheFileIsListed() {
        var text = smallLatticeCase()
        text = text.replacingOccurrences(of: "\"lower\": 0.01, \"upper\": 10", with: "\"lower\": 10, \"upper\": 0.01")
        text = text.replacingOccurrences(of: "\"initial\": 1.55", with: "\"initial\": 5")
        text = text.replacingOccurrences(of: "\"group\": \"top\", \"displacement\"", with: "\"group\": \"tpo\", \"displacement\"")
        text = text.replacingOccurrences(of: "{\"name\": \"r0\", \"initial\": 2.47,", with: "{\"name\": \"r0\", \"initial\": 2.47, \"transform\": \"lgo\",")
        text = text.replacingOccurrences(of: "\"sigma\": {\"variable\": \"u_sigma\"}", with: "\"sigma\": -1")
        let (_, messages) = decode(text)
        #expect(messages.count == 5, "\(messages)")
        let expected = [
            "case.json:17:5: error: parameter 'D': lower bound 10.0 is not below upper bound 0.01; swap or widen the bounds, or mark the parameter fixed",
            "case.json:18:5: error: parameter 'alpha': initial value 5.0 lies outside [0.4, 4.0]; move the initial value inside the bounds or widen them",
            "case.json:19:50: error: 'transform' in parameter 'r0' is 'lgo', which is not known; did you mean 'log'?",
            "case.json:27:21: error: group 'tpo' is not defined; did you mean 'top'? (built-in groups depend on which axes are open; define others under model.groups)",
            "case.json:32:56: error: sigma of observable 1 of experiment 'pull' is -1.0; a standard deviation must be > 0",
        ]
        for line in expected { #expect(messages.contains(line), "missing: \(line)\nall: \(messages)") }
    }

    @Test func aParameterNamedTwiceIsAnError() {
        let text = smallLatticeCase().replacingOccurrences(of: "{\"name\": \"r0\"", with: "{\"name\": \"alpha\"")
        let (_, messages) = decode(text)
        #expect(messages.contains("case.json:19:5: error: parameter 'alpha' is defined twice (first at line 18); a parameter shared by several "
                                  + "experiments is defined once and referred to by name"), "\(messages)")
        #expect(messages.contains { $0.contains("model parameter 'r0' has no value in experiment 'pull'") }, "\(messages)")
    }

    @Test func theSchemaVersionIsChecked() {
        let (_, newer) = decode(smallLatticeCase().replacingOccurrences(of: "\"schema_version\": 1", with: "\"schema_version\": 2"))
        #expect(newer == ["case.json:2:21: error: schema_version is 2, but this calibrate reads version 1; this file was written for a newer calibrate; upgrade calibrate"])
        let (_, missing) = decode("{\"title\": \"x\"}")
        #expect(missing.first == "case.json:1:1: error: the configuration has no 'schema_version'; add \"schema_version\": 1 as the first field")
    }

    @Test func aPoroelasticModelRejectsLatticeFieldsAndNeedsAMesh() {
        let text = smallLatticeCase().replacingOccurrences(of: "\"kind\": \"lattice\"", with: "\"kind\": \"poroelastic\"")
        let (_, messages) = decode(text)
        #expect(messages.contains { $0.hasPrefix("case.json:5:12: error: model has no 'mesh'") }, "\(messages)")
        #expect(messages.contains { $0.contains("error: unknown field 'lattice' in model") }, "\(messages)")
    }

    @Test func observableUnitsMustFitTheModelsUnits() {
        let text = smallLatticeCase().replacingOccurrences(of: "\"variable\": \"u\",", with: "\"variable\": \"u\", \"units\": \"eV\",")
        let diagnostics = DiagnosticList()
        let configuration = ConfigurationDecoder.decode(text, file: "case.json", diagnostics: diagnostics)!
        _ = ModelAssembly.build(configuration, diagnostics: diagnostics)
        #expect(diagnostics.items.map(\.description).contains { $0.contains("they are 'eV', which is not the same kind of quantity as the expected 'angstrom'") },
                "\(diagnostics.items)")
    }
}

@Suite struct UnitTests {
    @Test func unitsAreParsedToScaleAndDimension() throws {
        let a = try #require(PhysicalUnit.parse("eV/angstrom^3"))
        let b = try #require(PhysicalUnit.parse("GPa"))
        #expect(a.hasSameDimension(as: b))
        #expect(abs(a.scale / b.scale - 160.21766208) < 1e-5)
        #expect(PhysicalUnit.parse("kg m-1 s-2")!.isEquivalent(to: PhysicalUnit.parse("Pa")!))
        #expect(PhysicalUnit.parse("Å")!.isEquivalent(to: PhysicalUnit.parse("angstrom")!))
        #expect(PhysicalUnit.parse("furlong") == nil)
    }

    @Test func comparisonsSayWhetherUnitsConvert() {
        #expect(UnitCheck.compare(expected: "nm", found: "nm") == .same)
        #expect(UnitCheck.compare(expected: "eV/angstrom", found: "eV / Å") == .same)
        if case let .convertible(factor) = UnitCheck.compare(expected: "nm", found: "m") { #expect(abs(factor - 1e9) < 1e-3) } else { Issue.record("not convertible") }
        #expect(UnitCheck.compare(expected: "nm", found: "eV") == .incompatible)
        #expect(UnitCheck.derived(.stress(dimension: 3), length: "angstrom", energy: "eV") == "eV/angstrom^3")
    }
}
