import Foundation
import Sparse
import Testing

/// Solves `matrix x = b` through the sparse layer and checks against the dense reference.
private func checkSolve(_ matrix: SymmetricMatrix, kind: FactorizationOptions.Kind = .cholesky,
                        ordering: FactorizationOptions.Ordering = .automatic, seed: UInt64 = 1) throws {
    var rng = SplitMix64(seed: seed)
    let n = matrix.dimension
    let b = (0 ..< n).map { _ in Double.random(in: -1 ... 1, using: &rng) }
    let chol = try SparseCholesky(pattern: matrix.pattern, options: .init(kind: kind, ordering: ordering))
    try chol.factorize(matrix)
    let x = try chol.solve(b)
    let residual = zip(matrix.multiply(x), b).map { $0 - $1 }
    #expect(DenseReference.norm(residual) / DenseReference.norm(b) <= 1e-12)
    let reference = DenseReference.solve(matrix.dense(), b, n: n)
    #expect(DenseReference.relativeDifference(x, reference.x) <= 1e-10)
    let (logAbs, sign) = try chol.logDeterminant()
    #expect(abs(logAbs - reference.logAbsDet) <= 1e-9 * max(1, abs(reference.logAbsDet)))
    #expect(sign == reference.sign)
}

/// A random symmetric positive-definite matrix as a sum of random SPD local terms plus a small shift.
private func randomSPD(n: Int, terms: Int, seed: UInt64) throws -> SymmetricMatrix {
    var rng = SplitMix64(seed: seed)
    var connectivity = Connectivity()
    var blocks: [[Double]] = []
    for _ in 0 ..< terms {
        let k = Int.random(in: 2 ... 4, using: &rng)
        var idx = Set<Int32>()
        while idx.count < k { idx.insert(Int32.random(in: 0 ..< Int32(n), using: &rng)) }
        connectivity.append(Array(idx))
        let g = (0 ..< k * k).map { _ in Double.random(in: -1 ... 1, using: &rng) }
        var block = [Double](repeating: 0, count: k * k)
        for a in 0 ..< k { for b in 0 ..< k { for c in 0 ..< k { block[a * k + b] += g[a * k + c] * g[b * k + c] } } }
        blocks.append(block)
    }
    let pattern = try SparsityPattern(dimension: n, connectivities: [connectivity])
    let matrix = SymmetricMatrix(pattern: pattern)
    let map = ScatterMap(pattern: pattern, connectivity: connectivity)
    for (t, block) in blocks.enumerated() {
        block.withUnsafeBufferPointer { matrix.add(term: t, of: map, block: $0.baseAddress!, size: connectivity.term(t).count) }
    }
    matrix.addToDiagonal(0.1)
    return matrix
}

/// A symmetric quasi-definite matrix [[A, Bᵀ], [B, −C]]: u-unknowns 0..<nu, p-unknowns nu..<nu+np.
func saddle(nu: Int, np: Int, seed: UInt64) throws -> SymmetricMatrix {
    var rng = SplitMix64(seed: seed)
    var connectivity = Connectivity()
    var blocks: [[Double]] = []
    for e in 0 ..< nu - 1 {
        let p = Int32(nu + e % np)
        connectivity.append([Int32(e), Int32(e + 1), p])
        let c1 = Double.random(in: -1 ... 1, using: &rng), c2 = Double.random(in: -1 ... 1, using: &rng)
        blocks.append([2, -1, c1,
                       -1, 2, c2,
                       c1, c2, -0.5])
    }
    let pattern = try SparsityPattern(dimension: nu + np, connectivities: [connectivity])
    let matrix = SymmetricMatrix(pattern: pattern)
    let map = ScatterMap(pattern: pattern, connectivity: connectivity)
    for (t, block) in blocks.enumerated() {
        block.withUnsafeBufferPointer { matrix.add(term: t, of: map, block: $0.baseAddress!, size: 3) }
    }
    return matrix
}

