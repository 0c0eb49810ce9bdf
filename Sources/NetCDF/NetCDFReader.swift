import CNetCDF
import Foundation

/// A netCDF file opened read-only: its header (dimensions, variables, attributes) and typed,
/// checked reads of variable data.
///
/// Guarantees: opening either succeeds with the whole root-group header read, or throws a
/// `NetCDFError` naming the file and leaves nothing open. Reads check the stored type, the
/// rank and dimension names the caller states, and missing values, before returning data.
/// The underlying netCDF id is closed exactly once, by `close()` or when the reader is released.
///
/// Not `Sendable`: use a reader from one task or thread at a time. Separate readers may be used
/// concurrently; the module serialises all netCDF-C calls because the library is not thread-safe.
public final class NetCDFReader {
    public let path: String
    public let format: NetCDFFormat
    public let dimensions: [NetCDFDimension]
    public let variables: [NetCDFVariable]
    public let globalAttributes: [NetCDFAttribute]

    /// The most values any single read returns (see `init(path:elementLimit:)`).
    public let elementLimit: Int
    /// 2²⁶ values: 512 MB of Double, far more than an experiment file holds.
    public static let defaultElementLimit = 1 << 26

    private let handle: NCHandle
    private let variableIDs: [String: Int32]

    /// Opens `path` read-only.
    ///
    /// Throws `.missingFile` if nothing is there, `.notNetCDF` for another kind of file,
    /// `.corruptFile` for a damaged or truncated netCDF file, `.cannotOpen` otherwise.
    /// `elementLimit` bounds every read: a variable with more values is refused (`.tooLarge`) before
    /// anything is allocated for it, so a small file declaring a huge dimension cannot exhaust memory.
    public init(path: String, elementLimit: Int = NetCDFReader.defaultElementLimit) throws(NetCDFError) {
        // Checked here, not left to nc_open: netCDF-C would treat a missing "http://..." path as a
        // remote (DAP) dataset and try the network.
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            var link = stat()
            if lstat(path, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK {
                throw .cannotOpen(path: path, reason: "it is a symbolic link to nothing (its target is missing, or the links loop)")
            }
            throw .missingFile(path: path)
        }
        guard !isDirectory.boolValue else {
            throw .cannotOpen(path: path, reason: "it is a directory, not a file")
        }
        guard FileSize.of(path) != nil else {  // a device or a pipe would be read forever
            throw .cannotOpen(path: path, reason: "it is not a regular file (a device, a pipe or a socket)")
        }
        // Before nc_open: netCDF-C trusts a classic header's names and counts (see ClassicHeader).
        try ClassicHeader.validate(path: path)
        var ncid: Int32 = -1
        try NetCDFLibrary.call(path, .open) { nc_open(path, NC_NOWRITE, &ncid) }
        let handle = NCHandle(ncid: ncid, path: path)  // from here on, releasing `handle` closes the file
        let header = try Header(reading: handle, fileSize: FileSize.of(path) ?? Int.max)
        self.elementLimit = max(elementLimit, 0)
        self.path = path
        self.handle = handle
        format = header.format
        dimensions = header.dimensions
        variables = header.variables
        globalAttributes = header.globalAttributes
        variableIDs = header.variableIDs
    }

    /// Closes the file now rather than when the reader is released; later reads throw `.closed`.
    public func close() throws(NetCDFError) {
        try handle.close()
    }

    // MARK: Header lookups

    /// The named variable's header; `.missingVariable` (listing the available ones) if absent.
    public func variable(_ name: String) throws(NetCDFError) -> NetCDFVariable {
        guard let variable = variables.first(where: { $0.name == name }) else {
            throw .missingVariable(path: path, variable: name, available: variables.map(\.name))
        }
        return variable
    }

    /// The named dimension; `.missingDimension` (listing the available ones) if absent.
    public func dimension(_ name: String) throws(NetCDFError) -> NetCDFDimension {
        guard let dimension = dimensions.first(where: { $0.name == name }) else {
            throw .missingDimension(path: path, dimension: name, available: dimensions.map(\.name))
        }
        return dimension
    }

    /// The CF coordinate variable of a dimension (1-D, named like the dimension), if there is one.
    public func coordinateVariable(for dimension: String) throws(NetCDFError) -> NetCDFVariable? {
        _ = try self.dimension(dimension)
        return variables.first { $0.name == dimension && $0.isCoordinateVariable }
    }

