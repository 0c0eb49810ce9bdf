import Physics
import Testing

/// A state with atoms pushed through each other is found, with the closest pair, across periodic
/// boundaries too; a deformed but physical state is not flagged.
@Suite struct AtomicOverlapTests {
    let square = try! Lattice(kind: .square, cells: [4, 4], latticeConstant: 2, periodic: [false, false])

    /// The flat index of atom `i`'s component `axis`.
    func index(_ i: Int, _ axis: Int, _ lattice: Lattice) -> Int { lattice.dimension * i + axis }

    /// The internal index of the atom at `position`.
    func atom(at position: [Double], in lattice: Lattice) -> Int {
        (0 ..< lattice.atomCount).first { i in (0 ..< lattice.dimension).allSatisfy { abs(lattice.positions[index(i, $0, lattice)] - position[$0]) < 1e-9 } }!
    }

    @Test func thePerfectAndAUniformlyStrainedLatticeAreAdmissible() {
        let zero = [Double](repeating: 0, count: square.positions.count)
        #expect(AtomicOverlap.find(lattice: square, displacement: zero) == nil)
        // 40 % uniform compression: neighbours 1.2 apart, above ½ × 2.
        let compressed = square.positions.map { -0.4 * $0 }
        #expect(AtomicOverlap.find(lattice: square, displacement: compressed) == nil)
        // 60 %: 0.8 apart, below 1 — every neighbour pair is too close.
        let crushed = square.positions.map { -0.6 * $0 }
        let found = AtomicOverlap.find(lattice: square, displacement: crushed)
        #expect(found != nil && abs(found!.distance - 0.8) < 1e-12 && found!.threshold == 1)
    }

    @Test func theClosestPairIsReportedInTheLatticesAtomNumbers() throws {
        var u = [Double](repeating: 0, count: square.positions.count)
        let a = atom(at: [2, 2], in: square), b = atom(at: [4, 2], in: square)
        u[index(a, 0, square)] = 1.7  // 0.3 from b
        let found = try #require(AtomicOverlap.find(lattice: square, displacement: u))
        #expect(Set([found.first, found.second]) == Set([square.originalIndex[a], square.originalIndex[b]]))
        #expect(abs(found.distance - 0.3) < 1e-12)
        #expect(found.description.contains("pushed through each other"))
        // A looser fraction accepts it, a zero fraction turns the check off.
        #expect(AtomicOverlap.find(lattice: square, displacement: u, fraction: 0.1) == nil)
        #expect(AtomicOverlap.find(lattice: square, displacement: u, fraction: 0) == nil)
    }

    @Test func pairsAcrossAPeriodicBoundaryAreFound() throws {
        let periodic = try Lattice(kind: .square, cells: [4, 4], latticeConstant: 2, periodic: [true, false])
        var u = [Double](repeating: 0, count: periodic.positions.count)
        let a = atom(at: [0, 2], in: periodic)
        u[index(a, 0, periodic)] = -1.8  // 0.2 from the image of the atom at x = 6
        let found = try #require(AtomicOverlap.find(lattice: periodic, displacement: u))
        #expect(abs(found.distance - 0.2) < 1e-12)
    }

    @Test func nonFiniteDisplacementsAreInadmissible() {
        var u = [Double](repeating: 0, count: square.positions.count)
        u[3] = .nan
        #expect(AtomicOverlap.find(lattice: square, displacement: u) != nil)
    }
}
