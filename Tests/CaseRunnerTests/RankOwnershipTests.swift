import Bilevel
@testable import CaseRunner
import Foundation
import MessagePassing
import Testing

/// A distributed run's ranks each build and solve only their own steps, from a plan every rank computes
/// from the configuration alone; the final predictions and the field files come from the owners and
/// equal those of one process; a rank that fails leaves no output.
@Suite struct RankOwnershipTests {
    /// The small lattice case pulled at five load factors (five equilibria) plus one unswept experiment.
    static func sweptCase() -> TemporaryFolder {
        let folder = TemporaryFolder()
        var text = smallLatticeCase(forces: false).replacingOccurrences(of: "\"dimensions\": [\"atom\", \"component\"]",
                                                                    with: "\"dimensions\": [\"load\", \"atom\", \"component\"]")
        text = text.replacingOccurrences(of: "\"name\": \"pull\",", with: """
            "name": "pull",
                  "sweep": {"dimension": "load", "sets": "load_factor", "values": [0.2, 0.4, 0.6, 0.8, 1.0]},
            """)
        folder.write(text, to: "case.json")
        let synth = calibrate("synth", folder.path, "--truth", "D=0.35", "--truth", "alpha=1.4", "--truth", "r0=2.5",
                              "--noise", "0.01", "--seed", "4", "--quiet")
        #expect(synth.status == 0, "\(synth.err)")
        return folder
    }

    static func quiet() -> Console {
        let (console, _) = Console.capturing()
        console.quiet = true
        return console
    }

    /// The steps a rank's case holds, and how many its model kind built.
    static func built(_ prepared: RunCommand.Prepared) -> (steps: [WorkPlan.Unit], byKind: Int) {
        let steps = prepared.loaded.setups.enumerated().flatMap { e, setup in setup.steps.map { WorkPlan.Unit(experiment: e, step: $0.step) } }
        return (steps, prepared.loaded.setups.reduce(0) { $0 + $1.builtStepCount })
    }

    @Test(arguments: [1, 2, 3])
    func eachRankBuildsOnlyItsOwnSteps(ranks: Int) throws {
        let indentation = repositoryRoot + "/cases/indentation"
        var everyStep: [WorkPlan.Unit] = []
        var names: [String]?
        var counts: [Int] = []
        for rank in 0 ..< ranks {
            let prepared = try RunCommand.prepare(indentation, options: RunOptions(), console: Self.quiet(), rank: (rank, of: ranks))
            let plan = try #require(prepared.loaded.plan)
            #expect(plan.units.count == 18, "three tips at six depths")
            let (steps, byKind) = Self.built(prepared)
            #expect(steps == plan.owned, "rank \(rank) of \(ranks) built \(steps), owns \(plan.owned)")
            #expect(byKind == steps.count, "the lattice kind built only the rank's steps")
            everyStep += steps
            counts.append(steps.count)
            // Every rank holds all 18 experiments in the same order: its own built, the others' placeholders.
            let experiments = prepared.fit.problem.experiments
            #expect(names == nil || names! == experiments.map(\.name))
            names = experiments.map(\.name)
            let assignment = try #require(prepared.fit.assignment)
            for (e, experiment) in experiments.enumerated() {
                #expect((experiment is Experiment) == (assignment.owners[e] == rank), "\(experiment.name) on rank \(rank)")
                #expect((experiment is RemoteExperiment) == (assignment.owners[e] != rank))
            }
        }
        #expect(everyStep.count == 18 && Set(everyStep).count == 18, "the ranks' steps are disjoint and cover the case")
        // Balanced: with equal costs, no rank has more than one step more than another.
        #expect(counts.max()! - counts.min()! <= 1, "\(counts)")
    }

    @Test func oneProcessBuildsEverythingWithoutAPlan() throws {
        let prepared = try RunCommand.prepare(repositoryRoot + "/cases/indentation", options: RunOptions(), console: Self.quiet())
        #expect(prepared.loaded.plan == nil && prepared.fit.assignment == nil)
        #expect(Self.built(prepared).steps.count == 18)
        #expect(prepared.fit.problem.experiments.allSatisfy { $0 is Experiment })
    }

