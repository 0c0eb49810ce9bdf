import Foundation
import Physics
import Testing

private typealias Reference = GeometryTestReference

/// Cells per axis for a fully periodic lattice whose box is at least 2 × radius along every axis.
private func periodicCells(_ kind: LatticeKind, radius: Double, a: Double) -> [Int] {
    kind.conventionalCellEdges(latticeConstant: a).map { Int((2 * radius / $0).rounded(.up)) + 1 }
}

@Suite("Neighbour lists")
struct NeighbourListTests {
    @Test("perfect periodic crystals: every atom has Z neighbours at the nearest distance",
          arguments: LatticeKind.allCases)
    func coordination(kind: LatticeKind) throws {
        let a = 1.7
        let nn = kind.nearestNeighbourDistance(latticeConstant: a)
        let cutoff = Reference.midShellCutoff(kind, latticeConstant: a)
        // The skin stays inside the gap between shells so that it does not add second neighbours.
        let skin = 0.5 * (kind.secondNeighbourDistance(latticeConstant: a) - cutoff)
        let cells = periodicCells(kind, radius: cutoff + skin, a: a)
        let lattice = try Lattice(kind: kind, cells: cells, latticeConstant: a,
                                  periodic: Array(repeating: true, count: cells.count))
        let list = try NeighbourList(lattice: lattice, cutoff: cutoff, skin: skin)
        let wrong = Reference.degrees(list).enumerated().filter { $0.element != kind.coordinationNumber }
        #expect(wrong.prefix(3).map { "atom \($0.offset): \($0.element)" } == [])
        #expect(list.pairCount == lattice.atomCount * kind.coordinationNumber / 2)
        for p in 0 ..< list.pairCount {
            #expect(abs(Reference.distance(list, pair: p, positions: lattice.positions) - nn) <= 1e-12 * a)
        }
    }

    @Test("open square lattice: corners 2, edges 3, interior 4 neighbours")
    func openSquare() throws {
        let lattice = try Lattice(kind: .square, cells: [3, 3], latticeConstant: 1, periodic: [false, false])
        let list = try NeighbourList(lattice: lattice, cutoff: 1.2, skin: 0.1)
        #expect(Reference.degrees(list) == [2, 3, 2, 3, 4, 3, 2, 3, 2])
        #expect(list.pairCount == 12)
        #expect(list.images.allSatisfy { $0 == 0 })
    }

    @Test("image vectors point to the minimum image")
    func images() throws {
        let lattice = try Lattice(kind: .square, cells: [4, 4], latticeConstant: 1, periodic: [true, false])
        let list = try NeighbourList(lattice: lattice, cutoff: 1.1, skin: 0)
        // Atoms 0 (x = 0) and 3 (x = 3): x3 − x0 = 3, minimum image −1 = 3 − 4.
        let p = try #require((0 ..< list.pairCount).first { list.first[$0] == 0 && list.second[$0] == 3 })
        #expect(Array(list.images[2 * p ..< 2 * p + 2]) == [-1, 0])
        #expect(list.shift(ofPair: p, axis: 0) == -4)
        #expect(list.separation(ofPair: p, positions: lattice.positions) == [-1, 0])
        #expect(Array(list.shiftVectors()[2 * p ..< 2 * p + 2]) == [-4, 0])
        // The open y axis never wraps: atoms 0 and 12 (y = 0 and 3) are not neighbours.
        #expect(!(0 ..< list.pairCount).contains { list.first[$0] == 0 && list.second[$0] == 12 })
    }

