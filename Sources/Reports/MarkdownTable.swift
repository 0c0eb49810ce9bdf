/// A GitHub-flavoured Markdown table for `report.md`, laid out so that it also reads well as
/// plain text.
///
/// Guarantees:
/// - Pipes line up: every cell is padded to its column's width (counted in characters), and the
///   delimiter row shows each column's alignment (`:---`, `---:`, `:---:`).
/// - Text cannot break the table: `|` is escaped as `\|`, and line breaks become spaces.
/// - Numbers are rounded to ``significantDigits`` significant digits (or a cell's own count) with
///   ``NumberFormat/significant(_:digits:)``, so the same values always give the same text.
/// - Columns whose cells are all numbers are right-aligned unless alignments are given.
public struct MarkdownTable: Sendable, Equatable {
    /// How a column's cells are padded (and what its delimiter-row marker is).
    public enum Alignment: Sendable, Equatable {
        case left, right, center
    }

    /// One cell.
    public enum Cell: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByFloatLiteral,
        ExpressibleByIntegerLiteral {
        case text(String)
        /// A number; `digits` overrides the table's significant digits for this cell.
        case number(Double, digits: Int? = nil)
        case integer(Int)

        public init(stringLiteral value: String) { self = .text(value) }
        public init(floatLiteral value: Double) { self = .number(value) }
        public init(integerLiteral value: Int) { self = .integer(value) }

        var isNumeric: Bool {
            if case .text = self { return false }
            return true
        }
    }

    /// The header cells (escaped when rendered).
    public let columns: [String]
    /// One per column, or nil: right for all-numeric columns, left for the rest.
    public var alignments: [Alignment]?
    /// Significant digits for ``Cell/number(_:digits:)`` cells without their own count.
    public var significantDigits: Int
    /// The rows appended so far, each with one cell per column.
    public private(set) var rows: [[Cell]] = []

    /// - Throws: ``ReportError/invalidArgument(what:reason:)`` for no columns or a digit count
    ///   below 1; ``ReportError/lengthMismatch(what:expected:found:)`` unless there is one
    ///   alignment per column.
    public init(columns: [String], alignments: [Alignment]? = nil, significantDigits: Int = 4) throws {
        guard !columns.isEmpty else { throw ReportError.invalidArgument(what: "Markdown table", reason: "it has no columns") }
        guard significantDigits >= 1 else {
            throw ReportError.invalidArgument(what: "Markdown table", reason: "significant digits must be at least 1")
        }
        if let alignments, alignments.count != columns.count {
            throw ReportError.lengthMismatch(what: "Markdown table alignments (one per column)",
                                             expected: columns.count, found: alignments.count)
        }
        self.columns = columns
        self.alignments = alignments
        self.significantDigits = significantDigits
    }

    /// Appends a row.
    /// - Throws: ``ReportError/lengthMismatch(what:expected:found:)`` unless it has one cell per column.
    public mutating func append(_ row: [Cell]) throws {
        guard row.count == columns.count else {
            throw ReportError.lengthMismatch(what: "Markdown table row \(rows.count + 1) (one cell per column)",
                                             expected: columns.count, found: row.count)
        }
        rows.append(row)
    }

    /// The table as Markdown, ending with a newline.
    public var text: String {
        let header = columns.map(Self.escape)
        let body = rows.map { $0.map(render) }
        let aligned = alignments ?? columns.indices.map { c in
            !rows.isEmpty && rows.allSatisfy { $0[c].isNumeric } ? .right : .left
        }
        let widths = columns.indices.map { c in
            max(3, ([header[c]] + body.map { $0[c] }).map(\.count).max() ?? 0)
        }
        func line(_ cells: [String]) -> String {
            "| " + cells.indices.map { Self.pad(cells[$0], to: widths[$0], aligned[$0]) }.joined(separator: " | ") + " |"
        }
        let delimiter = "| " + columns.indices.map { c -> String in
            switch aligned[c] {
            case .left: return ":" + String(repeating: "-", count: widths[c] - 1)
            case .right: return String(repeating: "-", count: widths[c] - 1) + ":"
            case .center: return ":" + String(repeating: "-", count: widths[c] - 2) + ":"
            }
        }.joined(separator: " | ") + " |"
        return ([line(header), delimiter] + body.map(line)).joined(separator: "\n") + "\n"
    }

    private func render(_ cell: Cell) -> String {
        switch cell {
        case let .text(text): return Self.escape(text)
        case let .number(value, digits): return NumberFormat.significant(value, digits: digits ?? significantDigits)
        case let .integer(value): return String(value)
        }
    }

    /// `text` safe inside a table cell: `|` escaped, line breaks replaced by spaces.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "|": out += "\\|"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    private static func pad(_ text: String, to width: Int, _ alignment: Alignment) -> String {
        let gap = max(0, width - text.count)
        switch alignment {
        case .left: return text + String(repeating: " ", count: gap)
        case .right: return String(repeating: " ", count: gap) + text
        case .center:
            let before = gap / 2
            return String(repeating: " ", count: before) + text + String(repeating: " ", count: gap - before)
        }
    }
}