    /// A run over `ranks` in-process ranks (rank 0 drives, the others serve), writing into `out`. Every
    /// run here chooses its BLAS threads as `run` does (one: the case is small), so that the one-process
    /// reference and the ranks use the same count.
    static func distributedRun(_ folder: String, out: String, ranks: Int, workerCase: String? = nil, workerSignal: Int32? = nil,
                               configure: @escaping @Sendable (inout RunOptions) -> Void = { _ in }) -> (status: Int32?, error: String, workers: [Int32?]) {
        let outcomes = InProcessGroup.run(size: ranks) { world -> (Int32?, String) in
            if world.rank != 0 {
                var signal: (@Sendable () -> Int32?)?
                if let workerSignal, world.rank == ranks - 1 { signal = { workerSignal } }
                return (RankWorker.serve(["run", workerCase ?? folder], world: world, signalReceived: signal), "")
            }
            var options = RunOptions()
            options.output = out
            options.maximumIterations = 1
            configure(&options)
            do {
                return (try RunCommand.perform(folder, options: options, console: Self.quiet(), world: world).status, "")
            } catch {
                return (nil, "\(error)")
            }
        }
        return (outcomes[0].0, outcomes[0].1, outcomes.dropFirst().map(\.0))
    }

    static func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test(arguments: [2, 3])
    func ownersWriteTheFieldsOfOneProcess(ranks: Int) throws {
        let folder = Self.sweptCase()
        var options = RunOptions()
        options.output = folder.path + "/one"
        options.maximumIterations = 1
        let one = try RunCommand.perform(folder.path, options: options, console: Self.quiet(), world: nil)
        let many = Self.distributedRun(folder.path, out: folder.path + "/many", ranks: ranks)
        #expect(many.status == one.status, "\(many.error)")
        #expect(try ParallelRunTests.sameResults(folder.path + "/one/results.nc", folder.path + "/many/results.nc"))
        let fields = Self.files(folder.path + "/one/fields")
        #expect(fields.contains("pull.pvd") && fields.contains("pull_0004.vtu"), "\(fields)")
        #expect(Self.files(folder.path + "/many/fields") == fields)
        for file in fields {
            #expect(folder.read("one/fields/" + file) == folder.read("many/fields/" + file), "\(file) differs")
        }
        #expect(folder.read("one/history.csv") == folder.read("many/history.csv"))
    }

    @Test(arguments: [2, 3])
    func aRankThatCannotBuildLeavesNoOutput(ranks: Int) throws {
        let folder = Self.sweptCase()
        let broken = TemporaryFolder()
        broken.write(smallLatticeCase().replacingOccurrences(of: "\"cells\": [4, 3]", with: "\"cells\": [4, 0]"), to: "case.json")
        let run = Self.distributedRun(folder.path, out: folder.path + "/results", ranks: ranks, workerCase: broken.path)
        #expect(run.status == nil && run.error.contains("rank 1 of the MPI job could not load the case"), "\(run.error)")
        #expect(!folder.exists("results"), "no output folder")
        #expect(!folder.contents.contains { $0.hasPrefix(".results") }, "no staging folder left: \(folder.contents)")
    }

    @Test func aRankThatCannotWriteItsFieldsFailsTheRequest() throws {
        let folder = Self.sweptCase()
        let prepared = try (0 ..< 2).map { r in try RunCommand.prepare(folder.path, options: RunOptions(), console: Self.quiet(), rank: (r, of: 2)) }
        let theta = prepared[0].loaded.space.initialPhysical
        let out = TemporaryFolder()
        func request(_ fields: String) -> [Double] {
            var w = MessageWriter()
            w.doubles(theta)
            w.string(fields)
            return w.values
        }
        let good = FinalPredictions.reply(prepared[0].loaded, request: request(out.path), jobs: 1)
        let bad = FinalPredictions.reply(prepared[1].loaded, request: request(out.path + "/missing/folder"), jobs: 1)
        #expect(throws: CaseError.self) { try FinalPredictions.merge(prepared[0].loaded, plan: prepared[0].loaded.plan!, replies: [good, bad]) }
        do {
            _ = try FinalPredictions.merge(prepared[0].loaded, plan: prepared[0].loaded.plan!, replies: [good, bad])
        } catch {
            #expect("\(error)".contains("rank 1 cannot write its field files"), "\(error)")
        }
        // Both writable: the predictions of every step, equal to one process's.
        let fine = FinalPredictions.reply(prepared[1].loaded, request: request(out.path), jobs: 1)
        let merged = try FinalPredictions.merge(prepared[0].loaded, plan: prepared[0].loaded.plan!, replies: [good, fine])
        let whole = try RunCommand.prepare(folder.path, options: RunOptions(), console: Self.quiet())
        let reference = try Prediction.compute(whole.loaded, theta: theta)
        #expect(merged.values == reference.values && merged.newtonIterations == reference.newtonIterations)
    }

