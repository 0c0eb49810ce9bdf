import Foundation
import Testing
@testable import NetCDF

/// Reading files made by a real netCDF client: ncgen (Debian netcdf-bin) from the CDL texts in
/// Fixtures/. The generated .nc files are committed, so these tests do not need ncgen.
@Suite struct ClassicFixtureTests {
    let path: String
    let reader: NetCDFReader

    init() throws {
        path = try fixture("classic.nc")
        reader = try NetCDFReader(path: path)
    }

    @Test func header() throws {
        #expect(reader.format == .classic)
        #expect(reader.dimensions == [
            NetCDFDimension(name: "time", length: 4, isUnlimited: true),
            NetCDFDimension(name: "x", length: 3, isUnlimited: false),
            NetCDFDimension(name: "name_len", length: 6, isUnlimited: false),
        ])
        #expect(reader.variables.map(\.name) == ["time", "x", "temperature", "heat_flux", "sensor_id",
                                                 "quality", "sensor_name", "conductivity"])
        let temperature = try reader.variable("temperature")
        #expect(temperature.type == .double)
        #expect(temperature.dimensions == ["time", "x"])
        #expect(temperature.shape == [4, 3])
        #expect(temperature.attribute("_FillValue")?.value == .doubles([-999]))
        #expect(try reader.variable("sensor_name").type == .char)
        #expect(try reader.variable("conductivity").rank == 0)
    }

    @Test func attributes() throws {
        #expect(try reader.units(of: "temperature") == "K")
        #expect(try reader.longName(of: "x") == "position along the rod")
        #expect(try reader.units(of: "quality") == nil)
        #expect(try reader.textAttribute("Conventions") == "CF-1.8")
        #expect(try reader.attribute("experiment_id").value == .int32s([42]))
        #expect(try reader.numericAttribute("ambient_temperature") == [293.15])
        #expect(try reader.numericAttribute("valid_range", of: "sensor_id") == [1, 9999])
        #expect(reader.globalAttributes.map(\.name) == ["Conventions", "title", "experiment_id",
                                                        "ambient_temperature"])
    }

    @Test func typedReads() throws {
        let temperature = try reader.readDoubles("temperature", dimensions: ["time", "x"])
        #expect(temperature.shape == [4, 3])
        #expect(temperature.dimensions == ["time", "x"])
        #expect(temperature.values == [300, 301.5, 302, 310, 311.25, 312, 320, 321, 322.75, 330, 331, 332])
        #expect(temperature[2, 2] == 322.75)
        #expect(try reader.readFloats("x").values == [0, 0.5, 1])
        #expect(try reader.readInt32s("sensor_id", rank: 1).values == [101, 102, 103])
        #expect(try reader.readInt64s("sensor_id").values == [101, 102, 103])
        #expect(try reader.readDoubles("conductivity").scalar == 401.5)
    }

    @Test func documentedWideningConversions() throws {
        #expect(try reader.readDoubles("x").values == [0, 0.5, 1])  // float → Double
        #expect(try reader.readDoubles("sensor_id").values == [101, 102, 103])  // int → Double
        #expect(try reader.readDoubles("quality").values == [1, -2, 3])  // short → Double
        #expect(try reader.readInt32s("quality").values == [1, -2, 3])  // short → Int32
    }

    @Test func coordinateVariables() throws {
        #expect(try reader.coordinateVariable(for: "time")?.name == "time")
        #expect(try reader.coordinateVariable(for: "name_len") == nil)
        #expect(try reader.readCoordinate("time").values == [0, 60, 120, 180])
        #expect(try reader.readCoordinate("x").values == [0, 0.5, 1])
        #expect(caught { try reader.coordinateVariable(for: "depth") }
                == .missingDimension(path: path, dimension: "depth", available: ["time", "x", "name_len"]))
    }

    @Test func wrongTypeNamesExpectedAndFound() throws {
        let error = caught { try reader.readInt32s("temperature") }
        #expect(error == .wrongType(path: path, variable: "temperature", expected: .int, found: .double))
        #expect(error?.description == "netCDF file '\(path)': variable 'temperature' has type double, "
                + "but int was expected. Use the Swift type that matches double (Double), "
                + "or check that this is the intended file.")
        #expect(caught { try reader.readDoubles("sensor_name") }
                == .wrongType(path: path, variable: "sensor_name", expected: .double, found: .char))
        #expect(caught { try reader.readFloats("sensor_id") }
                == .wrongType(path: path, variable: "sensor_id", expected: .float, found: .int))
        #expect(caught { try reader.textAttribute("experiment_id") }
                == .wrongAttributeType(path: path, variable: nil, attribute: "experiment_id",
                                       expected: "text", found: .int))
        #expect(caught { try reader.numericAttribute("units", of: "x") }
                == .wrongAttributeType(path: path, variable: "x", attribute: "units",
                                       expected: "numeric", found: .char))
    }

    @Test func missingVariableListsWhatIsAvailable() throws {
        let error = caught { try reader.readDoubles("pressure") }
        #expect(error?.description == "netCDF file '\(path)' has no variable 'pressure'. Available variables: "
                + "time, x, temperature, heat_flux, sensor_id, quality, sensor_name, conductivity.")
        #expect(caught { try reader.units(of: "pressure") } == .missingVariable(
            path: path, variable: "pressure", available: reader.variables.map(\.name)))
        #expect(caught { try reader.attribute("history") } == .missingAttribute(
            path: path, variable: nil, attribute: "history",
            available: ["Conventions", "title", "experiment_id", "ambient_temperature"]))
    }

    @Test func wrongRankAndDimensions() throws {
        let error = caught { try reader.readDoubles("temperature", dimensions: ["time"]) }
        #expect(error == .wrongRank(path: path, variable: "temperature", expected: 1, found: 2,
                                    dimensions: ["time", "x"]))
        #expect(error?.description == "netCDF file '\(path)': variable 'temperature' has 2 dimension(s) "
                + "(time, x), but 1 were expected. Check the variable's dimensions with `ncdump -h`.")
        #expect(caught { try reader.readDoubles("conductivity", rank: 1) } == .wrongRank(
            path: path, variable: "conductivity", expected: 1, found: 0, dimensions: []))
        #expect(caught { try reader.readDoubles("temperature", dimensions: ["x", "time"]) }
                == .wrongDimensions(path: path, variable: "temperature", expected: ["x", "time"],
                                    found: ["time", "x"]))
    }

    @Test func fillValueWhereDataAreRequired() throws {
        let error = caught { try reader.readDoubles("heat_flux") }
        #expect(error == .fillValueInRequiredData(path: path, variable: "heat_flux", index: [2],
                                                  found: "the fill value -999.0", count: 1))
        #expect(error?.description == "netCDF file '\(path)': variable 'heat_flux' has 1 missing value(s); "
                + "the first is at index [2] (found the fill value -999.0) where data are required. "
                + "Supply the missing data, or read with fill: .allowFill to get NaN for missing values.")
        let allowed = try reader.readDoubles("heat_flux", fill: .allowFill).values
        #expect(allowed[0] == 1000 && allowed[1] == 1010 && allowed[2].isNaN && allowed[3] == 1030)
    }

    @Test func closedReaderRefusesReads() throws {
        let reader = try NetCDFReader(path: path)
        try reader.close()
        try reader.close()  // closing twice is harmless
        #expect(caught { try reader.readDoubles("time") } == .closed(path: path))
        #expect(try reader.variable("time").shape == [4])  // the header stays available
    }

    @Test func dataCutShortIsReportedWithSizes() throws {
        let directory = try TemporaryDirectory()
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = directory.file("cut.nc")
        try whole.dropLast(8).write(to: URL(fileURLWithPath: cut))
        let error = caught { try NetCDFReader(path: cut) }
        #expect(error == .corruptFile(path: cut, detail: "the file has \(whole.count - 8) bytes but its "
                                      + "header describes \(whole.count)"))
    }
}

