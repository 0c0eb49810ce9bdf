@testable import Bilevel
@testable import CaseRunner
import Foundation
import NetCDF
import Testing

// Round trips with data files written the ways xarray and netCDF4-python write them — int64
// integers, float32, NaN with _FillValue, CF time ("seconds since DATE", "seconds"), string
// coordinates — made by ncgen (Debian netcdf-bin, in scripts/setup.sh) from CDL in the tests.

/// Runs a program from PATH; its status and standard output.
private func tool(_ name: String, _ arguments: [String]) throws -> (status: Int32, out: String) {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    let program = try #require(path, "\(name) is not installed (Debian netcdf-bin; see scripts/setup.sh)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Writes `cdl` and makes `name` from it with ncgen (netCDF-4 unless `classic`).
private func ncgen(_ cdl: String, _ folder: TemporaryFolder, _ name: String, classic: Bool = false) throws {
    folder.write(cdl, to: "data.cdl")
    let made = try tool("ncgen", ["-k", classic ? "classic" : "nc4", "-o", folder.path + "/" + name, folder.path + "/data.cdl"])
    try #require(made.status == 0, "ncgen failed on:\n\(cdl)")
}

private func list(_ values: [Double]) -> String { values.map { String(format: "%.17g", $0) }.joined(separator: ", ") }

/// The bundled terzaghi case in a temporary folder, its pressures rewritten with the time
/// coordinate stored as `timeType` in `timeUnits`, holding `times` (the bundled times, in s, scaled).
private func terzaghi(timeType: String, timeUnits: String, timesPerSecond: Double = 1, withTimes: Bool = true,
                      missingTopValue: Bool = false) throws -> TemporaryFolder {
    let folder = TemporaryFolder()
    var configuration = try String(contentsOfFile: repositoryRoot + "/cases/terzaghi/case.json", encoding: .utf8)
    if !withTimes {
        configuration = configuration.replacingOccurrences(of: "\"times\": [0, 5, 10, 20, 30, 45, 60, 80, 100, 120],", with: "")
    }
    folder.write(configuration, to: "case.json")
    let bundled = try NetCDFReader(path: repositoryRoot + "/cases/terzaghi/pressures.nc")
    let seconds = try bundled.readDoubles("time").values
    let times = timeType == "int64" ? seconds.map { String(Int64(($0 * timesPerSecond).rounded())) }.joined(separator: ", ")
        : list(seconds.map { $0 * timesPerSecond })
    var variables = "", data = ""
    for name in ["p_top", "p_middle", "p_bottom"] {
        var values = try bundled.readDoubles(name).values
        let fill = missingTopValue && name == "p_top"
        if fill { values[3] = .nan }
        variables += "\tfloat \(name)(time) ;\n\t\t\(name):units = \"Pa\" ;\n" + (fill ? "\t\t\(name):_FillValue = NaNf ;\n" : "")
        data += " \(name) = " + values.map { $0.isNaN ? "NaNf" : String(format: "%.9g", $0) }.joined(separator: ", ") + " ;\n"
    }
    try ncgen("""
        netcdf pressures {
        dimensions:
        \ttime = \(seconds.count) ;
        variables:
        \t\(timeType) time(time) ;
        \t\ttime:units = "\(timeUnits)" ;
        \t\ttime:calendar = "proleptic_gregorian" ;
        \(variables)data:
         time = \(times) ;
        \(data)}
        """, folder, "pressures.nc")
    return folder
}

@Suite struct DataFormatTests {
    @Test(arguments: [("double", "seconds since 2000-01-01 00:00:00", 1.0), ("int64", "s", 1), ("double", "seconds", 1),
                      ("int64", "seconds since 2000-01-01", 1), ("double", "minutes", 1.0 / 60), ("float", "sec", 1)])
    func cfTimeIsAcceptedForTheTerzaghiCase(type: String, units: String, perSecond: Double) throws {
        for withTimes in [true, false] {
            let folder = try terzaghi(timeType: type, timeUnits: units, timesPerSecond: perSecond, withTimes: withTimes)
            let check = calibrate("check", folder.path)
            #expect(check.status == 0, "\(type) time in '\(units)' (times in case.json: \(withTimes)): \(check.out)")
            #expect(check.out.contains("30 observations"), "\(check.out)")
        }
    }

    @Test func timeInMinutesIsConvertedAndSaidSo() throws {
        let folder = try terzaghi(timeType: "double", timeUnits: "min", timesPerSecond: 1.0 / 60)
        let check = calibrate("check", folder.path)
        #expect(check.status == 0, "\(check.out)")
        #expect(check.out.contains("coordinate variable 'time' in 'min' read as s (× 60)"), "\(check.out)")
    }

    @Test func timeInSecondsLabelledMinutesIsAValueMismatchInTheModelsUnits() throws {
        // The values are seconds but say "minutes": converted, they no longer match 'times' (in s), and the message says so in s.
        let folder = try terzaghi(timeType: "int64", timeUnits: "minutes")
        let check = calibrate("check", folder.path)
        #expect(check.status == 2)
        #expect(check.out.contains("coordinate variable 'time' has 300 s at index 1, but experiment 'column' lists 5 in 'times'"), "\(check.out)")
    }

    @Test(arguments: [("int64", "furlong"), ("double", "m"), ("int64", "months since 2000-01-01"), ("double", "seconds since yesterday")])
    func aTimeThatIsNotATimeIsAUnitsErrorInNetCDFTerms(type: String, units: String) throws {
        for withTimes in [true, false] {
            let folder = try terzaghi(timeType: type, timeUnits: units, withTimes: withTimes)
            let check = calibrate("check", folder.path)
            #expect(check.status == 2, "\(units): \(check.out)")
            #expect(check.out.contains("coordinate variable 'time'"), "\(check.out)")
            #expect(check.out.contains("write the times as numbers with units such as \"s\", \"seconds\""), "\(check.out)")
            #expect(!check.out.contains("Swift"), "\(check.out)")
        }
    }

    @Test func aSensorMissingAValueIsRejectedByCheckAsByRun() throws {
        // NaN with a NaN _FillValue, as xarray writes a missing float; a time series needs every sensor at every time.
        let folder = try terzaghi(timeType: "int64", timeUnits: "seconds", missingTopValue: true)
        let expected = "error: experiment 'column': variable 'p_top' has a missing value at t = 20 s; time series need every sensor at every time"
        for noSolve in [false, true] {
            let check = calibrate(["check", folder.path] + (noSolve ? ["--no-solve"] : []))
            #expect(check.status == 2)
            #expect(check.out.contains(expected), "\(check.out)")
        }
        let run = calibrate("run", folder.path)
        #expect(run.status == 2)
        #expect(run.err.contains(expected), "\(run.err)")
    }

    @Test func checkSolvesOnceAtTheInitialParametersUnlessToldNot() throws {
        let folder = try terzaghi(timeType: "double", timeUnits: "s")
        let check = calibrate("check", folder.path)
        #expect(check.status == 0)
        #expect(check.out.contains("; solved the 350 equilibria at the initial parameters"), "\(check.out)")
        let quick = calibrate("check", folder.path, "--no-solve")
        #expect(quick.status == 0)
        #expect(!quick.out.contains("solved"), "\(quick.out)")
    }

    /// The small lattice case's data, re-encoded the xarray way: int64 atom labels, float32 values,
    /// a string coordinate for the components.
    private func latticeAsXarrayWrites(reverseAtoms: Bool) throws -> TemporaryFolder {
        let folder = preparedSmallCase()
        let synthetic = try NetCDFReader(path: folder.path + "/observations.nc")
        var atoms = try synthetic.readInt64s("atom").values
        if reverseAtoms { atoms.reverse() }
        func values(_ name: String) throws -> String {
            try synthetic.readDoubles(name).values.map { String(format: "%.9g", $0) }.joined(separator: ", ")
        }
        try ncgen("""
            netcdf observations {
            dimensions:
            \tatom = \(atoms.count) ;
            \tcomponent = 2 ;
            \tforce_component = 2 ;
            variables:
            \tint64 atom(atom) ;
            \tstring component(component) ;
            \tfloat u(atom, component) ;
            \t\tu:units = "nm" ;
            \tfloat u_sigma(atom, component) ;
            \t\tu_sigma:units = "Å" ;
            \tdouble reaction_force(force_component) ;
            \t\treaction_force:units = "eV/Angstrom" ;
            \tdouble reaction_force_sigma(force_component) ;
            \t\treaction_force_sigma:units = "eV/angstrom" ;
            data:
             atom = \(atoms.map(String.init).joined(separator: ", ")) ;
             component = "x", "y" ;
             u = \(try synthetic.readDoubles("u").values.map { String(format: "%.9g", $0 / 10) }.joined(separator: ", ")) ;
             u_sigma = \(try values("u_sigma")) ;
             reaction_force = \(try values("reaction_force")) ;
             reaction_force_sigma = \(try values("reaction_force_sigma")) ;
            }
            """, folder, "observations.nc")
        return folder
    }

    @Test func anInt64AtomCoordinateInReversedOrderIsRefused() throws {
        let folder = try latticeAsXarrayWrites(reverseAtoms: true)
        let check = calibrate("check", folder.path)
        #expect(check.status == 2)
        #expect(check.out.contains("coordinate variable 'atom' lists atom"), "\(check.out)")
        #expect(check.out.contains("the data were made for another atom selection or lattice"), "\(check.out)")
    }

    @Test func int64AtomsFloat32ValuesInNanometresAndStringComponentsAreReadAndConverted() throws {
        let folder = try latticeAsXarrayWrites(reverseAtoms: false)
        let check = calibrate("check", folder.path)
        #expect(check.status == 0, "\(check.out)")
        #expect(check.out.contains("variable 'u': values in 'nm' converted to the model's 'angstrom' on reading (1 nm = 10 angstrom)"), "\(check.out)")
        let run = calibrate("run", folder.path, "--quiet")
        #expect(run.status == 0, "\(run.err)")
        let results = try NetCDFReader(path: folder.path + "/results/results.nc")
        let fitted = try results.readDoubles("parameter_value").values
        for (value, truth) in zip(fitted, [0.35, 1.4, 2.5]) { #expect(abs(value / truth - 1) < 0.05, "\(fitted)") }
        // Stored in the model's units, the conversion stated.
        #expect(try results.units(of: "u_observed") == "angstrom")
        #expect(try results.textAttribute("unit_conversion", of: "u_observed").contains("'nm' → 'angstrom', × 10"))
        let input = try NetCDFReader(path: folder.path + "/observations.nc")
        let observed = try results.readDoubles("u_observed").values, stored = try input.readDoubles("u").values
        for (o, s) in zip(observed, stored) { #expect(abs(o - 10 * s) <= 1e-12 * max(abs(o), 1e-300)) }
    }

    /// A crystal case whose moduli are in GPa as published, stored as float32 the way xarray writes float32 data.
    @Test func elasticConstantsInGPaAreConvertedAndTheFitIsTheSame() throws {
        let folder = TemporaryFolder()
        folder.write(try String(contentsOfFile: repositoryRoot + "/cases/morse-crystal/case.json", encoding: .utf8), to: "case.json")
        let bundled = try NetCDFReader(path: repositoryRoot + "/cases/morse-crystal/properties.nc")
        let gigapascal = 1e9 / 1.602176634e-19 * 1e-30  // eV/Å³ per GPa
        var cdl = "netcdf properties {\nvariables:\n"
        var data = "data:\n"
        for name in ["lattice_constant", "cohesive_energy", "bulk_modulus", "c11", "c12"] {
            let modulus = !["lattice_constant", "cohesive_energy"].contains(name)
            let units = modulus ? "GPa" : try #require(try bundled.units(of: name))
            cdl += "\tdouble \(name) ;\n\t\t\(name):units = \"\(units)\" ;\n"
            let value = try bundled.readDoubles(name).values[0] / (modulus ? gigapascal : 1)
            data += " \(name) = \(String(format: "%.17g", value)) ;\n"
        }
        try ncgen(cdl + data + "}\n", folder, "properties.nc", classic: true)
        let check = calibrate("check", folder.path)
        #expect(check.status == 0, "\(check.out)")
        #expect(check.out.contains("variable 'c11': values in 'GPa' converted to the model's 'eV/angstrom^3' on reading"), "\(check.out)")
        #expect(calibrate("run", folder.path, "--quiet").status == 0)
        let reference = TemporaryFolder()
        for file in ["case.json", "properties.nc"] {
            try FileManager.default.copyItem(atPath: repositoryRoot + "/cases/morse-crystal/" + file, toPath: reference.path + "/" + file)
        }
        #expect(calibrate("run", reference.path, "--quiet").status == 0)
        let converted = try NetCDFReader(path: folder.path + "/results/results.nc").readDoubles("parameter_value").values
        let original = try NetCDFReader(path: reference.path + "/results/results.nc").readDoubles("parameter_value").values
        for (a, b) in zip(converted, original) { #expect(abs(a / b - 1) < 1e-6, "\(converted) vs \(original)") }
        let report = String(decoding: folder.read("results/report.md")!, as: UTF8.self)
        #expect(report.contains("'GPa' → 'eV/angstrom^3'"), "the report states the conversion")
        // Scalar observables: one table with the relative deviations, no one-point plots.
        #expect(report.contains("### Scalar observables"), "\(report)")
        #expect(report.contains("| c11 "), "\(report)")
        #expect(!folder.exists("results/plots/c11_observed_vs_predicted.svg"))
    }

    @Test func resultsOpenAsATidyDatasetWithProvenance() throws {
        let folder = preparedSmallCase()
        #expect(calibrate("run", folder.path, "--quiet").status == 0)
        let path = folder.path + "/results/results.nc"
        // ncdump lists the parameter names (xarray decodes the char array to strings through _Encoding).
        let dump = try tool("ncdump", ["-v", "parameter", path]).out
        #expect(dump.contains("parameter =\n  \"D\",\n  \"alpha\",\n  \"r0\" ;"), "\(dump)")
        let results = try NetCDFReader(path: path)
        #expect(try results.textAttribute("_Encoding", of: "parameter") == "utf-8")
        // Every numeric variable has units and a long_name.
        for v in results.variables where v.type != .char {
            #expect(v.attribute("units") != nil && v.attribute("long_name") != nil, "\(v.name) lacks units or long_name")
        }
        // Provenance: the command line and the SHA-256 of the inputs, in sha256sum's format.
        #expect(try results.textAttribute("history") == "calibrate run \(folder.path) --quiet")
        let sums = try results.textAttribute("input_files_sha256")
        for file in ["case.json", "observations.nc"] {
            let digest = SHA256.hex(of: try #require(folder.read(file)))
            #expect(sums.contains("\(digest)  \(folder.path)/\(file)"), "\(sums)")
            let report = String(decoding: folder.read("results/report.md")!, as: UTF8.self)
            #expect(report.contains("`\(digest)`"), "report.md lacks the SHA-256 of \(file)")
        }
        let independent = try tool("sha256sum", [folder.path + "/case.json"]).out
        #expect(independent.hasPrefix(SHA256.hex(of: try #require(folder.read("case.json")))))
    }

    @Test func aRunStoppedAtTheIterationLimitCarriesABanner() throws {
        let folder = preparedSmallCase()
        #expect(calibrate("run", folder.path, "--max-iterations", "1", "--quiet").status == 1)
        let report = String(decoding: folder.read("results/report.md")!, as: UTF8.self)
        #expect(report.contains("**⚠ The calibration did not converge: stopped: iteration limit reached.**"), "\(report.prefix(600))")
        let converged = preparedSmallCase()
        #expect(calibrate("run", converged.path, "--quiet").status == 0)
        #expect(!String(decoding: converged.read("results/report.md")!, as: UTF8.self).contains("did not converge"))
    }
}

@Suite struct SHA256Tests {
    /// FIPS 180-4 examples (NIST CSRC "SHA256.pdf" and the one-million-'a' vector).
    @Test func fipsVectors() {
        #expect(SHA256.hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(of: Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Padding edges: 55, 56 and 64 bytes need one, two and two blocks.
    @Test func paddingBoundaries() throws {
        for count in [55, 56, 63, 64, 65] {
            let data = Data(repeating: 0x61, count: count)
            let folder = TemporaryFolder()
            try data.write(to: URL(fileURLWithPath: folder.path + "/x"))
            let reference = try tool("sha256sum", [folder.path + "/x"]).out
            #expect(reference.hasPrefix(SHA256.hex(of: data)), "\(count) bytes")
        }
    }
}

@Suite struct UnitSpellingTests {
    @Test(arguments: [("seconds", 1.0), ("sec", 1), ("s", 1), ("minutes", 60), ("min", 60), ("hours", 3600), ("h", 3600), ("days", 86400),
                      ("seconds since 2000-01-01 00:00:00", 1), ("hours since 1970-01-01T00:00:00Z", 3600), ("ms", 1e-3)])
    func timeUnitsConvertToSeconds(units: String, factor: Double) throws {
        let result = try CFTime.factor(from: units, to: "s", variable: "time").get()
        #expect(abs(result.factor / factor - 1) < 1e-15)
        #expect((result.reference != nil) == units.contains("since"))
    }

    @Test func compatibleUnitsAreConvertibleAndOthersAreNot() {
        guard case let .convertible(factor) = UnitCheck.compare(expected: "eV/angstrom^3", found: "GPa") else {
            Issue.record("GPa is a pressure, as eV/Å³ is")
            return
        }
        #expect(abs(factor / (1e9 * 1e-30 / 1.602176634e-19) - 1) < 1e-12)
        #expect(UnitCheck.compare(expected: "Pa", found: "kPa") == .convertible(factor: 1000))
        #expect(UnitCheck.compare(expected: "Pa", found: "m") == .incompatible)
        #expect(UnitCheck.compare(expected: "s", found: "furlong") == .unknown)
    }
}

@Suite struct ProgressLineTests {
    private func record(_ k: Int) -> IterationRecord {
        IterationRecord(iteration: k, objective: 1.5, projectedGradientNorm: 0.25, stepNorm: 0.5, accepted: true, damping: nil,
                        evaluations: 1, innerIterations: 7, elapsedSeconds: 0)
    }

    @Test func iterationOfTheLimitAndTheTimeLeftAtTheMeanPace() {
        // 2 of 10 iterations in 10 s: at most 8 more at 5 s each.
        let line = ProgressLine.format(record(2), elapsed: 10, maximum: 10)
        #expect(line.hasPrefix("      2/10"), "\(line)")
        #expect(line.hasSuffix("           40 s"), "\(line)")
        #expect(ProgressLine.format(record(0), elapsed: 1, maximum: 10).hasSuffix(" -"), "no estimate before the first iteration")
        #expect(ProgressLine.format(record(1), elapsed: 3600, maximum: 4).hasSuffix("3.0 h"))
        #expect(ProgressLine.format(record(5), elapsed: 300, maximum: 10).hasSuffix("5 min"))
        #expect(line.count == ProgressLine.header.count, "the columns line up under the header")
    }

    @Test func finishedLinesStayOnATerminal() {
        var written = ""
        let console = Console(out: { _ in }, error: { written += $0 }, errorIsTerminal: true)
        console.progress("first")
        console.status("working…")
        console.progress("second")
        #expect(written == "first\n\r\u{1B}[K" + "working…" + "\r\u{1B}[K" + "second\n")
    }
}

@Suite struct ConditionalIntervalTests {
    /// In the layered footing the sand's mobility k_sand is undetermined (it drains before the first
    /// observation). The other parameters' standard errors conditional on that direction must be those
    /// of the same fit with k_sand fixed — up to the residual variance, estimated with one free
    /// parameter more (error scale "relative": se ∝ √(χ²/dof)).
    @Test func conditionalStandardErrorsAreThoseWithTheUndeterminedParameterFixed() throws {
        func copied(fixing: Bool) throws -> TemporaryFolder {
            let folder = TemporaryFolder()
            for file in ["case.json", "footing.msh", "footing.nc"] {
                try FileManager.default.copyItem(atPath: repositoryRoot + "/cases/layered-footing/" + file, toPath: folder.path + "/" + file)
            }
            if fixing {
                let text = String(decoding: folder.read("case.json")!, as: UTF8.self)
                let line = try #require(text.split(separator: "\n").first { $0.contains("\"name\": \"k_sand\"") })
                folder.write(text.replacingOccurrences(of: String(line), with: "    {\"name\": \"k_sand\", \"initial\": 1e-5, \"fixed\": true}"),
                             to: "case.json")
            }
            #expect(calibrate("run", folder.path, "-q").status == 0)
            return folder
        }
        let free = try copied(fixing: false), fixed = try copied(fixing: true)
        let report = String(decoding: free.read("results/report.md")!, as: UTF8.self)
        #expect(report.contains("| 1.00·log k_sand") && report.contains("**no**"), "the undetermined direction is named")
        #expect(report.contains("(conditional)"), "intervals are still given for the determined parameters")
        let a = try NetCDFReader(path: free.path + "/results/results.nc"), b = try NetCDFReader(path: fixed.path + "/results/results.nc")
        #expect(try a.textAttribute("error_scale") == "relative")
        let variance = { (r: NetCDFReader) throws -> Double in
            try r.numericAttribute("chi_squared")[0] / r.numericAttribute("degrees_of_freedom")[0]
        }
        let expectedRatio = (try variance(a) / variance(b)).squareRoot()
        let conditional = try a.readDoubles("parameter_standard_error_conditional", fill: .allowFill).values
        let withFixed = try b.readDoubles("parameter_standard_error", fill: .allowFill).values
        let names = try a.readDoubles("parameter_fixed").values.indices
        var compared = 0
        for k in names where conditional[k].isFinite && withFixed[k].isFinite {
            #expect(abs(conditional[k] / withFixed[k] / expectedRatio - 1) < 0.02, "parameter \(k): \(conditional[k]) vs \(withFixed[k])")
            compared += 1
        }
        #expect(compared == 4, "E_clay, nu_clay, k_clay and E_sand")
    }
}

@Suite struct PackedDataTests {
    /// Pressures packed as short with scale_factor and add_offset (CF §8.1), one value marked by a
    /// missing_value: read unpacked, the missing one left out — the same check as the plain file.
    @Test func packedShortsAreUnpackedAndMissingValueIsMissing() throws {
        let folder = TemporaryFolder()
        folder.write(try String(contentsOfFile: repositoryRoot + "/cases/morse-crystal/case.json", encoding: .utf8), to: "case.json")
        let bundled = try NetCDFReader(path: repositoryRoot + "/cases/morse-crystal/properties.nc")
        let a = try bundled.readDoubles("lattice_constant").values[0]
        // Packed with a step of 1e-4 Å around 3.6 Å: the stored short is the rounded offset.
        let packed = Int((a - 3.6) / 1e-4).description
        var cdl = "netcdf properties {\nvariables:\n\tshort lattice_constant ;\n\t\tlattice_constant:units = \"angstrom\" ;\n"
            + "\t\tlattice_constant:scale_factor = 1.e-4 ;\n\t\tlattice_constant:add_offset = 3.6 ;\n"
        var data = "data:\n lattice_constant = \(packed) ;\n"
        for name in ["cohesive_energy", "bulk_modulus", "c11", "c12"] {
            cdl += "\tdouble \(name) ;\n\t\t\(name):units = \"\(try #require(try bundled.units(of: name)))\" ;\n"
            data += " \(name) = \(String(format: "%.17g", try bundled.readDoubles(name).values[0])) ;\n"
        }
        folder.write(cdl + data + "}\n", to: "properties.cdl")
        let made = try tool("ncgen", ["-k", "classic", "-o", folder.path + "/properties.nc", folder.path + "/properties.cdl"])
        try #require(made.status == 0)
        #expect(calibrate("run", folder.path, "-q").status == 0)
        let observed = try NetCDFReader(path: folder.path + "/results/results.nc").readDoubles("lattice_constant_observed").values[0]
        #expect(abs(observed - (Double(Int(packed)!) * 1e-4 + 3.6)) < 1e-12, "unpacked: \(observed)")
        #expect(abs(observed - a) < 1e-4, "within the packing step of the original \(a)")
        // A missing_value without _FillValue is missing data, which a scalar observable must have.
        let withMissing = (cdl + data + "}\n").replacingOccurrences(of: "lattice_constant:add_offset = 3.6 ;",
                                                                    with: "lattice_constant:add_offset = 3.6 ;\n\t\tlattice_constant:missing_value = \(packed)s ;")
        folder.write(withMissing, to: "properties.cdl")
        try #require(try tool("ncgen", ["-k", "classic", "-o", folder.path + "/properties.nc", folder.path + "/properties.cdl"]).status == 0)
        let check = calibrate("check", folder.path)
        #expect(check.status == 2)
        #expect(check.out.contains("variable 'lattice_constant' holds its missing_value"), "\(check.out)")
    }
}
