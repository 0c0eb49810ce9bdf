@testable import CaseRunner
import Foundation
import MessagePassing
import Testing

/// `--jobs`, `optimizer.jobs` and `mpirun`: the bundled indentation case (18 equilibria) gives the same
/// results.nc on 1 and 2 jobs and on 2 and 3 MPI ranks, apart from the provenance attributes; the ranks
/// of a job agree to stop when one cannot load the case.
@Suite struct ParallelRunTests {
    /// Short runs (one outer iteration) at one BLAS thread, so the numbers do not depend on the BLAS
    /// thread count (they would in their last digits, like any two thread counts).
    static let shortRun = ["--max-iterations", "1", "--threads", "1", "--quiet"]

    /// Whether two results.nc files agree apart from the provenance attributes (command line, distribution).
    static func sameResults(_ a: String, _ b: String) throws -> Bool {
        func dump(_ path: String) throws -> [Substring] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ncdump")
            process.arguments = ["-p", "9,17", path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let provenance = [":history = ", ":command_line = ", ":mpi_ranks = ", ":jobs_per_rank = ", ":experiments_by_rank = "]
            return String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in !provenance.contains { line.contains($0) } }
        }
        let (x, y) = (try dump(a), try dump(b))
        return !x.isEmpty && x == y
    }

    static let indentation = repositoryRoot + "/cases/indentation"

    /// The built `calibrate` beside this test runner (.build/debug/), and mpirun when it is installed.
    static let tool: String? = {
        let runner = [URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(), Bundle.main.executableURL].compactMap { $0 }
        return runner.map { $0.deletingLastPathComponent().appendingPathComponent("calibrate").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs the built tool in its own process (the BLAS thread count is process-wide, so runs that set
    /// it stay out of the test process), under mpirun with `ranks`; the exit status and standard error.
    static func launch(_ arguments: [String], ranks: Int? = nil) throws -> (status: Int32, err: String) {
        let process = Process()
        if let ranks {
            process.executableURL = URL(fileURLWithPath: mpirun!)
            process.arguments = (getuid() == 0 ? ["--allow-run-as-root"] : []) + ["--oversubscribe", "-np", "\(ranks)", tool!] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: tool!)
            process.arguments = arguments
        }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, message)
    }

    @Test func twoJobsGiveTheResultsOfOne() throws {
        guard Self.tool != nil else {
            print("ParallelRunTests: skipped, the built calibrate executable is not beside the test runner")
            return
        }
        let folder = TemporaryFolder()
        let one = try Self.launch(["run", Self.indentation, "--out", folder.path + "/one", "--jobs", "1"] + Self.shortRun)
        let two = try Self.launch(["run", Self.indentation, "--out", folder.path + "/two", "--jobs", "2"] + Self.shortRun)
        #expect(one.status <= 1 && two.status == one.status, "\(one.err)\(two.err)")
        #expect(try Self.sameResults(folder.path + "/one/results.nc", folder.path + "/two/results.nc"))
        let report = String(decoding: folder.read("two/report.md") ?? Data(), as: UTF8.self)
        #expect(report.contains("| MPI ranks × jobs per rank") && report.contains("1 × 2"), "the report records the distribution")
    }

    @Test(arguments: [2, 3])
    func mpiRanksGiveTheResultsOfOneProcess(ranks: Int) throws {
        guard Self.tool != nil, Self.mpirun != nil else {
            print("ParallelRunTests: skipped, mpirun (Debian openmpi-bin) or the built calibrate executable is missing")
            return
        }
        let folder = TemporaryFolder()
        let one = try Self.launch(["run", Self.indentation, "--out", folder.path + "/one"] + Self.shortRun)
        let mpi = try Self.launch(["run", Self.indentation, "--out", folder.path + "/mpi"] + Self.shortRun, ranks: ranks)
        #expect(one.status <= 1 && mpi.status == one.status, "\(one.err)\(mpi.err)")
        #expect(try Self.sameResults(folder.path + "/one/results.nc", folder.path + "/mpi/results.nc"))
        // The field files, written by the ranks that own the steps, are those of one process byte for byte.
        let fields = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path + "/one/fields")) ?? []).sorted()
        #expect(fields.count == 3 * 7, "a collection and six frames per tip: \(fields)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder.path + "/mpi/fields")) ?? []).sorted() == fields)
        for file in fields { #expect(folder.read("one/fields/" + file) == folder.read("mpi/fields/" + file), "\(file)") }
        let report = String(decoding: folder.read("mpi/report.md") ?? Data(), as: UTF8.self)
        #expect(report.contains("\(ranks) × 1") && report.contains("experiments of rank \(ranks - 1)"), "\(report)")
    }

    /// SIGUSR1 to mpirun (which passes it on without ending the job) stops the run at the iteration
    /// boundary: mpirun exits with 143 like a plain run on SIGTERM, the checkpoint is kept, nothing is
    /// published. (SIGTERM itself makes Open MPI's mpirun kill the ranks and exit with 1: docs/parallel.md.)
    @Test func sigusr1StopsAnMPIRunWithTheUsualStatus() throws {
        guard Self.tool != nil, Self.mpirun != nil else {
            print("ParallelRunTests: skipped, mpirun or the built calibrate executable is missing")
            return
        }
        let folder = TemporaryFolder()
        let arguments = [Self.mpirun!] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
            + ["--oversubscribe", "-np", "2", Self.tool!, "run", Self.indentation, "--out", folder.path + "/results", "--threads", "1", "--quiet"]
        let pid = try #require(Self.spawnWithSignalsUnblocked(arguments))
        // The checkpoint of iteration 0 shows that rank 0 watches the signals.
        let deadline = Date().addingTimeInterval(300)
        var status: Int32 = 0
        while !folder.exists(".results.checkpoint") && waitpid(pid, &status, WNOHANG) == 0 && Date() < deadline { usleep(100_000) }
        kill(pid, SIGUSR1)
        waitpid(pid, &status, 0)
        #expect((status >> 8) & 0xff == ExitStatus.interrupted(SIGTERM) && status & 0x7f == 0, "wait status \(status)")
        #expect(folder.exists(".results.checkpoint") && !folder.exists("results"), "\(folder.contents)")
    }

    /// Starts `arguments` with no signal blocked (Foundation's Process would pass on the mask of the
    /// calling thread, where the test runner's threads block SIGUSR1) and output discarded; its pid.
    static func spawnWithSignalsUnblocked(_ arguments: [String]) -> pid_t? {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGUSR1)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid = pid_t()
        return posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ) == 0 ? pid : nil
    }

    @Test func anMPIJobStopsEveryRankWhenOneCannotLoadTheCase() throws {
        guard Self.tool != nil, Self.mpirun != nil else {
            print("ParallelRunTests: skipped, mpirun or the built calibrate executable is missing")
            return
        }
        let folder = TemporaryFolder()
        let run = try Self.launch(["run", folder.path + "/missing", "--quiet"], ranks: 2)
        #expect(run.status == ExitStatus.badInput, "\(run.err)")
        #expect(run.err.contains("does not exist"), "\(run.err)")
    }

    @Test(arguments: [1, 2, 3])
    func ranksAgreeToStopWhenOneCannotLoad(ranks: Int) {
        struct Missing: Error, CustomStringConvertible { var description: String { "data.nc is missing on this node" } }
        for failing in 0 ..< ranks {
            let outcomes = InProcessGroup.run(size: ranks) { world -> String in
                do {
                    try RankAgreement.agree(world, error: world.rank == failing ? Missing() : nil)
                    return "went on"
                } catch let stop as RankAgreement.Stop {
                    return "stopped \(stop.status)"
                } catch {
                    return "\(error)"
                }
            }
            if failing == 0 {
                #expect(outcomes[0] == "data.nc is missing on this node")
            } else {
                #expect(outcomes[0].contains("rank \(failing) of the MPI job could not load the case: data.nc is missing on this node"), "\(outcomes[0])")
            }
            #expect(outcomes.dropFirst().allSatisfy { $0 == "stopped 2" }, "\(outcomes)")
        }
        let fine = InProcessGroup.run(size: ranks) { world -> Bool in (try? RankAgreement.agree(world, error: nil)) != nil }
        #expect(fine.allSatisfy { $0 })
    }

    @Test func jobsAreReadFromTheOptimizerSectionAndChecked() {
        let good = smallLatticeCase().replacingOccurrences(of: "\"method\": \"levenberg-marquardt\"", with: "\"method\": \"levenberg-marquardt\", \"jobs\": 3")
        let diagnostics = DiagnosticList()
        #expect(ConfigurationDecoder.decode(good, file: "case.json", diagnostics: diagnostics)?.optimizer.jobs == 3, "\(diagnostics.items)")
        let bad = good.replacingOccurrences(of: "\"jobs\": 3", with: "\"jobs\": 0")
        let problems = DiagnosticList()
        #expect(ConfigurationDecoder.decode(bad, file: "case.json", diagnostics: problems) == nil)
        #expect(problems.items.contains { $0.description.contains("'jobs' in optimizer is 0") }, "\(problems.items)")
        #expect(calibrate("run", "x", "--jobs", "0").err.contains("--jobs expects a whole number of workers from 1 to 1024"))
        #expect(Parallelism.jobs(option: nil, configuration: OptimizerConfiguration(), experiments: 18) == 1)
        #expect(Parallelism.jobs(option: 4, configuration: OptimizerConfiguration(), experiments: 3) == 3, "never more jobs than experiments")
    }
}
