import CaseRunner
import Foundation
import NetCDF
import Testing

/// One variable of a hand-made observation file.
private struct Variable {
    var name: String
    var dimensions: [String]
    var values: [Double]
    var units: String?
    var fill: Double?
}

/// The variables of the small case's synthetic data, to be altered one at a time.
private func validVariables(_ folder: TemporaryFolder) throws -> (dimensions: [(String, Int)], variables: [Variable]) {
    let file = try NetCDFReader(path: folder.path + "/observations.nc")
    let names = ["u", "u_sigma", "reaction_force", "reaction_force_sigma"]
    let variables = try names.map { name in
        Variable(name: name, dimensions: try file.variable(name).dimensions, values: try file.readDoubles(name).values,
                 units: try file.units(of: name))
    }
    return (file.dimensions.map { ($0.name, $0.length) }, variables)
}

private func writeObservations(_ folder: TemporaryFolder, dimensions: [(String, Int)], variables: [Variable]) throws {
    let out = try NetCDFWriter(path: folder.path + "/observations.nc", format: .classic)
    for (name, length) in dimensions { try out.addDimension(name, length: length) }
    for v in variables {
        try out.addVariable(v.name, type: .double, dimensions: v.dimensions, units: v.units, fillValue: v.fill)
        try out.write(v.values, to: v.name)
    }
    try out.commit()
}

/// Alters one variable of the valid data and returns `calibrate run`'s outcome.
private func runWithData(_ change: (inout [(String, Int)], inout [Variable]) -> Void) throws -> (TemporaryFolder, (status: Int32, out: String, err: String)) {
    let folder = preparedSmallCase()
    var (dimensions, variables) = try validVariables(folder)
    change(&dimensions, &variables)
    try writeObservations(folder, dimensions: dimensions, variables: variables)
    return (folder, calibrate("run", folder.path, "--quiet"))
}

/// Bad input never crashes, exits with status 2, says exactly what is wrong, and leaves no results/.
@Suite struct BadInputTests {
    private func expectNoResults(_ folder: TemporaryFolder) {
        #expect(!folder.contents.contains { $0.hasPrefix("results") || $0.hasPrefix(".results") }, "\(folder.contents)")
    }

    @Test func missingCaseFolder() {
        let r = calibrate("run", "/nonexistent/case")
        #expect(r.status == 2)
        #expect(r.err == "error: case folder '/nonexistent/case' does not exist; give the path of a folder that holds case.json (for example cases/morse-lattice)\n")
    }

    @Test func missingOrUnreadableConfiguration() {
        let folder = TemporaryFolder()
        let missing = calibrate("run", folder.path)
        #expect(missing.status == 2)
        #expect(missing.err == "\(folder.path)/case.json: error: '\(folder.path)/case.json' does not exist: a case folder needs a configuration file named case.json (see docs/configuration.md)\n")
        try! FileManager.default.createDirectory(atPath: folder.path + "/case.json", withIntermediateDirectories: false)
        let directory = calibrate("run", folder.path)
        #expect(directory.status == 2)
        #expect(directory.err == "\(folder.path)/case.json: error: cannot read '\(folder.path)/case.json': it is a directory, not a file\n")
        expectNoResults(folder)
    }

    @Test func invalidJSONGivesLineAndColumn() {
        let folder = TemporaryFolder()
        folder.write("{\n  \"schema_version\": 1,\n  \"title\": \"x\"\n  \"model\": {}\n}\n", to: "case.json")
        let r = calibrate("run", folder.path)
        #expect(r.status == 2)
        #expect(r.err == "\(folder.path)/case.json:4:3: error: invalid JSON: expected ',' or '}' after the value of 'title', found '\"'\n")
        expectNoResults(folder)
    }

    @Test func unknownFieldWithASuggestion() {
        let folder = TemporaryFolder()
        folder.write(smallLatticeCase().replacingOccurrences(of: "\"skin\"", with: "\"skn\""), to: "case.json")
        let r = calibrate("run", folder.path)
        #expect(r.status == 2)
        #expect(r.err == "\(folder.path)/case.json:13:5: error: unknown field 'skn' in model; did you mean 'skin'?\n")
        expectNoResults(folder)
    }

