import Foundation
import Sparse

/// Issue 2's benchmark: 2D plane-strain elasticity (Q1) stiffness matrices from 10⁴ to 10⁶ unknowns.
/// Times pattern construction, assembly, analysis, numeric factorization and solve through the Swift
/// layer, and analysis, factorization and solve by raw CHOLMOD on the same matrix in the same run.
enum SparseBenchmark {
    static func run(sizes: [Int], ordering: FactorizationOptions.Ordering) throws {
        for target in sizes {
            // n = 2·nx·(nx + 1) unknowns on an nx × nx grid.
            let nx = Int((Double(target) / 2).squareRoot().rounded())
            let problem = ModelProblem.elasticity2D(nx: nx, ny: nx)
            let n = problem.dimension
            let repeats = n <= 20_000 ? 5 : (n <= 200_000 ? 3 : 1)
            let rssStart = Measurement.residentBytes()

            let (patternTime, pattern) = try Measurement.time {
                try SparsityPattern(dimension: n, connectivities: [problem.connectivity])
            }
            let (mapTime, map) = Measurement.time { ScatterMap(pattern: pattern, connectivity: problem.connectivity) }
            let matrix = SymmetricMatrix(pattern: pattern)
            let assemblyTime = Measurement.best(of: repeats) { problem.assemble(into: matrix, map: map) }
            let b = (0 ..< n).map { Double(($0 * 7919) % 1000) / 1000 - 0.5 }

            var swiftAnalysis = Double.infinity, swiftFactor = Double.infinity, swiftSolve = Double.infinity
            var rawAnalysis = Double.infinity, rawFactor = Double.infinity, rawSolve = Double.infinity
            var chol: SparseCholesky?
            var x = [Double](repeating: 0, count: n)
            var xRaw: [Double] = []
            let raw = RawCholmod(copying: matrix, ordering: ordering)
            // Alternate the two so that neither systematically runs on a warmer machine.
            for _ in 0 ..< repeats {
                rawAnalysis = min(rawAnalysis, Measurement.time { raw.analyse() }.seconds)
                rawFactor = min(rawFactor, Measurement.time { raw.factorize() }.seconds)
                rawSolve = min(rawSolve, Measurement.time { xRaw = raw.solve(b) }.seconds)
                chol = nil
                let analysed = try Measurement.time { try SparseCholesky(pattern: pattern, options: .init(ordering: ordering)) }
                swiftAnalysis = min(swiftAnalysis, analysed.seconds)
                let c = analysed.value
                chol = c
                swiftFactor = min(swiftFactor, try Measurement.time { try c.factorize(matrix) }.seconds)
                swiftSolve = min(swiftSolve, try Measurement.time { x = try c.solve(b) }.seconds)
            }
            let residual = zip(matrix.multiply(x), b).map { $0 - $1 }
            let relativeResidual = norm(residual) / norm(b)
            let agreement = norm(zip(x, xRaw).map { $0 - $1 }) / norm(xRaw)
            let swiftTotal = swiftAnalysis + swiftFactor + swiftSolve
            let rawTotal = rawAnalysis + rawFactor + rawSolve
            Measurement.emit([
                "benchmark": "sparse-elasticity2d", "unknowns": n, "entries": pattern.entryCount,
                "ordering": ordering.rawValue, "repeats": repeats,
                "factor_entries": chol?.factorEntryCount ?? 0, "factor_gflop": (chol?.factorizationFlops ?? 0) / 1e9,
                "pattern_s": patternTime, "scatter_map_s": mapTime, "assembly_s": assemblyTime,
                "swift_analysis_s": swiftAnalysis, "swift_factor_s": swiftFactor, "swift_solve_s": swiftSolve,
                "raw_analysis_s": rawAnalysis, "raw_factor_s": rawFactor, "raw_solve_s": rawSolve,
                "ratio_swift_over_raw": swiftTotal / rawTotal,
                "ratio_factor_swift_over_raw": swiftFactor / rawFactor,
                "ratio_assembly_over_factor": assemblyTime / swiftFactor,
                "relative_residual": relativeResidual, "swift_vs_raw_solution": agreement,
                "rss_growth_mb": Double(Measurement.residentBytes() - rssStart) / 1e6,
                "cholmod_memory_mb": Double(chol?.memoryInUse ?? 0) / 1e6,
            ])
        }
    }

    private static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