@Suite struct SparseCholeskyTests {
    @Test(arguments: FactorizationOptions.Ordering.allCases)
    func laplacian2DMatchesDenseReference(ordering: FactorizationOptions.Ordering) throws {
        try checkSolve(try ModelProblem.laplacian2D(nx: 13, ny: 11).assemble(), ordering: ordering)
    }

    @Test func elasticity2DMatchesDenseReference() throws {
        try checkSolve(try ModelProblem.elasticity2D(nx: 9, ny: 8).assemble())
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomSPDMatchesDenseReference(seed: UInt64) throws {
        try checkSolve(try randomSPD(n: 150, terms: 300, seed: seed), seed: seed)
    }

    @Test func ldltSolvesQuasiDefiniteSaddleSystem() throws {
        let matrix = try saddle(nu: 120, np: 40, seed: 7)
        try checkSolve(matrix, kind: .ldlt)
        // The same matrix is indefinite: LLᵀ must refuse it rather than return a wrong factor.
        let chol = try SparseCholesky(pattern: matrix.pattern)
        #expect(throws: SparseError.self) { try chol.factorize(matrix) }
    }

    @Test func refactorizationReusesAnalysisWithNewValues() throws {
        let problem = ModelProblem.elasticity2D(nx: 10, ny: 6)
        let matrix = try problem.assemble()
        let chol = try SparseCholesky(pattern: matrix.pattern)
        let b = [Double](repeating: 1, count: matrix.dimension)
        try chol.factorize(matrix)
        let x1 = try chol.solve(b)
        for p in 0 ..< matrix.values.count { matrix.values[p] *= 2 }
        try chol.factorize(matrix)
        let x2 = try chol.solve(b)
        #expect(chol.factorizationCount == 2)
        #expect(DenseReference.relativeDifference(x2.map { 2 * $0 }, x1) <= 1e-12)
        let residual = zip(matrix.multiply(x2), b).map { $0 - $1 }
        #expect(DenseReference.norm(residual) / DenseReference.norm(b) <= 1e-12)
    }

    @Test func notPositiveDefiniteNamesTheFailingColumn() throws {
        let matrix = try ModelProblem.laplacian2D(nx: 5, ny: 4).assemble()
        // Make one diagonal entry strongly negative: only that column can break the factorization.
        let bad = 13
        matrix.values[Int(matrix.pattern.columnStarts[bad + 1]) - 1] = -100
        let chol = try SparseCholesky(pattern: matrix.pattern)
        #expect(throws: SparseError.notPositiveDefinite(column: bad)) { try chol.factorize(matrix) }
        #expect(!chol.isFactorized)
        #expect(throws: SparseError.self) { try chol.solve([Double](repeating: 0, count: matrix.dimension)) }
        // A large enough diagonal shift (modified Newton) makes it definite again.
        try chol.factorize(matrix, shift: 200)
        let b = [Double](repeating: 1, count: matrix.dimension)
        let x = try chol.solve(b)
        let r = zip(matrix.multiply(x), zip(x, b)).map { $0 + 200 * $1.0 - $1.1 }
        #expect(DenseReference.norm(r) / DenseReference.norm(b) <= 1e-12)
        let message = SparseError.notPositiveDefinite(column: bad).description
        #expect(message.contains("column 13"))
    }

    @Test func singularSaddleIsReported() throws {
        // u-unknowns with no stiffness at all: a zero pivot.
        var connectivity = Connectivity()
        connectivity.append([0, 1])
        let pattern = try SparsityPattern(dimension: 2, connectivities: [connectivity])
        let matrix = SymmetricMatrix(pattern: pattern)
        let block: [Double] = [1, 0, 0, 0]
        block.withUnsafeBufferPointer { matrix.add(term: 0, of: ScatterMap(pattern: pattern, connectivity: connectivity), block: $0.baseAddress!, size: 2) }
        let ldlt = try SparseCholesky(pattern: pattern, options: .init(kind: .ldlt, ordering: .natural))
        #expect(throws: SparseError.singular(column: 1)) { try ldlt.factorize(matrix) }
    }

    @Test func solvesManyRightHandSidesAtOnce() throws {
        let matrix = try ModelProblem.laplacian2D(nx: 8, ny: 8).assemble()
        let n = matrix.dimension
        let chol = try SparseCholesky(pattern: matrix.pattern)
        try chol.factorize(matrix)
        var rng = SplitMix64(seed: 3)
        let b = (0 ..< 3 * n).map { _ in Double.random(in: -1 ... 1, using: &rng) }
        var x = [Double](repeating: 0, count: 3 * n)
        try b.withUnsafeBufferPointer { bb in try x.withUnsafeMutableBufferPointer { try chol.solve(bb, into: $0, columns: 3) } }
        for c in 0 ..< 3 {
            let single = try chol.solve(Array(b[c * n ..< (c + 1) * n]))
            #expect(DenseReference.relativeDifference(Array(x[c * n ..< (c + 1) * n]), single) <= 1e-14)
        }
        #expect(throws: SparseError.dimensionMismatch(expected: n, found: n - 1, what: "the right-hand side")) {
            _ = try chol.solve([Double](repeating: 1, count: n - 1))
        }
    }