    @Test func missingNetCDFFile() {
        let folder = TemporaryFolder()
        folder.write(smallLatticeCase(), to: "case.json")
        let r = calibrate("run", folder.path)
        #expect(r.status == 2)
        #expect(r.err == "\(folder.path)/case.json:22:5: error: experiment 'pull': data file '\(folder.path)/observations.nc' does not exist; "
                + "correct 'data', or make the file with 'calibrate synth \(folder.path) --truth NAME=VALUE … --noise REL'\n")
        expectNoResults(folder)
    }

    @Test func missingVariable() throws {
        let (folder, r) = try runWithData { _, variables in variables.removeAll { $0.name == "reaction_force" } }
        #expect(r.status == 2)
        #expect(r.err == "\(folder.path)/observations.nc: error: variable 'reaction_force' is not in the file (observable 'reaction_force' of "
                + "experiment 'pull'); available variables: u, u_sigma, reaction_force_sigma\n")
        expectNoResults(folder)
    }

    @Test func dimensionNameAndLengthMismatches() throws {
        let (folder, r) = try runWithData { dimensions, variables in
            dimensions.append(("axis", 2))
            variables[0].dimensions = ["atom", "axis"]
        }
        #expect(r.status == 2)
        #expect(r.err == "\(folder.path)/observations.nc: error: variable 'u' has dimensions (atom, axis), but the configuration expects "
                + "(atom, component) (observable 'u' of experiment 'pull'); rename the dimensions in the file (in xarray: ds.rename_dims(...)), "
                + "or name the file's dimensions in the observable's 'dimensions' (the atom dimension stays second-to-last, the component "
                + "dimension last)\n")
        expectNoResults(folder)
        let (short, s) = try runWithData { dimensions, variables in
            let atoms = dimensions.first { $0.0 == "atom" }!.1
            dimensions = dimensions.map { $0.0 == "atom" ? ($0.0, atoms - 1) : $0 }
            variables[0].values.removeLast(2)
            variables[1].values.removeLast(2)
        }
        #expect(s.status == 2)
        #expect(s.err.hasPrefix("\(short.path)/observations.nc: error: dimension 'atom' of variable 'u' has length 15, but the configuration implies 16 "
                                + "(the number of atoms selected) (observable 'u' of experiment 'pull')\n"), "\(s.err)")
        expectNoResults(short)
    }

    @Test func unitMismatch() throws {
        // Convertible units (nm for angstrom) are converted on reading (DataFormatTests); another kind of quantity is an error.
        let (folder, r) = try runWithData { _, variables in variables[0].units = "eV" }
        #expect(r.status == 2)
        #expect(r.err == "\(folder.path)/observations.nc: error: variable 'u': its units are 'eV', which is not the same kind of quantity as the "
                + "expected 'angstrom'; check that the variable holds what the configuration says (observable 'u' of experiment 'pull')\n")
        expectNoResults(folder)
    }

    @Test func nonFiniteDataWithoutAFillValue() throws {
        let (folder, r) = try runWithData { _, variables in variables[0].values[3] = .nan }
        #expect(r.status == 2)
        #expect(r.err == "\(folder.path)/observations.nc: error: variable 'u' has 1 missing or non-finite value(s), the first at index [1, 1] (found nan), "
                + "and no _FillValue attribute; supply the data, or declare a _FillValue so that missing values are left out of the fit "
                + "(observable 'u' of experiment 'pull')\n")
        expectNoResults(folder)
        let (infinite, s) = try runWithData { _, variables in variables[2].values[0] = .infinity }
        #expect(s.status == 2)
        #expect(s.err.contains("variable 'reaction_force' has 1 missing or non-finite value(s), the first at index [0]"), "\(s.err)")
        expectNoResults(infinite)
    }

    @Test func missingValuesWithAFillValueAreLeftOut() throws {
        let (folder, r) = try runWithData { _, variables in
            variables[0].fill = -999
            variables[0].values[3] = -999
        }
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("χ²/dof"), "\(r.out)")
        #expect(folder.exists("results/results.nc"))
    }

    @Test func nonPositiveSigma() throws {
        let (folder, r) = try runWithData { _, variables in variables[1].values[5] = 0 }
        #expect(r.status == 2)
        #expect(r.err == "\(folder.path)/observations.nc: error: σ variable 'u_sigma' holds 0.0 at index [2, 1], where 'u' has data; standard deviations "
                + "must be > 0 (σ of observable 'u' of experiment 'pull')\n")
        expectNoResults(folder)
        let configured = TemporaryFolder()
        configured.write(smallLatticeCase().replacingOccurrences(of: "{\"variable\": \"u_sigma\"}", with: "0"), to: "case.json")
        let c = calibrate("check", configured.path)
        #expect(c.status == 2)
        #expect(c.out.contains("\(configured.path)/case.json:32:56: error: sigma of observable 1 of experiment 'pull' is 0.0; a standard deviation must be > 0\n"),
                "\(c.out)")
    }

    @Test func badBoundsAndAnInitialValueOutsideThem() {
        let folder = TemporaryFolder()
        folder.write(smallLatticeCase().replacingOccurrences(of: "\"lower\": 2.3, \"upper\": 2.7", with: "\"lower\": 2.7, \"upper\": 2.7")
            .replacingOccurrences(of: "\"initial\": 1.55", with: "\"initial\": 0.1"), to: "case.json")
        let r = calibrate("run", folder.path)
        #expect(r.status == 2)
        #expect(r.err == """
            \(folder.path)/case.json:18:5: error: parameter 'alpha': initial value 0.1 lies outside [0.4, 4.0]; move the initial value inside the bounds or widen them
            \(folder.path)/case.json:19:5: error: parameter 'r0': lower bound 2.7 is not below upper bound 2.7; swap or widen the bounds, or mark the parameter fixed

            """)
        expectNoResults(folder)
    }

    @Test func aParameterNamedTwice() {
        let folder = TemporaryFolder()
        folder.write(smallLatticeCase().replacingOccurrences(of: "{\"name\": \"alpha\"", with: "{\"name\": \"D\""), to: "case.json")
        let r = calibrate("run", folder.path)
        #expect(r.status == 2)
        #expect(r.err.hasPrefix("\(folder.path)/case.json:18:5: error: parameter 'D' is defined twice (first at line 17); a parameter shared by several "
                                + "experiments is defined once and referred to by name\n"), "\(r.err)")
        expectNoResults(folder)
    }

    @Test func anOutputFolderThatIsNotWritable() {
        let folder = preparedSmallCase()
        folder.write("not a folder", to: "blocker")
        let r = calibrate("run", folder.path, "--out", folder.path + "/blocker/results")
        #expect(r.status == 2)
        #expect(r.err == "error: cannot write results to '\(folder.path)/blocker/results': '\(folder.path)/blocker' is not a folder; "
                + "choose another folder with --out\n")
        let missing = calibrate("run", folder.path, "--out", folder.path + "/no/such/results")
        #expect(missing.err == "error: cannot write results to '\(folder.path)/no/such/results': the folder '\(folder.path)/no/such' does not exist; "
                + "create it or choose another folder with --out\n")
        if getuid() != 0 {  // root writes anywhere; the permission case needs an ordinary user
            try! FileManager.default.createDirectory(atPath: folder.path + "/locked", withIntermediateDirectories: false)
            chmod(folder.path + "/locked", 0o555)
            let locked = calibrate("run", folder.path, "--out", folder.path + "/locked/results")
            #expect(locked.status == 2)
            #expect(locked.err.contains("cannot create a folder in '\(folder.path)/locked' (Permission denied)"), "\(locked.err)")
            chmod(folder.path + "/locked", 0o755)
        }
        expectNoResults(folder)
    }

    @Test func checkListsEveryProblemOfConfigurationAndData() throws {
        let folder = preparedSmallCase()
        var (dimensions, variables) = try validVariables(folder)
        variables[0].units = "eV"
        variables[3].values[0] = -1
        try writeObservations(folder, dimensions: dimensions, variables: variables)
        dimensions = []
        let r = calibrate("check", folder.path)
        #expect(r.status == 2)
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(r.out)")
        #expect(lines.first?.contains("its units are 'eV', which is not the same kind of quantity as the expected 'angstrom'") == true, "\(r.out)")
        #expect(lines.dropFirst().first?.contains("σ variable 'reaction_force_sigma' holds -1.0 at index [0]") == true, "\(r.out)")
        #expect(lines.last == "2 problems found in '\(folder.path)'.")
    }
}
