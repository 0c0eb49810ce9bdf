import Foundation
import Testing
@testable import NetCDF

/// Write with NetCDFWriter, read back with NetCDFReader: every supported type, ranks 0 to 3,
/// attributes, fill values and an unlimited dimension grown by appends.
@Suite struct RoundTripTests {
    static let doubles3D = (0..<24).map { Double($0) * 0.5 - 3.25 }
    static let floats1D: [Float] = [.pi, -0, 1e-30, .greatestFiniteMagnitude]
    static let ints2D: [Int32] = [.min, -1, 0, 1, 7, .max]
    static let int64s: [Int64] = [.min, -(1 << 53) - 1, 0, .max]

    @Test(arguments: [NetCDFFormat.netCDF4, .classic, .offset64Bit, .cdf5, .netCDF4Classic])
    func everySupportedTypeAndRank(format: NetCDFFormat) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("round-trip.nc")
        let writer = try NetCDFWriter(path: path, format: format)
        try writer.addUnlimitedDimension("time")
        try writer.addDimension("x", length: 2)
        try writer.addDimension("y", length: 3)
        try writer.addDimension("z", length: 4)
        try writer.setAttribute("Conventions", .text("CF-1.8"))
        try writer.setAttribute("weights", .doubles([0.25, 0.75]))
        try writer.setAttribute("run", .int32s([3]))

        try writer.addVariable("scalar", type: .double, units: "kg", longName: "a rank-0 value")
        try writer.addVariable("x", type: .float, dimensions: ["x"], units: "m")
        try writer.addVariable("grid", type: .int, dimensions: ["x", "y"], fillValue: -9999)
        try writer.addVariable("field", type: .double, dimensions: ["x", "y", "z"], units: "K", fillValue: -999)
        try writer.addVariable("time", type: .double, dimensions: ["time"], units: "s")
        try writer.addVariable("series", type: .float, dimensions: ["time", "x"], fillValue: 1e20)
        try writer.setAttribute("calibrated", .floats([1.5]), on: "series")
        if format.supportsInt64 {
            try writer.addVariable("counts", type: .int64, dimensions: ["z"])
            try writer.setAttribute("offsets", .int64s([.min, .max]), on: "counts")
        }

        try writer.write([42.5], to: "scalar")
        try writer.write(Self.floats1D.prefix(2).map { $0 }, to: "x")
        try writer.write(Self.ints2D, to: "grid")
        try writer.write(Self.doubles3D, to: "field")
        for step in 0..<3 {
            try writer.append([Double(step) * 10], to: "time")
            try writer.append([Float(step), Float(step) + 0.5], to: "series")
        }
        try writer.append([Float](), to: "series")  // appending nothing is allowed
        if format.supportsInt64 { try writer.write(Self.int64s, to: "counts") }
        try writer.commit()

        let reader = try NetCDFReader(path: path)
        #expect(reader.format == format)
        #expect(try reader.dimension("time") == NetCDFDimension(name: "time", length: 3, isUnlimited: true))
        #expect(try reader.dimension("z") == NetCDFDimension(name: "z", length: 4, isUnlimited: false))
        #expect(try reader.textAttribute("Conventions") == "CF-1.8")
        #expect(try reader.attribute("weights").value == .doubles([0.25, 0.75]))
        #expect(try reader.attribute("run").value == .int32s([3]))

        let scalar = try reader.readDoubles("scalar", dimensions: [])
        #expect(scalar.shape == [] && scalar.scalar == 42.5)
        #expect(try reader.units(of: "scalar") == "kg")
        #expect(try reader.longName(of: "scalar") == "a rank-0 value")
        #expect(try reader.readFloats("x", dimensions: ["x"]).values == Array(Self.floats1D.prefix(2)))
        #expect(try reader.readCoordinate("x").values == Self.floats1D.prefix(2).map(Double.init))

        let grid = try reader.readInt32s("grid", dimensions: ["x", "y"])
        #expect(grid == (try NetCDFArray(dimensions: ["x", "y"], shape: [2, 3], values: Self.ints2D)))
        #expect(grid[1, 2] == .max)
        #expect(try reader.variable("grid").attribute("_FillValue")?.value == .int32s([-9999]))

        let field = try reader.readDoubles("field", dimensions: ["x", "y", "z"])
        #expect(field.shape == [2, 3, 4] && field.values == Self.doubles3D)
        #expect(field[1, 2, 3] == Self.doubles3D[23] && field[0, 1, 2] == Self.doubles3D[6])
        #expect(try reader.units(of: "field") == "K")

