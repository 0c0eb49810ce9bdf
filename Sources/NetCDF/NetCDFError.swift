/// Every failure the NetCDF module reports.
///
/// Each case names the file (as the caller spelled its path) and, where there is one, the
/// variable, dimension or attribute involved; cases about a mismatch carry what was expected
/// and what was found. `description` is a complete sentence meant for the person running the
/// program: what went wrong, where, and what to do about it.
public enum NetCDFError: Error, CustomStringConvertible, Sendable, Equatable {
    // Opening, creating and finishing files.
    case missingFile(path: String)
    case notNetCDF(path: String)
    case corruptFile(path: String, detail: String)
    case cannotOpen(path: String, reason: String)
    case cannotCreate(path: String, reason: String)
    case commitFailed(path: String, reason: String)
    case closed(path: String)

    // Looking things up by name.
    case missingVariable(path: String, variable: String, available: [String])
    case missingDimension(path: String, dimension: String, available: [String])
    case missingAttribute(path: String, variable: String?, attribute: String, available: [String])

    // Type, shape and content of data.
    case wrongType(path: String, variable: String, expected: NetCDFDataType, found: NetCDFDataType)
    case wrongAttributeType(path: String, variable: String?, attribute: String,
                            expected: String, found: NetCDFDataType)
    case wrongRank(path: String, variable: String, expected: Int, found: Int, dimensions: [String])
    case wrongDimensions(path: String, variable: String, expected: [String], found: [String])
    case wrongValueCount(path: String, variable: String, shape: [Int], isRecordVariable: Bool, found: Int)
    case fillValueInRequiredData(path: String, variable: String, index: [Int], found: String, count: Int)
    /// A variable with more values than the reader's or the caller's limit: refused before reading.
    case tooLarge(path: String, variable: String, shape: [Int], dimensions: [String], limit: Int)

    // Defining the contents of a new file.
    case unsupportedType(path: String, name: String, type: NetCDFDataType, format: NetCDFFormat)
    case invalidOperation(path: String, name: String, reason: String)
    case inconsistentArray(shape: [Int], dimensions: [String], valueCount: Int)

