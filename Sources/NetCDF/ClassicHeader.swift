import Foundation

/// Validates a classic-format (CDF-1, CDF-2, CDF-5) file's header *before* netCDF-C sees it.
///
/// The layout is the netCDF classic format specification (docs.unidata.ucar.edu/netcdf-c, "The
/// NetCDF Classic Format Specification"):
///
///     header   = magic numrecs dim_list gatt_list var_list
///     dim      = name dim_length                      name = nelems chars, padded to 4 bytes
///     attr     = name nc_type nelems [values], padded to 4 bytes
///     var      = name nelems [dimid ...] vatt_list nc_type vsize begin
///
/// Why: netCDF-C 4.9 trusts the header. A 40-byte file whose dimension name claims 2,145 bytes is
/// copied into the caller's NC_MAX_NAME + 1 byte buffer (a heap overflow), and counts of billions
/// make `nc_open` allocate gigabytes before it fails. So every count and length is checked here
/// against the specification's limits and against the file's size (taken from `stat`, which follows
/// symbolic links), and any header that is not exactly what the specification allows is refused as
/// `.corruptFile` naming what is wrong. A file truncated after a valid header is caught too:
/// netCDF-C would read the missing data as zeros.
///
/// Other files (netCDF-4/HDF5, or not netCDF at all) are left to netCDF-C.
enum ClassicHeader {
    /// Longest name netCDF-C accepts (NC_MAX_NAME) and most dimensions of a variable (NC_MAX_VAR_DIMS).
    static let maximumNameLength = 256
    static let maximumRank = 1024

    /// Throws `.corruptFile` if `path` starts like a classic file but its header is malformed, names
    /// longer than netCDF allows, counts more than the file can hold, or data beyond the file's end.
    static func validate(path: String) throws(NetCDFError) {
        guard let size = FileSize.of(path), let file = FileHandle(forReadingAtPath: path) else {
            return  // netCDF-C will report why it cannot open it
        }
        defer { try? file.close() }
        guard let magic = try? file.read(upToCount: 4), magic.count == 4,
              magic.prefix(3) == Data("CDF".utf8), [1, 2, 5].contains(magic[magic.startIndex + 3]) else { return }
        // Read only as much as the header needs: data files can be far larger than memory.
        var prefixLength = min(size, 1 << 16)
        while true {
            guard (try? file.seek(toOffset: 0)) != nil, let bytes = try? file.read(upToCount: prefixLength) else { return }
            var header = Cursor(bytes: bytes, fileSize: size)
            let required: Int
            do throws(Failure) {
                required = try requiredLength(&header)
            } catch {
                switch error {
                case .truncated where bytes.count < size:
                    prefixLength = min(size, prefixLength * 4)
                    continue
                case .truncated:
                    throw .corruptFile(path: path, detail: "its header stops in the middle, after \(size) bytes")
                case let .malformed(detail):
                    throw .corruptFile(path: path, detail: "its classic-format header is invalid: \(detail)")
                }
            }
            if required > size {
                throw .corruptFile(path: path, detail: "the file has \(size) bytes but its header describes \(required)")
            }
            return
        }
    }

    enum Failure: Error { case truncated, malformed(String) }

