@testable import CaseRunner
import Foundation
import Physics
import Testing

/// Command-line misuse and destructive commands: typos get "did you mean", `synth` does not
/// overwrite data made at unintended values, mesh errors point into the .msh file.
@Suite struct HostileCommandTests {
    @Test func aMisspeltCommandIsRecognized() {
        let r = calibrate("chek", "cases/morse-lattice")
        #expect(r.status == 2, "\(r.err) \(r.out)")
        #expect(r.err.contains("'chek' is not a command and not a case folder; did you mean 'calibrate check'?"), "\(r.err)")
        // A folder that happens to be named like a command typo is still a case folder.
        let folder = TemporaryFolder()
        try? FileManager.default.createDirectory(atPath: folder.path + "/chek", withIntermediateDirectories: false)
        let asCase = calibrate(folder.path + "/chek")
        #expect(!asCase.err.contains("did you mean 'calibrate check'"))
    }

    @Test func synthRefusesToReplaceDataWithoutATruthForEveryFreeParameter() throws {
        let folder = preparedSmallCase()
        let before = folder.read("observations.nc")
        let r = calibrate("synth", folder.path, "--truth", "D=0.35", "--noise", "0.01", "-q")
        #expect(r.status == 2, "\(r.err) \(r.out)")
        #expect(r.err.contains("--truth alpha=VALUE --truth r0=VALUE") && r.err.contains("--at-initial"), "\(r.err)")
        #expect(folder.read("observations.nc") == before)
        #expect(!folder.contents.contains { $0.hasPrefix(".") }, "leftover temporaries: \(folder.contents)")
        // Asked for explicitly, it replaces them.
        let explicit = calibrate("synth", folder.path, "--truth", "D=0.35", "--noise", "0.01", "--at-initial", "-q")
        #expect(explicit.status == 0, "\(explicit.err)")
        #expect(folder.read("observations.nc") != before)
    }

    @Test func synthWritesNewDataAtInitialValuesWithoutTheFlag() {
        let folder = TemporaryFolder()
        folder.write(smallLatticeCase(), to: "case.json")
        let r = calibrate("synth", folder.path, "--noise", "0.01", "-q")
        #expect(r.status == 0, "\(r.err)")
        #expect(folder.exists("observations.nc"))
    }

    @Test func aMeshSyntaxErrorIsLocatedInTheMeshFile() throws {
        let folder = TemporaryFolder()
        let source = repositoryRoot + "/cases/layered-footing"
        for file in ["case.json", "footing.nc"] {
            try FileManager.default.copyItem(atPath: source + "/" + file, toPath: folder.path + "/" + file)
        }
        let mesh = try String(contentsOfFile: source + "/footing.msh", encoding: .utf8)
        let lines = mesh.components(separatedBy: "\n")
        let header = try #require(lines.firstIndex(of: "$Nodes")) + 1  // 0-based index of the counts line
        var broken = lines
        broken[header] = "-" + lines[header]
        try broken.joined(separator: "\n").write(toFile: folder.path + "/footing.msh", atomically: true, encoding: .utf8)
        let r = calibrate("check", folder.path)
        #expect(r.status == 2, "\(r.err) \(r.out)")
        let output = r.out + r.err
        #expect(output.contains("footing.msh:\(header + 1):1: error: MSH syntax error in $Nodes: the number of node blocks is -"), "\(output)")
        #expect(!output.contains("case.json:"), "\(output)")
    }
}

/// One writer per output folder; leftovers of killed runs are cleaned by the next run.
@Suite struct OutputLockTests {
    /// A process id that no running process has.
    func deadPID() -> Int32 {
        var pid: Int32 = 4_000_000
        while StaleOutputs.isAlive(pid) { pid -= 1 }
        return pid
    }

