@testable import CaseRunner
import Foundation
import Physics
import Testing

/// Advice is in case.json terms, not Swift's.
@Suite struct CaseTermsTests {
    @Test func optionNamesAreTheConfigurationsFields() {
        let folder = TemporaryFolder()
        folder.write(smallLatticeCase().replacingOccurrences(of: "\"optimizer\": {\"method\": \"levenberg-marquardt\"}",
                                                             with: "\"optimizer\": {\"method\": \"levenberg-marquardt\", \"maximum_iterations\": 0}"),
                     to: "case.json")
        let r = calibrate("check", folder.path)
        #expect(r.status == 2)
        #expect((r.out + r.err).contains("maximum_iterations") && !(r.out + r.err).contains("maximumIterations"), "\(r.out)\(r.err)")
    }

    /// The library's own message, as the case's model raises it, comes out in case.json terms.
    @Test func boundaryConditionAdviceIsWrittenAsJSON() throws {
        let mesh = try TriangleMesh.rectangle(width: 1, height: 1, columns: 1, rows: 1)
        let material = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1, biotModulus: 1e9, mobility: 1e-9,
                                    permeabilityLaw: .constant)
        do {
            _ = try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [.drained(boundary: "top", pressure: 0)])
            Issue.record("a model without displacement conditions must be refused")
        } catch {
            let message = CaseTerms.translate("\(error)")
            #expect(!message.contains(".roller(") && message.contains("\"type\": \"roller\", \"component\": \"y\""), "\(message)")
        }
    }
}
