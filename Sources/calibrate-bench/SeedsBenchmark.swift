import CaseRunner
import Foundation

/// `calibrate-bench seeds`: the honesty of `calibrate run` over many noisy realizations of a bundled
/// case (issue 9's acceptance test): how many runs exit 0, how many of those stopped above the misfit at
/// the truth (a false optimum), and how often the intervals of converged runs hold the truth.
enum SeedsBenchmark {
    static func run(options: [String: String]) throws {
        let directory = options["case"] ?? "cases/morse-lattice"
        let count = UInt64(options["seeds"] ?? "100") ?? 100
        let noise = Double(options["noise"] ?? "0.01") ?? 0.01
        let truth = try (options["truth"] ?? "D=0.35,alpha=1.4,r0=2.5").split(separator: ",").map { pair -> (String, Double) in
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let v = Double(parts[1]) else { throw BenchUsage.invalid }
            return (String(parts[0]), v)
        }
        let optimizer = options["optimizer"].map { $0 == "lbfgs" ? OptimizerConfiguration.Method.lbfgs : .levenbergMarquardt }
        let (seconds, outcome) = try Measurement.time {
            try SeedStudy.run(caseDirectory: directory, truth: truth, noise: noise, seeds: Array(1 ... count), optimizer: optimizer) {
                FileHandle.standardError.write(Data(($0 + "\n").utf8))
            }
        }
        var coverage: [String: Double] = [:]
        for (name, _) in truth { coverage[name] = outcome.coverage(name) }
        Measurement.emit(["benchmark": "seeds", "case": directory, "seeds": outcome.seeds, "noise": noise,
                          "optimizer": optimizer?.rawValue ?? "case", "converged": outcome.converged,
                          "not_converged": outcome.notConverged, "errors": outcome.errors,
                          "converged_at_non_minimum": outcome.convergedAtNonMinimum, "false_stop_seeds": outcome.falseStops,
                          "coverage": coverage, "seconds": seconds])
    }
}
