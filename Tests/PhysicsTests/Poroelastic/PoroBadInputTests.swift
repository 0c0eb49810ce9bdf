import Foundation
import Physics
import Testing

/// Every bad input gives a typed error whose message says what to do.
@Suite struct PoroelasticBadInputTests {
    let material = TerzaghiSetup.material
    let square = try! TriangleMesh.rectangle(width: 1, height: 1, columns: 2, rows: 2)

    func model(_ conditions: [PoroBoundaryCondition], material: PoroMaterial? = nil, region: String = "domain") throws -> PoroelasticModel {
        try PoroelasticModel(mesh: square, materials: [region: material ?? self.material], conditions: conditions)
    }

    /// The error `body` throws, as a `PhysicsError`.
    func physicsError(_ body: () throws -> Void) -> PhysicsError? {
        do { try body() } catch let e as PhysicsError { return e } catch { return nil }
        return nil
    }

    func meshError(_ body: () throws -> Void) -> MeshError? {
        do { try body() } catch let e as MeshError { return e } catch { return nil }
        return nil
    }

    @Test func invertedAndDegenerateTrianglesAreRejected() {
        let v = [SIMD2(0.0, 0), SIMD2(1.0, 0), SIMD2(0.0, 1), SIMD2(2.0, 0)]
        let inverted = meshError { _ = try TriangleMesh(vertices: v, triangles: [0, 2, 1], regions: [0], regionNames: ["a"], boundaries: [:]) }
        guard case .invertedElement(0, nil, let area) = inverted else { Issue.record("got \(String(describing: inverted))"); return }
        #expect(area == -0.5)
        #expect(inverted!.description.contains("counter-clockwise"))
        let degenerate = meshError { _ = try TriangleMesh(vertices: v, triangles: [0, 1, 3], regions: [0], regionNames: ["a"], boundaries: [:]) }
        guard case .degenerateElement(0, nil, _) = degenerate else { Issue.record("got \(String(describing: degenerate))"); return }
        // In a Gmsh file the message names the element's tag.
        let clockwise = twoLayerColumnMSH.replacingOccurrences(of: "\n13 8 3 16 \n", with: "\n13 3 8 16 \n")
        let fromFile = meshError { _ = try TriangleMesh.parseGmsh(clockwise) }
        guard case .invertedElement(_, 13, _) = fromFile else { Issue.record("got \(String(describing: fromFile))"); return }
    }

    @Test func malformedOrUnsupportedMSHFilesAreRejected() {
        let cases: [(String, String)] = [
            (twoLayerColumnMSH.replacingOccurrences(of: "4.1 0 8", with: "2.2 0 8"), "version 4.1"),
            (twoLayerColumnMSH.replacingOccurrences(of: "4.1 0 8", with: "4.1 1 8"), "ASCII"),
            (twoLayerColumnMSH.replacingOccurrences(of: "0.3749999999995794 0.3750000000004207 0", with: "0.37 zero 0"), "line"),
            (twoLayerColumnMSH.replacingOccurrences(of: "2 1 2 14\n", with: "2 1 3 14\n"), "quadrilateral"),
            (twoLayerColumnMSH.replacingOccurrences(of: "$EndNodes", with: "$EndNode"), "$EndNodes"),
            (twoLayerColumnMSH.replacingOccurrences(of: "2 1 \"sand\"", with: "2 7 \"sand\"")
                .replacingOccurrences(of: "1 0 0 0 1 1 0 1 1 4 1 2 3 4", with: "1 0 0 0 1 1 0 0 4 1 2 3 4"), "no physical surface"),
            ("hello", "section header"),
        ]
        for (text, phrase) in cases {
            let error = meshError { _ = try TriangleMesh.parseGmsh(text) }
            #expect(error != nil && error!.description.contains(phrase), "\(String(describing: error?.description)) should mention '\(phrase)'")
        }
        #expect(meshError { _ = try TriangleMesh.readGmsh(path: "/nonexistent/mesh.msh") } != nil)
        #expect(meshError { _ = try TriangleMesh.rectangle(width: 1, height: 0, columns: 1, rows: 1) } != nil)
        #expect(meshError { _ = try TriangleMesh.rectangle(width: 1, height: 1, columns: 1, rows: 1, gradingY: 0) } != nil)
    }

    @Test func unknownRegionAndBoundaryNamesAreRejectedWithTheKnownNames() {
        let region = physicsError { _ = try model([.fixed(boundary: "bottom")], region: "clay") }
        #expect(region?.description.contains("'clay'") == true && region?.description.contains("[\"domain\"]") == true)
        let boundary = physicsError { _ = try model([.fixed(boundary: "botom")]) }
        #expect(boundary?.description.contains("'botom'") == true && boundary?.description.contains("\"bottom\", \"left\", \"right\", \"top\"") == true)
        let sensor = physicsError { _ = try model([.fixed(boundary: "bottom")]).observables([.settlement(name: "s", boundary: "roof")]) }
        #expect(sensor?.description.contains("'roof'") == true)
    }