    @Test func aSecondRunOnTheSameFolderExitsTwoNamingTheFirst() throws {
        let folder = preparedSmallCase()
        let held = try OutputLock(folder: folder.path + "/results")
        let r = calibrate("run", folder.path, "-q")
        #expect(r.status == 2, "\(r.err) \(r.out)")
        #expect(r.err.contains("another calibrate (process \(getpid())) is writing '\(folder.path)/results'"), "\(r.err)")
        #expect(!folder.exists("results"))
        held.release()
        #expect(!folder.exists(".results.lock"))
        #expect(calibrate("run", folder.path, "-q").status == 0)
        #expect(!folder.contents.contains { $0.hasPrefix(".") }, "\(folder.contents)")
    }

    @Test func leftoversOfDeadProcessesAreRemovedAndThoseOfLiveOnesKept() throws {
        let folder = preparedSmallCase()
        let dead = deadPID(), alive = getppid()
        for entry in [".results.partial-\(dead)-12", ".results.old-\(dead)-7", ".results.partial-\(alive)-3"] {
            try FileManager.default.createDirectory(atPath: folder.path + "/" + entry, withIntermediateDirectories: false)
            folder.write("x", to: entry + "/report.md")
        }
        folder.write("x", to: "..results.checkpoint.tmp.\(dead).1f")
        folder.write("x", to: ".other.partial-\(dead)-1")  // another folder's: not ours to remove
        #expect(StaleOutputs.ownerPID(of: ".results.partial-\(dead)-12", name: "results") == dead)
        #expect(StaleOutputs.ownerPID(of: ".results.checkpoint", name: "results") == nil)
        #expect(calibrate("run", folder.path, "-q").status == 0)
        #expect(folder.contents.filter { $0.hasPrefix(".") }.sorted() == [".other.partial-\(dead)-1", ".results.partial-\(alive)-3"])
    }
}

/// The issue's case: compressed far enough, the Morse lattice "converges" with atoms passed through
/// each other; that is not an equilibrium.
@Suite struct OverlappingAtomsTests {
    func compressedCase(_ dy: Double) -> TemporaryFolder {
        let folder = TemporaryFolder()
        folder.write(smallLatticeCase(forces: false).replacingOccurrences(of: "\"displacement\": [0.2, 0.5]", with: "\"displacement\": [0, \(dy)]"),
                     to: "case.json")
        return folder
    }

    @Test func forwardExitsTwoNamingTheAtoms() {
        let crushed = compressedCase(-5), gentle = compressedCase(-0.5)
        let r = calibrate("forward", crushed.path, "-q")
        #expect(r.status == 2, "\(r.err) \(r.out)")
        #expect(r.err.contains("pushed through each other") && r.err.contains("minimum_separation"), "\(r.err)")
        let mild = calibrate("forward", gentle.path, "-q")
        #expect(mild.status == 0, "\(mild.err) \(mild.out)")
    }

    @Test func insideACalibrationItIsAFailedEvaluation() throws {
        let folder = compressedCase(-5)
        let d = DiagnosticList()
        let loaded = try #require(LoadedCase.load(try CaseLocation.locate(folder.path), diagnostics: d))
        let step = loaded.setups[0].steps[0]
        #expect(try step.predict(theta: loaded.space.initialPhysical, names: loaded.space.names) == nil)
        #expect(step.lastRejection?.contains("pushed through each other") == true)
        // With the check off, the same solve is reported as solved (what the issue found).
        let off = compressedCase(-5)
        off.write(smallLatticeCase(forces: false).replacingOccurrences(of: "\"displacement\": [0.2, 0.5]", with: "\"displacement\": [0, -5]")
            .replacingOccurrences(of: "\"skin\": 0.75,", with: "\"skin\": 0.75, \"minimum_separation\": 0,"), to: "case.json")
        #expect(calibrate("forward", off.path, "-q").status == 0)
    }
}

/// Advice is in case.json terms, not Swift's.
@Suite struct CaseTermsTests {
    @Test func optionNamesAreTheConfigurationsFields() {
        let folder = TemporaryFolder()
        folder.write(smallLatticeCase().replacingOccurrences(of: "\"optimizer\": {\"method\": \"levenberg-marquardt\"}",
                                                             with: "\"optimizer\": {\"method\": \"levenberg-marquardt\", \"maximum_iterations\": 0}"),
                     to: "case.json")
        let r = calibrate("check", folder.path)
        #expect(r.status == 2)
        #expect((r.out + r.err).contains("maximum_iterations") && !(r.out + r.err).contains("maximumIterations"), "\(r.out)\(r.err)")
    }

