import Foundation
import Physics
import Testing

@Suite struct IndenterTests {
    /// A Morse block indented from the top: the observed indenter force is ∂Π/∂depth at the equilibrium,
    /// which (the equilibrium being stationary in u) equals the total derivative dΠ*/d(depth).
    @Test func indenterForceIsTheDerivativeOfTheRelaxedEnergyWithDepth() throws {
        let lattice = try Lattice(kind: .triangular, cells: [10, 5], latticeConstant: 1, periodic: [true, false])
        let model = try LatticeModel(lattice: lattice, potential: Morse(), cutoff: try SmoothCutoff(inner: 1.2, outer: 1.6),
                                     constraints: [.fixed("bottom", dimension: 2)],
                                     indenter: Indenter(radius: 3, lateral: [5.0], maximumDepth: 0.6))
        #expect(model.parameterNames == ["D", "alpha", "r0", "indenter_stiffness", "indenter_depth"])
        let solver = try Equilibrium(model: try model.makeModel())
        let observables = try model.observables([.indenterForce])
        func relaxed(_ depth: Double) throws -> (energy: Double, force: Double) {
            let theta = [1, 3, 1, 50, depth]
            let result = try solver.solve(parameters: theta, initial: model.initialDisplacement())
            #expect(result.converged, "\(result.fullReport)")
            let force = try observables.evaluate(layout: model.layout, displacement: result.displacement, parameters: theta).values[0]
            return (result.energy, force)
        }
        let depth = 0.3, h = 1e-5
        let centre = try relaxed(depth)
        let fd = (try relaxed(depth + h).energy - relaxed(depth - h).energy) / (2 * h)
        #expect(centre.force > 0)
        #expect(abs(centre.force - fd) <= 1e-6 * abs(fd), "observed \(centre.force), dΠ*/d(depth) \(fd)")
    }
}
