import CNetCDF

/// Everything in a file's root group except variable data, read once when a file is opened.
///
/// Groups below the root (a netCDF-4 feature) are not listed.
struct Header {
    let format: NetCDFFormat
    let dimensions: [NetCDFDimension]
    let variables: [NetCDFVariable]
    let variableIDs: [String: Int32]
    let globalAttributes: [NetCDFAttribute]

    /// `fileSize` bounds every count and attribute length the library reports: a header cannot
    /// describe more names or attribute bytes than the file holds.
    init(reading handle: NCHandle, fileSize: Int) throws(NetCDFError) {
        var formatCode: Int32 = 0
        try handle.call(.inquire) { nc_inq_format($0, &formatCode) }
        guard let format = NetCDFFormat(formatCode: formatCode) else {
            throw .cannotOpen(path: handle.path, reason: "its netCDF format (code \(formatCode)) is "
                              + "not classic, 64-bit offset, CDF-5 or netCDF-4, which this module reads")
        }
        self.format = format

        let dimensionIDs = try Self.ids(handle, fileSize: fileSize) { nc_inq_dimids($0, &$1, $2, 0) }
        let unlimitedIDs = Set(try Self.ids(handle, fileSize: fileSize) { nc_inq_unlimdims($0, &$1, $2) })
        var dimensionsByID: [Int32: NetCDFDimension] = [:]
        var dimensions: [NetCDFDimension] = []
        for id in dimensionIDs {
            var length = 0
            let name = try Self.name(handle, .inquire) { nc_inq_dim($0, id, $1, &length) }
            let dimension = NetCDFDimension(name: name, length: length,
                                            isUnlimited: unlimitedIDs.contains(id))
            dimensionsByID[id] = dimension
            dimensions.append(dimension)
        }
        self.dimensions = dimensions

        var variables: [NetCDFVariable] = []
        var variableIDs: [String: Int32] = [:]
        for varid in try Self.ids(handle, fileSize: fileSize, { nc_inq_varids($0, &$1, $2) }) {
            var type: nc_type = 0
            var rank: Int32 = 0
            var attributeCount: Int32 = 0
            var dimids = [Int32](repeating: 0, count: Int(NC_MAX_VAR_DIMS))
            let name = try Self.name(handle, .inquire) {
                nc_inq_var($0, varid, $1, &type, &rank, &dimids, &attributeCount)
            }
            var names: [String] = []
            var shape: [Int] = []
            for id in dimids.prefix(Int(rank)) {
                if let dimension = dimensionsByID[id] {
                    names.append(dimension.name)
                    shape.append(dimension.length)
                } else {  // a dimension defined in an enclosing group
                    var length = 0
                    names.append(try Self.name(handle, .inquire) { nc_inq_dim($0, id, $1, &length) })
                    shape.append(length)
                }
            }
            let attributes = try Self.attributes(handle, varid: varid, variable: name, count: attributeCount, fileSize: fileSize)
            variables.append(NetCDFVariable(name: name, type: NetCDFDataType(type), dimensions: names,
                                      shape: shape, attributes: attributes))
            variableIDs[name] = varid
        }
        self.variables = variables
        self.variableIDs = variableIDs

        var globalCount: Int32 = 0
        try handle.call(.inquire) { nc_inq_natts($0, &globalCount) }
        globalAttributes = try Self.attributes(handle, varid: NC_GLOBAL, variable: nil, count: globalCount, fileSize: fileSize)
    }

    /// Runs an `nc_inq_*ids` style call twice: once for the count, once for the ids.
    private static func ids(
        _ handle: NCHandle, fileSize: Int,
        _ inquire: (Int32, inout Int32, UnsafeMutablePointer<Int32>?) -> Int32
    ) throws(NetCDFError) -> [Int32] {
        var count: Int32 = 0
        try handle.call(.inquire) { inquire($0, &count, nil) }
        guard count >= 0, Int(count) <= fileSize else {
            throw .corruptFile(path: handle.path, detail: "its header lists \(count) dimensions or variables in \(fileSize) bytes")
        }
        var ids = [Int32](repeating: 0, count: Int(count))
        try handle.call(.inquire) { ncid in
            ids.withUnsafeMutableBufferPointer { inquire(ncid, &count, $0.baseAddress) }
        }
        return Array(ids.prefix(Int(count)))
    }

