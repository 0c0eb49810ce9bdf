import Foundation

/// A table written as CSV (e.g. `history.csv`, one row per outer iteration).
///
/// Guarantees:
/// - Fields are quoted as RFC 4180 prescribes: a field containing a comma, a double quote, a
///   carriage return or a line feed is enclosed in double quotes, with inner quotes doubled.
///   Other fields are written bare.
/// - Numbers are written deterministically and exactly: ``NumberFormat/roundTrip(_:)`` (the
///   shortest decimal that reads back as the same `Double`; `nan`, `inf`, `-inf` for non-finite
///   values, which NumPy and pandas read), integers in plain decimal.
/// - Every row has as many fields as the header (checked on ``append(_:)``), column names are
///   unique and non-empty, and the file ends with a line ending.
/// - ``write(to:)`` is atomic (see ``AtomicFile``).
///
/// Lines end with `\n` by default rather than RFC 4180's CRLF, because the files are mostly read
/// by Unix tools and scientific libraries; choose ``LineEnding/crlf`` for strict RFC 4180.
public struct CSVTable: Sendable, Equatable {
    /// One field.
    public enum Cell: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByFloatLiteral,
        ExpressibleByIntegerLiteral {
        case text(String)
        case number(Double)
        case integer(Int)
        /// An empty field (a missing value).
        case empty

        public init(stringLiteral value: String) { self = .text(value) }
        public init(floatLiteral value: Double) { self = .number(value) }
        public init(integerLiteral value: Int) { self = .integer(value) }

        /// The field as written, before quoting.
        public var rendered: String {
            switch self {
            case let .text(text): return text
            case let .number(value): return NumberFormat.roundTrip(value)
            case let .integer(value): return String(value)
            case .empty: return ""
            }
        }
    }

    /// What ends each line: LF (the default) or RFC 4180's CRLF.
    public enum LineEnding: String, Sendable {
        case lf = "\n"
        case crlf = "\r\n"
    }

    /// The header: column names, unique and non-empty.
    public let columns: [String]
    /// The rows appended so far, each with one cell per column.
    public private(set) var rows: [[Cell]] = []
    public var lineEnding: LineEnding

    /// A table with the given header and no rows.
    /// - Throws: ``ReportError/invalidArgument(what:reason:)`` for no columns or an empty name,
    ///   ``ReportError/duplicateName(what:name:)`` for a repeated one.
    public init(columns: [String], lineEnding: LineEnding = .lf) throws {
        guard !columns.isEmpty else {
            throw ReportError.invalidArgument(what: "CSV table", reason: "it has no columns")
        }
        var seen = Set<String>()
        for name in columns {
            guard !name.isEmpty else {
                throw ReportError.invalidArgument(what: "CSV table columns \(columns)", reason: "a column name is empty")
            }
            guard seen.insert(name).inserted else { throw ReportError.duplicateName(what: "CSV table columns", name: name) }
        }
        self.columns = columns
        self.lineEnding = lineEnding
    }

    /// Appends a row.
    /// - Throws: ``ReportError/lengthMismatch(what:expected:found:)`` unless it has one field per column.
    public mutating func append(_ row: [Cell]) throws {
        guard row.count == columns.count else {
            throw ReportError.lengthMismatch(what: "CSV row \(rows.count + 1) (one field per column of \(columns))",
                                             expected: columns.count, found: row.count)
        }
        rows.append(row)
    }

    /// Appends a row of numbers.
    public mutating func append(numbers: [Double]) throws {
        try append(numbers.map(Cell.number))
    }

    /// The whole file: header line, then one line per row.
    public var text: String {
        var out = columns.map(Self.quote).joined(separator: ",") + lineEnding.rawValue
        for row in rows {
            out += row.map { Self.quote($0.rendered) }.joined(separator: ",") + lineEnding.rawValue
        }
        return out
    }

    /// Writes ``text`` to `path` atomically.
    public func write(to path: String) throws {
        try AtomicFile.write(text, to: path)
    }

    /// `field` quoted if RFC 4180 requires it.
    public static func quote(_ field: String) -> String {
        let needsQuotes = field.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
