@testable import CaseRunner
import Foundation
import NetCDF
import Testing

/// optimizer.starts and how a run that did not converge is marked in its outputs.
@Suite struct MultistartRunTests {
    @Test func severalStartsAreRunAndTheirMinimaTabled() throws {
        let folder = preparedSmallCase()
        let text = String(decoding: folder.read("case.json")!, as: UTF8.self)
        folder.write(text.replacingOccurrences(of: "\"optimizer\": {\"method\": \"levenberg-marquardt\"}",
                                               with: "\"optimizer\": {\"method\": \"levenberg-marquardt\", \"starts\": 3}"), to: "case.json")
        let run = calibrate("run", folder.path)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.err.contains("start 3 of 3"), "\(run.err)")
        let report = String(decoding: folder.read("results/report.md")!, as: UTF8.self)
        #expect(report.contains("## Local minima (3 starts)"), "\(report)")
        // The reported parameters are those of the lowest converged minimum: near the truth.
        let fitted = try NetCDFReader(path: folder.path + "/results/results.nc").readDoubles("parameter_value").values
        for (value, truth) in zip(fitted, [0.35, 1.4, 2.5]) { #expect(abs(value / truth - 1) < 0.05, "\(fitted)") }
    }

    @Test func startsNeedFiniteBoundsAndAreRangeChecked() throws {
        let folder = preparedSmallCase()
        let text = String(decoding: folder.read("case.json")!, as: UTF8.self)
        folder.write(text.replacingOccurrences(of: "\"optimizer\": {\"method\": \"levenberg-marquardt\"}",
                                               with: "\"optimizer\": {\"method\": \"levenberg-marquardt\", \"starts\": 0}"), to: "case.json")
        let check = calibrate("check", folder.path, "--no-solve")
        #expect(check.status == 2 && check.out.contains("'starts' in optimizer is 0"), "\(check.out)")
    }

    @Test func intervalsOfARunThatDidNotConvergeAreMarkedInvalid() throws {
        let folder = preparedSmallCase()
        let run = calibrate("run", folder.path, "--max-iterations", "1")
        #expect(run.status == 1, "\(run.err)")
        #expect(run.out.contains("NOT CONVERGED"), "\(run.out)")
        let results = try NetCDFReader(path: folder.path + "/results/results.nc")
        #expect(try results.textAttribute("comment", of: "parameter_ci_lower").contains("not valid: the run did not converge"))
        #expect(try results.textAttribute("comment", of: "parameter_standard_error").contains("not valid"))
    }
}
