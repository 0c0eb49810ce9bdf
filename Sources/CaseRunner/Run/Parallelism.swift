import Bilevel
import Foundation
import MessagePassing
import Sparse

/// How `calibrate run` spreads its experiments: over the ranks of an MPI job (when started by
/// `mpirun`/`srun`) and over `jobs` threads per rank, and how many BLAS threads each worker gets.
///
/// BLAS rule: OpenBLAS's thread count is process-wide, so unless the user chose it (`--threads`,
/// `CALIBRATE_THREADS`, `OPENBLAS_NUM_THREADS`), a case whose equilibria are small uses one BLAS thread,
/// and a process with `jobs` workers among `localRanks` ranks on its node uses max(1, cores / (jobs ×
/// localRanks)): workers × BLAS threads ≤ cores.
enum Parallelism {
    /// The MPI job this process belongs to, nil for a plain `calibrate`.
    static var world: MPIWorld? { MPIWorld.shared }

    /// Jobs per rank: `--jobs`, else case.json's `optimizer.jobs`, else 1; never more than the experiments.
    static func jobs(option: Int?, configuration: OptimizerConfiguration, experiments: Int) -> Int {
        max(1, min(option ?? configuration.jobs, max(1, experiments)))
    }

    /// Equilibria with fewer unknowns than this are solved with one BLAS thread: their supernodes are too
    /// small for threads to speed the factorization up, and the result is then the same on every core
    /// count and with any number of jobs (threaded BLAS sums in another order).
    static let smallSolve = 20_000

    /// The BLAS thread count of a run, unless the user chose it (`--threads`, `CALIBRATE_THREADS`,
    /// `OPENBLAS_NUM_THREADS`): one for small equilibria (`smallSolve`); else, with several workers on the
    /// node, max(1, cores / (jobs × ranks here)); else what is in force (all cores by default).
    static func chooseBLASThreads(jobs: Int, userChose: Bool, largestSolve: Int) {
        let environment = ProcessInfo.processInfo.environment
        guard !userChose, environment[BLASThreads.environmentVariable] == nil, environment["OPENBLAS_NUM_THREADS"] == nil else { return }
        if largestSolve < smallSolve {
            BLASThreads.set(1)
            return
        }
        let ranksHere = world?.localSize ?? 1
        guard jobs * ranksHere > 1 else { return }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        BLASThreads.set(max(1, cores / (jobs * ranksHere)))
    }

    /// The executor of `fit` on this process: MPI ranks (× jobs) by the assignment its case was built
    /// for, or jobs threads, or serial.
    static func executor(for fit: FitProblem, jobs: Int, world: (any Communicator)?) -> any ExperimentExecutor {
        if let world, world.size > 1, let assignment = fit.assignment {
            return distributed(world, assignment: assignment, jobs: jobs)
        }
        return jobs > 1 ? ThreadExecutor(jobs: jobs) : SerialExecutor()
    }

    private static func distributed<C: Communicator>(_ world: C, assignment: ExperimentAssignment, jobs: Int) -> any ExperimentExecutor {
        DistributedExecutor(communicator: world, assignment: assignment, jobs: jobs)
    }

    /// The largest equilibrium of the case, over the ranks of a distributed run (each built only its own
    /// steps), so that every rank chooses the same BLAS thread count. Collective.
    static func largestSolve(_ mine: Int, world: (any Communicator)?) -> Int {
        guard let world, world.size > 1 else { return mine }
        let all = world.gather([Double(mine)], root: 0).compactMap(\.first)
        return Int(world.broadcast([all.max() ?? 0], root: 0).first ?? Double(mine))
    }

    /// The distribution in words, for the log and the report.
    static func describe(_ d: Distribution, experiments: [String]) -> String {
        let head = d.ranks > 1 ? "\(d.ranks) MPI ranks × \(d.jobs) job(s)" : "\(d.jobs) job(s) in one process"
        guard d.ranks > 1 else { return head }
        let ranks = d.experimentsByRank.enumerated().map { r, list in
            "rank \(r): " + (list.isEmpty ? "none" : list.map { experiments[$0] }.joined(separator: ", "))
        }
        return head + "; " + ranks.joined(separator: "; ")
    }
}

/// The ranks of an MPI job agree, once each has loaded the case, to go on or to stop: a rank that
/// could not load the case (a file missing on its node, say) stops every rank with the message and
/// exit status rank 0 reports, instead of leaving the others waiting.
enum RankAgreement {
    /// A worker rank stops with `status`; rank 0 has reported why.
    struct Stop: Error { let status: Int32 }

