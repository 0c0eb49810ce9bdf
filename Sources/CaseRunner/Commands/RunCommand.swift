import Bilevel
import Foundation
import MessagePassing
import Sparse

/// Options of `calibrate run`.
public struct RunOptions: Sendable {
    /// Output folder (default CASE/results).
    public var output: String?
    /// Overrides the configuration's optimizer.
    public var optimizer: OptimizerConfiguration.Method?
    /// Overrides the configuration's iteration limit.
    public var maximumIterations: Int?
    /// Continue from the checkpoint of an interrupted run.
    public var resume = false
    /// Stop at the next iteration boundary on SIGINT/SIGTERM (the executable sets this).
    public var handleSignals = false
    /// Test hook: stop as if interrupted once this many outer iterations are done.
    public var stopAfterIterations: Int?
    /// Workers evaluating experiments in this process (`--jobs`); nil: case.json's `optimizer.jobs`, else 1.
    public var jobs: Int?
    /// Never distribute over MPI ranks, even in an MPI job (regress runs its cases on rank 0 alone).
    public var singleProcess = false
    /// The user set the BLAS thread count (`--threads`), so it is not divided among the jobs.
    public var threadsChosen = false

    public init() {}
}

/// Exit statuses of the `calibrate` tool.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// The calibration did not reach a verified minimum (stalled, a limit, a failure), or a check failed.
    public static let notConverged: Int32 = 1
    /// Bad usage or bad input.
    public static let badInput: Int32 = 2
    /// Interrupted (128 + the signal: 130 for SIGINT, 143 for SIGTERM); the checkpoint allows --resume.
    public static func interrupted(_ signal: Int32) -> Int32 { 128 + signal }
}

/// `calibrate run CASE`: calibrate, then write results.nc, report.md, history.csv, plots and fields.
enum RunCommand {
    static func execute(_ caseArgument: String, options: RunOptions, console: Console) throws -> Int32 {
        try perform(caseArgument, options: options, console: console).status
    }

    /// What every rank of a run builds before the optimization: the case, its data, the optimizer
    /// settings in force and the calibration problem.
    struct Prepared {
        let loaded: LoadedCase
        let data: [ExperimentData]
        let optimizer: OptimizerConfiguration
        let fit: FitProblem
    }

    /// Loads the case and its data and builds the calibration problem. With `rank` of `ranks` (a
    /// distributed run), only the steps the `WorkPlan` gives this rank are built; the others' experiments
    /// are placeholders.
    static func prepare(_ caseArgument: String, options: RunOptions, console: Console, rank: (Int, of: Int)? = nil) throws -> Prepared {
        let (loaded, data) = try CommandSupport.load(caseArgument, console: console, readData: true, rank: rank)
        var optimizer = loaded.configuration.optimizer
        if let m = options.optimizer { optimizer.method = m }
        if let n = options.maximumIterations {
            optimizer.levenbergMarquardt.maximumIterations = n
            optimizer.lbfgs.maximumIterations = n
        }
        guard loaded.space.freeCount > 0 else {
            throw CaseError("every parameter of the case is fixed; set \"fixed\": false on at least one parameter to calibrate",
                            file: loaded.location.configuration)
        }
        return Prepared(loaded: loaded, data: data!, optimizer: optimizer, fit: try FitProblem(loaded, data: data!))
    }

    /// Runs the calibration; the summary is nil when the run was interrupted. In an MPI job this is
    /// rank 0's part (the other ranks run `RankWorker.main`), which ends the other ranks when it returns.
    static func perform(_ caseArgument: String, options: RunOptions, console: Console) throws -> (status: Int32, summary: RunSummary?) {
        try perform(caseArgument, options: options, console: console, world: options.singleProcess ? nil : Parallelism.world)
    }

