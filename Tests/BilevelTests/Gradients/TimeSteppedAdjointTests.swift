import AutoDiff
import Bilevel
import Foundation
import Physics
import Sparse
import Testing

/// ½ k (u_b − u_a)²: a linear spring between two scalar dofs.
private struct Link: LocalEnergy {
    typealias Hyper = HyperJet<3, 6>
    static let dofCount = 2
    static let parameterCount = 1
    func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let s = v[1] - v[0]
        return 0.5 * v.parameter(0) * s * s
    }
}

/// Backward-Euler storage c/(2Δt) (u − u_prev)² plus a quartic on-site term β u⁴/4 (nonlinear).
private struct Storage: LocalEnergy {
    typealias Hyper = HyperJet<4, 10>
    static let dofCount = 1
    static let parameterCount = 2
    static var readsHistory: Bool { true }
    let timeStep: Double
    let quartic: Bool
    func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let du = v[0] - v.previous(0)
        let storage = (0.5 / timeStep) * v.parameter(0) * du * du
        return quartic ? storage + 0.25 * v.parameter(1) * v[0] * v[0] * v[0] * v[0] : storage
    }
}

private let nodes = 8, observed = [3, 6]
private let times = (1 ... 12).map { 0.25 * Double($0) }

private func stepping(quartic: Bool) throws -> TimeStepping {
    var links = Connectivity(), sites = Connectivity()
    for i in 0 ..< nodes - 1 { links.append([Int32(i), Int32(i + 1)]) }
    for i in 0 ..< nodes { sites.append([Int32(i)]) }
    let model = Model(layout: try DofLayout(reference: [Double](repeating: 0, count: nodes), prescribed: [0]),
                      groups: [try AutoDiffGroup(name: "links", terms: Array(repeating: Link(), count: nodes - 1), connectivity: links, parameterIndices: [0]),
                               try AutoDiffGroup(name: "storage", terms: Array(repeating: Storage(timeStep: 0.25, quartic: quartic), count: nodes),
                                                 connectivity: sites, parameterIndices: [1, 2])],
                      parameterNames: ["k", "c", "beta"], history: [Double](repeating: 0, count: nodes))
    var options = NewtonOptions()
    options.hessianIsConstant = !quartic
    return try TimeStepping(solver: try Equilibrium(model: model, options: options), times: times)
}

private func prescribe(_ n: Int, _ u: inout [Double]) { u[0] = sin(times[n]) }

/// Data: a run at other parameters.
private func data(_ s: TimeStepping) throws -> [[Double]] {
    let run = try s.run(parameters: [1.3, 0.7, 0.4], initial: [Double](repeating: 0, count: nodes), prescribe: prescribe)
    return run.states.map { state in observed.map { state[$0] } }
}

private func misfit(_ s: TimeStepping, _ theta: [Double], _ d: [[Double]]) throws -> Double {
    let run = try s.run(parameters: theta, initial: [Double](repeating: 0, count: nodes), prescribe: prescribe)
    var l = 0.0
    for (n, state) in run.states.enumerated() {
        for (j, i) in observed.enumerated() { l += 0.5 * pow(state[i] - d[n][j], 2) }
    }
    return l
}

@Suite struct TimeSteppedAdjointTests {
    @Test(arguments: [false, true])
    func adjointThroughTheStepsMatchesFiniteDifferences(quartic: Bool) throws {
        let s = try stepping(quartic: quartic)
        let d = try data(s)
        let theta = [1.0, 1.0, 0.2]
        let factorizationsAtStart = s.solver.factor.factorizationCount
        let run = try s.run(parameters: theta, initial: [Double](repeating: 0, count: nodes), prescribe: prescribe)
        #expect(run.converged)
        let factorizationsBefore = s.solver.factor.factorizationCount
        let layout = s.solver.model.layout
        let g = try TimeSteppedAdjoint.gradient(s, states: run.states, parameters: theta) { n, state in
            var dLdu = [Double](repeating: 0, count: layout.unknownCount)
            for (j, i) in observed.enumerated() { dLdu[Int(layout.unknownIndex[i])] = state[i] - d[n][j] }
            return .init(dLdu: dLdu, dLdtheta: [0, 0, 0])
        }
        if !quartic {
            // A linear model at fixed θ: one factorization for the whole run and its adjoint.
            #expect(factorizationsBefore == factorizationsAtStart + 1)
            #expect(s.solver.factor.factorizationCount == factorizationsBefore)
        }
        // Forward sensitivities give the same gradient: dL/dθ = Σₙ Σᵢ (uₙᵢ − dₙᵢ) duₙᵢ/dθ.
        let sensitivities = try TimeSteppedAdjoint.sensitivities(s, states: run.states, parameters: theta)
        var forward = [Double](repeating: 0, count: 3)
        for (n, state) in run.states.enumerated() {
            for (j, i) in observed.enumerated() {
                for p in 0 ..< 3 { forward[p] += (state[i] - d[n][j]) * sensitivities[n][p * nodes + i] }
            }
        }
        for p in 0 ..< 3 { #expect(abs(forward[p] - g[p]) <= 1e-9 * max(abs(g[p]), 1e-6)) }
        let h = 1e-6
        for p in 0 ..< 3 where quartic || p < 2 {
            var up = theta, down = theta
            up[p] += h
            down[p] -= h
            let fd = (try misfit(s, up, d) - misfit(s, down, d)) / (2 * h)
            #expect(abs(g[p] - fd) <= 1e-6 * max(abs(fd), 1e-3), "parameter \(p): adjoint \(g[p]), finite differences \(fd)")
        }
    }
}