    /// Every rank calls this with what loading gave it. Rank 0 rethrows its own error, or the first
    /// other rank's as a `CaseError` naming the rank; the other ranks throw `Stop`.
    static func agree(_ world: some Communicator, error: (any Error)?) throws {
        var mine: [Double] = [error == nil ? 0 : 1]
        if let error { mine += Array(describe(error).utf8).map(Double.init) }
        let all = world.gather(mine, root: 0)
        var verdict: [Double] = [0]
        if world.rank == 0 {
            if let error { _ = world.broadcast([Double(ExitStatus.badInput)], root: 0); throw error }
            if let (rank, reply) = all.enumerated().first(where: { $0.element.first != 0 }) {
                _ = world.broadcast([Double(ExitStatus.badInput)], root: 0)
                let message = String(decoding: reply.dropFirst().map { UInt8(clamping: Int($0)) }, as: UTF8.self)
                throw CaseError("rank \(rank) of the MPI job could not load the case: \(message)")
            }
            verdict = world.broadcast(verdict, root: 0)
        } else {
            verdict = world.broadcast([], root: 0)
        }
        if let code = verdict.first, code != 0 { throw Stop(status: Int32(code)) }
    }

    private static func describe(_ error: any Error) -> String {
        (error as? CaseError)?.description ?? "\(error)"
    }
}

/// The part of `calibrate` that ranks other than 0 of an MPI job run: for `run`, load the case, then
/// evaluate this rank's experiments whenever rank 0 asks, until rank 0 ends the run; every other command
/// is rank 0's alone. Only errors are written (prefixed with the rank); results come from rank 0.
public enum RankWorker {
    /// Runs this rank's share of `calibrate arguments`; returns the exit status rank 0 ended with.
    public static func main(_ arguments: [String], world: MPIWorld) -> Int32 {
        // SIGUSR1/SIGUSR2 reach every rank from mpirun and rank 0 acts on them; here they must not end the
        // rank (their default action would). SIGINT/SIGTERM sent to this rank go to rank 0 with the next
        // evaluation's reply, and rank 0 stops the run after that iteration (a second one ends this rank).
        for sig in [SIGUSR1, SIGUSR2] { signal(sig, SIG_IGN) }
        let watcher = SignalWatcher()
        watcher.onFirstSignal = { sig in
            let what = sig == SIGINT ? "interrupted" : "terminated"
            FileHandle.standardError.write(Data(("rank \(world.rank): \(what); rank 0 stops the run after the current iteration "
                                                 + "(send the signal again to end this rank at once)\n").utf8))
        }
        watcher.start()
        defer { watcher.stop() }
        return serve(arguments, world: world, signalReceived: { watcher.received })
    }

    /// The work of a rank other than 0 of `world` (an MPI job, or an in-process group in tests).
    static func serve(_ arguments: [String], world: some Communicator, signalReceived: (@Sendable () -> Int32?)? = nil) -> Int32 {
        let console = Console(out: { _ in }, error: { FileHandle.standardError.write(Data("rank \(world.rank): \($0)".utf8)) })
        console.quiet = true
        guard let invocation = try? CommandLineParser.parse(arguments), invocation.command == .run, !invocation.help,
              !invocation.version, let target = invocation.cases.first else { return ExitStatus.success }
        if let threads = invocation.threads { BLASThreads.set(threads) } else { _ = try? BLASThreads.configureFromEnvironment() }
        do {
            let prepared: RunCommand.Prepared
            do {
                prepared = try CaseSize.$force.withValue(invocation.force) {
                    try RunCommand.prepare(target, options: RunOptions(), console: console, rank: (world.rank, of: world.size))
                }
            } catch {
                try RankAgreement.agree(world, error: error)
                throw error
            }
            try RankAgreement.agree(world, error: nil)
            let jobs = Parallelism.jobs(option: invocation.jobs, configuration: prepared.optimizer,
                                        experiments: prepared.fit.problem.experiments.count)
            let largestSolve = Parallelism.largestSolve(prepared.fit.loaded.largestSolve, world: world)
            Parallelism.chooseBLASThreads(jobs: jobs, userChose: invocation.threads != nil, largestSolve: largestSolve)
            let executor = DistributedExecutor(communicator: world, assignment: prepared.fit.assignment!, jobs: jobs)
            executor.signalReceived = signalReceived
            let loaded = prepared.fit.loaded
            return try executor.serve(prepared.fit.problem.experiments, names: prepared.fit.space.names) {
                FinalPredictions.reply(loaded, request: $0, jobs: jobs)
            }
        } catch let stop as RankAgreement.Stop {
            return stop.status
        } catch {
            console.error("\(error)")
            world.abort(exitCode: ExitStatus.badInput)
        }
    }
}
