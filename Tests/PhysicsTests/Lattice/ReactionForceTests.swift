import Foundation
import Physics
import Testing

/// The lattice reaction force follows the pairs as the atoms move: pairs that come within the cutoff
/// of the held group after the neighbour list was built are counted, as in the model Newton solves.
@Suite struct ReactionForceTests {
    /// Σ over the group's atoms of ∂Π/∂x along `axis`, by the direct double sum over all pairs.
    static func directReaction(_ model: LatticeModel<Morse>, _ u: [Double], group: [Int], axis: Int) -> Double {
        let x = zip(model.lattice.positions, u).map { $0 + $1 }
        let (_, g) = DirectSum.morseEnergyAndGradient(positions: x, dimension: 2, box: model.lattice.box,
                                                      periodic: model.lattice.periodic, theta: morseTheta,
                                                      inner: NeighbourRebuildTests.inner, outer: NeighbourRebuildTests.outer)
        return group.reduce(0) { $0 + g[model.dof(atom: $1, axis: axis)] }
    }

    @Test func countsPairsThatCameWithinTheCutoffOfTheGroupAfterARebuild() throws {
        // 10% compression brings the top row's second neighbours (√3 apart, beyond the small skin of the
        // first list) within the cutoff: new pairs with one atom in 'top'.
        let (model, u) = try NeighbourRebuildTests.compressedSlab(compression: 0.1, skin: 0.05)
        #expect(model.neighbourListIsStale(displacement: u))
        let top = model.lattice.groups["top"]!
        let observed = try model.observables([.reactionForce(group: "top", axis: 1)])
        let r = try observed.evaluate(layout: model.layout, displacement: u, parameters: morseTheta)
        let reference = Self.directReaction(model, u, group: top, axis: 1)

        // The pairs of the first list alone give a force that is wrong by far more than round-off:
        // what the reaction gave before it followed the rebuilds.
        let firstModel = try model.makeModel()
        let topY = top.map { model.dof(atom: $0, axis: 1) }
        let stale = try ObservableSet(componentNames: ["R"], groups: [
            try ReactionObservable(name: "R", model: firstModel, dofs: topY, component: 0, groups: [firstModel.groups[0].name])])
            .evaluate(layout: model.layout, displacement: u, parameters: morseTheta)
        #expect(abs(stale.values[0] - reference) > 1e-3 * abs(reference))
        #expect(abs(r.values[0] - reference) <= 1e-10 * abs(reference), "reaction \(r.values[0]), all pairs \(reference)")

        // Its derivatives are those of the model Newton uses at this state (terms rebuilt there).
        let solver = try Equilibrium(model: firstModel)
        #expect(try solver.refreshTerms(at: u))
        let rebuilt = solver.model
        let generic = try ObservableSet(componentNames: ["R"], groups: [
            try ReactionObservable(name: "R", model: rebuilt, dofs: topY, component: 0, groups: [rebuilt.groups[0].name])])
            .evaluate(layout: model.layout, displacement: u, parameters: morseTheta)
        #expect(abs(r.values[0] - generic.values[0]) <= 1e-12 * abs(reference))
        let ga = r.weightedDofGradient(weights: [1], dofCount: model.layout.dofCount)
        let gb = generic.weightedDofGradient(weights: [1], dofCount: model.layout.dofCount)
        let scale = ga.map(abs).max()!
        #expect(scale > 1e-3)
        for (a, b) in zip(ga, gb) { #expect(abs(a - b) <= 1e-12 * scale) }
        for (a, b) in zip(r.parameterDerivatives, generic.parameterDerivatives) {
            #expect(abs(a - b) <= 1e-12 * r.parameterDerivatives.map(abs).max()!)
        }

        // Back at the reference, the same observable gives the reaction of the pairs there.
        let back = model.initialDisplacement(load: 0.01)
        let again = try observed.evaluate(layout: model.layout, displacement: back, parameters: morseTheta)
        let backReference = Self.directReaction(model, back, group: top, axis: 1)
        #expect(abs(again.values[0] - backReference) <= 1e-10 * max(abs(backReference), 1e-3))
    }
}
