import AutoDiff
import Foundation
import Physics
import Sparse
import Testing

/// Central differences of the assembler's outputs, for checking automatic derivatives.
private func energy(_ a: Assembler, _ x: [Double], _ theta: [Double]) throws -> Double {
    try a.evaluate(displacement: x, parameters: theta, needs: .energy)
    return a.energy
}

private func gradient(_ a: Assembler, _ x: [Double], _ theta: [Double]) throws -> [Double] {
    try a.evaluate(displacement: x, parameters: theta, needs: .gradient)
    return a.gradient
}

@Suite struct AssemblyTests {
    let h = 1e-6

    @Test func gradientMatchesFiniteDifferencesOfEnergy() throws {
        let (model, initial, theta) = try springChain(count: 6)
        let a = try Assembler(model: model)
        var x = initial
        for d in x.indices where !model.layout.isPrescribed(d) { x[d] = 0.05 * sin(Double(d)) }
        let g = try gradient(a, x, theta)
        for (k, d) in model.layout.dofOfUnknown.enumerated() {
            var xp = x, xm = x
            xp[Int(d)] += h
            xm[Int(d)] -= h
            let fd = (try energy(a, xp, theta) - energy(a, xm, theta)) / (2 * h)
            #expect(abs(g[k] - fd) <= 1e-7 * max(1, abs(fd)))
        }
    }

    @Test func hessianAndMixedMatchFiniteDifferencesOfGradient() throws {
        let (model, initial, theta) = try springChain(count: 5)
        let a = try Assembler(model: model)
        var x = initial
        for d in x.indices where !model.layout.isPrescribed(d) { x[d] = 0.07 * cos(Double(d)) }
        try a.evaluate(displacement: x, parameters: theta, needs: .all)
        let hessian = a.hessian.dense(), mixed = a.mixed, pg = a.parameterGradient
        let n = a.unknownCount
        for (k, d) in model.layout.dofOfUnknown.enumerated() {
            var xp = x, xm = x
            xp[Int(d)] += h
            xm[Int(d)] -= h
            let gp = try gradient(a, xp, theta), gm = try gradient(a, xm, theta)
            for i in 0 ..< n {
                let fd = (gp[i] - gm[i]) / (2 * h)
                #expect(abs(hessian[i * n + k] - fd) <= 1e-6 * max(1, abs(fd)))
            }
        }
        for p in 0 ..< theta.count {
            var tp = theta, tm = theta
            tp[p] += h
            tm[p] -= h
            let gp = try gradient(a, x, tp), gm = try gradient(a, x, tm)
            for i in 0 ..< n {
                let fd = (gp[i] - gm[i]) / (2 * h)
                #expect(abs(mixed[p * n + i] - fd) <= 1e-6 * max(1, abs(fd)))
            }
            let fdE = (try energy(a, x, tp) - energy(a, x, tm)) / (2 * h)
            #expect(abs(pg[p] - fdE) <= 1e-7 * max(1, abs(fdE)))
        }
    }

    @Test func mismatchedHyperJetIsRejectedWithAFix() {
        struct Wrong: LocalEnergy {
            typealias Hyper = HyperJet<5, 15>
            static let dofCount = 4
            static let parameterCount = 2
            func energy<S: Real>(_ v: LocalVariables<S>) -> S { v[0] }
        }
        var c = Connectivity()
        c.append([0, 1, 2, 3])
        #expect(throws: PhysicsError.self) {
            _ = try AutoDiffGroup(name: "wrong", terms: [Wrong()], connectivity: c, parameterIndices: [0, 1])
        }
    }

    @Test func nonFiniteEnergyNamesTheTerm() throws {
        struct Inverse: LocalEnergy {
            typealias Hyper = HyperJet<2, 3>
            static let dofCount = 2
            static let parameterCount = 0
            func energy<S: Real>(_ v: LocalVariables<S>) -> S { 1 / (v[1] - v[0]) }
        }
        var c = Connectivity()
        c.append([0, 1])
        let layout = try DofLayout(reference: [0, 0], prescribed: [0])
        let model = Model(layout: layout, groups: [try AutoDiffGroup(name: "inverse", terms: [Inverse()], connectivity: c, parameterIndices: [])],
                          parameterNames: [])
        let a = try Assembler(model: model)
        #expect(throws: PhysicsError.self) { try a.evaluate(displacement: [0, 0], parameters: [], needs: .energy) }
        #expect(throws: PhysicsError.self) { try a.evaluate(displacement: [0, 0], parameters: [], needs: .newton) }
        #expect(PhysicsError.nonFinite(group: "inverse", term: 0, detail: "x").description.contains("inverse term 0"))
    }
}