    /// Displaced lattices with every combination of periodic and open axes; several cutoffs (one to
    /// three shells); boxes with only two bins along an axis (where adjacent bins wrap onto each other)
    /// and with three or more; atoms moved out of the box by whole periods.
    @Test("cell lists equal the all-pairs reference", arguments: LatticeKind.allCases)
    func matchesReference(kind: LatticeKind) throws {
        let d = kind.spatialDimension
        let a = 1.0
        var rng = GeometryTestRandom(seed: UInt64(d * 1000 + kind.basisCount))
        for mask in 0 ..< (1 << d) {
            let periodic = (0 ..< d).map { mask & (1 << $0) != 0 }
            for cutoffFactor in [1.05, 1.6, 2.2] {
                let cutoff = cutoffFactor * kind.nearestNeighbourDistance(latticeConstant: a)
                let skin = 0.2 * cutoff
                let radius = cutoff + skin
                let edges = kind.conventionalCellEdges(latticeConstant: a)
                // Between 2r and 3r along periodic axes: two bins there.
                let cells = edges.map { Int((2 * radius / $0).rounded(.up)) }
                let lattice = try Lattice(kind: kind, cells: cells, latticeConstant: a, periodic: periodic)
                var positions = lattice.positions.map { $0 + Double.random(in: -0.1 ... 0.1, using: &rng) }
                for i in stride(from: 0, to: lattice.atomCount, by: 3) {
                    for k in 0 ..< d where periodic[k] {
                        positions[i * d + k] += lattice.box[k] * Double(Int.random(in: -2 ... 2, using: &rng))
                    }
                }
                let fast = try NeighbourList(lattice: lattice, positions: positions, cutoff: cutoff, skin: skin)
                let slow = try NeighbourList.allPairs(positions: positions, box: lattice.box,
                                                      periodic: periodic, cutoff: cutoff, skin: skin)
                let label = "\(kind) periodic \(periodic) cutoff \(cutoff)"
                #expect(Reference.firstDifference(fast, slow) == nil, "\(label)")
                #expect(fast.pairCount > 0)

                // Two more cells per axis: three or more bins, the general wrap-around case.
                let larger = try Lattice(kind: kind, cells: cells.map { $0 + 2 }, latticeConstant: a,
                                         periodic: periodic)
                let moved = larger.positions.map { $0 + Double.random(in: -0.1 ... 0.1, using: &rng) }
                let fastLarger = try NeighbourList(lattice: larger, positions: moved, cutoff: cutoff, skin: skin)
                let slowLarger = try NeighbourList.allPairs(positions: moved, box: larger.box,
                                                            periodic: periodic, cutoff: cutoff, skin: skin)
                #expect(Reference.firstDifference(fastLarger, slowLarger) == nil, "\(label), larger box")
                // Positions moved by whole periods change images, not pairs, so compare against the
                // explicit reference only on the in-box configuration.
                let inBox = lattice.positions.map { $0 + Double.random(in: -0.1 ... 0.1, using: &rng) }
                let list = try NeighbourList(lattice: lattice, positions: inBox, cutoff: cutoff, skin: skin)
                let explicit = try #require(Reference.explicitImages(
                    positions: inBox, box: lattice.box, periodic: periodic, radius: radius))
                let listed = Reference.pairSet(list)
                #expect(listed.count == list.pairCount, "\(label): a pair is listed twice")
                #expect(listed.subtracting(explicit).sorted { $0.description < $1.description }.prefix(3) == [],
                        "\(label): listed but not within the radius")
                #expect(explicit.subtracting(listed).sorted { $0.description < $1.description }.prefix(3) == [],
                        "\(label): within the radius but missing")
                // Sorted by first then second, each unordered pair once.
                let keys = (0 ..< list.pairCount).map { Int(list.first[$0]) << 32 | Int(list.second[$0]) }
                let strictlySorted = zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }
                let lowerFirst = zip(list.first, list.second).allSatisfy { $0 < $1 }
                #expect(strictlySorted, "\(label): not strictly sorted")
                #expect(lowerFirst, "\(label): first ≥ second")
            }
        }
    }

    @Test("bins coarsen for sparse configurations and empty inputs work")
    func sparseAndEmpty() throws {
        // Two clusters 1e6 apart along an open axis: the grid must not have 1e6 bins per axis.
        let positions = [0.0, 0, 0.5, 0, 1e6, 0, 1e6 + 0.5, 0.3]
        let list = try NeighbourList(positions: positions, box: [1, 1], periodic: [false, false],
                                     cutoff: 1, skin: 0)
        #expect(list.first == [0, 2] && list.second == [1, 3])
        let empty = try NeighbourList(positions: [], box: [10, 10, 10], periodic: [true, false, true],
                                      cutoff: 1, skin: 0.5)
        #expect(empty.pairCount == 0 && empty.atomCount == 0)
    }

    @Test("builds are bitwise reproducible")
    func reproducible() throws {
        let lattice = try Lattice(kind: .fcc, cells: [4, 4, 4], latticeConstant: 1, periodic: [true, false, true])
        var rng = GeometryTestRandom(seed: 7)
        let x = lattice.positions.map { $0 + Double.random(in: -0.05 ... 0.05, using: &rng) }
        let one = try NeighbourList(lattice: lattice, positions: x, cutoff: 0.8, skin: 0.1)
        let two = try NeighbourList(lattice: lattice, positions: x, cutoff: 0.8, skin: 0.1)
        #expect(Reference.firstDifference(one, two) == nil)
        let identical = one == two
        #expect(identical)
    }
}

