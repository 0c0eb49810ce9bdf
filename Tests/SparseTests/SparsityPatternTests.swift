import Sparse
import Testing

@Suite struct SparsityPatternTests {
    @Test func patternIsUpperTriangleWithSortedRowsAndFullDiagonal() throws {
        var c = Connectivity()
        c.append([3, 0])
        c.append([1, -1, 3])
        let p = try SparsityPattern(dimension: 5, connectivities: [c])
        #expect(Array(p.columnStarts) == [0, 1, 2, 3, 6, 7])
        #expect(Array(p.rowIndices) == [0, 1, 2, 0, 1, 3, 4])
    }

    @Test func scatterAddsEachCouplingOnceAndSkipsEliminatedUnknowns() throws {
        var c = Connectivity()
        c.append([2, -1, 0])
        let p = try SparsityPattern(dimension: 3, connectivities: [c])
        let m = SymmetricMatrix(pattern: p)
        let block: [Double] = [1, 2, 3,
                               2, 4, 5,
                               3, 5, 6]
        block.withUnsafeBufferPointer { m.add(term: 0, of: ScatterMap(pattern: p, connectivity: c), block: $0.baseAddress!, size: 3) }
        #expect(m[2, 2] == 1)
        #expect(m[0, 0] == 6)
        #expect(m[0, 2] == 3)
        #expect(m[2, 0] == 3)
        #expect(m[1, 1] == 0)
    }

    @Test func selfCouplingThroughPeriodicImageReachesTheDiagonalTwice() throws {
        // A bond between an atom and its own periodic image: both local ends are unknown 0.
        var c = Connectivity()
        c.append([0, 0])
        let p = try SparsityPattern(dimension: 1, connectivities: [c])
        let m = SymmetricMatrix(pattern: p)
        let block: [Double] = [1, -1, -1, 1]
        block.withUnsafeBufferPointer { m.add(term: 0, of: ScatterMap(pattern: p, connectivity: c), block: $0.baseAddress!, size: 2) }
        // d²/du² of ½(u − u)² = 0: the full local block summed, not its upper triangle.
        #expect(m[0, 0] == 0)
    }

    @Test func indexOutsideTheDimensionIsATypedError() {
        var c = Connectivity()
        c.append([0, 7])
        #expect(throws: SparseError.indexOutOfRange(term: 0, index: 7, dimension: 3)) {
            _ = try SparsityPattern(dimension: 3, connectivities: [c])
        }
    }

    @Test func galleryMatricesAreSymmetricAndSized() throws {
        let m = try ModelProblem.elasticity2D(nx: 3, ny: 2).assemble()
        #expect(m.dimension == 2 * 3 * 3)
        let a = m.dense()
        let n = m.dimension
        for i in 0 ..< n { for j in 0 ..< n { #expect(a[i * n + j] == a[j * n + i]) } }
        // Rigid translations are in the kernel of the unconstrained element stiffness.
        let problem = ModelProblem.elasticity2D(nx: 1, ny: 1)
        for i in 0 ..< 8 {
            let rowSumX = stride(from: 0, to: 8, by: 2).map { problem.blocks[i * 8 + $0] }.reduce(0, +)
            #expect(abs(rowSumX) < 1e-14)
        }
    }

    @Test func optionsValidateRejectsNonsense() {
        #expect(throws: SparseError.self) { try FactorizationOptions(kind: .ldlt, singularPivotTolerance: -1).validate() }
        #expect(throws: SparseError.self) { try FactorizationOptions(kind: .cholesky, singularPivotTolerance: 1e-12).validate() }
        #expect(throws: Never.self) { try FactorizationOptions(kind: .ldlt, singularPivotTolerance: 1e-12).validate() }
    }

    @Test func blasThreadCountCanBeSet() {
        BLASThreads.set(1)
        #expect(BLASThreads.current == 1)
    }
}
