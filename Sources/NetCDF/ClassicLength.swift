import Foundation

/// Checks that a classic-format (CDF-1, CDF-2, CDF-5) file is as long as its header says.
///
/// Why: netCDF-C opens a classic file whose header or data were cut short without complaint and
/// returns zeros for the missing bytes, so a truncated experiment file would silently read as
/// zeros. This walks the header as laid out in the netCDF classic format specification, only
/// to find where each variable's data begin and end; it never decides what the data mean.
/// A header it does not understand is left to netCDF-C, which has already accepted it.
enum ClassicLength {
    /// Throws `.corruptFile` if the file ends before its header or its last variable's data do.
    static func check(path: String) throws(NetCDFError) {
        guard let file = FileHandle(forReadingAtPath: path),
              let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
            return  // netCDF-C has just opened it; if we cannot, there is nothing to add
        }
        defer { try? file.close() }
        // Read only as much as the header needs: data files can be far larger than memory.
        var prefixLength = 1 << 16
        while true {
            guard (try? file.seek(toOffset: 0)) != nil,
                  let bytes = try? file.read(upToCount: prefixLength) else { return }
            var header = Cursor(bytes: bytes)
            let required: Int
            do throws(Cursor.Failure) {
                required = try requiredLength(&header)
            } catch .truncated where bytes.count < size {
                prefixLength *= 4
                continue
            } catch .truncated {
                throw .corruptFile(path: path, detail: "its header stops in the middle, after \(size) bytes")
            } catch {
                return  // not a layout this check understands; netCDF-C accepted it, so trust that
            }
            if required > size {
                throw .corruptFile(path: path, detail: "the file has \(size) bytes but its header "
                                   + "describes \(required)")
            }
            return
        }
    }

    /// Bytes a well-formed file must have: the end of the data of its last variable.
    private static func requiredLength(_ header: inout Cursor) throws(Cursor.Failure) -> Int {
        guard try header.bytes(3) == Array("CDF".utf8) else { throw .unknown }
        let version = try header.bytes(1)[0]
        guard [1, 2, 5].contains(version) else { throw .unknown }
        header.wide = version == 5
        let numberOfRecords = try header.count()

        var dimensionLengths: [Int] = []
        for _ in 0..<(try header.listLength(tag: 0x0A)) {
            try header.skipName()
            dimensionLengths.append(try header.count())
        }
        try skipAttributes(&header)

        struct Layout { let begin: Int; let slab: Int; let isRecord: Bool }
        var layouts: [Layout] = []
        for _ in 0..<(try header.listLength(tag: 0x0B)) {
            try header.skipName()
            var ids: [Int] = []
            for _ in 0..<(try header.count()) { ids.append(try header.count()) }
            try skipAttributes(&header)
            let size = try elementSize(header.uint32())
            _ = try header.count()  // vsize: can overflow in CDF-1/2, so sizes are recomputed
            let begin = version == 1 ? Int(try header.uint32()) : try header.int64()
            guard ids.allSatisfy({ $0 < dimensionLengths.count }) else { throw .unknown }
            let isRecord = ids.first.map { dimensionLengths[$0] == 0 } ?? false
            let extents = ids.dropFirst(isRecord ? 1 : 0).map { dimensionLengths[$0] }
            var slab = size
            for extent in extents { slab = try checked(slab.multipliedReportingOverflow(by: extent)) }
            layouts.append(Layout(begin: begin, slab: slab, isRecord: isRecord))
        }

        var required = header.offset
        for layout in layouts where !layout.isRecord {
            required = max(required, try checked(layout.begin.addingReportingOverflow(layout.slab)))
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
                    let padded = try checked(layout.slab.addingReportingOverflow(3)) / 4 * 4
                    recordSize = try checked(recordSize.addingReportingOverflow(padded))
                }
            }
            let earlier = try checked((numberOfRecords - 1).multipliedReportingOverflow(by: recordSize))
            for layout in records {
                let start = try checked(layout.begin.addingReportingOverflow(earlier))
                required = max(required, try checked(start.addingReportingOverflow(layout.slab)))
            }
        }
        return required
    }

    private static func skipAttributes(_ header: inout Cursor) throws(Cursor.Failure) {
        for _ in 0..<(try header.listLength(tag: 0x0C)) {
            try header.skipName()
            let size = try elementSize(header.uint32())
            try header.skipPadded(try checked(header.count().multipliedReportingOverflow(by: size)))
        }
    }

    /// Sizes from a damaged header can overflow; such a header is left to netCDF-C.
    private static func checked(_ result: (partialValue: Int, overflow: Bool)) throws(Cursor.Failure) -> Int {
        guard !result.overflow else { throw .unknown }
        return result.partialValue
    }

    private static func elementSize(_ type: UInt32) throws(Cursor.Failure) -> Int {
        switch type {
        case 1, 2, 7: 1  // byte, char, ubyte
        case 3, 8: 2  // short, ushort
        case 4, 5, 9: 4  // int, float, uint
        case 6, 10, 11: 8  // double, int64, uint64
        default: throw .unknown
        }
    }

    /// Big-endian reader over the mapped file.
    private struct Cursor {
        enum Failure: Error { case truncated, unknown }

        let bytes: Data
        var offset = 0
        /// CDF-5 stores counts in 8 bytes instead of 4.
        var wide = false

        init(bytes: Data) { self.bytes = bytes }

        mutating func bytes(_ n: Int) throws(Failure) -> [UInt8] {
            guard n >= 0, n <= bytes.count - offset else { throw .truncated }
            let start = bytes.startIndex + offset
            offset += n
            return Array(bytes[start..<start + n])
        }

        mutating func uint32() throws(Failure) -> UInt32 {
            try bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func int64() throws(Failure) -> Int {
            let value = try bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard let result = Int(exactly: value) else { throw .unknown }
            return result
        }

        mutating func count() throws(Failure) -> Int {
            wide ? try int64() : Int(try uint32())
        }

        /// Number of entries of a dimension, attribute or variable list (0 when ABSENT).
        mutating func listLength(tag: UInt32) throws(Failure) -> Int {
            let found = try uint32()
            let length = try count()
            guard found == tag || (found == 0 && length == 0) else { throw .unknown }
            return length
        }

        mutating func skipName() throws(Failure) {
            try skipPadded(try count())
        }

        mutating func skipPadded(_ n: Int) throws(Failure) {
            guard n >= 0, n <= Int.max - 3 else { throw .unknown }
            _ = try bytes((n + 3) / 4 * 4)
        }
    }
}
