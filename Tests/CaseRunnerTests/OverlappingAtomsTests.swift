@testable import CaseRunner
import Foundation
import Testing

/// The case: compressed far enough, the Morse lattice "converges" with atoms passed through
/// each other; that is not an equilibrium.
@Suite struct OverlappingAtomsTests {
    func compressedCase(_ dy: Double) -> TemporaryFolder {
        let folder = TemporaryFolder()
        folder.write(smallLatticeCase(forces: false).replacingOccurrences(of: "\"displacement\": [0.2, 0.5]", with: "\"displacement\": [0, \(dy)]"),
                     to: "case.json")
        return folder
    }

    @Test func forwardExitsTwoNamingTheAtoms() {
        let crushed = compressedCase(-5), gentle = compressedCase(-0.5)
        let r = calibrate("forward", crushed.path, "-q")
        #expect(r.status == 2, "\(r.err) \(r.out)")
        #expect(r.err.contains("pushed through each other") && r.err.contains("minimum_separation"), "\(r.err)")
        let mild = calibrate("forward", gentle.path, "-q")
        #expect(mild.status == 0, "\(mild.err) \(mild.out)")
    }

    @Test func insideACalibrationItIsAFailedEvaluation() throws {
        let folder = compressedCase(-5)
        let d = DiagnosticList()
        let loaded = try #require(LoadedCase.load(try CaseLocation.locate(folder.path), diagnostics: d))
        let step = loaded.setups[0].steps[0]
        #expect(try step.predict(theta: loaded.space.initialPhysical, names: loaded.space.names) == nil)
        #expect(step.lastRejection?.contains("pushed through each other") == true)
        // With the check off, the same solve is reported as solved (what the issue found).
        let off = compressedCase(-5)
        off.write(smallLatticeCase(forces: false).replacingOccurrences(of: "\"displacement\": [0.2, 0.5]", with: "\"displacement\": [0, -5]")
            .replacingOccurrences(of: "\"skin\": 0.75,", with: "\"skin\": 0.75, \"minimum_separation\": 0,"), to: "case.json")
        #expect(calibrate("forward", off.path, "-q").status == 0)
    }
}
