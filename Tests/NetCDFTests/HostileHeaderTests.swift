import Foundation
import Testing
@testable import NetCDF

/// Big-endian bytes of a hand-made classic (CDF-1) header.
private struct ClassicBytes {
    var bytes: [UInt8] = Array("CDF".utf8) + [1]
    mutating func int(_ v: Int) { bytes += withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).bigEndian, Array.init) }
    mutating func name(_ text: String) {
        int(text.utf8.count)
        bytes += Array(text.utf8) + [UInt8](repeating: 0, count: (4 - text.utf8.count % 4) % 4)
    }
    mutating func pad(to count: Int) { bytes += [UInt8](repeating: 0, count: max(count - bytes.count, 0)) }

    /// numrecs 0, one dimension `x` of `length`, no attributes, one double variable v(x) at `begin`.
    static func oneVariable(length: Int, begin: Int) -> ClassicBytes {
        var b = ClassicBytes()
        b.int(0)
        b.int(0x0A); b.int(1); b.name("x"); b.int(length)
        b.int(0); b.int(0)
        b.int(0x0B); b.int(1); b.name("v"); b.int(1); b.int(0); b.int(0); b.int(0); b.int(6); b.int(8 * length); b.int(begin)
        return b
    }
}

/// Classic headers are checked before netCDF-C sees them; reads are bounded before allocating.
@Suite struct HostileHeaderTests {
    func open(_ bytes: [UInt8], in directory: TemporaryDirectory, name: String = "hostile.nc") -> NetCDFError? {
        let path = directory.file(name)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return caught { try NetCDFReader(path: path) }
    }

    func detail(_ error: NetCDFError?) -> String? {
        if case let .corruptFile(_, detail)? = error { return detail }
        return nil
    }

