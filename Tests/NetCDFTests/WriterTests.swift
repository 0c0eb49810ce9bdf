import Foundation
import Testing
@testable import NetCDF

/// The writer's temporary-file-then-rename guarantee and its errors.
@Suite struct WriterTests {
    /// A writer with one dimension and variable, some data written, not committed.
    static func startedWriter(at path: String, format: NetCDFFormat = .netCDF4) throws -> NetCDFWriter {
        let writer = try NetCDFWriter(path: path, format: format)
        try writer.addDimension("x", length: 3)
        try writer.addVariable("v", type: .double, dimensions: ["x"])
        try writer.write([1, 2, 3] as [Double], to: "v")
        return writer
    }

    @Test func writesGoToATemporaryFileUntilCommit() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("out.nc")
        let writer = try Self.startedWriter(at: path)
        #expect(writer.temporaryPath.hasPrefix(directory.path + "/.out.nc."))
        #expect(directory.contents == [URL(fileURLWithPath: writer.temporaryPath).lastPathComponent])
        try writer.commit()
        #expect(directory.contents == ["out.nc"])
        #expect(try NetCDFReader(path: path).readDoubles("v").values == [1, 2, 3])
        #expect(caught { try writer.commit() } == .closed(path: path))
    }

    @Test func abandonedWriterLeavesNoFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("out.nc")
        var temporary = ""
        do {
            let writer = try Self.startedWriter(at: path)
            temporary = writer.temporaryPath
            #expect(FileManager.default.fileExists(atPath: temporary))
        }  // released without commit
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(directory.contents == [])
    }

    @Test(arguments: [NetCDFFormat.netCDF4, .classic])
    func abandonedWriterLeavesAnExistingFileUntouched(format: NetCDFFormat) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("result.nc")
        try "previous results".write(toFile: path, atomically: true, encoding: .utf8)
        let writer = try Self.startedWriter(at: path, format: format)
        writer.discard()
        writer.discard()  // idempotent
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "previous results")
        #expect(directory.contents == ["result.nc"])
        #expect(caught { try writer.write([1.0, 2, 3], to: "v") } == .closed(path: path))
    }

    @Test func commitReplacesAnExistingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("result.nc")
        try "previous results".write(toFile: path, atomically: true, encoding: .utf8)
        try Self.startedWriter(at: path).commit()
        #expect(try NetCDFReader(path: path).readDoubles("v").values == [1, 2, 3])
        #expect(directory.contents == ["result.nc"])
    }

    @Test func anErrorBeforeCommitRemovesTheTemporaryFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("out.nc")
        let writer = try Self.startedWriter(at: path)
        let error = caught { try writer.write([Float(1), 2, 3], to: "v") }
        #expect(error == .wrongType(path: path, variable: "v", expected: .double, found: .float))
        #expect(directory.contents == [])
        #expect(caught { try writer.commit() } == .closed(path: path))
        #expect(directory.contents == [])
    }

    @Test func missingDirectoryIsATypedError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("no/such/dir/out.nc")
        let error = caught { try NetCDFWriter(path: path) }
        #expect(error == .cannotCreate(
            path: path, reason: "the directory '\(directory.path)/no/such/dir' does not exist"))
        #expect(error?.description == "cannot create netCDF file '\(path)': the directory "
                + "'\(directory.path)/no/such/dir' does not exist. Check that the directory exists and is writable.")
    }

    @Test func pathThroughARegularFileIsATypedError() throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("plain.txt")
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(caught { try NetCDFWriter(path: file + "/out.nc") }
                == .cannotCreate(path: file + "/out.nc", reason: "'\(file)' is not a directory"))
        #expect(caught { try NetCDFWriter(path: directory.path) }
                == .cannotCreate(path: directory.path, reason: "a directory of that name is in the way"))
    }

    @Test(.enabled(if: getuid() != 0, "root may write into read-only directories"))
    func readOnlyDirectoryIsATypedError() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path) }
        let path = directory.file("out.nc")
        guard case let .cannotCreate(reportedPath, _)? = caught({ try NetCDFWriter(path: path) }) else {
            Issue.record("expected .cannotCreate")
            return
        }
        #expect(reportedPath == path)
        #expect(directory.contents == [])
    }

    #if os(Linux)
    @Test func unwritableLocationIsATypedErrorEvenForRoot() throws {
        // Nobody, root included, may create regular files in /proc.
        guard case let .cannotCreate(path, reason)? = caught({ try NetCDFWriter(path: "/proc/calibrate.nc") })
        else {
            Issue.record("expected .cannotCreate")
            return
        }
        #expect(path == "/proc/calibrate.nc")
        #expect(!reason.isEmpty)
    }
    #endif

    @Test func int64NeedsNetCDF4() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("classic.nc")
        let writer = try NetCDFWriter(path: path, format: .classic)
        let error = caught { try writer.addVariable("n", type: .int64) }
        #expect(error == .unsupportedType(path: path, name: "n", type: .int64, format: .classic))
        #expect(error?.description == "netCDF file '\(path)': 'n' of type int64 cannot be stored in classic "
                + "format. Create the file with format: .netCDF4, or store double, float or int.")
        #expect(directory.contents == [])
    }

    @Test func definitionMistakesAreTypedErrors() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("out.nc")
        func fresh() throws -> NetCDFWriter {
            let writer = try NetCDFWriter(path: path)
            try writer.addUnlimitedDimension("time")
            try writer.addDimension("x", length: 2)
            try writer.addVariable("v", type: .double, dimensions: ["x"])
            try writer.addVariable("r", type: .int, dimensions: ["time", "x"])
            return writer
        }
        #expect(caught { try fresh().addVariable("w", type: .double, dimensions: ["y"]) }
                == .missingDimension(path: path, dimension: "y", available: ["time", "x"]))
        #expect(caught { try fresh().addVariable("v", type: .double) }
                == .invalidOperation(path: path, name: "v", reason: "a variable of that name already exists"))
        #expect(caught { try fresh().addDimension("x", length: 5) }
                == .invalidOperation(path: path, name: "x", reason: "a dimension of that name already exists"))
        #expect(caught { try fresh().addVariable("s", type: .short) } != nil)
        #expect(caught { try fresh().addVariable("w", type: .double, dimensions: ["x", "time"]) }
                == .invalidOperation(path: path, name: "w", reason: "the unlimited dimension 'time' must be "
                                     + "the variable's first dimension"))
        #expect(caught { try fresh().addVariable("w", type: .int, fillValue: 0.5) }
                == .invalidOperation(path: path, name: "w",
                                     reason: "the fill value 0.5 cannot be stored exactly as int"))
        #expect(caught { try fresh().write([1.0, 2, 3], to: "v") }
                == .wrongValueCount(path: path, variable: "v", shape: [2], isRecordVariable: false, found: 3))
        let recordError = caught { try fresh().append([Int32(1), 2, 3], to: "r") }
        #expect(recordError == .wrongValueCount(path: path, variable: "r", shape: [0, 2],
                                                isRecordVariable: true, found: 3))
        #expect(recordError?.description == "netCDF file '\(path)': variable 'r' takes whole records of shape "
                + "[2] (a multiple of 2 values), but 3 values were given.")
        #expect(caught { try fresh().append([1.0, 2], to: "v") } == .invalidOperation(
            path: path, name: "v", reason: "only a variable whose first dimension is unlimited can be appended "
                + "to; use write(_:to:)"))
        #expect(caught { try fresh().setAttribute("units", .text("K"), on: "nope") }
                == .missingVariable(path: path, variable: "nope", available: ["v", "r"]))
        #expect(directory.contents == [])
    }

    @Test func writeReplacesRecordsAndAppendContinuesAfterThem() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("records.nc")
        let writer = try NetCDFWriter(path: path, format: .classic)
        try writer.addUnlimitedDimension("time")
        try writer.addVariable("a", type: .int, dimensions: ["time"])
        try writer.addVariable("b", type: .int, dimensions: ["time"])
        try writer.write([1, 2] as [Int32], to: "a")
        try writer.append([Int32(3)], to: "a")
        try writer.write([Int32(9)], to: "a")  // overwrites record 0 only
        try writer.append([4, 5, 6] as [Int32], to: "b")  // each variable keeps its own record count
        try writer.setAttribute("note", .text("defined after data"), on: "b")  // back to define mode
        try writer.commit()
        let reader = try NetCDFReader(path: path)
        #expect(try reader.readInt32s("a").values == [9, 2, 3])
        #expect(try reader.readInt32s("b").values == [4, 5, 6])
        #expect(try reader.textAttribute("note", of: "b") == "defined after data")
    }
}