    @Test func thousandRefactorizationsDoNotGrowMemory() throws {
        let matrix = try ModelProblem.elasticity2D(nx: 40, ny: 40).assemble()
        let chol = try SparseCholesky(pattern: matrix.pattern)
        let b = [Double](repeating: 1, count: matrix.dimension)
        var x = [Double](repeating: 0, count: matrix.dimension)
        func cycle() throws {
            try chol.factorize(matrix, shift: 1e-3)
            try b.withUnsafeBufferPointer { bb in try x.withUnsafeMutableBufferPointer { try chol.solve(bb, into: $0) } }
        }
        for _ in 0 ..< 20 { try cycle() }
        // What is measured is this factorization's memory, exactly: CHOLMOD counts every byte it holds
        // for this object (the factor, its workspaces, the solve's dense results), and a refactorization
        // or solve that leaked would raise that count. Whole-process resident memory is not used: tests
        // run in parallel in this process (and under ASan its allocator keeps freed memory in
        // quarantine), so it measures them, not this loop; `calibrate-bench sparse` reports resident
        // memory for a quiet process.
        let before = chol.memoryInUse
        #expect(before > 0)
        var grew: [Int] = []
        for k in 0 ..< 1000 {
            try cycle()
            if chol.memoryInUse != before { grew.append(k) }
        }
        #expect(grew.isEmpty, "CHOLMOD's bytes changed after cycles \(grew.prefix(10)) (from \(before) to \(chol.memoryInUse))")
        #expect(chol.factorizationCount == 1020)
    }

    @Test func factorizationsAreFreedWhenReleased() throws {
        let matrix = try ModelProblem.elasticity2D(nx: 60, ny: 60).assemble()
        let probe = try SparseCholesky(pattern: matrix.pattern, options: .init(ordering: .amd))
        try probe.factorize(matrix)
        let perFactorization = probe.memoryInUse
        let rounds = 200
        let rssBefore = residentBytes()
        for _ in 0 ..< rounds {
            let chol = try SparseCholesky(pattern: matrix.pattern, options: .init(ordering: .amd))
            try chol.factorize(matrix)
        }
        // Leaking the factors would grow the process by rounds × perFactorization (≈ 0.5 GB here); other
        // tests running in parallel in this process move resident memory by tens of MB at most.
        #expect(residentBytes() - rssBefore < rounds * perFactorization / 4,
                "grew \(residentBytes() - rssBefore) bytes; one factorization holds \(perFactorization)")
    }
}
