import Foundation
import Physics
import Testing

@Suite("Lattice construction")
struct LatticeConstructionTests {
    @Test("atom counts and box lengths per kind", arguments: [
        (LatticeKind.square, [3, 2], 6, [3.0, 2.0]),
        (.triangular, [3, 2], 12, [3.0, 2 * 3.0.squareRoot()]),
        (.simpleCubic, [2, 3, 4], 24, [2.0, 3.0, 4.0]),
        (.bcc, [2, 3, 4], 48, [2.0, 3.0, 4.0]),
        (.fcc, [2, 3, 4], 96, [2.0, 3.0, 4.0]),
    ])
    func counts(kind: LatticeKind, cells: [Int], atoms: Int, box: [Double]) throws {
        let a = 1.5
        let lattice = try Lattice(kind: kind, cells: cells, latticeConstant: a,
                                  periodic: Array(repeating: true, count: cells.count))
        #expect(lattice.atomCount == atoms)
        #expect(lattice.positions.count == atoms * kind.spatialDimension)
        #expect(lattice.dimension == cells.count)
        for k in 0 ..< cells.count { #expect(abs(lattice.box[k] - a * box[k]) <= 1e-12) }
        #expect(lattice.groups["all"] == Array(0 ..< atoms))
        #expect(lattice.originalIndex == Array(0 ..< atoms))
        // Fully periodic: no boundary layers.
        #expect(lattice.groups.count == 1)
        // Everything inside [0, box).
        for i in 0 ..< atoms {
            for k in 0 ..< cells.count {
                let x = lattice.positions[i * cells.count + k]
                #expect(x >= 0 && x < lattice.box[k])
            }
        }
    }

    @Test("kind constants")
    func kindConstants() {
        let a = 2.0
        #expect(LatticeKind.square.nearestNeighbourDistance(latticeConstant: a) == 2)
        #expect(LatticeKind.triangular.nearestNeighbourDistance(latticeConstant: a) == 2)
        #expect(LatticeKind.simpleCubic.nearestNeighbourDistance(latticeConstant: a) == 2)
        #expect(abs(LatticeKind.bcc.nearestNeighbourDistance(latticeConstant: a) - 3.0.squareRoot()) < 1e-15)
        #expect(abs(LatticeKind.fcc.nearestNeighbourDistance(latticeConstant: a) - 2.0.squareRoot()) < 1e-15)
        #expect(LatticeKind.allCases.map(\.coordinationNumber) == [4, 6, 6, 8, 12])
        #expect(LatticeKind.allCases.map(\.basisCount) == [1, 2, 1, 2, 4])
        #expect(LatticeKind.allCases.map(\.spatialDimension) == [2, 2, 3, 3, 3])
        for kind in LatticeKind.allCases {
            #expect(kind.fractionalBasis.count == kind.basisCount)
            #expect(kind.secondNeighbourDistance(latticeConstant: a) > kind.nearestNeighbourDistance(latticeConstant: a))
        }
    }

    @Test("atoms are numbered cell by cell, x fastest, basis innermost")
    func ordering() throws {
        let square = try Lattice(kind: .square, cells: [3, 2], latticeConstant: 2, periodic: [false, false])
        #expect(square.positions == [0, 0, 2, 0, 4, 0, 0, 2, 2, 2, 4, 2])

        let fcc = try Lattice(kind: .fcc, cells: [2, 3, 4], latticeConstant: 1, periodic: [true, true, true])
        // Cell (cx, cy, cz) = (1, 2, 3), basis atom 2 at fractions (0.5, 0, 0.5).
        let atom = ((3 * 3 + 2) * 2 + 1) * 4 + 2
        #expect(fcc.position(of: atom) == [1.5, 2, 3.5])

        let tri = try Lattice(kind: .triangular, cells: [2, 2], latticeConstant: 1, periodic: [true, true])
        let h = 3.0.squareRoot()
        #expect(tri.position(of: 1) == [0.5, 0.5 * h])
        #expect(tri.position(of: 6) == [1, h])
    }

    @Test("invalid arguments are typed errors")
    func errors() {
        #expect(throws: GeometryError.nonPositiveLatticeConstant(0)) {
            try Lattice(kind: .square, cells: [2, 2], latticeConstant: 0, periodic: [true, true])
        }
        #expect(throws: GeometryError.nonPositiveLatticeConstant(-1)) {
            try Lattice(kind: .fcc, cells: [2, 2, 2], latticeConstant: -1, periodic: [true, true, true])
        }
        #expect(throws: GeometryError.nonPositiveCellCount(axis: 1, count: 0)) {
            try Lattice(kind: .square, cells: [2, 0], latticeConstant: 1, periodic: [true, true])
        }
        #expect(throws: GeometryError.wrongAxisCount(what: "cells", expected: 3, found: 2)) {
            try Lattice(kind: .bcc, cells: [2, 2], latticeConstant: 1, periodic: [true, true, true])
        }
        #expect(throws: GeometryError.wrongAxisCount(what: "periodic", expected: 2, found: 3)) {
            try Lattice(kind: .triangular, cells: [2, 2], latticeConstant: 1, periodic: [true, true, true])
        }
        #expect(throws: GeometryError.tooManyAtoms(4 * 2000 * 2000 * 2000)) {
            try Lattice(kind: .fcc, cells: [2000, 2000, 2000], latticeConstant: 1, periodic: [true, true, true])
        }
        let message = GeometryError.nonPositiveCellCount(axis: 1, count: 0).description
        #expect(message.contains("along y") && message.contains("at least 1"))
    }

    @Test("setPositions checks size and finiteness")
    func setPositions() throws {
        var lattice = try Lattice(kind: .square, cells: [2, 2], latticeConstant: 1, periodic: [true, true])
        #expect(throws: GeometryError.positionCountMismatch(expected: 8, found: 7)) {
            try lattice.setPositions([Double](repeating: 0, count: 7))
        }
        var bad = lattice.positions
        bad[5] = .nan
        #expect(throws: GeometryError.nonFinitePosition(atom: 2, axis: 1)) { try lattice.setPositions(bad) }
        let moved = lattice.positions.map { $0 + 0.25 }
        try lattice.setPositions(moved)
        #expect(lattice.positions == moved)
    }
}