    /// The library's own message, as the case's model raises it, comes out in case.json terms.
    @Test func boundaryConditionAdviceIsWrittenAsJSON() throws {
        let mesh = try TriangleMesh.rectangle(width: 1, height: 1, columns: 1, rows: 1)
        let material = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1, biotModulus: 1e9, mobility: 1e-9,
                                    permeabilityLaw: .constant)
        do {
            _ = try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [.drained(boundary: "top", pressure: 0)])
            Issue.record("a model without displacement conditions must be refused")
        } catch {
            let message = CaseTerms.translate("\(error)")
            #expect(!message.contains(".roller(") && message.contains("\"type\": \"roller\", \"component\": \"y\""), "\(message)")
        }
    }
}

/// Size before work: the size is estimated from the configuration and a case that cannot fit is
/// refused at once, before the model is built (a 3000 × 3000 lattice once took 11 GB to be refused).
@Suite struct CaseSizeTests {
    func lattice(cells: String) -> TemporaryFolder {
        let folder = preparedSmallCase()
        folder.write(smallLatticeCase().replacingOccurrences(of: "\"cells\": [4, 3]", with: "\"cells\": \(cells)"), to: "case.json")
        return folder
    }

    @Test func theEstimateCountsAtomsAndUnknownsAndIsShownForLargeCases() throws {
        func configuration(_ cells: String) throws -> CaseConfiguration {
            try #require(ConfigurationDecoder.decode(smallLatticeCase().replacingOccurrences(of: "\"cells\": [4, 3]", with: "\"cells\": \(cells)"),
                                                     file: "case.json", diagnostics: DiagnosticList()))
        }
        let small = try #require(CaseSize.estimate(try configuration("[4, 3]")))
        #expect(small.items == 24 && small.unknowns == 48 && small.factorBytes > 0 && small.bytes > small.factorBytes)
        let quiet = DiagnosticList()
        #expect(CaseSize.admit(try configuration("[4, 3]"), diagnostics: quiet) && quiet.items.isEmpty)
        // 45,000 atoms: a few hundred MB, shown as a note (check lists it, run prints it).
        let large = DiagnosticList()
        #expect(CaseSize.admit(try configuration("[150, 150]"), diagnostics: large))
        #expect(large.items.map(\.message) == [try #require(CaseSize.estimate(try configuration("[150, 150]"))).summary])
        #expect(large.items.first?.message.hasPrefix("size: 45000 atoms, 90000 unknowns, factor ≈ ") == true)
    }

    @Test func aCaseThatCannotFitIsRefusedBeforeAnythingIsBuilt() throws {
        let folder = lattice(cells: "[3000000, 3000000]")
        let clock = ContinuousClock(), start = clock.now
        let r = calibrate("check", folder.path)
        #expect(clock.now - start < .seconds(5))
        #expect(r.status == 2)
        #expect(r.out.contains("too large for this machine") && r.out.contains("--force"), "\(r.out)")
        let run = calibrate("run", folder.path, "-q")
        #expect(run.status == 2 && run.err.contains("too large for this machine"), "\(run.err)")
        // --force lets it through the estimate (to whatever the model's own limits say).
        let d = DiagnosticList()
        let configuration = try #require(ConfigurationDecoder.decode(
            smallLatticeCase().replacingOccurrences(of: "\"cells\": [4, 3]", with: "\"cells\": [3000000, 3000000]"), file: "case.json", diagnostics: d))
        #expect(!CaseSize.admit(configuration, diagnostics: DiagnosticList()))
        #expect(CaseSize.$force.withValue(true) { CaseSize.admit(configuration, diagnostics: DiagnosticList()) })
    }
}