    /// Runs a call that writes a NUL-terminated name of at most NC_MAX_NAME bytes.
    static func name(_ handle: NCHandle, _ operation: NCOperation,
                     _ body: (Int32, UnsafeMutablePointer<CChar>) -> Int32) throws(NetCDFError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
        try handle.call(operation) { ncid in buffer.withUnsafeMutableBufferPointer { body(ncid, $0.baseAddress!) } }
        return decode(buffer.prefix { $0 != 0 })
    }

    private static func attributes(_ handle: NCHandle, varid: Int32, variable: String?,
                                   count: Int32, fileSize: Int) throws(NetCDFError) -> [NetCDFAttribute] {
        var attributes: [NetCDFAttribute] = []
        for index in 0..<max(count, 0) {
            let name = try Self.name(handle, .inquire) { nc_inq_attname($0, varid, index, $1) }
            attributes.append(try attribute(handle, varid: varid, variable: variable, name: name, fileSize: fileSize))
        }
        return attributes
    }

    private static func attribute(_ handle: NCHandle, varid: Int32, variable: String?,
                                  name: String, fileSize: Int) throws(NetCDFError) -> NetCDFAttribute {
        let operation = NCOperation.readAttribute(variable: variable, attribute: name)
        var ncType: nc_type = 0
        var length = 0
        try handle.call(operation) { nc_inq_att($0, varid, name, &ncType, &length) }
        // Attributes are stored uncompressed: each value takes at least a byte of the file.
        guard length >= 0, length <= fileSize else {
            throw .corruptFile(path: handle.path, detail: "attribute '\(name)' of \(variable.map { "variable '\($0)'" } ?? "the file") "
                               + "claims \(length) values in a file of \(fileSize) bytes")
        }
        let type = NetCDFDataType(ncType)

        func values<T: Numeric>(_ get: (Int32, UnsafeMutablePointer<T>) -> Int32) throws(NetCDFError) -> [T] {
            guard length > 0 else { return [] }
            var values = [T](repeating: 0, count: length)
            try handle.call(operation) { ncid in values.withUnsafeMutableBufferPointer { get(ncid, $0.baseAddress!) } }
            return values
        }

        let value: NetCDFAttributeValue
        switch type {
        case .char:
            let bytes: [CChar] = try values { nc_get_att_text($0, varid, name, $1) }
            // Some writers store the C string terminator too; it is not part of the text.
            value = .text(decode(bytes.reversed().drop { $0 == 0 }.reversed()))
        case .string:
            value = .strings(try strings(handle, operation, varid: varid, name: name, count: length))
        case .double: value = .doubles(try values { nc_get_att_double($0, varid, name, $1) })
        case .float: value = .floats(try values { nc_get_att_float($0, varid, name, $1) })
        case .byte, .short, .int, .ubyte, .ushort:
            value = .int32s(try values { nc_get_att_int($0, varid, name, $1) })
        case .uint, .int64: value = .int64s(try values { nc_get_att_longlong($0, varid, name, $1) })
        case .uint64:
            let unsigned: [UInt64] = try values { nc_get_att_ulonglong($0, varid, name, $1) }
            let signed = unsigned.compactMap { Int64(exactly: $0) }
            value = signed.count == unsigned.count ? .int64s(signed) : .unsupported(type)
        case .userDefined: value = .unsupported(type)
        }
        return NetCDFAttribute(name: name, type: type, value: value)
    }

    /// Reads a netCDF-4 string attribute and frees the library's copies of the strings.
    private static func strings(_ handle: NCHandle, _ operation: NCOperation, varid: Int32,
                                name: String, count: Int) throws(NetCDFError) -> [String] {
        guard count > 0 else { return [] }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        try handle.call(operation) { ncid in
            pointers.withUnsafeMutableBufferPointer { nc_get_att_string(ncid, varid, name, $0.baseAddress!) }
        }
        let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
        try handle.call(operation) { _ in
            pointers.withUnsafeMutableBufferPointer { nc_free_string(count, $0.baseAddress!) }
        }
        return strings
    }
}

/// Decodes C characters as UTF-8, replacing invalid bytes rather than failing.
func decode<C: Collection>(_ characters: C) -> String where C.Element == CChar {
    String(decoding: characters.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