@Suite struct NetCDF4FixtureTests {
    let path: String
    let reader: NetCDFReader

    init() throws {
        path = try fixture("netcdf4.nc")
        reader = try NetCDFReader(path: path)
    }

    @Test func headerAndAttributes() throws {
        #expect(reader.format == .netCDF4)
        #expect(try reader.dimension("time") == NetCDFDimension(name: "time", length: 3, isUnlimited: true))
        #expect(try reader.variable("sample_count").type == .int64)
        #expect(try reader.variable("raw_counts").type == .ushort)
        #expect(try reader.attribute("history").value == .strings(["made by ncgen from netcdf4.cdl"]))
        #expect(try reader.textAttribute("history") == "made by ncgen from netcdf4.cdl")
        #expect(try reader.attribute("scale").value == .floats([2.5, 3.5]))
        #expect(try reader.units(of: "pressure") == "Pa")
    }

    @Test func int64AndUnsignedValues() throws {
        #expect(try reader.readInt64s("sample_count").values == [9_007_199_254_740_993, -5])
        #expect(try reader.readInt32s("raw_counts").values == [65000, 12])
        #expect(try reader.readCoordinate("station").values == [7, 9])
        // int64 → Double could round (2^53 + 1 here), so it is refused rather than widened.
        #expect(caught { try reader.readDoubles("sample_count") }
                == .wrongType(path: path, variable: "sample_count", expected: .double, found: .int64))
        #expect(caught { try reader.readInt32s("sample_count") }
                == .wrongType(path: path, variable: "sample_count", expected: .int, found: .int64))
    }

    @Test func floatFillValues() throws {
        #expect(caught { try reader.readFloats("pressure", dimensions: ["time", "station"]) }
                == .fillValueInRequiredData(path: path, variable: "pressure", index: [1, 0],
                                            found: "the fill value -1.0", count: 1))
        let pressure = try reader.readDoubles("pressure", fill: .allowFill)
        #expect(pressure.shape == [3, 2])
        #expect(pressure[1, 0].isNaN)
        #expect(pressure[0, 0] == 101_325 && pressure[2, 1] == 101_270)
    }
}

