import Bilevel
import Foundation
import Physics
import Sparse
import Testing

@Suite struct UnrolledGradientTests {
    @Test func unrolledGradientConvergesGeometricallyToTheImplicitOne() throws {
        // The spring chain of the physics tests, rebuilt here: 12 points, springs and quartic pins.
        let (model, initial, theta) = try chain()
        let solver = try Equilibrium(model: model)
        let result = try solver.solve(parameters: theta, initial: initial)
        #expect(result.converged)
        let n = model.unknownCount
        let dLdu = (0 ..< n).map { sin(Double($0) + 1) }, dLdtheta = [0.1, -0.2]
        let linearization = try Linearization(solver: solver, result: result, parameters: theta)
        let implicit = try ImplicitGradient.adjoint(linearization, dLdu: dLdu, dLdtheta: dLdtheta)
        // ρ = 1 − ηλ_min with η = 1/λ_max.
        let eigen = try SymmetricEigen(symmetric: solver.assembler.hessian.dense(), dimension: n)
        let lambdaMin = eigen.eigenvalues.first!, lambdaMax = eigen.eigenvalues.last!
        let eta = 1 / lambdaMax, rho = 1 - eta * lambdaMin
        var errors: [Double] = []
        var memory: [Int] = []
        for k in [10, 20, 40, 80] {
            let unrolled = try UnrolledGradient.gradient(solver: solver, displacement: result.displacement, parameters: theta,
                                                         steps: k, stepSize: eta, dLdu: dLdu, dLdtheta: dLdtheta)
            errors.append(zip(unrolled.gradient, implicit).map { abs($0 - $1) }.max()!)
            memory.append(unrolled.memoryBytes)
        }
        // Error ratios between K and 2K follow ρ^K within a factor (the slowest mode dominates).
        for (a, (k, e)) in zip([10, 20, 40], zip(errors, errors.dropFirst())).enumerated() {
            let observed = e.1 / e.0, predicted = pow(rho, Double(k))
            #expect(observed <= 3 * predicted && observed >= predicted / 3, "step \(a): observed \(observed), ρ^K = \(predicted)")
        }
        #expect(errors.last! < 1e-2 * errors.first!)
        // Unrolling stores one state per iteration: memory grows linearly with K.
        #expect(memory == [10, 20, 40, 80].map { $0 * model.layout.dofCount * 8 })
    }
}

/// Points on a line joined by springs ½k(|Δx| − 1)² and pinned by c|x − X|²/2 (a well-conditioned
/// minimum); the first point fixed, the last pulled.
private func chain() throws -> (Model, [Double], [Double]) {
    let count = 12
    var reference: [Double] = []
    for i in 0 ..< count { reference += [Double(i), 0] }
    var springs = Connectivity(), pins = Connectivity()
    for i in 0 ..< count - 1 { springs.append([Int32(2 * i), Int32(2 * i + 1), Int32(2 * i + 2), Int32(2 * i + 3)]) }
    for i in 0 ..< count { pins.append([Int32(2 * i), Int32(2 * i + 1)]) }
    let model = Model(layout: try DofLayout(reference: reference, prescribed: [0, 1]),
                      groups: [try AutoDiffGroup(name: "springs", terms: Array(repeating: ChainSpring(), count: count - 1), connectivity: springs, parameterIndices: [0]),
                               try AutoDiffGroup(name: "pins", terms: (0 ..< count).map { ChainPin(anchor: (Double($0) * 1.05, 0.1 * sin(Double($0)))) },
                                                 connectivity: pins, parameterIndices: [1])],
                      parameterNames: ["k", "c"])
    return (model, [Double](repeating: 0, count: 2 * count), [3.0, 1.0])
}
