import CNetCDF
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates a netCDF file: dimensions, variables (Double, Float, Int32, Int64), attributes and
/// data, written to a temporary file that only `commit()` moves onto the final path.
///
/// Guarantees: the final path is never partly written. Until `commit()` succeeds all writes go to
/// `temporaryPath`, a uniquely named file in the same directory; `commit()` closes it, flushes it
/// to disk and renames it onto `path` in one atomic step (replacing any file already there).
/// If any method throws, or the writer is discarded or released before committing, the
/// temporary file is deleted and later calls throw `.closed`.
///
/// Not `Sendable`: use a writer from one task or thread at a time.
public final class NetCDFWriter {
    public let path: String
    public let format: NetCDFFormat
    /// Where the data are written until `commit()`: `.<name>.<UUID>.tmp` beside `path`.
    public let temporaryPath: String

    private var handle: NCHandle?
    private var inDefineMode = true
    private var dimensions: [String: DimensionInfo] = [:]
    private var dimensionNames: [String] = []
    private var variables: [String: VariableInfo] = [:]
    private var variableNames: [String] = []

    private struct DimensionInfo {
        let id: Int32
        let length: Int?  // nil: unlimited
    }

    private struct VariableInfo {
        let id: Int32
        let type: NetCDFDataType
        let lengths: [Int?]  // per dimension; nil for the unlimited first dimension
        var recordsWritten = 0
        var isRecordVariable: Bool { lengths.first == .some(nil) }
    }

    /// Starts a new file that will appear at `path` on `commit()`.
    ///
    /// Throws `.cannotCreate` if the directory does not exist, is not writable, or `path` is a directory.
    public init(path: String, format: NetCDFFormat = .netCDF4) throws(NetCDFError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw .cannotCreate(path: path, reason: "the directory '\(directory)' does not exist")
        }
        guard isDirectory.boolValue else {
            throw .cannotCreate(path: path, reason: "'\(directory)' is not a directory")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .cannotCreate(path: path, reason: "a directory of that name is in the way")
        }
        let temporaryPath = directory + "/." + url.lastPathComponent + "." + UUID().uuidString + ".tmp"
        self.path = path
        self.format = format
        self.temporaryPath = temporaryPath