@Suite struct FixtureFilesTests {
    /// ncgen is only needed to regenerate fixtures: each CDL text has its .nc committed beside it.
    @Test func everyCDLHasACommittedNetCDFFileSoNcgenIsNotNeeded() throws {
        let directory = try fixture("")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        let texts = names.filter { $0.hasSuffix(".cdl") }.sorted()
        #expect(texts == ["classic.cdl", "netcdf4.cdl"])
        for text in texts {
            let generated = directory + "/" + text.dropLast(4) + ".nc"
            #expect(FileManager.default.fileExists(atPath: generated), "run Fixtures/regenerate.sh")
            #expect(caught { try NetCDFReader(path: generated) } == nil)
        }
    }

    /// When netcdf-bin is installed, the committed files must still match their CDL.
    @Test(.enabled(if: executable("ncgen") != nil && executable("ncdump") != nil))
    func committedFilesMatchTheirCDL() throws {
        let ncgen = try #require(executable("ncgen"))
        let ncdump = try #require(executable("ncdump"))
        let scratch = try TemporaryDirectory()
        for (name, kind) in [("classic", "classic"), ("netcdf4", "nc4")] {
            let fresh = scratch.file(name + ".nc")
            _ = try #require(try run(ncgen, ["-k", kind, "-o", fresh, try fixture(name + ".cdl")]))
            let expected = try #require(try run(ncdump, [fresh]))
            let committed = try #require(try run(ncdump, [try fixture(name + ".nc")]))
            #expect(committed == expected, "\(name).nc is stale: run Fixtures/regenerate.sh")
        }
    }
}
