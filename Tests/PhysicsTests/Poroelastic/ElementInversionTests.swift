import Foundation
@testable import Physics
import Testing

/// A deformed state that turns an element inside out is found, element by element.
@Suite struct ElementInversionTests {
    @Test func smallDisplacementsKeepEveryElementAndAFoldIsFound() throws {
        let model = try smallPoroelasticProblem(columns: 3, rows: 2)
        var u = [Double](repeating: 0, count: model.layout.dofCount)
        #expect(model.firstInvertedTriangle(displacement: u) == nil)
        // A uniform stretch of 1% keeps every orientation.
        for n in 0 ..< model.mesh.nodeCount {
            u[model.displacementDof(node: n, component: 0)] = 0.01 * model.mesh.points[n].x
        }
        #expect(model.firstInvertedTriangle(displacement: u) == nil)
        // Push vertex v₀ of triangle 4 across its opposite edge: that element (at least) folds.
        let nodes = model.mesh.nodes(ofTriangle: 4).map(Int.init)
        let across = 1.5 * (0.5 * (model.mesh.points[nodes[1]] + model.mesh.points[nodes[2]]) - model.mesh.points[nodes[0]])
        u[model.displacementDof(node: nodes[0], component: 0)] += across.x
        u[model.displacementDof(node: nodes[0], component: 1)] += across.y
        let inverted = try #require(model.firstInvertedTriangle(displacement: u))
        let containing = (0 ..< model.mesh.triangleCount).filter { model.mesh.nodes(ofTriangle: $0).contains(Int32(nodes[0])) }
        #expect(containing.contains(inverted))
    }
}
