@testable import CaseRunner
import Foundation
import Physics
import Testing

/// Size before work: the size is estimated from the configuration and a case that cannot fit is
/// refused at once, before the model is built (a 3000 × 3000 lattice once took 11 GB to be refused).
@Suite struct CaseSizeTests {
    func lattice(cells: String) -> TemporaryFolder {
        let folder = preparedSmallCase()
        folder.write(smallLatticeCase().replacingOccurrences(of: "\"cells\": [4, 3]", with: "\"cells\": \(cells)"), to: "case.json")
        return folder
    }

    @Test func theEstimateCountsAtomsAndUnknownsAndIsShownForLargeCases() throws {
        func configuration(_ cells: String) throws -> CaseConfiguration {
            try #require(ConfigurationDecoder.decode(smallLatticeCase().replacingOccurrences(of: "\"cells\": [4, 3]", with: "\"cells\": \(cells)"),
                                                     file: "case.json", diagnostics: DiagnosticList()))
        }
        let small = try #require(CaseSize.estimate(try configuration("[4, 3]")))
        #expect(small.items == 24 && small.unknowns == 48 && small.factorBytes > 0 && small.bytes > small.factorBytes)
        let quiet = DiagnosticList()
        #expect(CaseSize.admit(try configuration("[4, 3]"), diagnostics: quiet) && quiet.items.isEmpty)
        // 45,000 atoms: a few hundred MB, shown as a note (check lists it, run prints it).
        let large = DiagnosticList()
        #expect(CaseSize.admit(try configuration("[150, 150]"), diagnostics: large))
        #expect(large.items.map(\.message) == [try #require(CaseSize.estimate(try configuration("[150, 150]"))).summary])
        #expect(large.items.first?.message.hasPrefix("size: 45000 atoms, 90000 unknowns, factor ≈ ") == true)
    }

    @Test func dataOfAnotherSizeAreRefusedFromTheFileHeaderBeforeTheModelIsBuilt() throws {
        // 200 × 200 cells fit in memory, but the data file holds the 4 × 3 lattice's 32 values.
        let folder = lattice(cells: "[200, 200]")
        let check = calibrate("check", folder.path, "--no-solve")
        #expect(check.status == 2)
        #expect(check.out.contains("variable 'u' in ") && check.out.contains("holds 32 value(s) (dimensions atom = 16, component = 2)"),
                "\(check.out)")
        // This message comes from the header check, which runs before the lattice model is built.
        #expect(check.out.contains("the data were made for another lattice or selection"))
    }

    @Test func aGmshMeshIsEstimatedLikeTheSameRectangle() throws {
        // The same triangulation from the configuration (a rectangle) and as a read mesh.
        let mesh = try TriangleMesh.rectangle(width: 2, height: 1, columns: 30, rows: 20, gradingX: 1, gradingY: 1)
        let read = CaseSize.estimate(mesh: mesh, steps: 5)
        #expect(read.items == 1200 && read.unknowns == 2 * 61 * 41 + 31 * 21)
        let huge = CaseSize(itemName: "triangles", items: 1e12, unknowns: 1e12, factorBytes: 1e15, bytes: 1e16)
        let d = DiagnosticList()
        #expect(!CaseSize.admit(huge, diagnostics: d))
        #expect(d.items.contains { $0.message.hasPrefix("the case is too large for this machine") })
    }

    @Test func aCaseThatCannotFitIsRefusedBeforeAnythingIsBuilt() throws {
        let folder = lattice(cells: "[3000000, 3000000]")
        let clock = ContinuousClock(), start = clock.now
        let r = calibrate("check", folder.path)
        #expect(clock.now - start < .seconds(5))
        #expect(r.status == 2)
        #expect(r.out.contains("too large for this machine") && r.out.contains("--force"), "\(r.out)")
        let run = calibrate("run", folder.path, "-q")
        #expect(run.status == 2 && run.err.contains("too large for this machine"), "\(run.err)")
        // --force lets it through the estimate (to whatever the model's own limits say).
        let d = DiagnosticList()
        let configuration = try #require(ConfigurationDecoder.decode(
            smallLatticeCase().replacingOccurrences(of: "\"cells\": [4, 3]", with: "\"cells\": [3000000, 3000000]"), file: "case.json", diagnostics: d))
        #expect(!CaseSize.admit(configuration, diagnostics: DiagnosticList()))
        #expect(CaseSize.$force.withValue(true) { CaseSize.admit(configuration, diagnostics: DiagnosticList()) })
    }
}
