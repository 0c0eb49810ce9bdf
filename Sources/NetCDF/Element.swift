import CNetCDF

/// A scalar as netCDF-C stored it, before conversion to the Swift type a caller asked for.
enum NativeScalar {
    case signed(Int64), unsigned(UInt64), float(Float), double(Double)

    /// Reads one value of `type` from raw bytes (e.g. what `nc_inq_var_fill` wrote).
    init?(type: NetCDFDataType, bytes: UnsafeRawBufferPointer) {
        switch type {
        case .byte: self = .signed(Int64(bytes.loadUnaligned(as: Int8.self)))
        case .short: self = .signed(Int64(bytes.loadUnaligned(as: Int16.self)))
        case .int: self = .signed(Int64(bytes.loadUnaligned(as: Int32.self)))
        case .int64: self = .signed(bytes.loadUnaligned(as: Int64.self))
        case .ubyte: self = .unsigned(UInt64(bytes.loadUnaligned(as: UInt8.self)))
        case .ushort: self = .unsigned(UInt64(bytes.loadUnaligned(as: UInt16.self)))
        case .uint: self = .unsigned(UInt64(bytes.loadUnaligned(as: UInt32.self)))
        case .uint64: self = .unsigned(bytes.loadUnaligned(as: UInt64.self))
        case .float: self = .float(bytes.loadUnaligned(as: Float.self))
        case .double: self = .double(bytes.loadUnaligned(as: Double.self))
        default: return nil
        }
    }
}

/// The Swift element types the module reads and writes, with their netCDF-C entry points.
///
/// Internal on purpose: only these four types have matching C functions, so the public API
/// offers one method per type instead of a protocol others could conform to.
protocol NCElement: Sendable, Numeric {
    /// The netCDF type this Swift type is written as.
    static var storedType: NetCDFDataType { get }
    /// Stored types whose every value this Swift type represents exactly (the allowed widenings).
    static var readableTypes: Set<NetCDFDataType> { get }
    /// What a missing value becomes under `.allowFill`; nil for integers, which have no NaN.
    static var missing: Self? { get }
    var isFiniteValue: Bool { get }
    init?(exactly scalar: NativeScalar)

    static func getVar(_ ncid: Int32, _ varid: Int32, _ values: UnsafeMutablePointer<Self>) -> Int32
    static func putVara(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>,
                        _ count: UnsafePointer<Int>, _ values: UnsafePointer<Self>) -> Int32
}

extension NCElement where Self: BinaryInteger {
    static var missing: Self? { nil }
    var isFiniteValue: Bool { true }

    init?(exactly scalar: NativeScalar) {
        switch scalar {
        case let .signed(value): self.init(exactly: value)
        case let .unsigned(value): self.init(exactly: value)
        case let .float(value): self.init(exactly: value)
        case let .double(value): self.init(exactly: value)
        }
    }
}

extension NCElement where Self: BinaryFloatingPoint {
    static var missing: Self? { .nan }
    var isFiniteValue: Bool { isFinite }

    init?(exactly scalar: NativeScalar) {
        switch scalar {
        case let .signed(value): self.init(exactly: value)
        case let .unsigned(value): self.init(exactly: value)
        case let .float(value): if value.isNaN { self = .nan } else { self.init(exactly: value) }
        case let .double(value): if value.isNaN { self = .nan } else { self.init(exactly: value) }
        }
    }
}

extension Double: NCElement {
    static var storedType: NetCDFDataType { .double }
    static var readableTypes: Set<NetCDFDataType> {
        [.double, .float, .int, .short, .byte, .uint, .ushort, .ubyte]
    }
    static func getVar(_ ncid: Int32, _ varid: Int32, _ values: UnsafeMutablePointer<Double>) -> Int32 {
        nc_get_var_double(ncid, varid, values)
    }
    static func putVara(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>,
                        _ count: UnsafePointer<Int>, _ values: UnsafePointer<Double>) -> Int32 {
        nc_put_vara_double(ncid, varid, start, count, values)
    }
}

extension Float: NCElement {
    static var storedType: NetCDFDataType { .float }
    static var readableTypes: Set<NetCDFDataType> { [.float, .short, .byte, .ushort, .ubyte] }
    static func getVar(_ ncid: Int32, _ varid: Int32, _ values: UnsafeMutablePointer<Float>) -> Int32 {
        nc_get_var_float(ncid, varid, values)
    }
    static func putVara(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>,
                        _ count: UnsafePointer<Int>, _ values: UnsafePointer<Float>) -> Int32 {
        nc_put_vara_float(ncid, varid, start, count, values)
    }
}

extension Int32: NCElement {
    static var storedType: NetCDFDataType { .int }
    static var readableTypes: Set<NetCDFDataType> { [.int, .short, .byte, .ushort, .ubyte] }
    static func getVar(_ ncid: Int32, _ varid: Int32, _ values: UnsafeMutablePointer<Int32>) -> Int32 {
        nc_get_var_int(ncid, varid, values)
    }
    static func putVara(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>,
                        _ count: UnsafePointer<Int>, _ values: UnsafePointer<Int32>) -> Int32 {
        nc_put_vara_int(ncid, varid, start, count, values)
    }
}

extension Int64: NCElement {
    static var storedType: NetCDFDataType { .int64 }
    static var readableTypes: Set<NetCDFDataType> {
        [.int64, .int, .short, .byte, .uint, .ushort, .ubyte]
    }
    static func getVar(_ ncid: Int32, _ varid: Int32, _ values: UnsafeMutablePointer<Int64>) -> Int32 {
        nc_get_var_longlong(ncid, varid, values)
    }
    static func putVara(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>,
                        _ count: UnsafePointer<Int>, _ values: UnsafePointer<Int64>) -> Int32 {
        nc_put_vara_longlong(ncid, varid, start, count, values)
    }
}
