import CNetCDF

/// The type of a netCDF variable or attribute as stored in the file, named as in CDL.
///
/// Every type netCDF-C reports has a case, so listing a file never fails on an unusual type;
/// user-defined netCDF-4 types (compound, vlen, enum, opaque) are `.userDefined`.
public enum NetCDFDataType: Sendable, Hashable, CustomStringConvertible {
    case byte, char, short, int, float, double, ubyte, ushort, uint, int64, uint64, string
    case userDefined(Int32)

    init(_ type: nc_type) {
        switch type {
        case NC_BYTE: self = .byte
        case NC_CHAR: self = .char
        case NC_SHORT: self = .short
        case NC_INT: self = .int
        case NC_FLOAT: self = .float
        case NC_DOUBLE: self = .double
        case NC_UBYTE: self = .ubyte
        case NC_USHORT: self = .ushort
        case NC_UINT: self = .uint
        case NC_INT64: self = .int64
        case NC_UINT64: self = .uint64
        case NC_STRING: self = .string
        default: self = .userDefined(type)
        }
    }

    var ncType: nc_type {
        switch self {
        case .byte: NC_BYTE
        case .char: NC_CHAR
        case .short: NC_SHORT
        case .int: NC_INT
        case .float: NC_FLOAT
        case .double: NC_DOUBLE
        case .ubyte: NC_UBYTE
        case .ushort: NC_USHORT
        case .uint: NC_UINT
        case .int64: NC_INT64
        case .uint64: NC_UINT64
        case .string: NC_STRING
        case let .userDefined(type): type
        }
    }

    public var description: String {
        switch self {
        case .byte: "byte"
        case .char: "char"
        case .short: "short"
        case .int: "int"
        case .float: "float"
        case .double: "double"
        case .ubyte: "ubyte"
        case .ushort: "ushort"
        case .uint: "uint"
        case .int64: "int64"
        case .uint64: "uint64"
        case .string: "string"
        case let .userDefined(type): "user-defined type \(type)"
        }
    }
}

/// The on-disk format of a netCDF file. Int64 variables and attributes need `.netCDF4` or `.cdf5`.
public enum NetCDFFormat: Sendable, Hashable, CustomStringConvertible {
    case classic, offset64Bit, cdf5, netCDF4, netCDF4Classic

    init?(formatCode: Int32) {
        switch formatCode {
        case NC_FORMAT_CLASSIC: self = .classic
        case NC_FORMAT_64BIT_OFFSET: self = .offset64Bit
        case NC_FORMAT_64BIT_DATA: self = .cdf5
        case NC_FORMAT_NETCDF4: self = .netCDF4
        case NC_FORMAT_NETCDF4_CLASSIC: self = .netCDF4Classic
        default: return nil
        }
    }

    var createMode: Int32 {
        switch self {
        case .classic: 0
        case .offset64Bit: NC_64BIT_OFFSET
        case .cdf5: NC_64BIT_DATA
        case .netCDF4: NC_NETCDF4
        case .netCDF4Classic: NC_NETCDF4 | NC_CLASSIC_MODEL
        }
    }

    var supportsInt64: Bool { self == .netCDF4 || self == .cdf5 }
    var isNetCDF4: Bool { self == .netCDF4 || self == .netCDF4Classic }

    public var description: String {
        switch self {
        case .classic: "classic"
        case .offset64Bit: "64-bit offset"
        case .cdf5: "CDF-5"
        case .netCDF4: "netCDF-4"
        case .netCDF4Classic: "netCDF-4 classic model"
        }
    }
}

/// A named dimension of a file and its current length (for an unlimited dimension, the number
/// of records written so far).
public struct NetCDFDimension: Sendable, Hashable {
    public let name: String
    public let length: Int
    public let isUnlimited: Bool
}

/// The value of an attribute, converted to a Swift type that holds it exactly.
///
/// byte, short, ubyte and ushort attributes widen to `.int32s`; uint to `.int64s`; uint64 to
/// `.int64s` when every value fits. Anything else is `.unsupported`, so a file with an exotic
/// attribute can still be opened.
public enum NetCDFAttributeValue: Sendable, Hashable {
    case text(String)
    case strings([String])
    case doubles([Double])
    case floats([Float])
    case int32s([Int32])
    case int64s([Int64])
    case unsupported(NetCDFDataType)

    /// The numeric values widened to Double, or nil for text. int64 values beyond 2^53 round.
    public var doubles: [Double]? {
        switch self {
        case let .doubles(values): values
        case let .floats(values): values.map(Double.init)
        case let .int32s(values): values.map(Double.init)
        case let .int64s(values): values.map(Double.init)
        case .text, .strings, .unsupported: nil
        }
    }

    /// The text of a char attribute, or of a netCDF-4 string attribute holding exactly one string.
    public var text: String? {
        switch self {
        case let .text(text): text
        case let .strings(strings) where strings.count == 1: strings[0]
        default: nil
        }
    }
}

/// A named attribute of a variable or of the file, with the type it is stored as.
public struct NetCDFAttribute: Sendable, Hashable {
    public let name: String
    public let type: NetCDFDataType
    public let value: NetCDFAttributeValue
}

/// A variable's header: everything about it except its data.
public struct NetCDFVariable: Sendable, Hashable {
    public let name: String
    public let type: NetCDFDataType
    /// Dimension names, slowest-varying first (row-major, as in CDL).
    public let dimensions: [String]
    public let shape: [Int]
    public let attributes: [NetCDFAttribute]

    public var rank: Int { dimensions.count }

    /// True for a CF coordinate variable: one-dimensional, named after its own dimension.
    public var isCoordinateVariable: Bool { dimensions == [name] }

    public func attribute(_ name: String) -> NetCDFAttribute? {
        attributes.first { $0.name == name }
    }
}

/// What a read does with missing values (`_FillValue`, the type's default fill, NaN or infinity).
public enum NetCDFFillPolicy: Sendable, Hashable {
    /// Any missing value is an error naming the variable and the first bad index.
    case requireNoFill
    /// Fill values become NaN for Double and Float reads; NaN and infinity are returned as
    /// stored; integer reads return every value as stored, fill values included.
    case allowFill
}
