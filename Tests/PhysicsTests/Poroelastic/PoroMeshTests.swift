import Foundation
import Physics
import Testing

@Suite struct TriangleMeshTests {
    func totalArea(_ mesh: TriangleMesh) -> Double {
        (0 ..< mesh.triangleCount).reduce(0) { sum, t in
            let n = mesh.nodes(ofTriangle: t).map { mesh.points[Int($0)] }
            return sum + TaylorHoodGeometry(n[0], n[1], n[2]).area
        }
    }

    @Test func rectangleHasGradedRowsSharedMidpointsAndNamedBoundaries() throws {
        let mesh = try TriangleMesh.rectangle(width: 2, height: 3, columns: 3, rows: 5, origin: SIMD2(1, -1), gradingY: 0.2)
        #expect(mesh.triangleCount == 30 && mesh.vertexCount == 24)
        // Euler: edges = vertices + triangles − 1 for a simply connected mesh; one midpoint per edge.
        #expect(mesh.nodeCount == 24 + (24 + 30 - 1))
        #expect(abs(totalArea(mesh) - 6) < 1e-12)
        let ys = Set(mesh.points.prefix(mesh.vertexCount).map(\.y)).sorted()
        #expect(ys.count == 6 && ys.first == -1 && ys.last == 2)
        #expect(abs((ys[5] - ys[4]) / (ys[1] - ys[0]) - 0.2) < 1e-12)
        #expect(mesh.boundaryNames == ["bottom", "left", "right", "top"])
        #expect(mesh.nodes(onBoundary: "top")!.count == 7 && mesh.vertices(onBoundary: "left")!.count == 6)
        for n in mesh.nodes(onBoundary: "right")! { #expect(mesh.points[Int(n)].x == 3) }
        // Midpoints sit at the middle of their edges.
        for t in 0 ..< mesh.triangleCount {
            let n = mesh.nodes(ofTriangle: t).map { mesh.points[Int($0)] }
            #expect(n[3] == 0.5 * (n[0] + n[1]) && n[4] == 0.5 * (n[1] + n[2]) && n[5] == 0.5 * (n[2] + n[0]))
        }
    }

    @Test func locateFindsTheTriangleAndBarycentricCoordinates() throws {
        let mesh = try TriangleMesh.rectangle(width: 1, height: 1, columns: 2, rows: 2)
        for p in [SIMD2(0.3, 0.7), SIMD2(0.0, 0.0), SIMD2(1.0, 0.5), SIMD2(0.5, 0.5)] {
            let (t, l) = try #require(mesh.locate(p))
            let n = mesh.nodes(ofTriangle: t).map { mesh.points[Int($0)] }
            let back = l.x * n[0] + l.y * n[1] + l.z * n[2]
            #expect(abs(back.x - p.x) < 1e-14 && abs(back.y - p.y) < 1e-14)
        }
        #expect(mesh.locate(SIMD2(1.01, 0.5)) == nil)
    }

    @Test func gmshFixtureIsReadWithRegionsAndBoundaries() throws {
        let mesh = try TriangleMesh.parseGmsh(twoLayerColumnMSH)
        #expect(mesh.triangleCount == 28 && mesh.vertexCount == 21)
        #expect(mesh.regionNames == ["sand", "clay"])
        #expect(mesh.boundaryNames == ["bottom", "sides", "top"])
        #expect(mesh.boundaries["sides"]!.count == 3 * 8 && mesh.boundaries["top"]!.count == 3 * 2)
        #expect(abs(totalArea(mesh) - 2) < 1e-12)
        for t in 0 ..< mesh.triangleCount {
            let centroid = mesh.nodes(ofTriangle: t).prefix(3).map { mesh.points[Int($0)] }.reduce(.zero, +) / 3
            #expect((centroid.y < 1) == (mesh.regionNames[Int(mesh.triangleRegions[t])] == "sand"))
        }
        for n in mesh.nodes(onBoundary: "top")! { #expect(mesh.points[Int(n)].y == 2) }
        // The same through a file.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("poro-\(UUID().uuidString).msh")
        try twoLayerColumnMSH.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try TriangleMesh.readGmsh(path: url.path) == mesh)
    }

    @Test func twoLayerColumnSettlesByTheSumOfItsLayers() throws {
        // Fully drained, the displacement is piecewise linear in y with a kink at the interface: exactly
        // in the P2 space, so the settlement is exact: σ₀ (h_sand/K_v,sand + h_clay/K_v,clay).
        let mesh = try TriangleMesh.parseGmsh(twoLayerColumnMSH)
        let sand = PoroMaterial(youngsModulus: 5e7, poissonRatio: 0.3, biotCoefficient: 0.9, biotModulus: 1e8, mobility: 1e-8)
        let clay = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.35, biotCoefficient: 1, biotModulus: 1e8, mobility: 1e-10)
        let model = try PoroelasticModel(mesh: mesh, materials: ["sand": sand, "clay": clay], conditions: [
            .roller("sides", component: 0), .fixed(boundary: "bottom"), .drained(boundary: "top", pressure: 0),
            .traction(boundary: "top", traction: SIMD2(0, -2e4), history: .constant),
        ])
        #expect(model.parameterNames == ["E_sand", "nu_sand", "alpha_sand", "M_sand", "k_sand",
                                         "E_clay", "nu_clay", "alpha_clay", "M_clay", "k_clay"])
        #expect(try model.parameterIndex("k", region: "clay") == 9)
        // Steps of 10⁴ consolidation times of the clay drain it to round-off in a few steps.
        let result = try Consolidation(model: model, timeStep: 1e4 * 4 / (1e-10 * 1e7), steps: 4).run(parameters: model.initialParameters)
        func kv(_ m: PoroMaterial) -> Double {
            m.youngsModulus * (1 - m.poissonRatio) / ((1 + m.poissonRatio) * (1 - 2 * m.poissonRatio))
        }
        let settlement = try model.observables([.settlement(name: "s", boundary: "top")])
            .evaluate(layout: model.layout, displacement: result.states.last!, parameters: model.initialParameters).values[0]
        let exact = 2e4 * (1 / kv(sand) + 1 / kv(clay))
        #expect(abs(settlement / exact - 1) < 1e-9)
    }
}
