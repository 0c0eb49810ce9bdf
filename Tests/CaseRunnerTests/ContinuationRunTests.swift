@testable import CaseRunner
import Foundation
import Testing

/// `"continuation": true` in the optimizer section: the calibration continues each evaluation from the
/// nearest equilibrium, and an interrupted run resumes from the anchors saved with its checkpoint.
@Suite struct ContinuationRunTests {
    func caseWithContinuation(optimizer: String) -> TemporaryFolder {
        let folder = preparedSmallCase(optimizer: optimizer)
        let text = String(decoding: folder.read("case.json")!, as: UTF8.self)
        folder.write(text.replacingOccurrences(of: "\"optimizer\": {\"method\": \"\(optimizer)\"}",
                                               with: "\"optimizer\": {\"method\": \"\(optimizer)\", \"continuation\": true}"), to: "case.json")
        return folder
    }

    @Test(arguments: ["levenberg-marquardt", "lbfgs"])
    func anInterruptedRunWithContinuationResumesBitForBit(optimizer: String) throws {
        let folder = caseWithContinuation(optimizer: optimizer)
        let reference = calibrate("run", folder.path, "--out", folder.path + "/reference", "-q")
        #expect(reference.status == 0, "\(reference.err)")
        var options = RunOptions()
        options.stopAfterIterations = 2
        let (console, _) = Console.capturing()
        #expect(try RunCommand.execute(folder.path, options: options, console: console) == 130)
        let saved = try #require(try Checkpoint.read(at: folder.path + "/.results.checkpoint"))
        #expect(saved.anchors.count == 1 && !saved.anchors[0].isEmpty, "the checkpoint carries the anchors")
        let resumed = calibrate("run", folder.path, "--resume", "-q")
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(try sameResultsApartFromTheCommandLine(folder.path + "/results/results.nc", folder.path + "/reference/results.nc"))
        #expect(folder.read("results/history.csv") == folder.read("reference/history.csv"))
    }

    /// Evaluations rejected before an interruption (the bundled indentation case's branch turns unstable
    /// at its first trials) are counted in the resumed run's report as in an uninterrupted one.
    @Test func rejectionsBeforeAnInterruptionAreReportedAfterTheResume() throws {
        let folder = copiedCase("indentation")
        var options = RunOptions()
        options.stopAfterIterations = 2
        let (console, _) = Console.capturing()
        #expect(try RunCommand.execute(folder.path, options: options, console: console) == 130)
        let saved = try #require(try Checkpoint.read(at: folder.path + "/.results.checkpoint"))
        #expect(saved.rejected.instabilities > 0 && saved.rejected.firstInstability.contains("unstable"), "\(saved.rejected)")
        let resumed = calibrate("run", folder.path, "--resume", "-q")
        #expect(resumed.status == 0, "\(resumed.err)")
        let report = String(decoding: folder.read("results/report.md") ?? Data(), as: UTF8.self)
        #expect(report.contains("- 2 evaluation(s) were rejected because the equilibrium branch turned unstable under the loading "
                                + "(first: experiment 'sharp[5]'"), "\(report)")
    }
}
