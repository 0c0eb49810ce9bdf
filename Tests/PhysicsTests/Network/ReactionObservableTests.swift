import AutoDiff
import Foundation
import Physics
import Sparse
import Testing

private func maxDifference(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }
private func maxAbs(_ a: [Double]) -> Double { a.map { abs($0) }.max() ?? 0 }

@Suite struct ReactionObservableTests {
    @Test func equalsTheLatticeReactionForce() throws {
        let lattice = try shearedTriangularLattice(cells: [6, 5], shear: 0.08)
        let model = try lattice.makeModel()
        var u = lattice.initialDisplacement()
        for d in u.indices where !lattice.layout.isPrescribed(d) { u[d] += 0.03 * sin(2.3 * Double(d)) }
        let top = lattice.lattice.groups["top"]!
        let pairs = model.groups[0] as! PairGroup<Morse>
        for axis in 0 ..< 2 {
            let specific = ObservableSet(componentNames: ["R"], groups: [
                try ReactionForce(name: "R", lattice: lattice, atoms: top, axis: axis, component: 0)])
            let generic = ObservableSet(componentNames: ["R"], groups: [
                try ReactionObservable(name: "R", model: model, dofs: top.map { lattice.dof(atom: $0, axis: axis) },
                                       component: 0, groups: [pairs.name])])
            let a = try specific.evaluate(layout: model.layout, displacement: u, parameters: morseTheta)
            let b = try generic.evaluate(layout: model.layout, displacement: u, parameters: morseTheta)
            #expect(abs(a.values[0]) > 0.1)
            #expect(abs(a.values[0] - b.values[0]) <= 1e-12 * abs(a.values[0]))
            let ga = a.weightedDofGradient(weights: [1], dofCount: model.layout.dofCount)
            let gb = b.weightedDofGradient(weights: [1], dofCount: model.layout.dofCount)
            #expect(maxDifference(ga, gb) <= 1e-12 * maxAbs(ga))
            #expect(maxDifference(a.parameterDerivatives, b.parameterDerivatives) <= 1e-12 * maxAbs(a.parameterDerivatives))
        }
    }

    @Test func isTheEnergysDerivativeAlongTheDofsAndBalancesAtEquilibrium() throws {
        let net = try BeadSpringNetwork(columns: 7, rows: 6)
        let model = try net.model(automatic: false)
        let theta = [2.0, 1.0, 0.3]
        let solved = try Equilibrium(model: model).solve(parameters: theta, initial: net.initialDisplacement(top: SIMD2(0.4, 0.3)))
        #expect(solved.converged)
        let u = solved.displacement
        let topX = net.top.map { 2 * $0 }, bottomX = net.bottom.map { 2 * $0 }
        let set = ObservableSet(componentNames: ["top", "bottom"], groups: [
            try ReactionObservable(name: "top", model: model, dofs: topX, component: 0),
            try ReactionObservable(name: "bottom", model: model, dofs: bottomX, component: 1)])
        let r = try set.evaluate(layout: model.layout, displacement: u, parameters: theta)
        // Translation invariance: at equilibrium the two holding forces cancel.
        #expect(abs(r.values[0]) > 0.05)
        #expect(abs(r.values[0] + r.values[1]) <= 1e-9 * abs(r.values[0]))
        // R = dΠ/ds along s = the top's x dofs, by central differences of the energy.
        let assembler = try Assembler(model: model)
        func energy(_ v: [Double], _ t: [Double]) throws -> Double {
            try assembler.evaluate(displacement: v, parameters: t, needs: .energy)
            return assembler.energy
        }
        let h = 1e-6
        var plus = u, minus = u
        for d in topX { plus[d] += h; minus[d] -= h }
        let fd = (try energy(plus, theta) - energy(minus, theta)) / (2 * h)
        #expect(abs(r.values[0] - fd) <= 1e-7 * abs(r.values[0]))
        // ∂R/∂θ by central differences of R itself.
        for j in 0 ..< 3 {
            var tp = theta, tm = theta
            tp[j] += 1e-6; tm[j] -= 1e-6
            let rp = try set.evaluate(layout: model.layout, displacement: u, parameters: tp).values[0]
            let rm = try set.evaluate(layout: model.layout, displacement: u, parameters: tm).values[0]
            #expect(abs(r.parameterDerivatives[j] - (rp - rm) / 2e-6) <= 1e-7 * max(1, abs(r.parameterDerivatives[j])))
        }
        // ∂R/∂x_e along a direction v by central differences.
        let v = (0 ..< u.count).map { sin(0.9 * Double($0)) }
        let g = r.weightedDofGradient(weights: [1, 0], dofCount: u.count)
        let up = try set.evaluate(layout: model.layout, displacement: zip(u, v).map { $0 + 1e-6 * $1 }, parameters: theta).values[0]
        let um = try set.evaluate(layout: model.layout, displacement: zip(u, v).map { $0 - 1e-6 * $1 }, parameters: theta).values[0]
        #expect(abs(zip(g, v).map { $0 * $1 }.reduce(0, +) - (up - um) / 2e-6) <= 1e-6 * maxAbs(g))
    }

    @Test func rejectsUnknownGroupsAndDofs() throws {
        let model = try BeadSpringNetwork(columns: 3, rows: 3).model()
        #expect(throws: PhysicsError.self) { try ReactionObservable(name: "R", model: model, dofs: [0], component: 0, groups: ["springs"]) }
        #expect(throws: PhysicsError.self) { try ReactionObservable(name: "R", model: model, dofs: [99], component: 0) }
        #expect(throws: PhysicsError.self) { try ReactionObservable(name: "R", model: model, dofs: [], component: 0) }
        let outside = ObservableSet(componentNames: ["R"], groups: [try ReactionObservable(name: "R", model: model, dofs: [0], component: 1)])
        #expect(throws: PhysicsError.self) {
            try outside.evaluate(layout: model.layout, displacement: [Double](repeating: 0, count: model.layout.dofCount), parameters: [1, 1, 1])
        }
    }
}