    /// Reads the CF coordinate variable of `dimension` as Double; errors as for `readDoubles`.
    public func readCoordinate(_ dimension: String,
                               fill: NetCDFFillPolicy = .requireNoFill, limit: Int? = nil) throws(NetCDFError) -> NetCDFArray<Double> {
        _ = try self.dimension(dimension)
        return try read(dimension, dimensions: [dimension], rank: nil, fill: fill, limit: limit)
    }

    // MARK: Attributes

    /// An attribute of `variable`, or a global attribute when `variable` is nil.
    public func attribute(_ name: String, of variable: String? = nil) throws(NetCDFError) -> NetCDFAttribute {
        var attributes = globalAttributes
        if let variable { attributes = try self.variable(variable).attributes }
        guard let attribute = attributes.first(where: { $0.name == name }) else {
            throw .missingAttribute(path: path, variable: variable, attribute: name,
                                    available: attributes.map(\.name))
        }
        return attribute
    }

    /// A text attribute (char, or a single netCDF-4 string); `.wrongAttributeType` for numbers.
    public func textAttribute(_ name: String, of variable: String? = nil) throws(NetCDFError) -> String {
        let attribute = try self.attribute(name, of: variable)
        guard let text = attribute.value.text else {
            throw .wrongAttributeType(path: path, variable: variable, attribute: name,
                                      expected: "text", found: attribute.type)
        }
        return text
    }

    /// A numeric attribute widened to Double; `.wrongAttributeType` for text.
    public func numericAttribute(_ name: String, of variable: String? = nil) throws(NetCDFError) -> [Double] {
        let attribute = try self.attribute(name, of: variable)
        guard let values = attribute.value.doubles else {
            throw .wrongAttributeType(path: path, variable: variable, attribute: name,
                                      expected: "numeric", found: attribute.type)
        }
        return values
    }

    /// The CF `units` text of a variable, or nil if it has none.
    public func units(of variable: String) throws(NetCDFError) -> String? {
        try optionalText("units", of: variable)
    }

    /// The CF `long_name` text of a variable, or nil if it has none.
    public func longName(of variable: String) throws(NetCDFError) -> String? {
        try optionalText("long_name", of: variable)
    }

    private func optionalText(_ name: String, of variable: String) throws(NetCDFError) -> String? {
        guard try self.variable(variable).attribute(name) != nil else { return nil }
        return try textAttribute(name, of: variable)
    }

    // MARK: Data

    /// Reads a whole variable as Double. Accepts double and, as exact widenings, float, int,
    /// short, byte, uint, ushort and ubyte; int64, char and string variables are `.wrongType`.
    ///
    /// `dimensions` (names, in order) and `rank`, when given, must match the variable's, else
    /// `.wrongRank` / `.wrongDimensions`. `limit`, when given, is the most values the caller can use:
    /// a larger variable is `.tooLarge`, refused before anything is allocated (as is one larger
    /// than the reader's `elementLimit`). See `NetCDFFillPolicy` for how missing values are treated.
    public func readDoubles(_ name: String, dimensions: [String]? = nil, rank: Int? = nil,
                            fill: NetCDFFillPolicy = .requireNoFill, limit: Int? = nil) throws(NetCDFError) -> NetCDFArray<Double> {
        try read(name, dimensions: dimensions, rank: rank, fill: fill, limit: limit)
    }

    /// Reads a whole variable as Float: float, short, byte, ushort or ubyte. See `readDoubles`.
    public func readFloats(_ name: String, dimensions: [String]? = nil, rank: Int? = nil,
                           fill: NetCDFFillPolicy = .requireNoFill, limit: Int? = nil) throws(NetCDFError) -> NetCDFArray<Float> {
        try read(name, dimensions: dimensions, rank: rank, fill: fill, limit: limit)
    }

    /// Reads a whole variable as Int32: int, short, byte, ushort or ubyte. See `readDoubles`.
    public func readInt32s(_ name: String, dimensions: [String]? = nil, rank: Int? = nil,
                           fill: NetCDFFillPolicy = .requireNoFill, limit: Int? = nil) throws(NetCDFError) -> NetCDFArray<Int32> {
        try read(name, dimensions: dimensions, rank: rank, fill: fill, limit: limit)
    }

