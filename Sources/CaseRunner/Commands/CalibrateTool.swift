import Bilevel
import Foundation
import MessagePassing
import Sparse

/// The `calibrate` command-line tool as a library call: parses the arguments, runs the command and
/// maps every outcome to an exit status. The executable only forwards its arguments here, so tests
/// run the real tool in-process, and a user's executable offers every command for its own model kinds
/// by handing over a registry that includes them (docs/extending.md).
public enum CalibrateTool {
    public static let version = "0.1.0"

    /// The executable's name as messages show it ("run `calibrate synth …`", "See 'calibrate --help'"):
    /// `calibrate`, or a user's tool (`calibrate-beads`), set for the duration of `main`.
    @TaskLocal public static var toolName = "calibrate"

    /// Runs `calibrate` with `arguments` (without the program name); returns the exit status.
    /// `registry` holds the model kinds and pair potentials cases may use; `toolName` is the name the
    /// messages give the tool; `handleSignals` makes a run stop cleanly on SIGINT/SIGTERM (the
    /// executable sets it).
    public static func main(_ arguments: [String], registry: ModelRegistry = .standard, toolName: String = "calibrate",
                            console: Console = .standard(), handleSignals: Bool = false) -> Int32 {
        $toolName.withValue(toolName) {
            ModelRegistry.$current.withValue(registry) { run(arguments, console: console, handleSignals: handleSignals) }
        }
    }

    /// The name the process was started by (the last component of its path), "calibrate" if none.
    public static var executableName: String {
        let name = CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
        return name.isEmpty ? "calibrate" : name
    }

    /// The whole life of a `calibrate`-like executable: the process's arguments, signal handling, and
    /// under `mpirun`/`srun` the ranks other than 0 serving rank 0 their experiments (`RankWorker`,
    /// docs/parallel.md); exits with the tool's status. `calibrate` is this call with the standard
    /// registry, a user's tool (`calibrate-beads`) the same call with its kinds registered.
    /// `toolName` defaults to the name the executable was started by.
    public static func executableMain(registry: ModelRegistry = .standard, toolName: String = executableName) -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let status: Int32
        if let world = MPIWorld.shared, world.rank != 0 {
            status = $toolName.withValue(toolName) {
                ModelRegistry.$current.withValue(registry) { RankWorker.main(arguments, world: world) }
            }
        } else {
            // Rank 0 of an MPI job: SIGUSR1/SIGUSR2, which mpirun passes on, must not end it before `run`
            // watches them (they then stop the run as SIGTERM does: docs/parallel.md).
            if MPIWorld.shared != nil { for sig in [SIGUSR1, SIGUSR2] { signal(sig, SIG_IGN) } }
            status = main(arguments, registry: registry, toolName: toolName, console: .standard(), handleSignals: true)
        }
        MPIWorld.shared?.finish()
        exit(status)
    }

    private static func run(_ arguments: [String], console: Console, handleSignals: Bool) -> Int32 {
        let invocation: Invocation
        do {
            invocation = try CommandLineParser.parse(arguments)
        } catch {
            console.error(error.description)
            return ExitStatus.badInput
        }
        if invocation.version {
            console.print("\(toolName) \(version)")
            return ExitStatus.success
        }
        if invocation.help {
            console.print(invocation.command.map(HelpText.text(for:)) ?? HelpText.general)
            return ExitStatus.success
        }
        console.quiet = invocation.quiet
        do {
            if let threads = invocation.threads {
                BLASThreads.set(threads)
            } else {
                do { try BLASThreads.configureFromEnvironment() } catch {
                    throw UsageError("\(BLASThreads.environmentVariable) must be a positive whole number, found "
                                     + "'\(ProcessInfo.processInfo.environment[BLASThreads.environmentVariable] ?? "")'")
                }
            }
            return try Provenance.$arguments.withValue(arguments) {
                try CaseSize.$force.withValue(invocation.force) {
                    try execute(invocation, console: console, handleSignals: handleSignals)
                }
            }
        } catch let error as UsageError {
            console.error(error.description)
            return ExitStatus.badInput
        } catch let error as CaseError {
            console.finishProgress()
            for d in error.diagnostics { console.report(d) }
            return ExitStatus.badInput
        } catch {
            console.finishProgress()
            console.error("error: \(error)")
            return ExitStatus.badInput
        }
    }

    static func execute(_ invocation: Invocation, console: Console, handleSignals: Bool) throws -> Int32 {
        let command = invocation.command!
        let target = invocation.cases.first ?? ""
        switch command {
        case .run:
            var options = RunOptions()
            options.output = invocation.output
            options.resume = invocation.resume
            options.maximumIterations = invocation.maximumIterations
            options.handleSignals = handleSignals
            options.jobs = invocation.jobs
            options.threadsChosen = invocation.threads != nil
            if let name = invocation.optimizer {
                guard let method = OptimizerConfiguration.method(named: name) else {
                    throw UsageError("--optimizer '\(name)' is not known; use levenberg-marquardt (lm) or lbfgs", command: "run")
                }
                options.optimizer = method
            }
            return try RunCommand.execute(target, options: options, console: console)
        case .check:
            let values = try CommandSupport.assignments(invocation.assignments, option: "--set", command: "check")
            return try CheckCommand.execute(target, solve: !invocation.noSolve, refine: invocation.refine, values: values, console: console)
        case .forward:
            let values = try CommandSupport.assignments(invocation.assignments, option: "--set", command: "forward")
            return try ForwardCommand.execute(target, values: values, output: invocation.output, jobs: invocation.jobs, console: console)
        case .synth:
            let truth = try CommandSupport.assignments(invocation.assignments, option: "--truth", command: "synth")
            return try SynthCommand.execute(target, truth: truth, noise: invocation.noise ?? 0, seed: invocation.seed,
                                            output: invocation.output, atInitial: invocation.atInitial, jobs: invocation.jobs, console: console)
        case .gradcheck:
            let values = try CommandSupport.assignments(invocation.assignments, option: "--set", command: "gradcheck")
            return try GradCheckCommand.execute(target, values: values, console: console)
        case .regress:
            return try RegressCommand.execute(invocation.cases, update: invocation.update, jobs: invocation.jobs, console: console)
        }
    }
}
