import Foundation
@testable import Sparse
import Testing

private func randomVector(_ n: Int, seed: UInt64) -> [Double] {
    var rng = SplitMix64(seed: seed)
    return (0 ..< n).map { _ in Double.random(in: -1 ... 1, using: &rng) }
}

/// MUMPS's multifrontal LDLᵀ against a dense reference, CHOLMOD, and its own contract.
@Suite struct MumpsLDLTTests {
    @Test(arguments: FactorizationOptions.Ordering.allCases)
    func solvesQuasiDefiniteSaddleSystem(ordering: FactorizationOptions.Ordering) throws {
        let (nu, np) = (150, 50)
        let matrix = try saddle(nu: nu, np: np, seed: 11)
        let ldlt = try MumpsLDLT(pattern: matrix.pattern, options: .init(kind: .multifrontalLDLT, ordering: ordering))
        try ldlt.factorize(matrix)
        let b = randomVector(nu + np, seed: 2)
        let x = try ldlt.solve(b)
        let residual = zip(matrix.multiply(x), b).map { $0 - $1 }
        #expect(DenseReference.norm(residual) / DenseReference.norm(b) <= 1e-12)
        let reference = DenseReference.solve(matrix.dense(), b, n: nu + np)
        #expect(DenseReference.relativeDifference(x, reference.x) <= 1e-10)
        // Sylvester's law of inertia: [[A, Bᵀ], [B, −C]] with A, C definite has exactly np negative
        // eigenvalues, so D has np negative pivots whatever the ordering and pivoting.
        #expect(ldlt.negativePivotCount == np)
    }

    @Test func agreesWithCholmodLDLTAndSolvesItsOwnAdjoint() throws {
        let matrix = try saddle(nu: 300, np: 90, seed: 5)
        let n = matrix.dimension
        let mumps = try SparseFactorization(pattern: matrix.pattern, options: .init(kind: .multifrontalLDLT))
        let cholmod = try SparseFactorization(pattern: matrix.pattern, options: .init(kind: .ldlt))
        #expect(mumps.mumps != nil && mumps.cholmod == nil && cholmod.cholmod != nil)
        try mumps.factorize(matrix)
        try cholmod.factorize(matrix)
        let b = randomVector(n, seed: 9), c = randomVector(n, seed: 10)
        let x = try mumps.solve(b), y = try mumps.solve(c)
        #expect(DenseReference.relativeDifference(x, try cholmod.solve(b)) <= 1e-10)
        // The adjoint identity cᵀ A⁻¹ b = (A⁻ᵀ c)ᵀ b holds because the solve is symmetric.
        let cx = zip(c, x).reduce(0) { $0 + $1.0 * $1.1 }, yb = zip(y, b).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(cx - yb) <= 1e-12 * max(abs(cx), 1))
    }

    @Test func refactorsNewValuesAndShifts() throws {
        let matrix = try saddle(nu: 80, np: 30, seed: 3)
        let ldlt = try MumpsLDLT(pattern: matrix.pattern)
        let b = randomVector(matrix.dimension, seed: 4)
        try ldlt.factorize(matrix)
        let x1 = try ldlt.solve(b)
        for p in 0 ..< matrix.values.count { matrix.values[p] *= 2 }
        try ldlt.factorize(matrix)
        let x2 = try ldlt.solve(b)
        #expect(DenseReference.relativeDifference(x2.map { 2 * $0 }, x1) <= 1e-12)
        #expect(ldlt.factorizationCount == 2)
        // A shifted factorization factors A + τI: its solution satisfies (A + τI) x = b.
        try ldlt.factorize(matrix, shift: 0.75)
        #expect(ldlt.shift == 0.75)
        let x3 = try ldlt.solve(b)
        let r = zip(matrix.multiply(x3), zip(x3, b)).map { $0 + 0.75 * $1.0 - $1.1 }
        #expect(DenseReference.norm(r) / DenseReference.norm(b) <= 1e-12)
    }

    @Test func solvesManyRightHandSidesAtOnce() throws {
        let matrix = try saddle(nu: 100, np: 40, seed: 8)
        let n = matrix.dimension
        let ldlt = try MumpsLDLT(pattern: matrix.pattern)
        try ldlt.factorize(matrix)
        let b = randomVector(3 * n, seed: 6)
        var x = [Double](repeating: 0, count: 3 * n)
        try b.withUnsafeBufferPointer { bb in try x.withUnsafeMutableBufferPointer { try ldlt.solve(bb, into: $0, columns: 3) } }
        for c in 0 ..< 3 {
            let single = try ldlt.solve(Array(b[c * n ..< (c + 1) * n]))
            #expect(DenseReference.relativeDifference(Array(x[c * n ..< (c + 1) * n]), single) <= 1e-14)
        }
        #expect(throws: SparseError.dimensionMismatch(expected: n, found: n - 1, what: "the right-hand side")) {
            _ = try ldlt.solve([Double](repeating: 1, count: n - 1))
        }
    }

    @Test func singularMatrixThrowsAndObjectStaysUsable() throws {
        // Unknown 1 couples to nothing and has a zero diagonal: exactly singular.
        var connectivity = Connectivity()
        connectivity.append([0, 1])
        let pattern = try SparsityPattern(dimension: 2, connectivities: [connectivity])
        let matrix = SymmetricMatrix(pattern: pattern)
        let block: [Double] = [1, 0, 0, 0]
        block.withUnsafeBufferPointer {
            matrix.add(term: 0, of: ScatterMap(pattern: pattern, connectivity: connectivity), block: $0.baseAddress!, size: 2)
        }
        let ldlt = try MumpsLDLT(pattern: pattern)
        do {
            try ldlt.factorize(matrix)
            Issue.record("a singular matrix was factored")
        } catch let SparseError.mumps(info, _, _) {
            #expect(info == -10)
            #expect(SparseError.mumps(info: info, detail: 0, operation: "x").description.contains("singular"))
        }
        #expect(!ldlt.isFactorized)
        #expect(throws: SparseError.self) { _ = try ldlt.solve([1, 1]) }
        matrix.values[matrix.values.count - 1] = -3
        try ldlt.factorize(matrix)
        let x = try ldlt.solve([1, 1])
        #expect(abs(x[0] - 1) <= 1e-15 && abs(x[1] + 1.0 / 3) <= 1e-15)
    }

    @Test func rejectsOtherKindsAndOptions() throws {
        let matrix = try saddle(nu: 10, np: 4, seed: 1)
        #expect(throws: SparseError.self) { _ = try MumpsLDLT(pattern: matrix.pattern, options: .init(kind: .ldlt)) }
        #expect(throws: SparseError.self) { _ = try SparseCholesky(pattern: matrix.pattern, options: .init(kind: .multifrontalLDLT)) }
        #expect(throws: SparseError.self) {
            _ = try MumpsLDLT(pattern: matrix.pattern, options: .init(kind: .multifrontalLDLT, singularPivotTolerance: 1e-9))
        }
        let other = try saddle(nu: 10, np: 4, seed: 1)
        let ldlt = try MumpsLDLT(pattern: matrix.pattern)
        #expect(throws: SparseError.self) { try ldlt.factorize(other) }
    }

    @Test func thousandRefactorizationsDoNotGrowMemory() throws {
        let matrix = try saddle(nu: 3000, np: 1000, seed: 12)
        let ldlt = try MumpsLDLT(pattern: matrix.pattern)
        let b = [Double](repeating: 1, count: matrix.dimension)
        var x = [Double](repeating: 0, count: matrix.dimension)
        func cycle() throws {
            try ldlt.factorize(matrix)
            try b.withUnsafeBufferPointer { bb in try x.withUnsafeMutableBufferPointer { try ldlt.solve(bb, into: $0) } }
        }
        for _ in 0 ..< 20 { try cycle() }
        let mumpsBefore = ldlt.memoryInUse, rssBefore = residentBytes()
        for _ in 0 ..< 1000 { try cycle() }
        #expect(ldlt.memoryInUse == mumpsBefore)
        // Resident memory is shared with tests running in parallel: a coarse guard only.
        #expect(residentBytes() - rssBefore < 64 << 20)
        #expect(ldlt.factorizationCount == 1020)
    }

    @Test func instancesAreFreedWhenReleased() throws {
        // MUMPS also factors definite matrices (SYM = 2); a 2D elasticity stiffness has a sizeable factor.
        let matrix = try ModelProblem.elasticity2D(nx: 70, ny: 70).assemble()
        let rounds = 100
        let rssBefore = residentBytes()
        var perInstance = 0
        for _ in 0 ..< rounds {
            let ldlt = try MumpsLDLT(pattern: matrix.pattern)
            try ldlt.factorize(matrix)
            perInstance = max(perInstance, ldlt.memoryInUse)
        }
        // Leaking every instance would grow the process by rounds × its MUMPS memory (several hundred MB here).
        #expect(perInstance > 0)
        #expect(residentBytes() - rssBefore < rounds * perInstance / 4,
                "grew \(residentBytes() - rssBefore) bytes; one instance holds \(perInstance)")
    }
}

