@testable import CaseRunner
import Foundation
import Testing

/// `calibrate check --refine`: what is refined, and that a coarse discretization fails where the
/// bundled one passes.
@Suite("Discretization refinement")
struct RefinementTests {

    @Test func everyTimeStepIsHalved() {
        #expect(Refinement.halvedSteps([0, 1, 3]) == [0, 0.5, 1, 2, 3])
        #expect(Refinement.halvedSteps([]) == [])
    }

    @Test func aRectangleDoublesRowsAndColumnsAndALatticeHasNothingToRefine() throws {
        let text = try String(contentsOfFile: repositoryRoot + "/cases/mandel/case.json", encoding: .utf8)
        let diagnostics = DiagnosticList(file: "case.json")
        let configuration = try #require(ConfigurationDecoder.decode(text, file: "case.json", diagnostics: diagnostics))
        let refined = try #require(Refinement.of(configuration).configuration)
        guard let before = configuration.model as? PoroelasticConfiguration, let after = refined.model as? PoroelasticConfiguration,
              case let .rectangle(_, _, c0, r0, _, _) = before.mesh, case let .rectangle(_, _, c1, r1, _, _) = after.mesh else {
            Issue.record("expected a poroelastic rectangle")
            return
        }
        #expect(c1 == 2 * c0 && r1 == 2 * r0)
        #expect(after.times.count == 2 * before.times.count - 1)

        let lattice = try String(contentsOfFile: repositoryRoot + "/cases/morse-lattice/case.json", encoding: .utf8)
        let latticeConfiguration = try #require(ConfigurationDecoder.decode(lattice, file: "case.json", diagnostics: diagnostics))
        #expect(Refinement.of(latticeConfiguration).configuration == nil)
    }

    @Test func setWithoutRefineIsAUsageError() {
        let check = calibrate("check", repositoryRoot + "/cases/terzaghi", "--set", "E=1e7")
        #expect(check.status == 2)
        #expect(check.err.contains("add --refine"), "\(check.err)")
    }

    @Test func aCoarseTerzaghiColumnFailsAndTheBundledOnePasses() throws {
        let bundled = calibrate("check", repositoryRoot + "/cases/terzaghi", "--refine")
        #expect(bundled.status == 0, "\(bundled.out)\(bundled.err)")
        #expect(bundled.out.contains("p_top") && !bundled.out.contains("FAIL"))
        // The discretization the case had before: 6 rows and 10 s steps. Its pressures move by several σ
        // when it is refined (backward Euler's first-order error at the sensors' early times).
        let folder = TemporaryFolder()
        var text = try String(contentsOfFile: repositoryRoot + "/cases/terzaghi/case.json", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"rows\": 24", with: "\"rows\": 6")
        let times = try #require(text.range(of: #""time_stepping": \{[^}]*\}"#, options: .regularExpression))
        text.replaceSubrange(times, with: #""time_stepping": {"time_step": 10, "steps": 12}"#)
        folder.write(text, to: "case.json")
        try FileManager.default.copyItem(atPath: repositoryRoot + "/cases/terzaghi/pressures.nc", toPath: folder.path + "/pressures.nc")
        let coarse = calibrate("check", folder.path, "--refine")
        #expect(coarse.status == 1, "\(coarse.out)\(coarse.err)")
        #expect(coarse.out.contains("p_top") && coarse.out.contains("FAIL"))
    }
}
