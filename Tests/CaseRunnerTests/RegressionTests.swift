@testable import CaseRunner
import Testing

/// Every bundled case reproduces the outcome stored in its expected.json (fitted parameters, misfit,
/// iteration counts within the stated tolerances), so a change that moves a result shows at once.
/// The same check runs from the command line as `calibrate regress`.
@Suite struct RegressionTests {
    static let cases = RegressCommand.bundledCases(under: repositoryRoot + "/cases")

    @Test func everyBundledCaseHasItsDataAndExpectedOutcome() {
        #expect(Self.cases.count >= 3, "\(Self.cases)")
        for path in Self.cases {
            let check = calibrate("check", path)
            #expect(check.status == 0, "\(path): \(check.out)")
        }
    }

    @Test(arguments: cases)
    func bundledCaseMatchesItsExpectedOutcome(path: String) throws {
        let differences = try RegressCommand.check(path, update: false)
        #expect(differences.isEmpty, "\(path): \(differences.joined(separator: "; "))")
    }
}