    /// Stopped at an iteration boundary (as on a signal: the test hook takes the same path), a run over
    /// two ranks ends every rank with the interrupted status and keeps the checkpoint; resumed over three
    /// ranks it ends with the results of an uninterrupted run in one process.
    @Test func anInterruptedDistributedRunResumesOnOtherRanks() throws {
        let folder = Self.sweptCase()
        var options = RunOptions()
        options.output = folder.path + "/whole"
        options.maximumIterations = 3
        let whole = try RunCommand.perform(folder.path, options: options, console: Self.quiet(), world: nil)
        let out = folder.path + "/results"
        let stopped = Self.distributedRun(folder.path, out: out, ranks: 2) { o in
            o.maximumIterations = 3
            o.stopAfterIterations = 1
        }
        #expect(stopped.status == ExitStatus.interrupted(SIGINT) && stopped.workers == [ExitStatus.interrupted(SIGINT)], "\(stopped)")
        #expect(!folder.exists("results") && folder.exists(".results.checkpoint"), "\(folder.contents)")
        let resumed = Self.distributedRun(folder.path, out: out, ranks: 3) { o in
            o.maximumIterations = 3
            o.resume = true
        }
        #expect(resumed.status == whole.status && resumed.workers.allSatisfy { $0 == whole.status }, "\(resumed)")
        #expect(try ParallelRunTests.sameResults(folder.path + "/whole/results.nc", out + "/results.nc"))
    }

    /// SIGTERM sent to one rank other than 0 alone (the last) reaches rank 0 with that rank's next reply:
    /// every rank ends with the interrupted status after the iteration, and the checkpoint is kept.
    @Test(arguments: [2, 3])
    func aSignalToAnotherRankStopsTheRun(ranks: Int) throws {
        let folder = Self.sweptCase()
        let out = folder.path + "/results"
        let stopped = Self.distributedRun(folder.path, out: out, ranks: ranks, workerSignal: SIGTERM) { o in o.maximumIterations = 3 }
        #expect(stopped.status == ExitStatus.interrupted(SIGTERM), "\(stopped)")
        #expect(stopped.workers.allSatisfy { $0 == ExitStatus.interrupted(SIGTERM) }, "\(stopped)")
        #expect(!folder.exists("results") && folder.exists(".results.checkpoint"), "\(folder.contents)")
    }

    /// In an MPI job SIGUSR1 and SIGUSR2, which mpirun passes on without ending the job, stop a run as
    /// SIGTERM does (exit status 143). The signal itself is sent in `ParallelRunTests` (SIGUSR1 to a real
    /// mpirun): raised inside this test process, its delivery would depend on which of the test runner's
    /// threads block it.
    @Test func userSignalsStopLikeSIGTERMInAnMPIJob() {
        let mpi = SignalWatcher(terminating: [SIGUSR1, SIGUSR2])
        #expect(mpi.meaning(of: SIGUSR1) == SIGTERM && mpi.meaning(of: SIGUSR2) == SIGTERM)
        #expect(mpi.meaning(of: SIGINT) == SIGINT && mpi.meaning(of: SIGTERM) == SIGTERM)
        #expect(SignalWatcher().meaning(of: SIGUSR1) == SIGUSR1)
    }
}