    /// A netCDF-C status that has no more specific case; `message` is the library's own text.
    case library(path: String, operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "netCDF file '\(path)' does not exist. Check the path and the working directory."
        case let .notNetCDF(path):
            return "'\(path)' is not a netCDF file (neither classic nor netCDF-4/HDF5). "
                + "Check that the path points at the data file and not at another kind of file."
        case let .corruptFile(path, detail):
            return "netCDF file '\(path)' is corrupt or truncated (\(detail)). "
                + "Copy the file again or regenerate it; `ncdump -h` must be able to read it."
        case let .cannotOpen(path, reason):
            return "cannot open netCDF file '\(path)': \(reason). Check the path and its permissions."
        case let .cannotCreate(path, reason):
            return "cannot create netCDF file '\(path)': \(reason). "
                + "Check that the directory exists and is writable."
        case let .commitFailed(path, reason):
            return "cannot finish writing netCDF file '\(path)': \(reason). "
                + "The file was not replaced; check the disk space and the directory's permissions."
        case let .closed(path):
            return "netCDF file '\(path)' is already closed (committed, closed, or abandoned after an "
                + "earlier error). Open a new reader or writer."
        case let .missingVariable(path, variable, available):
            return "netCDF file '\(path)' has no variable '\(variable)'. Available variables: "
                + list(available) + "."
        case let .missingDimension(path, dimension, available):
            return "netCDF file '\(path)' has no dimension '\(dimension)'. Available dimensions: "
                + list(available) + "."
        case let .missingAttribute(path, variable, attribute, available):
            return "netCDF file '\(path)': \(owner(variable)) has no attribute '\(attribute)'. "
                + "Available attributes: " + list(available) + "."
        case let .wrongType(path, variable, expected, found):
            return "netCDF file '\(path)': variable '\(variable)' has type \(found), but \(expected) "
                + "was expected. Use the Swift type that matches \(found) (\(swiftTypes(for: found))), "
                + "or check that this is the intended file."
        case let .wrongAttributeType(path, variable, attribute, expected, found):
            return "netCDF file '\(path)': attribute '\(attribute)' of \(owner(variable)) has type "
                + "\(found), but \(expected) was expected. Fix the attribute in the file."
        case let .wrongRank(path, variable, expected, found, dimensions):
            return "netCDF file '\(path)': variable '\(variable)' has \(found) dimension(s) "
                + "(\(names(dimensions))), but \(expected) were expected. "
                + "Check the variable's dimensions with `ncdump -h`."
        case let .wrongDimensions(path, variable, expected, found):
            return "netCDF file '\(path)': variable '\(variable)' has dimensions (\(names(found))), "
                + "but (\(names(expected))) were expected. Check the variable's dimensions with `ncdump -h`."
        case let .wrongValueCount(path, variable, shape, isRecordVariable, found):
            if isRecordVariable {
                let perRecord = shape.dropFirst().reduce(1, *)
                return "netCDF file '\(path)': variable '\(variable)' takes whole records of shape "
                    + "\(Array(shape.dropFirst())) (a multiple of \(perRecord) values), but \(found) "
                    + "values were given."
            }
            return "netCDF file '\(path)': variable '\(variable)' has shape \(shape) and needs "
                + "\(shape.reduce(1, *)) values, but \(found) were given."
        case let .fillValueInRequiredData(path, variable, index, found, count):
            return "netCDF file '\(path)': variable '\(variable)' has \(count) missing value(s); the "
                + "first is at index \(index) (found \(found)) where data are required. Supply the "
                + "missing data, or read with fill: .allowFill to get NaN for missing values."
        case let .tooLarge(path, variable, shape, dimensions, limit):
            let sizes = zip(dimensions, shape).map { "\($0) = \($1)" }.joined(separator: ", ")
            return "netCDF file '\(path)': variable '\(variable)' declares \(sizes.isEmpty ? "its shape" : sizes), more "
                + "than the \(limit) values that can be read here. Check the dimensions with `ncdump -h`: the "
                + "file is damaged or is not the data of this case."
        case let .unsupportedType(path, name, type, format):
            return "netCDF file '\(path)': '\(name)' of type \(type) cannot be stored in \(format) "
                + "format. Create the file with format: .netCDF4, or store double, float or int."
        case let .invalidOperation(path, name, reason):
            return "netCDF file '\(path)': '\(name)': \(reason)."
        case let .inconsistentArray(shape, dimensions, valueCount):
            return "array of shape \(shape) with dimensions (\(names(dimensions))) cannot hold "
                + "\(valueCount) values: it needs one dimension name per axis and "
                + "\(shape.reduce(1, *)) values."
        case let .library(path, operation, code, message):
            return "netCDF file '\(path)': \(operation) failed: \(message) (netCDF error \(code))."
        }
    }
}

private func list(_ names: [String]) -> String {
    names.isEmpty ? "none" : names.joined(separator: ", ")
}

private func names(_ dimensions: [String]) -> String {
    dimensions.joined(separator: ", ")
}

private func owner(_ variable: String?) -> String {
    variable.map { "variable '\($0)'" } ?? "the file (global attributes)"
}

/// Which Swift element types can hold values of a stored netCDF type without loss.
private func swiftTypes(for type: NetCDFDataType) -> String {
    let names = [("Double", Double.self as any NCElement.Type), ("Float", Float.self),
                 ("Int32", Int32.self), ("Int64", Int64.self)]
        .filter { $0.1.readableTypes.contains(type) }.map(\.0)
    return names.isEmpty ? "no numeric Swift type; this module cannot read it as numbers"
                         : names.joined(separator: " or ")
}
