import AutoDiff
import Foundation
import Physics
import Sparse
import Testing

/// Everything one assembly gives, dense, for entry-by-entry comparison.
private func assembled(_ model: Model, _ u: [Double], _ theta: [Double]) throws -> (energy: Double, gradient: [Double], hessian: [Double], mixed: [Double], parameterGradient: [Double]) {
    let a = try Assembler(model: model)
    try a.evaluate(displacement: u, parameters: theta, needs: .all)
    return (a.energy, a.gradient, a.hessian.dense(), a.mixed, a.parameterGradient)
}

private func maxDifference(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }
private func maxAbs(_ a: [Double]) -> Double { a.map(abs).max() ?? 0 }

/// A deterministic perturbation of every dof, amplitude `amplitude`.
private func perturbation(count: Int, amplitude: Double) -> [Double] {
    (0 ..< count).map { (d: Int) -> Double in
        let phase: Double = 1.7 * Double(d) + 0.3 * Double(d % 7)
        return amplitude * sin(phase)
    }
}

@Suite struct BeadSpringTests {
    let theta = [2.0, 1.0, 0.3]

    @Test func networkGeometryHasTheTriangularLatticesBondsAndAngles() throws {
        let net = try BeadSpringNetwork(columns: 6, rows: 5)
        #expect(net.bonds.count == (6 - 1) * 5 + (5 - 1) * (2 * 6 - 1))
        for (b, bond) in net.bonds.enumerated() {
            let i = Int(bond.x), j = Int(bond.y)
            let r = hypot(net.reference[2 * j] - net.reference[2 * i], net.reference[2 * j + 1] - net.reference[2 * i + 1])
            #expect(abs(r - 1) <= 1e-14, "bond \(b)")
        }
        for angle in net.restAngles {
            #expect(abs(angle - Double.pi / 3) <= 1e-14 || abs(angle - 2 * Double.pi / 3) <= 1e-14)
        }
        let interior = 2 * 6 + 2
        let around = net.angles.indices.filter { net.angles[$0].y == Int32(interior) }
        #expect(around.count == 6)
        #expect(abs(around.map { net.restAngles[$0] }.reduce(0, +) - 2 * Double.pi) <= 1e-13)
    }

    @Test func theReferenceNetworkIsStressFree() throws {
        let net = try BeadSpringNetwork(columns: 5, rows: 4)
        let r = try assembled(try net.model(), [Double](repeating: 0, count: 2 * net.beadCount), theta)
        #expect(abs(r.energy) <= 1e-28)
        #expect(maxAbs(r.gradient) <= 1e-14)
    }

    @Test func handWrittenGroupsEqualAutomaticGroupsEntryByEntry() throws {
        let net = try BeadSpringNetwork(columns: 6, rows: 5)
        var u = net.initialDisplacement(top: SIMD2(0.2, -0.15))
        for (d, p) in perturbation(count: u.count, amplitude: 0.08).enumerated() { u[d] += p }
        let auto = try assembled(try net.model(automatic: true), u, theta)
        let hand = try assembled(try net.model(automatic: false), u, theta)
        #expect(abs(auto.energy - hand.energy) <= 1e-13 * abs(auto.energy))
        #expect(maxDifference(auto.gradient, hand.gradient) <= 1e-13 * maxAbs(auto.gradient))
        #expect(maxDifference(auto.hessian, hand.hessian) <= 1e-13 * maxAbs(auto.hessian))
        #expect(maxDifference(auto.mixed, hand.mixed) <= 1e-13 * maxAbs(auto.mixed))
        #expect(maxDifference(auto.parameterGradient, hand.parameterGradient) <= 1e-13 * maxAbs(auto.parameterGradient))
        #expect(maxAbs(auto.hessian) > 1 && maxAbs(auto.mixed) > 0.01)
    }