/// METIS orderings are computed once per pattern structure and kept only while such a pattern lives.
@Suite struct SharedOrderingsTests {
    @Test func equalPatternsShareOneOrderingWhileTheFirstLives() throws {
        var first: SymmetricMatrix? = try saddle(nu: 517, np: 203, seed: 21)
        let second = try saddle(nu: 517, np: 203, seed: 22)   // equal structure, other values
        #expect(first!.pattern !== second.pattern)
        var factor: MumpsLDLT? = try MumpsLDLT(pattern: first!.pattern, options: .init(kind: .multifrontalLDLT, ordering: .metis))
        let kept = try MetisOrdering.positions(of: first!.pattern)
        defer { kept.deallocate() }
        let probe = UnsafeMutableBufferPointer<Int32>.allocate(capacity: second.dimension)
        defer { probe.deallocate() }
        #expect(SharedOrderings.lookUp(second.pattern, into: probe))
        #expect(Array(probe) == Array(kept))
        // A permutation, 1-based.
        #expect(Set(probe).count == second.dimension && probe.min() == 1 && probe.max() == Int32(second.dimension))
        // The second matrix factors correctly on the shared ordering.
        let ldlt = try MumpsLDLT(pattern: second.pattern, options: .init(kind: .multifrontalLDLT, ordering: .metis))
        try ldlt.factorize(second)
        let b = randomVector(second.dimension, seed: 23)
        let x = try ldlt.solve(b)
        #expect(DenseReference.norm(zip(second.multiply(x), b).map { $0 - $1 }) <= 1e-12 * DenseReference.norm(b))
        // Once the pattern it was computed for is gone (the factorization held it), it is forgotten.
        factor = nil
        first = nil
        #expect(factor == nil && first == nil)
        #expect(!SharedOrderings.lookUp(try saddle(nu: 517, np: 203, seed: 25).pattern, into: probe))
    }
}
