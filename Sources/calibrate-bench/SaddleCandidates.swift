import Foundation
import Physics
import Sparse

/// The candidates for the saddle-point (displacement–pressure) systems, on the project's own Biot
/// stepping matrix: `calibrate-bench terzaghi --sizes 1e4,1e5,1e6 --candidates mumps,cholmod-ldlt-metis`.
///
/// Candidate names: `mumps`, `mumps-amd`, `mumps-natural` (MUMPS multifrontal LDLᵀ, ICNTL(7) automatic,
/// AMD, none) and `cholmod-ldlt`, `cholmod-ldlt-amd`, `cholmod-ldlt-metis` (CHOLMOD simplicial LDLᵀ).
/// `supernodal-bound` is not a candidate but a bound: CHOLMOD's supernodal LLᵀ (METIS) of an SPD matrix
/// on the stepping matrix's own pattern (|off-diagonal| values, a dominant diagonal), i.e. the time a
/// supernodal BLAS-3 factorization with this fill takes on this machine, the best any supernodal LDLᵀ of
/// the saddle matrix could do (one `saddle-pattern-bound` line, timings only).
/// One `saddle-factorization` JSON line per candidate: analysis with the first factorization, a numeric
/// refactorization, one solve, the library's memory and the process's growth, and accuracy: the
/// componentwise backward error max|b − Ax|/(|A||x| + |b|), the adjoint identity cᵀA⁻¹b = bᵀA⁻¹c, and
/// the difference from the first candidate's solution.
enum SaddleCandidates {
    static func compare(_ problem: TerzaghiBenchmark.Problem, candidates: [String]) throws {
        let model = problem.model
        let solver = try Equilibrium(model: model.makeModel(timeStep: problem.timeStep),
                                     options: problem.newton)
        let zero = [Double](repeating: 0, count: model.layout.dofCount)
        try solver.assembler.evaluate(displacement: zero, parameters: problem.theta, needs: .newton)
        let matrix = solver.assembler.hessian
        let n = matrix.dimension
        let b = (0 ..< n).map { Double(($0 * 7919) % 1000) / 1000 - 0.5 }
        let c = (0 ..< n).map { Double(($0 * 104_729) % 997) / 997 - 0.5 }
        var first: [Double]?
        for name in candidates {
            if name == "supernodal-bound" { try supernodalBound(matrix, b); continue }
            guard let options = options(name) else {
                FileHandle.standardError.write(Data("unknown candidate '\(name)'\n".utf8))
                throw BenchUsage.invalid
            }
            SharedOrderings.removeAll()
            let rss = Measurement.residentBytes()
            let (analysis, factor) = try Measurement.time { () throws -> SparseFactorization in
                let f = try SparseFactorization(pattern: matrix.pattern, options: options)
                try f.factorize(matrix)
                return f
            }
            let refactor = try Measurement.best(of: 2) { try factor.factorize(matrix) }
            var x = [Double](repeating: 0, count: n), y = x
            let solve = try Measurement.best(of: 3) { x = try factor.solve(b) }
            y = try factor.solve(c)
            let cx = zip(c, x).reduce(0) { $0 + $1.0 * $1.1 }, by = zip(b, y).reduce(0) { $0 + $1.0 * $1.1 }
            let difference = first.map { f in norm(zip(x, f).map { $0 - $1 }) / norm(f) } ?? 0
            if first == nil { first = x }
            Measurement.emit([
                "benchmark": "saddle-factorization", "candidate": name, "unknowns": n, "entries": matrix.pattern.entryCount,
                "blas_threads": BLASThreads.current,
                "analysis_and_factorization_s": analysis, "refactorization_s": refactor, "solve_s": solve,
                "library_memory_mb": Double(factor.memoryInUse) / 1e6,
                "rss_growth_mb": Double(Measurement.residentBytes() - rss) / 1e6,
                "factor_entries": factor.mumps?.factorEntryCount ?? factor.cholmod?.factorEntryCount ?? 0,
                "mumps_ordering_used": factor.mumps?.orderingUsed ?? -1,
                "negative_pivots": factor.mumps?.negativePivotCount ?? -1,
                "backward_error": backwardError(matrix, x, b), "adjoint_identity_error": abs(cx - by) / abs(cx),
                "difference_from_first": difference,
            ])
        }
    }

    static func options(_ name: String) -> FactorizationOptions? {
        switch name {
        case "mumps": .init(kind: .multifrontalLDLT, ordering: .automatic)
        case "mumps-amd": .init(kind: .multifrontalLDLT, ordering: .amd)
        case "mumps-metis": .init(kind: .multifrontalLDLT, ordering: .metis)
        case "mumps-natural": .init(kind: .multifrontalLDLT, ordering: .natural)
        case "cholmod-ldlt": .init(kind: .ldlt, ordering: .automatic)
        case "cholmod-ldlt-amd": .init(kind: .ldlt, ordering: .amd)
        case "cholmod-ldlt-metis": .init(kind: .ldlt, ordering: .metis)
        default: nil
        }
    }

    /// CHOLMOD supernodal LLᵀ of the SPD matrix |A| with each diagonal entry raised above its row's sum.
    static func supernodalBound(_ matrix: SymmetricMatrix, _ b: [Double]) throws {
        let pattern = matrix.pattern, n = matrix.dimension
        let spd = SymmetricMatrix(pattern: pattern)
        var rowSums = [Double](repeating: 0, count: n)
        for j in 0 ..< n {
            for k in Int(pattern.columnStarts[j]) ..< Int(pattern.columnStarts[j + 1]) {
                let i = Int(pattern.rowIndices[k]), v = abs(matrix.values[k])
                spd.values[k] = v
                if i != j { rowSums[i] += v; rowSums[j] += v }
            }
        }
        for j in 0 ..< n { spd.values[Int(pattern.columnStarts[j + 1]) - 1] += rowSums[j] + 1 }
        SharedOrderings.removeAll()
        let options = FactorizationOptions(kind: .cholesky, ordering: .metis)
        let (analysis, factor) = try Measurement.time { () throws -> SparseFactorization in
            let f = try SparseFactorization(pattern: pattern, options: options)
            try f.factorize(spd)
            return f
        }
        let refactor = try Measurement.best(of: 2) { try factor.factorize(spd) }
        let solve = try Measurement.best(of: 3) { _ = try factor.solve(b) }
        Measurement.emit([
            "benchmark": "saddle-pattern-bound", "factorization": "CHOLMOD supernodal LLT (METIS) of an SPD matrix on the pattern",
            "unknowns": n, "entries": pattern.entryCount, "blas_threads": BLASThreads.current,
            "analysis_and_factorization_s": analysis, "refactorization_s": refactor, "solve_s": solve,
            "factor_entries": factor.cholmod?.factorEntryCount ?? 0,
        ])
    }

    /// max_i |b − Ax|_i / (|A||x| + |b|)_i (Oettli & Prager).
    static func backwardError(_ a: SymmetricMatrix, _ x: [Double], _ b: [Double]) -> Double {
        let ax = a.multiply(x)
        var absolute = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xb in absolute.withUnsafeMutableBufferPointer { a.multiplyAbsolute(xb, into: $0) } }
        var worst = 0.0
        for i in x.indices where absolute[i] + abs(b[i]) > 0 {
            worst = max(worst, abs(b[i] - ax[i]) / (absolute[i] + abs(b[i])))
        }
        return worst
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