    @Test func angleTermMatchesFiniteDifferencesAndItsClosedForm() throws {
        let term = BeadAngle(restAngle: Double.pi / 3)
        let x = [1.1, 0.15, 0.05, -0.1, 0.45, 0.95]
        let k = 0.7
        let r = try term.derivatives(dofs: x, parameters: [k])
        // θ from the dot product (the angle here is below π): E = ½k(θ − θ₀)², ∂E/∂k = ½(θ − θ₀)².
        let a = SIMD2(x[0] - x[2], x[1] - x[3]), b = SIMD2(x[4] - x[2], x[5] - x[3])
        let angle = acos((a * b).sum() / ((a * a).sum() * (b * b).sum()).squareRoot())
        #expect(abs(r.value - 0.5 * k * (angle - Double.pi / 3) * (angle - Double.pi / 3)) <= 1e-14)
        #expect(abs(r.parameterGradient[0] - 0.5 * (angle - Double.pi / 3) * (angle - Double.pi / 3)) <= 1e-14)
        let h = 1e-5
        func energy(_ y: [Double]) throws -> Double { try term.energy(dofs: y, parameters: [k]) }
        for i in 0 ..< 6 {
            var p = x, m = x
            p[i] += h; m[i] -= h
            let fd = (try energy(p) - energy(m)) / (2 * h)
            #expect(abs(r.dofGradient[i] - fd) <= 1e-8)
            let gp = try term.derivatives(dofs: p, parameters: [k]).dofGradient
            let gm = try term.derivatives(dofs: m, parameters: [k]).dofGradient
            for j in 0 ..< 6 { #expect(abs(r.dofHessian(i, j) - (gp[j] - gm[j]) / (2 * h)) <= 1e-7) }
        }
        // A rigid translation and a rigid rotation change nothing: Σ ∂E/∂x = Σ ∂E/∂y = 0, torque 0.
        let g = r.dofGradient
        #expect(abs(g[0] + g[2] + g[4]) <= 1e-14 && abs(g[1] + g[3] + g[5]) <= 1e-14)
        var torque = 0.0
        for n in 0 ..< 3 { torque += x[2 * n] * g[2 * n + 1] - x[2 * n + 1] * g[2 * n] }
        #expect(abs(torque) <= 1e-14)
    }

    @Test func angleTermIsSmoothThroughAStraightAngle() throws {
        // acos would give an infinite derivative here; atan2 gives the finite closed form.
        let term = BeadAngle(restAngle: 2.5)
        let r = try term.derivatives(dofs: [-1, 0, 0, 0, 1, 0], parameters: [1])
        #expect(abs(r.value - 0.5 * (Double.pi - 2.5) * (Double.pi - 2.5)) <= 1e-15)
        // θ = π: ∂θ/∂y_k = b_x/|b|² = 1 and ∂θ/∂y_i = a_x/|a|²·(−1) = 1 (lifting either end opens the angle).
        #expect(abs(r.dofGradient[5] - (Double.pi - 2.5)) <= 1e-15 && abs(r.dofGradient[1] - (Double.pi - 2.5)) <= 1e-15)
        let finite = r.hessianEntries.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test func automaticAndHandWrittenNetworksReachTheSameEquilibrium() throws {
        let net = try BeadSpringNetwork(columns: 8, rows: 6)
        let start = net.initialDisplacement(top: SIMD2(0.3, 0.2))
        let a = try Equilibrium(model: try net.model(automatic: true)).solve(parameters: theta, initial: start)
        let b = try Equilibrium(model: try net.model(automatic: false)).solve(parameters: theta, initial: start)
        #expect(a.converged && b.converged)
        #expect(maxDifference(a.displacement, b.displacement) <= 1e-10)
        #expect(maxAbs(a.displacement) > 0.2)
    }

    @Test func pairPotentialDerivativesAreReadable() throws {
        // Morse at r = r₀: φ = −D, φ′ = 0, φ″ = 2Dα², ∂φ/∂D = −1, ∂φ′/∂α = 0, ∂φ″ … ; ∂φ′/∂r₀ = −φ″.
        let (D, alpha, r0) = (0.8, 1.7, 2.1)
        let m = try Morse().derivatives(r: r0, parameters: [D, alpha, r0])
        #expect(abs(m.value + D) <= 1e-15 && abs(m.gradient[0]) <= 1e-15)
        #expect(abs(m.hessian(0, 0) - 2 * D * alpha * alpha) <= 1e-14)
        #expect(abs(m.parameterGradient[0] + 1) <= 1e-15)
        #expect(abs(m.mixed(dof: 0, parameter: 2) + 2 * D * alpha * alpha) <= 1e-14)
        #expect(throws: PhysicsError.self) { try Morse().derivatives(r: 1, parameters: [1, 2]) }
        #expect(throws: PhysicsError.self) { try BeadAngle(restAngle: 1).derivatives(dofs: [0, 0], parameters: [1]) }
    }
}