        var ncid: Int32 = -1
        let clash = FileManager.default.fileExists(atPath: temporaryPath)
        do throws(NetCDFError) {
            // NC_NOCLOBBER: a name clash must fail rather than truncate somebody else's file.
            try NetCDFLibrary.call(path, .create) {
                nc_create(temporaryPath, format.createMode | NC_NOCLOBBER, &ncid)
            }
        } catch {
            if !clash { unlink(temporaryPath) }  // HDF5 may leave a partial file when creation fails
            throw error
        }
        handle = NCHandle(ncid: ncid, path: path)
    }

    deinit {
        if handle != nil { discard() }
    }

    /// Abandons the file: deletes the temporary file and leaves `path` untouched. Idempotent.
    public func discard() {
        guard handle != nil else { return }
        handle = nil  // releasing the handle closes the netCDF id
        unlink(temporaryPath)
    }

    /// Finishes the file and atomically renames it onto `path`; afterwards the writer is closed.
    public func commit() throws(NetCDFError) {
        try guarded { handle throws(NetCDFError) in
            try handle.close()
            try syncToDisk(temporaryPath)
            guard rename(temporaryPath, path) == 0 else {
                throw .commitFailed(path: path, reason: String(cString: strerror(errno)))
            }
            self.handle = nil
        }
    }

    // MARK: Definitions

    /// Adds a dimension of fixed `length` (at least 1).
    public func addDimension(_ name: String, length: Int) throws(NetCDFError) {
        try guarded { handle throws(NetCDFError) in
            guard length > 0 else {
                throw .invalidOperation(path: path, name: name, reason: "a fixed dimension needs a length "
                                        + "of at least 1, not \(length); use addUnlimitedDimension to grow one")
            }
            try defineDimension(name, length: length, handle)
        }
    }

    /// Adds an unlimited (record) dimension, which grows as data are appended. Classic formats
    /// allow one; it must be the first dimension of each variable that uses it.
    public func addUnlimitedDimension(_ name: String) throws(NetCDFError) {
        try guarded { handle throws(NetCDFError) in try defineDimension(name, length: nil, handle) }
    }

    /// Adds a variable of type `.double`, `.float`, `.int` or `.int64` (the last only in
    /// netCDF-4 and CDF-5) over existing dimensions (none for a scalar), with optional CF
    /// `units`, `long_name` and `_FillValue` (converted exactly to the variable's type).
    /// A `.char` variable (no fill value) holds strings along its last dimension; fill it with
    /// `write(strings:to:)`.
    public func addVariable(_ name: String, type: NetCDFDataType, dimensions: [String] = [],
                            units: String? = nil, longName: String? = nil,
                            fillValue: Double? = nil) throws(NetCDFError) {
        try guarded { handle throws(NetCDFError) in
            guard [.double, .float, .int, .int64, .char].contains(type) else {
                throw .invalidOperation(path: path, name: name, reason: "the writer stores double, float, "
                                        + "int, int64 and char variables, not \(type)")
            }
            guard type != .char || (fillValue == nil && !dimensions.isEmpty) else {
                throw .invalidOperation(path: path, name: name, reason: "a char variable needs a string-length "
                                        + "dimension and takes no fill value")
            }
            guard type != .int64 || format.supportsInt64 else {
                throw .unsupportedType(path: path, name: name, type: type, format: format)
            }
            guard variables[name] == nil else {
                throw .invalidOperation(path: path, name: name, reason: "a variable of that name already exists")
            }
            var ids: [Int32] = []
            var lengths: [Int?] = []
            for (position, dimensionName) in dimensions.enumerated() {
                guard let dimension = self.dimensions[dimensionName] else {
                    throw .missingDimension(path: path, dimension: dimensionName, available: dimensionNames)
                }
                guard dimension.length != nil || position == 0 else {
                    throw .invalidOperation(path: path, name: name, reason: "the unlimited dimension "
                                            + "'\(dimensionName)' must be the variable's first dimension")
                }
                ids.append(dimension.id)
                lengths.append(dimension.length)
            }
            try enterDefineMode(handle)
            var varid: Int32 = -1
            // The extra 0 keeps the id buffer non-empty for scalars; netCDF-C reads only `rank` ids.
            try handle.call(.define(name: name)) {
                nc_def_var($0, name, type.ncType, Int32(ids.count), ids + [0], &varid)
            }
            variables[name] = VariableInfo(id: varid, type: type, lengths: lengths)
            variableNames.append(name)
            if let fillValue { try defineFill(fillValue, variable: name, varid: varid, type: type, handle) }
            if let units { try setAttribute("units", .text(units), on: name) }
            if let longName { try setAttribute("long_name", .text(longName), on: name) }
        }
    }

    /// Sets an attribute of `variable`, or a global attribute when `variable` is nil
    /// (e.g. `setAttribute("Conventions", .text("CF-1.8"))`).
    public func setAttribute(_ name: String, _ value: NetCDFAttributeValue,
                             on variable: String? = nil) throws(NetCDFError) {
        try guarded { handle throws(NetCDFError) in
            var varid = NC_GLOBAL
            if let variable {
                guard let info = variables[variable] else {
                    throw .missingVariable(path: path, variable: variable, available: variableNames)
                }
                varid = info.id
            }
            if case let .unsupported(type) = value {
                throw .invalidOperation(path: path, name: name, reason: "attributes of type \(type) cannot be written")
            }
            if case .int64s = value, !format.supportsInt64 {
                throw .unsupportedType(path: path, name: name, type: .int64, format: format)
            }
            if case .strings = value, format != .netCDF4 {
                throw .unsupportedType(path: path, name: name, type: .string, format: format)
            }
            try enterDefineMode(handle)
            try handle.call(.define(name: name)) { ncid -> Int32 in
                switch value {
                case let .text(text):
                    return nc_put_att_text(ncid, varid, name, text.utf8.count, text)
                case let .doubles(values):
                    return nc_put_att_double(ncid, varid, name, NC_DOUBLE, values.count, values)
                case let .floats(values):
                    return nc_put_att_float(ncid, varid, name, NC_FLOAT, values.count, values)
                case let .int32s(values):
                    return nc_put_att_int(ncid, varid, name, NC_INT, values.count, values)
                case let .int64s(values):
                    return nc_put_att_longlong(ncid, varid, name, NC_INT64, values.count, values)
                case let .strings(strings):
                    let copies = strings.map { strdup($0) }
                    defer { copies.forEach { free($0) } }
                    var pointers = copies.map { UnsafePointer($0) }
                    return nc_put_att_string(ncid, varid, name, pointers.count, &pointers)
                case .unsupported:
                    preconditionFailure("rejected above")
                }
            }
        }
    }

    // MARK: Data

    /// Writes a whole variable: all of a fixed-shape variable, or records from the first one of a
    /// variable whose first dimension is unlimited (a whole number of records). Values are
    /// row-major and must be of the variable's type, else `.wrongType` / `.wrongValueCount`.
    public func write(_ values: [Double], to variable: String) throws(NetCDFError) {
        try put(values, to: variable, append: false)
    }
    public func write(_ values: [Float], to variable: String) throws(NetCDFError) {
        try put(values, to: variable, append: false)
    }
    public func write(_ values: [Int32], to variable: String) throws(NetCDFError) {
        try put(values, to: variable, append: false)
    }
    public func write(_ values: [Int64], to variable: String) throws(NetCDFError) {
        try put(values, to: variable, append: false)
    }

    /// Writes strings into a fixed-size char variable whose last dimension is the string length
    /// (CF character-array strings; xarray decodes them to strings when `_Encoding` is "utf-8").
    /// Each string is padded with NULs; one longer (in UTF-8 bytes) than that dimension is an error.
    public func write(strings: [String], to name: String) throws(NetCDFError) {
        try guarded { handle throws(NetCDFError) in
            guard let info = variables[name] else {
                throw .missingVariable(path: path, variable: name, available: variableNames)
            }
            guard info.type == .char, !info.isRecordVariable, let width = info.lengths.last ?? nil else {
                throw .wrongType(path: path, variable: name, expected: info.type, found: .char)
            }
            let outer = info.lengths.dropLast().map { $0 ?? 0 }
            guard strings.count == outer.reduce(1, *) else {
                throw .wrongValueCount(path: path, variable: name, shape: outer, isRecordVariable: false, found: strings.count)
            }
            var bytes = [CChar](repeating: 0, count: strings.count * width + 1)
            for (k, text) in strings.enumerated() {
                let utf8 = Array(text.utf8)
                guard utf8.count <= width else {
                    throw .invalidOperation(path: path, name: name, reason: "'\(text)' has \(utf8.count) bytes, more than "
                                            + "the \(width) of the variable's last dimension")
                }
                for (i, byte) in utf8.enumerated() { bytes[k * width + i] = CChar(bitPattern: byte) }
            }
            try enterDataMode(handle)
            try handle.call(.write(variable: name)) { ncid in nc_put_var_text(ncid, info.id, bytes) }
        }
    }

    /// Appends whole records after the ones this writer already wrote to `variable`, whose first
    /// dimension must be unlimited.
    public func append(_ values: [Double], to variable: String) throws(NetCDFError) {
        try put(values, to: variable, append: true)
    }
    public func append(_ values: [Float], to variable: String) throws(NetCDFError) {
        try put(values, to: variable, append: true)
    }
    public func append(_ values: [Int32], to variable: String) throws(NetCDFError) {
        try put(values, to: variable, append: true)
    }
    public func append(_ values: [Int64], to variable: String) throws(NetCDFError) {
        try put(values, to: variable, append: true)
    }

    // MARK: Internals

    /// Runs `body` on the open file; any error abandons the writer so no temporary file lingers.
    private func guarded<R>(_ body: (NCHandle) throws(NetCDFError) -> R) throws(NetCDFError) -> R {
        guard let handle else { throw .closed(path: path) }
        do throws(NetCDFError) {
            return try body(handle)
        } catch {
            discard()
            throw error
        }
    }

    private func put<T: NCElement>(_ values: [T], to name: String, append: Bool) throws(NetCDFError) {
        try guarded { handle throws(NetCDFError) in
            guard var info = variables[name] else {
                throw .missingVariable(path: path, variable: name, available: variableNames)
            }
            guard info.type == T.storedType else {
                throw .wrongType(path: path, variable: name, expected: info.type, found: T.storedType)
            }
            guard !append || info.isRecordVariable else {
                throw .invalidOperation(path: path, name: name, reason: "only a variable whose first "
                                        + "dimension is unlimited can be appended to; use write(_:to:)")
            }
            let recordShape = info.lengths.dropFirst(info.isRecordVariable ? 1 : 0).map { $0 ?? 0 }
            let perRecord = recordShape.reduce(1, *)
            var start = [Int](repeating: 0, count: info.lengths.count)
            var count = recordShape
            if info.isRecordVariable {
                guard perRecord > 0 ? values.count % perRecord == 0 : values.isEmpty else {
                    throw .wrongValueCount(path: path, variable: name, shape: [info.recordsWritten] + recordShape,
                                           isRecordVariable: true, found: values.count)
                }
                let records = perRecord > 0 ? values.count / perRecord : 0
                start[0] = append ? info.recordsWritten : 0
                count.insert(records, at: 0)
                info.recordsWritten = max(info.recordsWritten, start[0] + records)
            } else if values.count != perRecord {
                throw .wrongValueCount(path: path, variable: name, shape: recordShape,
                                       isRecordVariable: false, found: values.count)
            }
            try enterDataMode(handle)
            if !values.isEmpty {
                // The extra 0 keeps the buffers non-empty for scalars; netCDF-C reads only `rank` entries.
                try handle.call(.write(variable: name)) { ncid in
                    values.withUnsafeBufferPointer {
                        T.putVara(ncid, info.id, start + [0], count + [0], $0.baseAddress!)
                    }
                }
            }
            variables[name] = info
        }
    }

    private func defineDimension(_ name: String, length: Int?, _ handle: NCHandle) throws(NetCDFError) {
        guard dimensions[name] == nil else {
            throw .invalidOperation(path: path, name: name, reason: "a dimension of that name already exists")
        }
        try enterDefineMode(handle)
        var id: Int32 = -1
        try handle.call(.define(name: name)) { nc_def_dim($0, name, length ?? NC_UNLIMITED, &id) }
        dimensions[name] = DimensionInfo(id: id, length: length)
        dimensionNames.append(name)
    }

    /// Stores `_FillValue` in the variable's own type, which netCDF requires.
    private func defineFill(_ value: Double, variable: String, varid: Int32, type: NetCDFDataType,
                            _ handle: NCHandle) throws(NetCDFError) {
        func store<T: BitwiseCopyable>(_ fill: T?) throws(NetCDFError) {
            guard var fill else {
                throw .invalidOperation(path: path, name: variable, reason: "the fill value \(value) "
                                        + "cannot be stored exactly as \(type)")
            }
            try handle.call(.define(name: "_FillValue")) { ncid in
                format.isNetCDF4
                    ? nc_def_var_fill(ncid, varid, NC_FILL, &fill)
                    : nc_put_att(ncid, varid, "_FillValue", type.ncType, 1, &fill)
            }
        }
        switch type {
        case .float:  // rounding is fine: data compared with the fill are Floats too
            let fill = Float(value)
            try store(value.isFinite && !fill.isFinite ? nil : fill)
        case .int: try store(Int32(exactly: value))
        case .int64: try store(Int64(exactly: value))
        default: try store(value)
        }
    }

    private func enterDefineMode(_ handle: NCHandle) throws(NetCDFError) {
        guard !inDefineMode else { return }
        try handle.call(.define(name: "header")) { nc_redef($0) }
        inDefineMode = true
    }

    private func enterDataMode(_ handle: NCHandle) throws(NetCDFError) {
        guard inDefineMode else { return }
        try handle.call(.write(variable: "header")) { nc_enddef($0) }
        inDefineMode = false
    }

    private func syncToDisk(_ file: String) throws(NetCDFError) {
        let descriptor = open(file, O_RDONLY)
        guard descriptor >= 0 else {
            throw .commitFailed(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw .commitFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

@available(*, unavailable, message: "netCDF ids must not be shared between threads")
extension NetCDFWriter: Sendable {}