    @Test func missingDisplacementConditionsAreReportedBeforeSolving() {
        let none = physicsError { _ = try model([.drained(boundary: "top", pressure: 0), .traction(boundary: "top", traction: SIMD2(0, -1), history: .constant)]) }
        guard case let .underConstrained(message) = none else { Issue.record("got \(String(describing: none))"); return }
        #expect(message.contains("no displacement is prescribed"))
        let slides = physicsError { _ = try model([.roller("bottom", component: 1)]) }
        guard case let .underConstrained(m2) = slides else { Issue.record("got \(String(describing: slides))"); return }
        #expect(m2.contains("along x"))
        // Rollers along y on the left edge and along x on the bottom edge: no translation, but a rotation
        // about the corner (0, 0) moves neither.
        let spins = physicsError { _ = try model([.roller("left", component: 1), .roller("bottom", component: 0)]) }
        guard case let .underConstrained(m3) = spins else { Issue.record("got \(String(describing: spins))"); return }
        #expect(m3.contains("rotation about (0.0, 0.0)") || m3.contains("rotation about (0, 0)") || m3.contains("rotation"))
        // A rigid plate is not a support: it moves with the load.
        let floating = physicsError { _ = try model([.roller("left", component: 0), .rigidPlate(boundary: "top", component: 1, force: -1, history: .constant)]) }
        guard case .underConstrained = floating else { Issue.record("got \(String(describing: floating))"); return }
    }

    @Test func nonPhysicalParametersAreRejected() throws {
        let conditions: [PoroBoundaryCondition] = [.fixed(boundary: "bottom")]
        func changed(_ f: (inout PoroMaterial) -> Void) -> PoroMaterial { var m = material; f(&m); return m }
        let cases: [(PoroMaterial, String)] = [
            (changed { $0.poissonRatio = 0.5 }, "nu"), (changed { $0.mobility = 0 }, "k"), (changed { $0.mobility = -1e-10 }, "k"),
            (changed { $0.youngsModulus = -1 }, "E"), (changed { $0.biotModulus = 0 }, "M"), (changed { $0.biotCoefficient = 1.5 }, "alpha"),
            (changed { $0.permeabilityLaw = .kozenyCarman(referencePorosity: 1.2) }, "reference porosity of region 'domain'"),
        ]
        for (m, name) in cases {
            let error = physicsError { _ = try model(conditions, material: m) }
            guard case let .invalidParameter(found, _, _) = error else { Issue.record("\(name): got \(String(describing: error))"); continue }
            #expect(found == name)
        }
        // Through θ at run time too, before anything is solved.
        let good = try model(conditions + [.traction(boundary: "top", traction: SIMD2(0, -1), history: .constant)])
        var theta = good.initialParameters
        theta[1] = 0.5
        let run = try Consolidation(model: good, timeStep: 1, steps: 2)
        let error = physicsError { _ = try run.run(parameters: theta) }
        #expect(error == .invalidParameter(name: "nu", value: 0.5, requirement: "in (−1, 0.5) (Poisson's ratio; 0.5 is incompressible, where plane strain locks)"))
        #expect(run.factorizationCount == 0)
    }

    @Test func nonPositiveTimeStepsAreRejected() throws {
        let good = try model([.fixed(boundary: "bottom")])
        for dt in [0.0, -1.0, .nan] {
            guard case .invalidParameter("time step Δt", _, _)? = physicsError({ _ = try Consolidation(model: good, timeStep: dt, steps: 3) }) else {
                Issue.record("Δt = \(dt) accepted"); continue
            }
        }
        guard case .invalidParameter("time step Δt", 0, _)? = physicsError({ _ = try Consolidation(model: good, times: [0, 1, 1, 2]) }) else {
            Issue.record("repeated time accepted"); return
        }
        guard case .invalidParameter("time step Δt", -1, _)? = physicsError({ _ = try good.makeModel(timeStep: -1) }) else {
            Issue.record("negative Δt accepted by makeModel"); return
        }
    }

    @Test func sensorsOutsideTheMeshAreRejected() throws {
        let good = try model([.fixed(boundary: "bottom")])
        for sensor in [PoroSensor.pressure(name: "far", at: SIMD2(2, 0.5)), .displacement(name: "below", at: SIMD2(0.5, -0.1), component: 1),
                       .pressure(name: "nan", at: SIMD2(.nan, 0.5))] {
            let error = physicsError { _ = try good.observables([sensor]) }
            #expect(error?.description.contains("sensor '\(sensor.name)'") == true && error?.description.contains("outside the mesh") == true)
        }
        #expect(physicsError { _ = try good.observables([.displacement(name: "z", at: SIMD2(0.5, 0.5), component: 2)]) } != nil)
        // On the boundary is inside.
        #expect(try good.observables([.pressure(name: "edge", at: SIMD2(1, 0.5))]).count == 1)
    }

    @Test func conflictingConditionsAreRejected() {
        let tied = physicsError { _ = try model([.fixed(boundary: "bottom"), .rigidPlate(boundary: "top", component: 1, force: -1, history: .constant),
                                                 .roller("top", component: 1)]) }
        #expect(tied?.description.contains("tied to rigid plate 'top'") == true)
        let badRamp = physicsError { _ = try model([.fixed(boundary: "bottom"), .traction(boundary: "top", traction: SIMD2(0, -1), history: .ramp(start: 0, duration: 0))]) }
        #expect(badRamp?.description.contains("duration > 0") == true)
        let badTable = physicsError { _ = try model([.fixed(boundary: "bottom"), .traction(boundary: "top", traction: SIMD2(0, -1), history: .table(times: [0, 0], values: [0, 1]))]) }
        #expect(badTable?.description.contains("strictly increasing") == true)
    }
}