@Suite("Lattice groups and vacancies")
struct LatticeGroupTests {
    /// Expected boundary layer sizes: basis atoms on the lowest / highest plane of the cell along `axis`,
    /// times the number of cells in the other directions.
    @Test("boundary layers of open axes", arguments: LatticeKind.allCases)
    func boundaryLayers(kind: LatticeKind) throws {
        let d = kind.spatialDimension
        let cells = Array([4, 3, 5].prefix(d))
        let lattice = try Lattice(kind: kind, cells: cells, latticeConstant: 1.3,
                                  periodic: Array(repeating: false, count: d))
        let perLayer: [LatticeKind: Int] = [.square: 1, .triangular: 1, .simpleCubic: 1, .bcc: 1, .fcc: 2]
        for axis in 0 ..< d {
            let names = Lattice.boundaryGroupNames(axis: axis)
            let others = cells.enumerated().filter { $0.offset != axis }.map(\.element).reduce(1, *)
            let lower = try #require(lattice.groups[names.lower])
            let upper = try #require(lattice.groups[names.upper])
            #expect(lower.count == perLayer[kind]! * others, "\(kind) \(names.lower)")
            #expect(upper.count == perLayer[kind]! * others, "\(kind) \(names.upper)")
            let coordinate = { (i: Int) in lattice.positions[i * d + axis] }
            let all = (0 ..< lattice.atomCount).map(coordinate)
            #expect(lower.allSatisfy { coordinate($0) == all.min()! })
            #expect(upper.allSatisfy { coordinate($0) == all.max()! })
            #expect(lower == lower.sorted() && upper == upper.sorted())
        }
        #expect(lattice.groups.count == 1 + 2 * d)
    }

    @Test("2D square: left/right columns have ny atoms, periodic axis has no layers")
    func squareColumns() throws {
        let lattice = try Lattice(kind: .square, cells: [5, 7], latticeConstant: 1, periodic: [false, true])
        #expect(lattice.groups["left"] == (0 ..< 7).map { $0 * 5 })
        #expect(lattice.groups["right"] == (0 ..< 7).map { $0 * 5 + 4 })
        #expect(lattice.groups["bottom"] == nil && lattice.groups["top"] == nil)
        #expect(Lattice.boundaryGroupNames(axis: 2) == ("back", "front"))
    }

    @Test("tagging by predicate and by index")
    func tagging() throws {
        var lattice = try Lattice(kind: .square, cells: [4, 4], latticeConstant: 1, periodic: [true, true])
        try lattice.tag("lowerHalf") { $0[1] < 1.5 }
        #expect(lattice.groups["lowerHalf"] == Array(0 ..< 8))
        try lattice.tag("picked", atoms: [9, 3, 3, 1])
        #expect(lattice.groups["picked"] == [1, 3, 9])
        try lattice.tag("nothing") { _ in false }
        #expect(lattice.groups["nothing"] == [])
        #expect(throws: GeometryError.groupAlreadyExists("all")) { try lattice.tag("all") { _ in true } }
        #expect(throws: GeometryError.atomIndexOutOfRange(index: 16, atomCount: 16)) {
            try lattice.tag("bad", atoms: [16])
        }
    }

    @Test("vacancies renumber atoms and groups and keep original ids")
    func vacancies() throws {
        var lattice = try Lattice(kind: .square, cells: [4, 3], latticeConstant: 1, periodic: [false, false])
        try lattice.tag("diagonal", atoms: [0, 5, 10])
        #expect(lattice.groups["left"] == [0, 4, 8])

        let once = try lattice.removingAtoms([4, 5, 4])
        #expect(once.atomCount == 10)
        #expect(once.originalIndex == [0, 1, 2, 3, 6, 7, 8, 9, 10, 11])
        #expect(once.groups["left"] == [0, 6])          // originals 0 and 8
        #expect(once.groups["diagonal"] == [0, 8])      // originals 0 and 10
        #expect(once.groups["bottom"] == [0, 1, 2, 3])
        #expect(once.groups["top"] == [6, 7, 8, 9])     // originals 8...11
        #expect(once.groups["all"] == Array(0 ..< 10))

        let twice = try once.removingAtoms([0])
        #expect(twice.originalIndex == [1, 2, 3, 6, 7, 8, 9, 10, 11])
        #expect(twice.groups["left"] == [5])
        // Positions follow their atoms.
        for i in 0 ..< twice.atomCount {
            #expect(twice.position(of: i) == lattice.position(of: twice.originalIndex[i]))
        }
        // Every group maps back to the original group minus the removed atoms.
        for (name, members) in twice.groups {
            let back = Set(members.map { twice.originalIndex[$0] })
            #expect(back == Set(lattice.groups[name]!).subtracting([0, 4, 5]), "\(name)")
        }
        #expect(throws: GeometryError.atomIndexOutOfRange(index: -1, atomCount: 10)) {
            try once.removingAtoms([-1])
        }
    }
}