    /// `perform` as rank 0 of `world` (nil: one process); the other ranks run `RankWorker.serve`.
    static func perform(_ caseArgument: String, options: RunOptions, console: Console,
                        world: (any Communicator)?) throws -> (status: Int32, summary: RunSummary?) {
        let distributedWorld = world.flatMap { $0.size > 1 ? $0 : nil }
        let prepared: Prepared
        do {
            prepared = try prepare(caseArgument, options: options, console: console, rank: distributedWorld.map { (0, of: $0.size) })
        } catch {
            if let world { try RankAgreement.agree(world, error: error) }
            throw error
        }
        if let world { try RankAgreement.agree(world, error: nil) }
        let problem = prepared.fit.problem
        let jobs = Parallelism.jobs(option: options.jobs, configuration: prepared.optimizer, experiments: problem.experiments.count)
        let largestSolve = Parallelism.largestSolve(prepared.fit.loaded.largestSolve, world: distributedWorld)
        Parallelism.chooseBLASThreads(jobs: jobs, userChose: options.threadsChosen, largestSolve: largestSolve)
        problem.executor = Parallelism.executor(for: prepared.fit, jobs: jobs, world: distributedWorld)
        let distributed = problem.executor as? any DistributedLeader
        do {
            let outcome = try calibrate(caseArgument, prepared, options: options, console: console)
            distributed?.finish(exitCode: outcome.status)
            return outcome
        } catch {
            distributed?.finish(exitCode: ExitStatus.badInput)
            throw error
        }
    }

