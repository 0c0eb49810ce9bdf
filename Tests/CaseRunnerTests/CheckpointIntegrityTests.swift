@testable import CaseRunner
import Bilevel
import Foundation
import Testing

/// A checkpoint carries its format version and a checksum over all its bytes: any damage is refused
/// as damage (never resumed into another result, never blamed on the user's edits), and its
/// fingerprint covers every input file, the Gmsh mesh included.
@Suite struct CheckpointIntegrityTests {
    static let sample = Checkpoint(fingerprint: 0xDEAD_BEEF, threads: 1, iterations: 2, elapsedSeconds: 0.25, records: [
        .residual(z: [0.1, -.pi], jacobian: true, result: .init(residuals: [1, 2], jacobian: DenseMatrix(rows: 2, columns: 1, values: [3, 4]),
                                                                innerIterations: 5)),
        .objective(z: [1, 2], result: .init(value: 0.5, gradient: [1e-3, -2e-3], innerIterations: 4)),
        .objective(z: [1, 3], result: nil),
    ], rejected: RejectedEvaluations(branchJumps: 2, instabilities: 1, firstBranchJump: "experiment 'pull': branch jump at D = 0.3",
                                     firstInstability: "experiment 'tip 1': unstable at 0.62 of the load — ü"))

    @Test func everySingleByteChangeIsDetected() {
        let bytes = Array(Self.sample.encoded())
        #expect((try? Checkpoint.decodeChecked(Data(bytes))) == Self.sample)
        for offset in bytes.indices {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = bytes
                damaged[offset] ^= flip
                #expect(Checkpoint.decode(Data(damaged)) == nil, "a change at byte \(offset) of \(bytes.count) was not detected")
            }
        }
    }

    @Test func damageAfterTheHeaderIsReportedAsDamageAndEveryTruncationIsRefused() {
        let bytes = Array(Self.sample.encoded())
        let header = Checkpoint.magic.count + 4
        for offset in header ..< bytes.count {
            var damaged = bytes
            damaged[offset] &+= 1
            #expect(throws: Checkpoint.DecodingFailure.damaged) { try Checkpoint.decodeChecked(Data(damaged)) }
        }
        for length in 0 ..< bytes.count { #expect(Checkpoint.decode(Data(bytes.prefix(length))) == nil) }
        var otherVersion = bytes
        otherVersion[Checkpoint.magic.count] = 1
        #expect(throws: Checkpoint.DecodingFailure.otherVersion(1)) { try Checkpoint.decodeChecked(Data(otherVersion)) }
    }

    @Test func readingSaysWhatIsWrongWithTheCheckpointPath() throws {
        let folder = TemporaryFolder()
        #expect(try Checkpoint.read(at: folder.path + "/absent") == nil)
        try FileManager.default.createDirectory(atPath: folder.path + "/dir", withIntermediateDirectories: false)
        #expect(throws: CaseError.self) { try Checkpoint.read(at: folder.path + "/dir") }
        do { _ = try Checkpoint.read(at: folder.path + "/dir") } catch { #expect(error.description.contains("is a folder, not a checkpoint file")) }
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/a", withDestinationPath: folder.path + "/b")
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/b", withDestinationPath: folder.path + "/a")
        do { _ = try Checkpoint.read(at: folder.path + "/a"); Issue.record("a link loop must be refused") } catch {
            #expect(error.description.contains("symbolic link that loops"), "\(error)")
        }
        // A device is not read (it could be endless), and neither is a sparse file larger than half the memory.
        do { _ = try Checkpoint.read(at: "/dev/zero"); Issue.record("a device must be refused") } catch {
            #expect(error.description.contains("not a regular file"), "\(error)")
        }
        let huge = folder.path + "/huge"
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        let memory = Int64(sysconf(Int32(_SC_PHYS_PAGES))) * Int64(sysconf(Int32(_SC_PAGESIZE)))
        #expect(truncate(huge, off_t(memory / 2 + 1)) == 0)
        do { _ = try Checkpoint.read(at: huge); Issue.record("an oversized checkpoint must be refused") } catch {
            #expect(error.description.contains("more than half this machine's memory"), "\(error)")
        }
        var bytes = Array(Self.sample.encoded())
        bytes[bytes.count - 1] ^= 1
        #expect(FileManager.default.createFile(atPath: folder.path + "/damaged", contents: Data(bytes)))
        do { _ = try Checkpoint.read(at: folder.path + "/damaged"); Issue.record("damage must be refused") } catch {
            #expect(error.description.contains("is damaged"), "\(error)")
            #expect(!error.description.contains("different configuration"))
        }
    }

    /// The issue's case: a flip near the end of a real checkpoint resumed silently with exit 0.
    @Test func aResumeFromADamagedCheckpointExitsTwoSayingItIsDamaged() throws {
        let folder = preparedSmallCase()
        var options = RunOptions()
        options.stopAfterIterations = 2
        let (console, _) = Console.capturing()
        #expect(try RunCommand.execute(folder.path, options: options, console: console) == 130)
        let path = folder.path + "/.results.checkpoint"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count - 20] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: path))
        let resumed = calibrate("run", folder.path, "--resume", "-q")
        #expect(resumed.status == 2)
        #expect(resumed.err.contains("is damaged"), "\(resumed.err)")
        #expect(!folder.exists("results"))
    }

    @Test func theFingerprintCoversTheMesh() throws {
        let folder = TemporaryFolder()
        let source = repositoryRoot + "/cases/layered-footing"
        for file in ["case.json", "footing.msh", "footing.nc"] {
            try FileManager.default.copyItem(atPath: source + "/" + file, toPath: folder.path + "/" + file)
        }
        func fingerprint() throws -> UInt64 {
            let d = DiagnosticList()
            let loaded = try #require(LoadedCase.load(try CaseLocation.locate(folder.path), diagnostics: d), "\(d.items)")
            #expect(loaded.inputFiles.contains(folder.path + "/footing.msh"))
            return Checkpoint.fingerprint(of: loaded, optimizer: loaded.configuration.optimizer)
        }
        let before = try fingerprint()
        #expect(try fingerprint() == before)
        // A comment-like change that keeps the mesh valid: an extra blank line before $Nodes.
        let mesh = try String(contentsOfFile: folder.path + "/footing.msh", encoding: .utf8)
        try mesh.replacingOccurrences(of: "$Nodes\n", with: "\n$Nodes\n").write(toFile: folder.path + "/footing.msh", atomically: true, encoding: .utf8)
        #expect(try fingerprint() != before)
    }

    /// The rejections of an interrupted run are counted in the resumed run's report, the first events
    /// being the earlier run's.
    @Test func rejectionsCarriedOverAResumeAddUp() {
        let before = RejectedEvaluations(branchJumps: 1, instabilities: 0, firstBranchJump: "experiment 'a': jump 1", firstInstability: "")
        let after = RejectedEvaluations(branchJumps: 2, instabilities: 3, firstBranchJump: "experiment 'a': jump 2",
                                        firstInstability: "experiment 'b': unstable 1")
        let total = before.adding(after)
        #expect(total == RejectedEvaluations(branchJumps: 3, instabilities: 3, firstBranchJump: "experiment 'a': jump 1",
                                             firstInstability: "experiment 'b': unstable 1"))
        #expect(total.notes.count == 2 && total.notes[0].hasPrefix("3 evaluation(s) were rejected as branch jumps")
                && total.notes[0].hasSuffix("(first: experiment 'a': jump 1)") && total.notes[1].hasPrefix("3 evaluation(s) were rejected because"))
        #expect(RejectedEvaluations().notes.isEmpty)
    }
}