@Suite("Neighbour list reuse and errors")
struct NeighbourListReuseTests {
    @Test("needsRebuild switches when atoms approach each other by the skin, not when they move together")
    func rebuildThreshold() throws {
        let lattice = try Lattice(kind: .triangular, cells: [6, 4], latticeConstant: 1, periodic: [true, true])
        let skin = 0.2
        var list = try NeighbourList(lattice: lattice, cutoff: 1.3, skin: skin)
        #expect(!list.needsRebuild(currentPositions: lattice.positions))
        let direction = [0.6, 0.8]
        func moved(_ distance: Double, atom: Int = 5) -> [Double] {
            var x = lattice.positions
            for k in 0 ..< 2 { x[atom * 2 + k] += distance * direction[k] }
            return x
        }
        // One atom moving by x approaches another by at most x: the bound switches at the skin.
        #expect(!list.needsRebuild(currentPositions: moved(0.99 * skin)))
        #expect(list.needsRebuild(currentPositions: moved(1.01 * skin)))
        // Every atom moving together (a rigid translation by fifty skins) brings no pair closer.
        let translated = lattice.positions.enumerated().map { $0.element + 50 * skin * direction[$0.offset % 2] }
        #expect(!list.needsRebuild(currentPositions: translated))
        // Wrapping an atom by a whole period invalidates the stored images of its pairs.
        var wrapped = lattice.positions
        wrapped[5 * 2] += lattice.box[0]
        #expect(list.needsRebuild(currentPositions: wrapped))
        let rewrapped = try list.rebuilt(positions: wrapped)
        #expect(rewrapped.pairCount == list.pairCount)
        for p in 0 ..< rewrapped.pairCount {
            #expect(abs(Reference.distance(rewrapped, pair: p, positions: wrapped) - 1) < 1e-12)
        }
        #expect(list.needsRebuild(currentPositions: Array(lattice.positions.dropLast(2))))
        var nan = lattice.positions
        nan[3] = .nan
        #expect(list.needsRebuild(currentPositions: nan))

        #expect(try !list.update(positions: moved(0.9 * skin)))
        #expect(list.referencePositions == lattice.positions)
        // 1.5 skins: the bound fails, but the next neighbours (√3 away) stay beyond the cutoff, so the
        // pairs are kept and the list is re-anchored where the atom now is.
        #expect(try !list.update(positions: moved(1.5 * skin)))
        #expect(list.referencePositions == moved(1.5 * skin))
        #expect(list.allowance > 0 && list.allowance <= skin)
        #expect(!list.needsRebuild(currentPositions: moved(1.5 * skin)))
        // 2.5 skins (0.5): a next neighbour comes within the cutoff, so the list is rebuilt and holds it.
        #expect(try list.update(positions: moved(2.5 * skin)))
        let exact = try NeighbourList(lattice: lattice, positions: moved(2.5 * skin), cutoff: 1.3, skin: 0)
        #expect(Reference.pairSet(exact).subtracting(Reference.pairSet(list)).isEmpty)
        #expect(Reference.pairSet(list).count > Reference.pairSet(try NeighbourList(lattice: lattice, cutoff: 1.3, skin: skin)).count)
    }

