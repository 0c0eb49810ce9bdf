@testable import CaseRunner
import Foundation
import Testing

/// The case: compressed far enough, the Morse lattice "converged" with atoms passed through
/// each other; that is not an equilibrium. (That state lacked the pairs that keep the atoms apart: the
/// neighbour list was not followed during Newton. Now it is, and the 5 Å compression buckles the block
/// into an equilibrium whose closest atoms are 0.9 neighbour distances apart; an admissible approach of
/// 0.95 makes the same state inadmissible, which is what these tests need.)
@Suite struct OverlappingAtomsTests {
    func compressedCase(_ dy: Double, minimumSeparation: Double? = nil) -> TemporaryFolder {
        let folder = TemporaryFolder()
        var text = smallLatticeCase(forces: false).replacingOccurrences(of: "\"displacement\": [0.2, 0.5]", with: "\"displacement\": [0, \(dy)]")
        if let minimumSeparation {
            text = text.replacingOccurrences(of: "\"skin\": 0.75,", with: "\"skin\": 0.75, \"minimum_separation\": \(minimumSeparation),")
        }
        folder.write(text, to: "case.json")
        return folder
    }

    @Test func forwardExitsTwoNamingTheAtoms() {
        let crushed = compressedCase(-5, minimumSeparation: 0.95), gentle = compressedCase(-0.5)
        let r = calibrate("forward", crushed.path, "-q")
        #expect(r.status == 2, "\(r.err) \(r.out)")
        #expect(r.err.contains("pushed through each other") && r.err.contains("minimum_separation"), "\(r.err)")
        let mild = calibrate("forward", gentle.path, "-q")
        #expect(mild.status == 0, "\(mild.err) \(mild.out)")
    }

    @Test func insideACalibrationItIsAFailedEvaluation() throws {
        let folder = compressedCase(-5, minimumSeparation: 0.95)
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
