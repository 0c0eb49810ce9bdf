import AutoDiff
import Foundation
import Physics
import Sparse
import Testing

/// The whole Morse bond differentiated automatically: the reference for the hand-written pair path.
struct MorseBond2D: LocalEnergy {
    typealias Hyper = HyperJet<7, 28>
    static let dofCount = 4
    static let parameterCount = 3
    let shift: (Double, Double)
    let cutoff: SmoothCutoff
    func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let dx = v[2] + shift.0 - v[0], dy = v[3] + shift.1 - v[1]
        let r = S.sqrt(dx * dx + dy * dy)
        if r.value >= cutoff.outer { return 0 }
        let e = S.exp(-(v.parameter(1) * (r - v.parameter(2))))
        return cutoff.apply(v.parameter(0) * (e * e - 2 * e), at: r)
    }
}

@Suite struct PairEnergyTests {
    /// Random small displacements of a periodic-in-x triangular lattice, fixed bottom.
    func perturbed(_ model: LatticeModel<Morse>, seed: UInt64, amplitude: Double = 0.05) -> [Double] {
        var rng = GeometryTestRandom(seed: seed)
        var u = model.initialDisplacement()
        for d in u.indices where !model.layout.isPrescribed(d) { u[d] = Double.random(in: -amplitude ... amplitude, using: &rng) }
        return u
    }

    @Test func energyAndForcesMatchDirectDoubleSum() throws {
        let model = try shearedTriangularLattice(cells: [6, 4], shear: 0.05)
        let u = perturbed(model, seed: 11)
        let assembler = try Assembler(model: try model.makeModel())
        try assembler.evaluate(displacement: u, parameters: morseTheta, needs: [.energy, .gradient])
        let x = zip(model.lattice.positions, u).map { $0 + $1 }
        let (energy, fullGradient) = DirectSum.morseEnergyAndGradient(
            positions: x, dimension: 2, box: model.lattice.box, periodic: model.lattice.periodic,
            theta: morseTheta, inner: 1.5, outer: 1.9)
        #expect(abs(assembler.energy - energy) <= 1e-12 * abs(energy))
        let reference = model.layout.gather(fullGradient)
        #expect(norm(zip(assembler.gradient, reference).map { $0 - $1 }) <= 1e-12 * norm(reference))
    }

    @Test func handWrittenPairDerivativesEqualAutomaticBondDerivatives() throws {
        let model = try shearedTriangularLattice(cells: [5, 4], shear: 0.1)
        let u = perturbed(model, seed: 5, amplitude: 0.1)
        let fast = try Assembler(model: try model.makeModel())
        let pairs = model.neighbours
        let shifts = pairs.shiftVectors()
        let terms = pairs.first.indices.map { MorseBond2D(shift: (shifts[2 * $0], shifts[2 * $0 + 1]), cutoff: model.cutoff) }
        var c = Connectivity()
        for t in pairs.first.indices {
            let i = pairs.first[t], j = pairs.second[t]
            c.append([2 * i, 2 * i + 1, 2 * j, 2 * j + 1])
        }
        let automatic = Model(layout: model.layout, groups: [try AutoDiffGroup(name: "bonds", terms: terms, connectivity: c, parameterIndices: [0, 1, 2])],
                              parameterNames: Morse.parameterNames)
        let slow = try Assembler(model: automatic)
        try fast.evaluate(displacement: u, parameters: morseTheta, needs: .all)
        try slow.evaluate(displacement: u, parameters: morseTheta, needs: .all)
        let scale = fast.hessian.values.map(abs).max()!
        #expect(zip(fast.hessian.values, slow.hessian.values).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
        #expect(zip(fast.mixed, slow.mixed).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
        #expect(zip(fast.gradient, slow.gradient).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
        #expect(zip(fast.parameterGradient, slow.parameterGradient).allSatisfy { abs($0 - $1) <= 1e-11 * max(1, abs($1)) })
        #expect(abs(fast.energy - slow.energy) <= 1e-12 * abs(slow.energy))
    }