    @Test("a homogeneous strain within the skin is not flagged; beyond it, every pair within the cutoff is kept")
    func homogeneousStrain() throws {
        // A slab, periodic along x, open along y: the sheared and compressed states of a loaded lattice.
        let lattice = try Lattice(kind: .triangular, cells: [8, 8], latticeConstant: 1, periodic: [true, false])
        let cutoff = 1.3, skin = 0.3
        var list = try NeighbourList(lattice: lattice, cutoff: cutoff, skin: skin)
        func strained(_ g: [Double]) -> [Double] {
            var x = lattice.positions
            for i in 0 ..< lattice.atomCount {
                let y = lattice.positions[2 * i + 1]
                x[2 * i] += g[0] * y
                x[2 * i + 1] += g[1] * y
            }
            return x
        }
        // 10% shear moves the top row by 1.3 (over eight half-skins), yet shortens no pair by more than 5%.
        #expect(!list.needsRebuild(currentPositions: strained([0.1, 0])))
        #expect(!list.needsRebuild(currentPositions: strained([0.05, -0.05])))
        for g in [[0.0, -0.3], [0.6, 0], [0.4, -0.25]] {
            let x = strained(g)
            #expect(list.needsRebuild(currentPositions: x))
            var kept = list
            try kept.update(positions: x)
            let exact = try NeighbourList(lattice: lattice, positions: x, cutoff: cutoff, skin: 0)
            #expect(Reference.pairSet(exact).subtracting(Reference.pairSet(kept)).isEmpty, "\(g)")
        }
    }

    @Test("moving less than skin / 2 never loses a pair within the cutoff")
    func skinGuarantee() throws {
        let lattice = try Lattice(kind: .square, cells: [8, 8], latticeConstant: 1, periodic: [true, false])
        let cutoff = 1.3, skin = 0.4
        let list = try NeighbourList(lattice: lattice, cutoff: cutoff, skin: skin)
        var rng = GeometryTestRandom(seed: 3)
        for _ in 0 ..< 20 {
            // Random directions, lengths just under skin / 2.
            var x = lattice.positions
            for i in 0 ..< lattice.atomCount {
                let angle = Double.random(in: 0 ..< 2 * .pi, using: &rng)
                x[2 * i] += 0.499 * skin * cos(angle)
                x[2 * i + 1] += 0.499 * skin * sin(angle)
            }
            #expect(!list.needsRebuild(currentPositions: x))
            let exact = try NeighbourList(lattice: lattice, positions: x, cutoff: cutoff, skin: 0)
            let listed = Reference.pairSet(list)
            #expect(Reference.pairSet(exact).subtracting(listed).count == 0)
        }
    }

