import Bilevel
import Foundation

/// Whether `calibrate run` can be trusted over many noisy realizations of one case: for each seed the
/// data are made by `synth` at known true parameters, the case is calibrated, and the outcome is judged
/// independently of the optimizer's own verdict.
///
/// A run *exits 0 at a non-minimum* when it reports convergence but its misfit is larger than the
/// misfit at the true parameters (by more than round-off): the minimum of the data lies at least as low
/// as the truth, so such a run stopped short (a false stop, a local minimum, or a branch of the model
/// other than the data's). Coverage counts, over the converged runs, how often each parameter's interval
/// contains the truth (95% intervals should do so 95% of the time).
public enum SeedStudy {
    /// The tally over all seeds.
    public struct Outcome: Sendable, Equatable {
        public var seeds = 0
        /// Exit status 0 (converged).
        public var converged = 0
        /// Exit status 1 (stalled or a limit reached).
        public var notConverged = 0
        /// Any other exit (bad input, a failed solve at the start).
        public var errors = 0
        /// Converged runs whose misfit exceeds the misfit at the truth.
        public var convergedAtNonMinimum = 0
        /// Per free parameter: converged runs whose interval contains the truth.
        public var covered: [String: Int] = [:]
        /// Seeds of the runs that converged at a non-minimum.
        public var falseStops: [UInt64] = []

        /// Fraction of converged runs whose interval of `name` holds the truth.
        public func coverage(_ name: String) -> Double { converged == 0 ? .nan : Double(covered[name] ?? 0) / Double(converged) }
    }

    /// Runs the study on a copy of the case in `directory` (the case itself is not touched).
    public static func run(caseDirectory: String, truth: [(String, Double)], noise: Double, seeds: [UInt64],
                           optimizer: OptimizerConfiguration.Method?, log: (String) -> Void) throws -> Outcome {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("calibrate-seeds-\(getpid())").path
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.copyItem(atPath: caseDirectory, toPath: work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let quiet = Console(out: { _ in }, error: { _ in })
        quiet.quiet = true
        let truthArguments = truth.flatMap { ["--truth", "\($0.0)=\($0.1)"] }
        var outcome = Outcome()
        for seed in seeds {
            let synth = CalibrateTool.main(["synth", work] + truthArguments + ["--noise", "\(noise)", "--seed", "\(seed)", "-q"], console: quiet)
            guard synth == ExitStatus.success else { throw CaseError("synth failed for seed \(seed) (exit \(synth))") }
            var options = RunOptions()
            options.optimizer = optimizer
            options.output = work + "/results"
            outcome.seeds += 1
            let status: Int32, summary: RunSummary?
            do { (status, summary) = try RunCommand.perform(work, options: options, console: quiet) } catch {
                outcome.errors += 1
                log("seed \(seed): error: \(error)")
                continue
            }
            guard status == ExitStatus.success, let summary, let result = summary.optimization else {
                if status == ExitStatus.notConverged { outcome.notConverged += 1 } else { outcome.errors += 1 }
                log("seed \(seed): exit \(status)\(summary?.optimization.map { ": \($0.status)" } ?? "")")
                continue
            }
            outcome.converged += 1
            let misfitAtTruth = try misfit(work, truth: truth, console: quiet)
            if result.objective > misfitAtTruth * (1 + 1e-9) + 1e-9 {
                outcome.convergedAtNonMinimum += 1
                outcome.falseStops.append(seed)
                log("seed \(seed): converged at f = \(result.objective), above f(truth) = \(misfitAtTruth)")
            }
            if let u = summary.uncertainty {
                for (k, i) in summary.space.freeIndices.enumerated() {
                    let name = summary.space.names[i]
                    guard let t = truth.first(where: { $0.0 == name })?.1 else { continue }
                    if u.intervalsPhysical[k].lower <= t && t <= u.intervalsPhysical[k].upper { outcome.covered[name, default: 0] += 1 }
                }
            }
        }
        return outcome
    }

    /// ½‖r‖² (prior rows included) at the true parameters, on the case's current data.
    private static func misfit(_ directory: String, truth: [(String, Double)], console: Console) throws -> Double {
        let (loaded, data) = try CommandSupport.load(directory, console: console, readData: true)
        let fit = try FitProblem(loaded, data: data!)
        let theta = try loaded.parameters(with: truth, option: "--truth")
        let z = try loaded.space.transformed(from: theta)
        guard let e = try fit.residualFunction(z, false) else { throw CaseError("the model could not be solved at the true parameters") }
        return e.halfSumOfSquares
    }
}
