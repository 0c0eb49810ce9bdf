import Foundation
import Testing
@testable import Reports

@Suite("AtomicFile")
struct AtomicFileTests {
    private func contents(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    @Test("writes the bytes and leaves no temporary file behind")
    func writesAndCleansUp() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/out.txt"
        try AtomicFile.write("first\nline two\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\nline two\n")
        #expect(try contents(directory) == ["out.txt"])

        try AtomicFile.write(Data([0, 1, 2, 255]), to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([0, 1, 2, 255]))
        #expect(try contents(directory) == ["out.txt"])
    }

    @Test("writes an empty file")
    func emptyFile() throws {
        let directory = try makeTemporaryDirectory()
        try AtomicFile.write(Data(), to: directory + "/empty")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/empty")).isEmpty)
    }

    @Test("a bare file name is written in the current directory's sense of '.'")
    func directoryOfBareName() {
        #expect(AtomicFile.directoryOf("history.csv") == ".")
        #expect(AtomicFile.directoryOf("out/history.csv") == "out")
        #expect(AtomicFile.directoryOf("/a/b/c.svg") == "/a/b")
    }

    @Test("keeps the permissions of the file it replaces")
    func keepsPermissions() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/report.md"
        try AtomicFile.write("old", to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        try AtomicFile.write("new", to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    }

    @Test("a missing directory is a typed error that says what to do, and nothing is created")
    func missingDirectory() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/no/such/dir/plot.svg"
        #expect(throws: ReportError.directoryMissing(path: path, directory: directory + "/no/such/dir")) {
            try AtomicFile.write("x", to: path)
        }
        let message = ReportError.directoryMissing(path: path, directory: directory + "/no/such/dir").description
        #expect(message.contains(path) && message.contains("mkdir -p"))
        #expect(try contents(directory).isEmpty)
    }

    @Test("a file where the directory should be is reported, and that file is left intact")
    func fileInsteadOfDirectory() throws {
        let directory = try makeTemporaryDirectory()
        let blocker = directory + "/results"
        try AtomicFile.write("precious", to: blocker)
        #expect(throws: ReportError.notADirectory(path: blocker + "/history.csv", directory: blocker)) {
            try AtomicFile.write("x", to: blocker + "/history.csv")
        }
        #expect(try String(contentsOfFile: blocker, encoding: .utf8) == "precious")
    }

    @Test("a failed rename removes the temporary file and leaves the target untouched")
    func failedRenameCleansUp() throws {
        let directory = try makeTemporaryDirectory()
        // A non-empty directory at the target path: everything succeeds up to the rename.
        let target = directory + "/fields.vtu"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try AtomicFile.write("inside", to: target + "/keep.txt")
        do {
            try AtomicFile.write("new contents", to: target)
            Issue.record("writing over a directory should fail")
        } catch let error as ReportError {
            guard case let .writeFailed(path, reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == target)
            #expect(reason.contains("rename"))
            #expect(error.description.contains("previous file is intact"))
        }
        #expect(try contents(directory) == ["fields.vtu"])
        #expect(try String(contentsOfFile: target + "/keep.txt", encoding: .utf8) == "inside")
    }

    @Test("an old file survives a failed write of its replacement")
    func oldFileSurvivesFailure() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/history.csv"
        try AtomicFile.write("iteration,objective\n0,1.0\n", to: path)
        var table = try CSVTable(columns: ["a"])
        try table.append(numbers: [1])
        // The replacement is aimed at a path whose directory does not exist: the old file must stay.
        #expect(throws: ReportError.self) { try table.write(to: directory + "/missing/history.csv") }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "iteration,objective\n0,1.0\n")
        #expect(try contents(directory) == ["history.csv"])
    }
}