    @Test("a periodic box shorter than 2 (cutoff + skin) is refused, with the cells needed")
    func boxTooSmall() throws {
        let lattice = try Lattice(kind: .square, cells: [2, 5], latticeConstant: 1, periodic: [false, true])
        // y: 5 < 2 × 2.6 = 5.2 → needs 6 cells.
        #expect(throws: GeometryError.boxTooSmall(axis: 1, length: 5, required: 5.2, minimumCells: 6)) {
            try NeighbourList(lattice: lattice, cutoff: 2.5, skin: 0.1)
        }
        #expect(throws: GeometryError.boxTooSmall(axis: 0, length: 3, required: 4, minimumCells: nil)) {
            try NeighbourList(positions: [0, 0, 1, 1], box: [3, 3], periodic: [true, true], cutoff: 2, skin: 0)
        }
        // Exactly 2r is enough: the strict `< r` test admits one image only.
        let ok = try NeighbourList(positions: [0, 0, 2, 0], box: [4, 4], periodic: [true, true], cutoff: 2, skin: 0)
        #expect(ok.pairCount == 0)
        let message = GeometryError.boxTooSmall(axis: 1, length: 5, required: 5.2, minimumCells: 6).description
        #expect(message.contains("along y") && message.contains("at least 6 cells"))
    }

    @Test("coincident atoms are reported by both builders, also through a periodic image")
    func coincident() throws {
        let tiny = 0x1p-30  // exactly representable, so the reported separation is exact
        let direct = [0.0, 0, 1, 1, 3, 3, 1, 1 + tiny]
        typealias Builder = ([Double], [Double], [Bool], Double, Double) throws -> NeighbourList
        // Explicit closures: referencing the typed-throws initialiser as a value crashes Swift 6.3.1.
        let builders: [Builder] = [
            { try NeighbourList(positions: $0, box: $1, periodic: $2, cutoff: $3, skin: $4) },
            { try NeighbourList.allPairs(positions: $0, box: $1, periodic: $2, cutoff: $3, skin: $4) },
        ]
        for build in builders {
            #expect(throws: GeometryError.coincidentAtoms(first: 1, second: 3, separation: tiny)) {
                try build(direct, [10, 10], [false, false], 1.5, 0.1)
            }
            #expect(throws: GeometryError.coincidentAtoms(first: 0, second: 1, separation: 0)) {
                try build([0.0, 2, 10, 2], [10, 10], [true, false], 1.5, 0.1)
            }
        }
        var lattice = try Lattice(kind: .bcc, cells: [3, 3, 3], latticeConstant: 1, periodic: [true, true, true])
        var x = lattice.positions
        for k in 0 ..< 3 { x[7 * 3 + k] = x[20 * 3 + k] }
        try lattice.setPositions(x)
        #expect(throws: GeometryError.coincidentAtoms(first: 7, second: 20, separation: 0)) {
            try NeighbourList(lattice: lattice, cutoff: 0.9, skin: 0.05)
        }
    }

    @Test("invalid inputs are typed errors")
    func invalidInputs() throws {
        let x = [0.0, 0, 1, 1]
        #expect(throws: GeometryError.nonPositiveCutoff(0)) {
            try NeighbourList(positions: x, box: [5, 5], periodic: [true, true], cutoff: 0, skin: 0.1)
        }
        #expect(throws: GeometryError.negativeSkin(-0.1)) {
            try NeighbourList(positions: x, box: [5, 5], periodic: [true, true], cutoff: 1, skin: -0.1)
        }
        #expect(throws: GeometryError.wrongAxisCount(what: "periodic", expected: 2, found: 3)) {
            try NeighbourList(positions: x, box: [5, 5], periodic: [true, true, true], cutoff: 1, skin: 0)
        }
        #expect(throws: GeometryError.positionCountMismatch(expected: 4, found: 3)) {
            try NeighbourList(positions: [0, 0, 1], box: [5, 5], periodic: [true, true], cutoff: 1, skin: 0)
        }
        #expect(throws: GeometryError.nonFinitePosition(atom: 1, axis: 0)) {
            try NeighbourList(positions: [0, 0, .infinity, 1], box: [5, 5], periodic: [true, true],
                              cutoff: 1, skin: 0)
        }
        #expect(throws: GeometryError.nonPositiveBoxLength(axis: 0, length: -5)) {
            try NeighbourList(positions: x, box: [-5, 5], periodic: [true, true], cutoff: 1, skin: 0)
        }
        #expect(throws: GeometryError.unsupportedDimension(4)) {
            try NeighbourList(positions: x, box: [5, 5, 5, 5], periodic: [true, true, true, true],
                              cutoff: 1, skin: 0)
        }
        let lattice = try Lattice(kind: .square, cells: [4, 4], latticeConstant: 1, periodic: [true, true])
        #expect(throws: GeometryError.positionCountMismatch(expected: 32, found: 4)) {
            try NeighbourList(lattice: lattice, positions: x, cutoff: 1, skin: 0)
        }
    }
}
