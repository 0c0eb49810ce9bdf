import FuzzDriver
import Foundation
import NetCDF

/// The bytes as a classic netCDF file (CDF-1, -2 or -5; see docs/netcdf.md for why netCDF-4/HDF5
/// input is not fed): opened, every variable read with a bound; typed errors only, never a crash or
/// an allocation beyond the bound.
let path = FileManager.default.temporaryDirectory.appendingPathComponent("calibrate-fuzz-\(getpid()).nc").path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(input(data, size))
    guard bytes.count >= 4, bytes.prefix(3) == Data("CDF".utf8) else { return -1 }  // classic only
    guard FileManager.default.createFile(atPath: path, contents: bytes) else { return 0 }
    defer { unlink(path) }
    guard let reader = try? NetCDFReader(path: path, elementLimit: 1 << 20) else { return 0 }
    for variable in reader.variables {
        _ = try? reader.readDoubles(variable.name, fill: .allowFill)
        _ = try? reader.readInt64s(variable.name, fill: .allowFill)
    }
    for dimension in reader.dimensions { _ = try? reader.readCoordinate(dimension.name, fill: .allowFill) }
    for attribute in reader.globalAttributes { _ = attribute.value.text; _ = attribute.value.doubles }
    return 0
}
