import Foundation
import Sparse

// Release-build benchmarks of Calibrate. One JSON line per measurement on standard output.
//   calibrate-bench sparse [--sizes 1e4,1e5,1e6] [--ordering automatic|amd|metis|natural] [--threads N]

let usage = """
usage: calibrate-bench sparse   [--sizes 1e4,1e5,1e6] [--ordering automatic|amd|metis|natural] [--threads N]
       calibrate-bench lattice  [--sizes 1e4,1e5,1e6] [--threads N]
       calibrate-bench gradient [--sizes 1e4,1e5] [--optimizers lm,lbfgs|none] [--continuation 1|0] [--threads N]
       calibrate-bench poroelastic [--sizes 1e4,1e5]
       calibrate-bench unrolled [--out DIR]
       calibrate-bench verification [--out DIR]
       calibrate-bench terzaghi [--sizes 1e4,1e5] [--candidates mumps,cholmod-ldlt]
       calibrate-bench extension [--sizes 1e4]
       calibrate-bench scaling [--case cases/indentation] [--repeats 3]
       calibrate-bench seeds [--case cases/morse-lattice] [--seeds 100] [--noise 0.01] [--truth D=0.35,alpha=1.4,r0=2.5] [--optimizer lm|lbfgs]
"""

func parseSizes(_ text: String) -> [Int]? {
    let sizes = text.split(separator: ",").map { Double($0).map { Int($0) } }
    return sizes.contains(nil) ? nil : sizes.compactMap { $0 }
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
arguments.removeFirst()
var options: [String: String] = [:]
while arguments.count >= 2, arguments[0].hasPrefix("--") {
    options[String(arguments[0].dropFirst(2))] = arguments[1]
    arguments.removeFirst(2)
}
do {
    try BLASThreads.configureFromEnvironment()
    if let t = options["threads"], let n = Int(t) { BLASThreads.set(n) }
    switch command {
    case "sparse":
        guard let sizes = parseSizes(options["sizes"] ?? "1e4,1e5,1e6"),
              let ordering = FactorizationOptions.Ordering(rawValue: options["ordering"] ?? "automatic")
        else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            exit(2)
        }
        try SparseBenchmark.run(sizes: sizes, ordering: ordering)
    case "lattice":
        guard let sizes = parseSizes(options["sizes"] ?? "1e4,1e5,1e6") else { throw BenchUsage.invalid }
        try LatticeBenchmark.run(sizes: sizes)
    case "gradient":
        guard let sizes = parseSizes(options["sizes"] ?? "1e4,1e5") else { throw BenchUsage.invalid }
        let optimizers = Set((options["optimizers"] ?? "lm,lbfgs").split(separator: ",").map(String.init)).subtracting(["none"])
        try GradientBenchmark.run(sizes: sizes, optimizers: optimizers, continuation: options["continuation"] != "0")
    case "poroelastic":
        guard let sizes = parseSizes(options["sizes"] ?? "1e4,1e5") else { throw BenchUsage.invalid }
        try PoroelasticBenchmark.run(sizes: sizes)
    case "extension": try ExtensionBenchmark.run(options: options)   // [--sizes 1e4]
    case "seeds": try SeedsBenchmark.run(options: options)
    case "scaling": try ScalingBenchmark.run(options: options)   // [--case cases/indentation] [--repeats 3]
    case "terzaghi": try TerzaghiBenchmark.run(options: options)   // [--sizes 1e4,1e5] [--candidates mumps,cholmod-ldlt]
    case "verification":
        try VerificationPlots.run(directory: options["out"] ?? "docs/figures")
    case "unrolled":
        try UnrolledExample.run(directory: options["out"] ?? "docs/figures")
    default:
        FileHandle.standardError.write(Data(("unknown benchmark '\(command)'\n" + usage + "\n").utf8))
        exit(2)
    }
} catch BenchUsage.invalid {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("calibrate-bench: \(error)\n".utf8))
    exit(1)
}

enum BenchUsage: Error { case invalid }