        #expect(try reader.readCoordinate("time").values == [0, 10, 20])
        let series = try reader.readFloats("series", dimensions: ["time", "x"])
        #expect(series.shape == [3, 2] && series.values == [0, 0.5, 1, 1.5, 2, 2.5])
        #expect(try reader.variable("series").attribute("_FillValue")?.value == .floats([1e20]))
        #expect(try reader.attribute("calibrated", of: "series").value == .floats([1.5]))

        if format.supportsInt64 {
            #expect(try reader.readInt64s("counts", rank: 1).values == Self.int64s)
            #expect(try reader.attribute("offsets", of: "counts").value == .int64s([.min, .max]))
        } else {
            #expect(caught { try reader.variable("counts") } != nil)
        }
    }

    @Test func stringAttributesRoundTripInNetCDF4() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("strings.nc")
        let writer = try NetCDFWriter(path: path)
        try writer.setAttribute("sources", .strings(["rig A", "rig B — ünïcode"]))
        try writer.setAttribute("empty", .text(""))
        try writer.commit()
        let reader = try NetCDFReader(path: path)
        #expect(try reader.attribute("sources").value == .strings(["rig A", "rig B — ünïcode"]))
        #expect(try reader.textAttribute("empty") == "")
    }

    @Test func fillValuesWrittenByTheWriterAreDetected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("fill.nc")
        let writer = try NetCDFWriter(path: path, format: .classic)
        try writer.addUnlimitedDimension("time")
        try writer.addDimension("x", length: 2)
        try writer.addVariable("t", type: .double, dimensions: ["time"], fillValue: -999)
        try writer.addVariable("late", type: .float, dimensions: ["time", "x"])
        try writer.addVariable("counts", type: .int, dimensions: ["x"], fillValue: -1)
        try writer.append([1, -999, 3] as [Double], to: "t")
        try writer.append([1, 2] as [Float], to: "late")  // one record only; records 2 and 3 stay unwritten
        try writer.write([5, -1] as [Int32], to: "counts")
        try writer.commit()

        let reader = try NetCDFReader(path: path)
        #expect(caught { try reader.readDoubles("t") } == .fillValueInRequiredData(
            path: path, variable: "t", index: [1], found: "the fill value -999.0", count: 1))
        // Unwritten records hold netCDF's default fill, which counts as missing too.
        #expect(caught { try reader.readFloats("late") } == .fillValueInRequiredData(
            path: path, variable: "late", index: [1, 0], found: "the fill value 9.96921e+36", count: 4))
        #expect(try reader.readFloats("late", fill: .allowFill).values.filter(\.isNaN).count == 4)
        #expect(caught { try reader.readInt32s("counts") } == .fillValueInRequiredData(
            path: path, variable: "counts", index: [1], found: "the fill value -1", count: 1))
        // Integers have no NaN: allowing fills returns the stored values.
        #expect(try reader.readInt32s("counts", fill: .allowFill).values == [5, -1])
    }

    @Test func nonFiniteValuesAreMissingWhenDataAreRequired() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nan.nc")
        let writer = try NetCDFWriter(path: path)
        try writer.addDimension("x", length: 3)
        try writer.addVariable("v", type: .double, dimensions: ["x"])
        try writer.write([1, Double.infinity, .nan], to: "v")
        try writer.commit()
        let reader = try NetCDFReader(path: path)
        #expect(caught { try reader.readDoubles("v") } == .fillValueInRequiredData(
            path: path, variable: "v", index: [1], found: "inf", count: 2))
        let allowed = try reader.readDoubles("v", fill: .allowFill).values
        #expect(allowed[0] == 1 && allowed[1] == .infinity && allowed[2].isNaN)
    }

    @Test func separateReadersWorkFromConcurrentTasks() async throws {
        let path = try fixture("netcdf4.nc")
        let sums = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var sum: Int64 = 0
                    for _ in 0..<20 {
                        sum += try NetCDFReader(path: path).readInt64s("sample_count").values.reduce(0, +)
                    }
                    return sum
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sums == Array(repeating: 20 * (9_007_199_254_740_993 - 5), count: 8))
    }

    @Test func arrayInitialiserChecksConsistency() {
        #expect(caught { try NetCDFArray(dimensions: ["x"], shape: [2, 2], values: [1.0, 2, 3, 4]) }
                == .inconsistentArray(shape: [2, 2], dimensions: ["x"], valueCount: 4))
        #expect(caught { try NetCDFArray(dimensions: ["x"], shape: [3], values: [1.0]) } != nil)
        let array = try? NetCDFArray(dimensions: ["a", "b"], shape: [2, 3], values: Array(0..<6))
        #expect(array?.flatIndex([1, 0]) == 3)
        #expect(array?.flatIndex([2, 0]) == nil)
        #expect(array?.multiIndex(ofFlat: 5) == [1, 2])
    }
}