    /// Bytes a well-formed file must have: the end of the data of its last variable.
    private static func requiredLength(_ header: inout Cursor) throws(Failure) -> Int {
        _ = try header.bytes(3)
        let version = try header.bytes(1)[0]
        header.wide = version == 5
        let numberOfRecords = try header.numberOfRecords()

        var dimensionLengths: [Int] = []
        let dimensionCount = try header.listLength(tag: 0x0A, what: "dimensions", entryBytes: 8)
        for index in 0..<dimensionCount {
            try header.skipName("dimension \(index)")
            let length = try header.count("the length of dimension \(index)")
            if length == 0, dimensionLengths.contains(0) {
                throw .malformed("dimension \(index) is a second unlimited dimension; a classic file has at most one")
            }
            dimensionLengths.append(length)
        }
        try skipAttributes(&header, owner: "the file", version: version)

        struct Layout { let begin: Int; let slab: Int; let isRecord: Bool }
        var layouts: [Layout] = []
        let variableCount = try header.listLength(tag: 0x0B, what: "variables", entryBytes: 16)
        for index in 0..<variableCount {
            try header.skipName("variable \(index)")
            let rank = try header.count("the rank of variable \(index)")
            guard rank <= maximumRank else {
                throw .malformed("variable \(index) has \(rank) dimensions; netCDF allows at most \(maximumRank)")
            }
            var ids: [Int] = []
            for _ in 0..<rank {
                let id = try header.count("a dimension id of variable \(index)")
                guard id < dimensionLengths.count else {
                    throw .malformed("variable \(index) uses dimension id \(id), but the file defines \(dimensionLengths.count) dimensions")
                }
                ids.append(id)
            }
            try skipAttributes(&header, owner: "variable \(index)", version: version)
            let size = try elementSize(header.uint32(), version: version, owner: "variable \(index)")
            _ = try header.count("the size of variable \(index)")  // vsize: can overflow in CDF-1/2, so sizes are recomputed
            let begin = version == 1 ? Int(try header.uint32()) : try header.int64("the offset of variable \(index)")
            if ids.dropFirst().contains(where: { dimensionLengths[$0] == 0 }) {
                throw .malformed("variable \(index) uses the unlimited dimension other than as its first")
            }
            let isRecord = ids.first.map { dimensionLengths[$0] == 0 } ?? false
            let extents = ids.dropFirst(isRecord ? 1 : 0).map { dimensionLengths[$0] }
            var slab = size
            for extent in extents { slab = try checked(slab.multipliedReportingOverflow(by: extent), "the size of variable \(index)") }
            layouts.append(Layout(begin: begin, slab: slab, isRecord: isRecord))
        }

        let headerEnd = header.offset
        var required = headerEnd
        for (index, layout) in layouts.enumerated() {
            guard layout.begin >= headerEnd || layout.slab == 0 else {
                throw .malformed("the data of variable \(index) start at byte \(layout.begin), inside the header (which ends at \(headerEnd))")
            }
            if !layout.isRecord {
                required = max(required, try checked(layout.begin.addingReportingOverflow(layout.slab), "the end of variable \(index)"))
            }
        }
        let records = layouts.filter(\.isRecord)
        // A streaming file (numrecs all ones) does not say how many records it has.
        let streaming = !header.wide && numberOfRecords == Int(UInt32.max)
        if numberOfRecords > 0, !streaming, !records.isEmpty {
            // Record slabs are padded to 4 bytes, except when there is only one record variable.
            var recordSize = records[0].slab
            if records.count > 1 {
                recordSize = 0
                for layout in records {
                    let padded = try checked(layout.slab.addingReportingOverflow(3), "a record's size") / 4 * 4
                    recordSize = try checked(recordSize.addingReportingOverflow(padded), "a record's size")
                }
            }
            let earlier = try checked((numberOfRecords - 1).multipliedReportingOverflow(by: recordSize), "the records' size")
            for layout in records {
                let start = try checked(layout.begin.addingReportingOverflow(earlier), "the records' size")
                required = max(required, try checked(start.addingReportingOverflow(layout.slab), "the records' size"))
            }
        }
        return required
    }

    private static func skipAttributes(_ header: inout Cursor, owner: String, version: UInt8) throws(Failure) {
        let count = try header.listLength(tag: 0x0C, what: "attributes of \(owner)", entryBytes: 12)
        for index in 0..<count {
            try header.skipName("attribute \(index) of \(owner)")
            let size = try elementSize(header.uint32(), version: version, owner: "attribute \(index) of \(owner)")
            let values = try header.count("the length of attribute \(index) of \(owner)")
            try header.skipPadded(try checked(values.multipliedReportingOverflow(by: size), "attribute \(index) of \(owner)"),
                                  what: "the values of attribute \(index) of \(owner)")
        }
    }

    private static func checked(_ result: (partialValue: Int, overflow: Bool), _ what: String) throws(Failure) -> Int {
        guard !result.overflow else { throw .malformed("\(what) overflows") }
        return result.partialValue
    }