    /// Reads a whole variable as Int64: int64, int, uint, short, byte, ushort or ubyte.
    /// See `readDoubles`.
    public func readInt64s(_ name: String, dimensions: [String]? = nil, rank: Int? = nil,
                           fill: NetCDFFillPolicy = .requireNoFill, limit: Int? = nil) throws(NetCDFError) -> NetCDFArray<Int64> {
        try read(name, dimensions: dimensions, rank: rank, fill: fill, limit: limit)
    }

    private func read<T: NCElement>(_ name: String, dimensions expected: [String]?, rank: Int?,
                                    fill: NetCDFFillPolicy, limit: Int?) throws(NetCDFError) -> NetCDFArray<T> {
        let variable = try self.variable(name)
        guard T.readableTypes.contains(variable.type) else {
            throw .wrongType(path: path, variable: name, expected: T.storedType, found: variable.type)
        }
        if let rank, rank != variable.rank {
            throw .wrongRank(path: path, variable: name, expected: rank, found: variable.rank,
                             dimensions: variable.dimensions)
        }
        if let expected, expected != variable.dimensions {
            if expected.count != variable.rank {
                throw .wrongRank(path: path, variable: name, expected: expected.count,
                                 found: variable.rank, dimensions: variable.dimensions)
            }
            throw .wrongDimensions(path: path, variable: name, expected: expected, found: variable.dimensions)
        }
        guard let varid = variableIDs[name] else {
            throw .missingVariable(path: path, variable: name, available: variables.map(\.name))
        }

        var count = 1
        for extent in variable.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw .corruptFile(path: path, detail: "variable '\(name)' claims shape \(variable.shape)")
            }
            count = product
        }
        let most = min(limit ?? elementLimit, elementLimit)
        guard count <= most else {
            throw .tooLarge(path: path, variable: name, shape: variable.shape, dimensions: variable.dimensions, limit: most)
        }
        var values = [T](repeating: 0, count: count)
        if count > 0 {
            try handle.call(.read(variable: name)) { ncid in
                values.withUnsafeMutableBufferPointer { T.getVar(ncid, varid, $0.baseAddress!) }
            }
        }
        let array = NetCDFArray(unchecked: variable.dimensions, shape: variable.shape, values: values)
        return try checkMissing(array, variable: variable, varid: varid, fill: fill)
    }

    /// Applies the fill policy: errors on, or replaces, values equal to the fill value.
    private func checkMissing<T: NCElement>(_ array: NetCDFArray<T>, variable: NetCDFVariable, varid: Int32,
                                            fill: NetCDFFillPolicy) throws(NetCDFError) -> NetCDFArray<T> {
        let fillValue: T? = try self.fillValue(of: variable, varid: varid)
        func isFill(_ value: T) -> Bool { fillValue.map { $0 == value } ?? false }

        switch fill {
        case .requireNoFill:
            var first: Int?
            var count = 0
            for (i, value) in array.values.enumerated() where !value.isFiniteValue || isFill(value) {
                first = first ?? i
                count += 1
            }
            guard let first else { return array }
            let value = array.values[first]
            let found = isFill(value) ? "the fill value \(value)" : "\(value)"
            throw .fillValueInRequiredData(path: path, variable: variable.name,
                                           index: array.multiIndex(ofFlat: first), found: found, count: count)
        case .allowFill:
            guard let missing = T.missing, fillValue != nil else { return array }
            return NetCDFArray(unchecked: array.dimensions, shape: array.shape,
                               values: array.values.map { isFill($0) ? missing : $0 })
        }
    }

    /// The variable's fill value as T: its `_FillValue`, else netCDF's default fill for its type
    /// (what unwritten records hold), or nil if filling is off or the value does not fit T.
    private func fillValue<T: NCElement>(of variable: NetCDFVariable, varid: Int32) throws(NetCDFError) -> T? {
        var noFill: Int32 = 0
        var storage: (UInt64, UInt64) = (0, 0)  // room for any numeric type nc_inq_var_fill may write
        try handle.call(.read(variable: variable.name)) { ncid in
            withUnsafeMutableBytes(of: &storage) { nc_inq_var_fill(ncid, varid, &noFill, $0.baseAddress) }
        }
        guard noFill == 0 else { return nil }
        return withUnsafeBytes(of: storage) { bytes in
            NativeScalar(type: variable.type, bytes: bytes).flatMap { T(exactly: $0) }
        }
    }
}

@available(*, unavailable, message: "netCDF ids must not be shared between threads")
extension NetCDFReader: Sendable {}
