import CaseRunner
import Foundation

/// Issue 14's benchmark: the same calibration (`calibrate run`, outputs included) on 1 and 2 workers
/// of one process (`--jobs`), and on 2 MPI ranks when `mpirun` is on the PATH, every run with one BLAS
/// thread per worker so that the runs compute the same numbers. Wall-clock time, best of `repeats`;
/// `parallel_efficiency` = t₁ / (2 t₂) for 2 jobs (and for 2 ranks). On a shared machine the wall clock
/// measures the other processes too, so the line also gives the process's CPU time of the in-process
/// runs (all threads; equal CPU times mean the threads add no work) and the load average before the runs.
enum ScalingBenchmark {
    /// `calibrate-bench scaling [--case cases/indentation] [--repeats 3]`: one JSON line.
    static func run(options: [String: String]) throws {
        let casePath = options["case"] ?? "cases/indentation"
        guard let repeats = Int(options["repeats"] ?? "3"), repeats > 0 else { throw BenchUsage.invalid }
        let scratch = FileManager.default.temporaryDirectory.path + "/calibrate-scaling-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // Errors still reach standard error; the runs' own summaries do not clutter the JSON line.
        let console = Console(out: { _ in }, error: { FileHandle.standardError.write(Data($0.utf8)) })
        var cpu: [Int: Double] = [:]
        func inProcess(jobs: Int) throws -> Double {
            try best(of: repeats, cpu: &cpu[jobs, default: .infinity]) {
                let status = CalibrateTool.main(["run", casePath, "--out", scratch + "/jobs\(jobs)", "--jobs", "\(jobs)",
                                                 "--threads", "1", "--quiet"], console: console)
                guard status <= 1 else { throw ScalingFailure(description: "calibrate run --jobs \(jobs) ended with status \(status)") }
            }
        }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "null"
        let t1 = try inProcess(jobs: 1)
        let t2 = try inProcess(jobs: 2)
        var fields: [(String, String)] = [("benchmark", "\"scaling\""), ("case", "\"\(casePath)\""), ("blas_threads_per_worker", "1"),
                                          ("cores", "\(ProcessInfo.processInfo.activeProcessorCount)"),
                                          ("seconds_1_job", format(t1)), ("seconds_2_jobs", format(t2)),
                                          ("parallel_efficiency", format(t1 / (2 * t2))),
                                          ("cpu_seconds_1_job", format(cpu[1]!)), ("cpu_seconds_2_jobs", format(cpu[2]!)),
                                          ("load_average_before", load)]
        if let mpirun = executable(named: "mpirun") {
            let calibrate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("calibrate").path
            var arguments = ["--oversubscribe", "-np", "2"]
            if getuid() == 0 { arguments.insert("--allow-run-as-root", at: 0) }
            arguments += [calibrate, "run", casePath, "--out", scratch + "/ranks2", "--threads", "1", "--quiet"]
            var ignored = Double.infinity
            let tr = try best(of: repeats, cpu: &ignored) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: mpirun)
                process.arguments = arguments
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                guard process.terminationStatus <= 1 else {
                    throw ScalingFailure(description: "mpirun -np 2 calibrate run ended with status \(process.terminationStatus)")
                }
            }
            fields += [("seconds_2_ranks", format(tr)), ("parallel_efficiency_ranks", format(t1 / (2 * tr)))]
        }
        print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
    }

    struct ScalingFailure: Error, CustomStringConvertible { let description: String }

    /// The least wall-clock time of `repeats` runs; `cpu` gets the least CPU time of this process (every thread).
    static func best(of repeats: Int, cpu: inout Double, _ body: () throws -> Void) throws -> Double {
        func processCPU() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + 1e-6 * Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        }
        var best = Double.infinity
        for _ in 0 ..< repeats {
            let start = Date(), startCPU = processCPU()
            try body()
            best = min(best, Date().timeIntervalSince(start))
            cpu = min(cpu, processCPU() - startCPU)
        }
        return best
    }

    static func format(_ x: Double) -> String { String(format: "%.4g", x) }

    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