    @Test func theHandMadeHeaderIsValidSoTheRefusalsBelowAreAboutTheirOneChange() throws {
        let directory = try TemporaryDirectory()
        var good = ClassicBytes.oneVariable(length: 3, begin: 80)  // the header is 80 bytes
        #expect(good.bytes.count == 80)
        good.bytes += (1...3).flatMap { withUnsafeBytes(of: Double($0).bitPattern.bigEndian, Array.init) }
        let path = directory.file("good.nc")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(good.bytes)))
        #expect(try NetCDFReader(path: path).readDoubles("v").values == [1, 2, 3])
    }

    /// The 40-byte file that made netCDF-C overflow a 257-byte name buffer.
    @Test func aDimensionNameLongerThanTheFileIsRefused() throws {
        let directory = try TemporaryDirectory()
        var b = ClassicBytes()
        b.int(0); b.int(0x0A); b.int(1); b.int(2145)
        b.pad(to: 40)
        let d = try #require(detail(open(b.bytes, in: directory)))
        #expect(d.contains("2145"), "\(d)")
    }

    @Test func aNameLongerThanNCMaxNameIsRefusedEvenWhenTheFileHoldsIt() throws {
        let directory = try TemporaryDirectory()
        var b = ClassicBytes()
        b.int(0); b.int(0x0A); b.int(1); b.name(String(repeating: "n", count: 300)); b.int(3)
        b.int(0); b.int(0); b.int(0); b.int(0)
        let d = try #require(detail(open(b.bytes, in: directory)))
        #expect(d.contains("300 bytes long") && d.contains("1 to 256"), "\(d)")
    }

    @Test func countsTheFileCannotHoldAreRefusedBeforeNetCDFCAllocates() throws {
        let directory = try TemporaryDirectory()
        var b = ClassicBytes()
        b.int(0); b.int(0x0A); b.int(Int(Int32.max)); b.pad(to: 19)
        #expect(try #require(detail(open(b.bytes, in: directory))).contains("can hold at most"))
        var negative = ClassicBytes()
        negative.int(0); negative.int(0x0A); negative.int(-1); negative.pad(to: 32)
        #expect(detail(open(negative.bytes, in: directory)) != nil)
    }

    @Test func dataBeyondTheEndOrInsideTheHeaderAreRefused() throws {
        let directory = try TemporaryDirectory()
        var beyond = ClassicBytes.oneVariable(length: 1000, begin: 80)
        beyond.pad(to: 96)
        #expect(try #require(detail(open(beyond.bytes, in: directory))).contains("header describes 8080"))
        var inside = ClassicBytes.oneVariable(length: 1, begin: 8)
        inside.pad(to: 80)
        #expect(try #require(detail(open(inside.bytes, in: directory))).contains("inside the header"))
    }

    @Test func typesOfCDF5AreRefusedInACDF1File() throws {
        let directory = try TemporaryDirectory()
        var b = ClassicBytes.oneVariable(length: 1, begin: 80)
        b.bytes[b.bytes.count - 12 ..< b.bytes.count - 8] = [0, 0, 0, 10]  // nc_type int64 (then vsize, begin)
        b.pad(to: 88)
        #expect(try #require(detail(open(b.bytes, in: directory))).contains("type code 10"))
    }

    /// Every prefix and every single-byte change of a valid classic file gives a typed result.
    @Test func everyByteOfTheClassicFixtureChangedGivesATypedResult() throws {
        let directory = try TemporaryDirectory()
        let whole = Array(try Data(contentsOf: URL(fileURLWithPath: fixture("classic.nc"))))
        for offset in 0 ..< min(whole.count, 600) {
            var damaged = whole
            damaged[offset] ^= 0xFF
            let path = directory.file("flip.nc")
            #expect(FileManager.default.createFile(atPath: path, contents: Data(damaged)))
            _ = caught {
                let reader = try NetCDFReader(path: path)
                return try reader.variables.filter { $0.type != .char }.map { try reader.readDoubles($0.name, fill: .allowFill) }
            }
        }
    }

    /// An 8 KB netCDF-4 file declaring a 2·10⁹ dimension, with no data: refused, not 16 GB allocated.
    @Test func aHugeDeclaredVariableIsRefusedBeforeAllocation() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("huge.nc")
        let out = try NetCDFWriter(path: path, format: .netCDF4)
        try out.addDimension("x", length: 2_000_000_000)
        try out.addVariable("v", type: .double, dimensions: ["x"])
        try out.commit()
        let size = try #require(FileSize.of(path))
        #expect(size < 100_000)
        let reader = try NetCDFReader(path: path)
        let error = caught { try reader.readDoubles("v", fill: .allowFill) }
        guard case let .tooLarge(_, variable, shape, _, limit)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(variable == "v" && shape == [2_000_000_000] && limit == NetCDFReader.defaultElementLimit)
        #expect(error!.description.contains("x = 2000000000"))
    }

    @Test func theCallersLimitBoundsAReadToo() throws {
        let reader = try NetCDFReader(path: try fixture("classic.nc"))
        let name = try #require(reader.variables.first { $0.type == .double && $0.shape.reduce(1, *) > 1 }).name
        let count = try reader.readDoubles(name, fill: .allowFill).values.count
        #expect(try reader.readDoubles(name, fill: .allowFill, limit: count).values.count == count)
        guard case .tooLarge? = caught({ try reader.readDoubles(name, fill: .allowFill, limit: count - 1) }) else {
            Issue.record("a limit below the variable's size must refuse the read"); return
        }
    }

    /// Sized by the link's target (stat), not by the link (lstat): a truncated target is caught.
    @Test func aSymbolicLinkIsSizedByItsTarget() throws {
        let directory = try TemporaryDirectory()
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixture("classic.nc")))
        let target = directory.file("cut.nc")
        try whole.prefix(whole.count - 8).write(to: URL(fileURLWithPath: target))
        let link = directory.file("link.nc")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        guard case .corruptFile? = caught({ try NetCDFReader(path: link) }) else { Issue.record("a truncated target must be refused"); return }
        let goodLink = directory.file("good-link.nc")
        try FileManager.default.createSymbolicLink(atPath: goodLink, withDestinationPath: try fixture("classic.nc"))
        #expect(caught { try NetCDFReader(path: goodLink) } == nil)
    }

    @Test func aSymbolicLinkLoopIsNamedAsSuch() throws {
        let directory = try TemporaryDirectory()
        let a = directory.file("a.nc"), b = directory.file("b.nc")
        try FileManager.default.createSymbolicLink(atPath: a, withDestinationPath: b)
        try FileManager.default.createSymbolicLink(atPath: b, withDestinationPath: a)
        guard case let .cannotOpen(_, reason)? = caught({ try NetCDFReader(path: a) }) else { Issue.record("expected .cannotOpen"); return }
        #expect(reason.contains("loop"))
    }
}

/// A pipe or a device named as the data file would be read forever: refused before opening.
@Suite struct NonRegularFileTests {
    @Test func aPipeIsNotRead() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.file("pipe.nc")
        #expect(mkfifo(fifo, 0o600) == 0)
        guard case let .cannotOpen(_, reason)? = caught({ try NetCDFReader(path: fifo) }) else { Issue.record("expected .cannotOpen"); return }
        #expect(reason.contains("not a regular file"))
        guard case .cannotOpen? = caught({ try NetCDFReader(path: "/dev/zero") }) else { Issue.record("expected .cannotOpen"); return }
    }
}
