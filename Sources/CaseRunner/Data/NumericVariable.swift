import NetCDF

/// Reads a numeric netCDF variable of any integer or float width as Double, the way xarray and
/// netCDF4-python write them (int64 by default for integers), so that data and coordinates are
/// checked alike whatever their stored type.
///
/// Guarantees: every value returned is the stored value exactly (an int64 beyond ±2⁵³, which a
/// Double cannot hold, is an error naming the variable and index), unpacked by the CF attributes
/// `scale_factor` and `add_offset` when present (value = stored × scale_factor + add_offset, CF 1.11
/// §8.1); missing values follow `NetCDFFillPolicy` as for `NetCDFReader.readDoubles`, with the
/// `_FillValue` of an int64 variable (or netCDF's default int64 fill) and a CF `missing_value`
/// taken as missing too. Errors are in netCDF/CDL terms.
enum NumericVariable {
    /// The stored types read as numbers; text (char, string) and user-defined types are not.
    static let types: Set<NetCDFDataType> = [.double, .float, .int64, .int, .short, .byte, .uint, .ushort, .ubyte]

    /// Whether a variable holds text labels (char or string), which are never read as numbers.
    static func isText(_ type: NetCDFDataType) -> Bool { type == .char || type == .string }

    /// netCDF-C's default fill for int64 (NC_FILL_INT64), what unwritten int64 values hold.
    private static let defaultInt64Fill: Int64 = -9_223_372_036_854_775_806

    /// The largest magnitude below which every integer is a Double exactly.
    private static let exactIntegerLimit: Int64 = 1 << 53

    /// The values of `name` in row-major order; NaN for missing values under `.allowFill`.
    static func read(_ name: String, file: NetCDFReader, fill: NetCDFFillPolicy) throws -> [Double] {
        let header = try file.variable(name)
        var values = try readStored(name, header: header, file: file, fill: fill)
        // CF missing_value: like _FillValue, compared with the stored (packed) values.
        if let missing = header.attribute("missing_value")?.value.doubles, !missing.isEmpty {
            for i in values.indices where missing.contains(values[i]) {
                guard fill == .allowFill else {
                    throw DataProblem("variable '\(name)' holds its missing_value \(values[i]) at index "
                                      + "\(ObservationReader.multiIndex(i, header.shape)); supply the data, or declare a _FillValue "
                                      + "so that missing values are left out of the fit")
                }
                values[i] = .nan
            }
        }
        // CF packing (CF 1.11 §8.1).
        let scale = try packingAttribute("scale_factor", of: header, name: name) ?? 1
        let offset = try packingAttribute("add_offset", of: header, name: name) ?? 0
        if scale != 1 || offset != 0 {
            for i in values.indices { values[i] = values[i] * scale + offset }
        }
        return values
    }

    private static func packingAttribute(_ attribute: String, of header: NetCDFVariable, name: String) throws -> Double? {
        guard let value = header.attribute(attribute) else { return nil }
        guard let numbers = value.value.doubles, numbers.count == 1, numbers[0].isFinite else {
            throw DataProblem("variable '\(name)' has a \(attribute) attribute that is not one finite number; CF packing needs "
                              + "one number (or remove the attribute)")
        }
        return numbers[0]
    }

    private static func readStored(_ name: String, header: NetCDFVariable, file: NetCDFReader, fill: NetCDFFillPolicy) throws -> [Double] {
        switch header.type {
        case .int64:
            return try readInt64(name, header: header, file: file, fill: fill)
        case .uint64:
            throw DataProblem("variable '\(name)' is stored as uint64, which cannot be read exactly as numbers here; "
                            + "store it as int64 or double (in xarray: ds['\(name)'].astype('int64'))")
        case let type where isText(type):
            throw DataProblem("variable '\(name)' holds text (\(type)), but numbers are expected; store the values as "
                            + "double, float or an integer type")
        case let type where !types.contains(type):
            throw DataProblem("variable '\(name)' has the netCDF type \(type), which is not a number; store it as double, "
                            + "float or an integer type")
        default:
            return try file.readDoubles(name, fill: fill).values
        }
    }

    private static func readInt64(_ name: String, header: NetCDFVariable, file: NetCDFReader, fill: NetCDFFillPolicy) throws -> [Double] {
        let stored = try file.readInt64s(name, fill: fill).values
        let declared = header.attribute("_FillValue").flatMap { $0.value.doubles?.first }
        var values = [Double](repeating: 0, count: stored.count)
        for (i, v) in stored.enumerated() {
            if fill == .allowFill, v == defaultInt64Fill || declared.map({ Double(v) == $0 }) ?? false {
                values[i] = .nan
                continue
            }
            guard v.magnitude <= UInt64(exactIntegerLimit) else {
                throw DataProblem("variable '\(name)' holds \(v) at index \(ObservationReader.multiIndex(i, header.shape)), an int64 too large "
                                + "to be represented exactly as a double (beyond ±2^53); store the values as double")
            }
            values[i] = Double(v)
        }
        return values
    }
}

/// A problem with one variable of a data file, as a sentence in netCDF/CDL terms; the caller adds
/// the file and the observable it was read for.
struct DataProblem: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