    @Test func hessianAndMixedMatchCentralDifferencesOfTheGradient() throws {
        let model = try shearedTriangularLattice(cells: [5, 3], shear: 0.05)
        let u = perturbed(model, seed: 9)
        let a = try Assembler(model: try model.makeModel())
        try a.evaluate(displacement: u, parameters: morseTheta, needs: .all)
        let h = a.hessian.dense(), mixed = a.mixed, n = a.unknownCount
        let step = 1e-6
        for (k, dof) in model.layout.dofOfUnknown.enumerated() {
            var up = u, down = u
            up[Int(dof)] += step
            down[Int(dof)] -= step
            try a.evaluate(displacement: up, parameters: morseTheta, needs: .gradient)
            let gp = a.gradient
            try a.evaluate(displacement: down, parameters: morseTheta, needs: .gradient)
            for i in 0 ..< n {
                let fd = (gp[i] - a.gradient[i]) / (2 * step)
                #expect(abs(h[i * n + k] - fd) <= 1e-6 * max(1, abs(fd)))
            }
        }
        for p in 0 ..< 3 {
            var up = morseTheta, down = morseTheta
            up[p] += step
            down[p] -= step
            try a.evaluate(displacement: u, parameters: up, needs: .gradient)
            let gp = a.gradient
            try a.evaluate(displacement: u, parameters: down, needs: .gradient)
            for i in 0 ..< n {
                let fd = (gp[i] - a.gradient[i]) / (2 * step)
                #expect(abs(mixed[p * n + i] - fd) <= 1e-6 * max(1, abs(fd)))
            }
        }
    }

    @Test func rigidTranslationAndRotationLeaveEnergyUnchangedAndForcesBalanced() throws {
        let lattice = try Lattice(kind: .triangular, cells: [4, 3], latticeConstant: 1, periodic: [false, false])
        let model = try LatticeModel(lattice: lattice, potential: Morse(), cutoff: try SmoothCutoff(inner: 1.5, outer: 1.9),
                                     constraints: [.fixed("bottom", dimension: 2)])
        // Evaluate on a layout with no eliminated dofs so that every atom's force is visible.
        let free = Model(layout: try DofLayout(reference: lattice.positions, prescribed: []),
                         groups: try model.makeModel().groups, parameterNames: Morse.parameterNames)
        let a = try Assembler(model: free)
        var rng = GeometryTestRandom(seed: 3)
        let u0 = lattice.positions.indices.map { _ in Double.random(in: -0.05 ... 0.05, using: &rng) }
        try a.evaluate(displacement: u0, parameters: morseTheta, needs: [.energy, .gradient])
        let e0 = a.energy
        let netX = stride(from: 0, to: a.gradient.count, by: 2).map { a.gradient[$0] }.reduce(0, +)
        let netY = stride(from: 1, to: a.gradient.count, by: 2).map { a.gradient[$0] }.reduce(0, +)
        #expect(abs(netX) <= 1e-12 && abs(netY) <= 1e-12)
        let translated = u0.indices.map { u0[$0] + ($0 % 2 == 0 ? 0.37 : -1.21) }
        try a.evaluate(displacement: translated, parameters: morseTheta, needs: .energy)
        #expect(abs(a.energy - e0) <= 1e-12 * abs(e0))
        let angle = 0.3, c = cos(angle), s = sin(angle)
        var rotated = u0
        for atom in 0 ..< lattice.atomCount {
            let x = lattice.positions[2 * atom] + u0[2 * atom], y = lattice.positions[2 * atom + 1] + u0[2 * atom + 1]
            rotated[2 * atom] = c * x - s * y - lattice.positions[2 * atom]
            rotated[2 * atom + 1] = s * x + c * y - lattice.positions[2 * atom + 1]
        }
        try a.evaluate(displacement: rotated, parameters: morseTheta, needs: .energy)
        #expect(abs(a.energy - e0) <= 1e-12 * abs(e0))
    }

    @Test func cellListAndAllPairsGiveTheSameEnergy() throws {
        let model = try shearedTriangularLattice(cells: [7, 5], shear: 0)
        let u = perturbed(model, seed: 2)
        let lattice = model.lattice
        let reference = try NeighbourList.allPairs(positions: lattice.positions, box: lattice.box, periodic: lattice.periodic,
                                                   cutoff: model.cutoff.outer, skin: model.skin)
        let pairs = try PairGroup(name: "all pairs", potential: Morse(), cutoff: model.cutoff, dimension: 2,
                                  first: reference.first, second: reference.second, shifts: reference.shiftVectors(),
                                  parameterIndices: [0, 1, 2])
        let a = try Assembler(model: try model.makeModel())
        let b = try Assembler(model: Model(layout: model.layout, groups: [pairs], parameterNames: Morse.parameterNames))
        try a.evaluate(displacement: u, parameters: morseTheta, needs: .energy)
        try b.evaluate(displacement: u, parameters: morseTheta, needs: .energy)
        #expect(abs(a.energy - b.energy) <= 1e-13 * abs(b.energy))
    }
}
