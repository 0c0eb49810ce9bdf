// Several starts for one calibration: deterministic Latin-hypercube starting points within the bounds,
// and the distinct local minima the starts ended at.
//
// A Latin hypercube of n points in a box (McKay, Beckman & Conover, "A comparison of three methods for
// selecting values of input variables in the analysis of output from a computer code", Technometrics 21,
// 1979) splits every coordinate's range into n equal strata and puts exactly one point in each stratum
// of each coordinate, the strata paired across coordinates by random permutations. Here the permutations
// and the positions within strata come from a seeded SplitMix64, so the same seed gives the same points.

import Foundation

/// Deterministic Latin-hypercube sampling of a box.
public enum LatinHypercube {
    /// `count` points in `bounds` (every bound must be finite), reproducible from `seed`.
    public static func points(count: Int, in bounds: BoxBounds, seed: UInt64) throws(OptimizerError) -> [[Double]] {
        try requireOption(count >= 1, "starts", count, "a positive integer")
        for i in 0 ..< bounds.dimension where !(bounds.lower[i].isFinite && bounds.upper[i].isFinite) {
            throw .invalidOption(name: "starts", value: "\(count)",
                                 requirement: "finite lower and upper bounds on every free parameter (parameter \(i + 1) has none)")
        }
        var rng = SplitMix64(seed: seed)
        var points = [[Double]](repeating: [Double](repeating: 0, count: bounds.dimension), count: count)
        for i in 0 ..< bounds.dimension {
            var strata = Array(0 ..< count)
            for k in stride(from: count - 1, to: 0, by: -1) {   // Fisher–Yates with the seeded generator
                strata.swapAt(k, Int(rng.next() % UInt64(k + 1)))
            }
            let width = (bounds.upper[i] - bounds.lower[i]) / Double(count)
            for p in 0 ..< count { points[p][i] = bounds.lower[i] + (Double(strata[p]) + rng.nextUniform()) * width }
        }
        return points
    }
}

/// One distinct local minimum reached from one or more starts.
public struct LocalMinimum: Sendable, Equatable {
    /// The best point among the starts that ended here.
    public var z: [Double]
    public var objective: Double
    /// Whether that best run converged.
    public var converged: Bool
    /// Which starts (0-based, 0 = the configured initial values) ended here.
    public var starts: [Int]
}

/// Grouping of several optimizer results into distinct minima.
public enum Multistart {
    /// Results whose end points lie within `tolerance` of each other in every coordinate (relative to
    /// the scales, and relative to the objective) count as one minimum; minima sorted by objective.
    /// `starts` numbers the results (default 0, 1, …; give them when some starts produced no result).
    public static func distinctMinima(_ results: [OptimizationResult], starts: [Int]? = nil, scales: [Double],
                                      tolerance: Double = 1e-4) -> [LocalMinimum] {
        precondition(starts == nil || starts!.count == results.count, "one start number per result")
        var minima: [LocalMinimum] = []
        for (k, r) in results.enumerated() {
            let start = starts?[k] ?? k
            let same = minima.firstIndex { m in
                abs(m.objective - r.objective) <= tolerance * max(abs(r.objective), 1)
                    && zip(zip(m.z, r.z), scales).allSatisfy { pair, s in abs(pair.0 - pair.1) <= tolerance * s }
            }
            if let k = same {
                minima[k].starts.append(start)
                if r.objective < minima[k].objective || (!minima[k].converged && r.status.isConverged) {
                    minima[k].z = r.z
                    minima[k].objective = r.objective
                    minima[k].converged = r.status.isConverged
                }
            } else {
                minima.append(LocalMinimum(z: r.z, objective: r.objective, converged: r.status.isConverged, starts: [start]))
            }
        }
        return minima.sorted { $0.objective < $1.objective }
    }

    /// The result to report: the converged one with the lowest objective, else the lowest of all.
    public static func best(_ results: [OptimizationResult]) -> Int? {
        let order = results.indices.sorted { results[$0].objective < results[$1].objective }
        return order.first { results[$0].status.isConverged } ?? order.first
    }
}