    /// The optimization and the outputs, on a prepared problem.
    private static func calibrate(_ caseArgument: String, _ prepared: Prepared, options: RunOptions,
                                  console: Console) throws -> (status: Int32, summary: RunSummary?) {
        let (loaded, optimizer, fit) = (prepared.loaded, prepared.optimizer, prepared.fit)
        let location = loaded.location
        let outputPath = options.output ?? CaseLocation.join(location.directory, "results")
        let staging = try OutputStaging(destination: outputPath)  // fails early when the folder cannot be written

        // The checkpoint: what it must match, and where it is.
        let fingerprint = Checkpoint.fingerprint(of: loaded, optimizer: optimizer)
        let checkpointPath = Checkpoint.path(forOutput: staging.destination)
        var replay: [EvaluationJournal.Record] = []
        var replayAnchors: [[ContinuationAnchor]] = []
        var rejectedBefore = RejectedEvaluations()
        var previousSeconds = 0.0
        if options.resume {
            if let checkpoint = try Checkpoint.read(at: checkpointPath) {
                guard checkpoint.fingerprint == fingerprint else {
                    throw CaseError("the checkpoint '\(checkpointPath)' was written for a different configuration, data or optimizer "
                                    + "setting; run again without --resume to start over")
                }
                if checkpoint.threads != BLASThreads.current {
                    console.report(Diagnostic(.warning, "the interrupted run used \(checkpoint.threads) thread(s), this one \(BLASThreads.current); "
                                              + "the result may differ in the last digits from an uninterrupted run (use --threads \(checkpoint.threads))"))
                }
                replay = checkpoint.records
                replayAnchors = checkpoint.anchors
                rejectedBefore = checkpoint.rejected
                previousSeconds = checkpoint.elapsedSeconds
                console.info("resuming from '\(checkpointPath)': \(checkpoint.iterations) outer iteration(s) done")
            } else {
                console.info("no checkpoint at '\(checkpointPath)'; starting from the beginning")
            }
        }

        let space = loaded.space
        let equilibria = fit.equilibria
        console.info("calibrating '\(loaded.configuration.title)': \(space.freeCount) free parameter(s), \(fit.residualCount) observations in "
                     + "\(loaded.setups.count) experiment(s), \(equilibria) equilibri\(equilibria == 1 ? "um" : "a") "
                     + "per evaluation; \(optimizer.method == .levenbergMarquardt ? "Levenberg–Marquardt" : "L-BFGS-B")")
        let distribution = fit.problem.executor.distribution
        if distribution.ranks > 1 || distribution.jobs > 1 {
            console.info("experiments evaluated by " + Parallelism.describe(distribution, experiments: fit.problem.experiments.map(\.name))
                         + "; \(BLASThreads.current) BLAS thread(s) per process")
        }
        let journal = EvaluationJournal(replaying: replay)
        journal.onReplayFinished = { [fit] in fit.problem.anchors = replayAnchors }
        // In an MPI job, SIGUSR1/SIGUSR2 (which mpirun passes on without ending the job) stop the run as SIGTERM does.
        let distributed = fit.problem.executor is any DistributedLeader
        let signals = options.handleSignals ? SignalWatcher(terminating: distributed ? [SIGUSR1, SIGUSR2] : []) : nil
        let monitor = RunMonitor(journal: journal, space: space, console: console, checkpointPath: checkpointPath,
                                 fingerprint: fingerprint, threads: BLASThreads.current, previousSeconds: previousSeconds,
                                 stopAfterIterations: options.stopAfterIterations, signals: signals,
                                 maximumIterations: optimizer.method == .levenbergMarquardt
                                     ? optimizer.levenbergMarquardt.maximumIterations : optimizer.lbfgs.maximumIterations)
        monitor.anchors = { [fit] in fit.problem.anchors }
        monitor.rejected = { [fit] in rejectedBefore.adding(.of(fit.problem)) }
        if let leader = fit.problem.executor as? any DistributedLeader {
            var told = false
            monitor.remoteSignal = {
                guard let (rank, signal) = leader.signalOnAnotherRank else { return nil }
                if !told {
                    told = true
                    console.error("calibrate: rank \(rank) was \(signal == SIGINT ? "interrupted" : "terminated"); stopping after this iteration")
                }
                return signal
            }
        }
        if let signals {
            let stagingPath = staging.staging
            signals.onFirstSignal = { sig in
                console.error("calibrate: \(sig == SIGINT ? "interrupted" : "terminated"); stopping after the current iteration "
                              + "(send the signal again to stop at once)")
            }
            signals.onForcedExit = { try? FileManager.default.removeItem(atPath: stagingPath) }
            signals.start()
        }
        defer { signals?.stop() }

        let result: OptimizationResult, minima: [LocalMinimum]
        do {
            (result, minima) = try OptimizerRun.perform(fit: fit, optimizer: optimizer, journal: journal, monitor: monitor, console: console)
        } catch OptimizerError.initialEvaluationFailed {
            console.finishProgress()
            throw CaseError("the model could not be solved at the initial parameters ("
                            + Prediction.describe(space.initialPhysical, space.names) + "); choose initial values for which it solves "
                            + "(try '\(CalibrateTool.toolName) forward \(location.directory)')", file: location.configuration)
        }
        console.finishProgress()

        if result.status == .stoppedByCallback, let reason = monitor.stopReason {
            monitor.saveCheckpoint()
            staging.discard()
            let signal: Int32
            if case let .signal(s) = reason { signal = s } else { signal = SIGINT }
            console.error("calibrate: stopped after \(monitor.completedIterations) outer iteration(s); the checkpoint is '\(checkpointPath)'.\n"
                          + "Continue with: \(CalibrateTool.toolName) run \(caseArgument)\(options.output.map { " --out \($0)" } ?? "") --resume")
            return (ExitStatus.interrupted(signal), nil)
        }

        // The final predictions and the fields' frames come from the processes that own the steps; the
        // outputs are published only once every one of them has succeeded.
        let leader = fit.problem.executor as? any DistributedLeader
        var summary: RunSummary
        do {
            let fieldsFolder = FieldOutput.wanted(loaded) ? URL(fileURLWithPath: try staging.folder("fields")).path : nil
            let jobs = fit.problem.executor.distribution.jobs
            summary = try Analysis.summarize(fit: fit, result: result, history: monitor.history, seconds: monitor.elapsed, method: optimizer.method,
                                             rejectedBefore: rejectedBefore) {
                try FinalPredictions.compute(loaded, theta: $0, jobs: jobs, fieldsFolder: fieldsFolder, leader: leader)
            }
        } catch {
            staging.discard()
            throw error
        }
        summary.minima = minima
        try OutputWriter.write(summary, to: staging, framesWritten: true, console: console)
        try staging.commit()
        try? FileManager.default.removeItem(atPath: checkpointPath)
        Analysis.printSummary(summary, output: staging.destination, console: console)
        return (result.status.isConverged ? ExitStatus.success : ExitStatus.notConverged, summary)
    }
}