    private static func elementSize(_ type: UInt32, version: UInt8, owner: String) throws(Failure) -> Int {
        switch type {
        case 1, 2: return 1  // byte, char
        case 3: return 2  // short
        case 4, 5: return 4  // int, float
        case 6: return 8  // double
        case 7 where version == 5: return 1  // ubyte
        case 8 where version == 5: return 2  // ushort
        case 9 where version == 5: return 4  // uint
        case 10 where version == 5, 11 where version == 5: return 8  // int64, uint64
        default: throw .malformed("\(owner) has type code \(type), which is not a type of CDF-\(version) files")
        }
    }

    /// Big-endian reader over the header's bytes; counts are checked against the whole file's size.
    private struct Cursor {
        let bytes: Data
        let fileSize: Int
        var offset = 0
        /// CDF-5 stores counts in 8 bytes instead of 4.
        var wide = false

        init(bytes: Data, fileSize: Int) {
            self.bytes = bytes
            self.fileSize = fileSize
        }

        mutating func bytes(_ n: Int) throws(Failure) -> [UInt8] {
            guard n >= 0, n <= bytes.count - offset else { throw .truncated }
            let start = bytes.startIndex + offset
            offset += n
            return Array(bytes[start..<start + n])
        }

        mutating func uint32() throws(Failure) -> UInt32 {
            try bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func int64(_ what: String) throws(Failure) -> Int {
            let value = try bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard let result = Int(exactly: value) else { throw .malformed("\(what) is negative") }
            return result
        }

        /// A NON_NEG count: 4 bytes (CDF-1/2, where it is a signed int), 8 in CDF-5.
        mutating func count(_ what: String) throws(Failure) -> Int {
            if wide { return try int64(what) }
            let value = try uint32()
            guard value <= UInt32(Int32.max) else {
                throw .malformed("\(what) is \(Int32(bitPattern: value)), not a non-negative count")
            }
            return Int(value)
        }

        /// numrecs: a count, or all ones in CDF-1/2 for a streaming file.
        mutating func numberOfRecords() throws(Failure) -> Int {
            if wide { return try int64("the number of records") }
            let value = try uint32()
            guard value <= UInt32(Int32.max) || value == UInt32.max else {
                throw .malformed("the number of records is \(Int32(bitPattern: value))")
            }
            return Int(value)
        }

        /// Number of entries of a dimension, attribute or variable list (0 when ABSENT), each of at
        /// least `entryBytes` bytes: a count the rest of the file cannot hold is refused.
        mutating func listLength(tag: UInt32, what: String, entryBytes: Int) throws(Failure) -> Int {
            let found = try uint32()
            let length = try count("the number of \(what)")
            guard found == tag || (found == 0 && length == 0) else {
                throw .malformed("the list of \(what) has tag \(found), expected \(tag) (or 0 for none)")
            }
            let most = max(fileSize - offset, 0) / entryBytes
            guard length <= most else {
                throw .malformed("it declares \(length) \(what), but the rest of the file can hold at most \(most)")
            }
            return length
        }

        mutating func skipName(_ what: String) throws(Failure) {
            let length = try count("the name length of \(what)")
            guard (1...ClassicHeader.maximumNameLength).contains(length) else {
                throw .malformed("the name of \(what) is \(length) bytes long; netCDF names have 1 to \(ClassicHeader.maximumNameLength) bytes")
            }
            try skipPadded(length, what: "the name of \(what)")
        }

        mutating func skipPadded(_ n: Int, what: String) throws(Failure) {
            guard n >= 0, n <= fileSize - offset else {
                throw .malformed("\(what) take \(n) bytes, more than the \(max(fileSize - offset, 0)) left in the file")
            }
            _ = try bytes((n + 3) / 4 * 4)
        }
    }
}

/// A file's size in bytes from `stat`, which follows symbolic links (Foundation's
/// `attributesOfItem` uses `lstat` and would give the size of the link itself).
enum FileSize {
    static func of(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }
}
