import CaseRunner
import Foundation
import Testing

/// `regress` compares to 1e-10 and iteration counts exactly for the recorded thread count, and
/// `--update` accepts a deliberate change.
@Suite struct RegressStrictnessTests {
    private func copiedTerzaghi() throws -> TemporaryFolder {
        let folder = TemporaryFolder()
        for file in ["case.json", "pressures.nc"] {
            try FileManager.default.copyItem(atPath: repositoryRoot + "/cases/terzaghi/" + file, toPath: folder.path + "/" + file)
        }
        return folder
    }

    private func expected(_ folder: TemporaryFolder) -> String { String(decoding: folder.read("expected.json")!, as: UTF8.self) }

    @Test func oneNewtonIterationMoreIsADifferenceAndUpdateAcceptsIt() throws {
        let folder = try copiedTerzaghi()
        #expect(calibrate("regress", folder.path, "--update").status == 0)
        let recorded = expected(folder)
        #expect(recorded.contains("\"tolerance\": 1e-10"), "\(recorded)")
        #expect(recorded.contains("\"threads\": "), "\(recorded)")
        #expect(calibrate("regress", folder.path).status == 0, "the same build reproduces its own record")
        // Pretend the record had one Newton iteration fewer: an exact count must fail.
        let newton = try #require(recorded.firstRange(of: /"newton_iterations": \{"value": (\d+)/))
        let count = try #require(Int(recorded[newton].split(separator: " ").last!))
        folder.write(recorded.replacingOccurrences(of: "\"newton_iterations\": {\"value\": \(count)",
                                                   with: "\"newton_iterations\": {\"value\": \(count - 1)"), to: "expected.json")
        let strict = calibrate("regress", folder.path)
        #expect(strict.status == 1)
        #expect(strict.out.contains("\(count) Newton iterations, expected \(count - 1) exactly"), "\(strict.out)")
        // Recorded with another thread count: the loose tolerances (±25 %) apply, and the note says so.
        let other = expected(folder).replacing(/"threads": \d+/, with: "\"threads\": 97")
        folder.write(other, to: "expected.json")
        let loose = calibrate("regress", folder.path)
        #expect(loose.status == 0, "\(loose.out)")
        #expect(loose.err.contains("recorded with 97 BLAS thread(s)"), "\(loose.err)")
        #expect(calibrate("regress", folder.path, "--update").status == 0)
        // The BLAS thread count is process-wide and other tests running at the same time may set it; the
        // rest of the record must be the same.
        let threads = /"threads": \d+/
        #expect(expected(folder).replacing(threads, with: "") == recorded.replacing(threads, with: ""), "--update writes the record again")
    }
}
