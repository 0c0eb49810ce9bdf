import Foundation
import Testing
@testable import NetCDF

/// Files that are missing, not netCDF, or damaged: each must give a typed error, never a crash.
@Suite struct BadInputTests {
    @Test func missingFileIsReportedByPath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nowhere.nc")
        let error = caught { try NetCDFReader(path: path) }
        #expect(error == .missingFile(path: path))
        #expect(error?.description == "netCDF file '\(path)' does not exist. "
                + "Check the path and the working directory.")
    }

    @Test func missingRemoteLookingPathDoesNotReachTheNetwork() {
        let error = caught { try NetCDFReader(path: "http://localhost:1/nothing.nc") }
        #expect(error == .missingFile(path: "http://localhost:1/nothing.nc"))
    }

    @Test func textFileIsNotNetCDF() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("notes.nc")
        try "time,temperature\n0,300\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = caught { try NetCDFReader(path: path) }
        #expect(error == .notNetCDF(path: path))
        #expect(error?.description == "'\(path)' is not a netCDF file (neither classic nor netCDF-4/HDF5). "
                + "Check that the path points at the data file and not at another kind of file.")
    }

    @Test func emptyFileIsNotNetCDF() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("empty.nc")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(caught { try NetCDFReader(path: path) } == .notNetCDF(path: path))
    }

    @Test func directoryIsNotAFile() throws {
        let directory = try TemporaryDirectory()
        let error = caught { try NetCDFReader(path: directory.path) }
        #expect(error == .cannotOpen(path: directory.path, reason: "it is a directory, not a file"))
    }

    @Test(arguments: ["classic.nc", "netcdf4.nc"])
    func truncatedFileGivesCorruptFileError(name: String) throws {
        let directory = try TemporaryDirectory()
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixture(name)))
        let path = directory.file("half-" + name)
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))

        let error = caught {
            // Opening may succeed when the header survives; reading the data must then fail.
            let reader = try NetCDFReader(path: path)
            return try reader.variables.filter { $0.type != .char }
                .map { try reader.readDoubles($0.name, fill: .allowFill) }
        }
        guard case let .corruptFile(reportedPath, _)? = error else {
            Issue.record("expected .corruptFile, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
        #expect(error?.description.contains("is corrupt or truncated") == true)
    }

    @Test(arguments: ["classic.nc", "netcdf4.nc"])
    func everyTruncationPointGivesATypedError(name: String) throws {
        let directory = try TemporaryDirectory()
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixture(name)))
        let path = directory.file("cut-" + name)
        for length in stride(from: 0, to: whole.count, by: max(1, whole.count / 97)) {
            try whole.prefix(length).write(to: URL(fileURLWithPath: path))
            let error = caught {
                let reader = try NetCDFReader(path: path)
                return try reader.variables.filter { $0.type != .char }
                    .map { try reader.readDoubles($0.name, fill: .allowFill) }
            }
            switch error {
            case .notNetCDF(path)?, .corruptFile(path, _)?: break
            default: Issue.record("cut at \(length) of \(whole.count) bytes: \(String(describing: error))")
            }
        }
    }

    @Test func classicFileWithAHeaderLargerThanTheFirstReadIsChecked() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("big-header.nc")
        let writer = try NetCDFWriter(path: path, format: .offset64Bit)
        try writer.setAttribute("history", .text(String(repeating: "calibrated; ", count: 20_000)))
        try writer.addDimension("x", length: 4)
        try writer.addVariable("v", type: .double, dimensions: ["x"])
        try writer.write([1, 2, 3, 4] as [Double], to: "v")
        try writer.commit()
        #expect(try NetCDFReader(path: path).readDoubles("v").values == [1, 2, 3, 4])

        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        // netCDF-C may leave slack after the data, so cut inside the values themselves (big-endian).
        let data = Data([1.0, 2, 3, 4].flatMap { withUnsafeBytes(of: $0.bitPattern.bigEndian, Array.init) })
        let dataStart = try #require(whole.range(of: data)).lowerBound - whole.startIndex
        #expect(dataStart > 240_000)  // past the first 64 KiB the check reads
        for length in [dataStart + 16, 200_000, 70_000] {
            let cut = directory.file("cut-\(length).nc")
            try whole.prefix(length).write(to: URL(fileURLWithPath: cut))
            let error = caught { try NetCDFReader(path: cut).readDoubles("v") }
            guard case .corruptFile(cut, _)? = error else {
                Issue.record("cut at \(length): expected .corruptFile, got \(String(describing: error))")
                continue
            }
        }
    }

    @Test(arguments: [[0x43, 0x44, 0x46, 0x01], [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]] as [[UInt8]])
    func garbageAfterAValidMagicNumberGivesTypedError(magic: [UInt8]) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("garbage.nc")
        var generator = SystemRandomNumberGenerator()
        let bytes = magic + (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = caught { try NetCDFReader(path: path) }
        switch error {
        case .notNetCDF(path)?, .corruptFile(path, _)?: break
        default: Issue.record("expected .notNetCDF or .corruptFile, got \(String(describing: error))")
        }
    }

    @Test func failedAndSuccessfulOpensLeakNoFileDescriptors() throws {
        let directory = try TemporaryDirectory()
        let text = directory.file("text.nc")
        try "not netCDF".write(toFile: text, atomically: true, encoding: .utf8)
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixture("classic.nc")))
        let truncated = directory.file("truncated.nc")
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))
        let good = try fixture("netcdf4.nc")

        let before = try #require(openFileDescriptorCount())
        for _ in 0..<200 {
            _ = caught { try NetCDFReader(path: text) }
            _ = caught { try NetCDFReader(path: truncated).readDoubles("temperature") }
            _ = caught { try NetCDFReader(path: good).readFloats("pressure", fill: .allowFill) }
        }
        let after = try #require(openFileDescriptorCount())
        // Other tests run concurrently and open files too; a leak here would add hundreds.
        #expect(after - before < 50)
    }
}
