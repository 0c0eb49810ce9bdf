import Foundation
import Testing
@testable import Reports

@Suite("CSV tables")
struct CSVTableTests {
    @Test("header and rows, RFC 4180 quoting, exact numbers")
    func rendering() throws {
        var table = try CSVTable(columns: ["iteration", "objective", "note"])
        try table.append([0, 0.1, "start, again"])
        try table.append([.integer(1), .number(1.0 / 3), .text("a, \"quoted\" word")])
        try table.append([2, .number(.nan), .text("two\nlines")])
        try table.append([3, .number(-1e-300), .empty])
        #expect(table.text == """
            iteration,objective,note
            0,0.1,"start, again"
            1,0.3333333333333333,"a, ""quoted"" word"
            2,nan,"two
            lines"
            3,-1e-300,

            """)
        #expect(Double("0.3333333333333333") == 1.0 / 3)
    }

    @Test("CRLF line endings on request")
    func crlf() throws {
        var table = try CSVTable(columns: ["a", "b"], lineEnding: .crlf)
        try table.append(numbers: [1, 2])
        #expect(table.text == "a,b\r\n1.0,2.0\r\n")
    }

    @Test("column names are checked and rows must match the header")
    func validation() throws {
        #expect(throws: ReportError.duplicateName(what: "CSV table columns", name: "a")) {
            try CSVTable(columns: ["a", "b", "a"])
        }
        #expect(throws: ReportError.self) { try CSVTable(columns: []) }
        var table = try CSVTable(columns: ["a", "b"])
        #expect(throws: ReportError.self) { try table.append([1]) }
        #expect(table.rows.isEmpty)
    }

    @Test("written atomically and identically twice")
    func write() throws {
        let directory = try makeTemporaryDirectory()
        var table = try CSVTable(columns: ["x", "y"])
        for i in 0 ..< 5 { try table.append(numbers: [Double(i), sin(Double(i))]) }
        try table.write(to: directory + "/a.csv")
        try table.write(to: directory + "/b.csv")
        let a = try String(contentsOfFile: directory + "/a.csv", encoding: .utf8)
        #expect(a == (try String(contentsOfFile: directory + "/b.csv", encoding: .utf8)))
        #expect(a == table.text)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["a.csv", "b.csv"])
    }
}

@Suite("Markdown tables")
struct MarkdownTableTests {
    @Test("aligned pipes, numeric columns right-aligned, significant digits")
    func layout() throws {
        var table = try MarkdownTable(columns: ["parameter", "value", "σ"], significantDigits: 3)
        try table.append(["K", 1.23456e9, .number(4.5e7)])
        try table.append(["ν", 0.3, .number(0.012345, digits: 2)])
        #expect(table.text == """
            | parameter |  value |     σ |
            | :-------- | -----: | ----: |
            | K         | 1.23e9 | 4.5e7 |
            | ν         |    0.3 | 0.012 |

            """)
        let lines = table.text.split(separator: "\n")
        #expect(Set(lines.map(\.count)).count == 1)
    }

    @Test("pipes are escaped and line breaks removed")
    func escaping() throws {
        var table = try MarkdownTable(columns: ["a|b"], alignments: [.center])
        try table.append(["x | y\nz"])
        #expect(table.text == """
            |   a\\|b   |
            | :------: |
            | x \\| y z |

            """)
    }

    @Test("rows must have one cell per column")
    func validation() throws {
        var table = try MarkdownTable(columns: ["a", "b"])
        #expect(throws: ReportError.lengthMismatch(what: "Markdown table row 1 (one cell per column)", expected: 2, found: 1)) {
            try table.append(["x"])
        }
        #expect(throws: ReportError.self) { try MarkdownTable(columns: ["a"], alignments: [.left, .right]) }
    }
}
