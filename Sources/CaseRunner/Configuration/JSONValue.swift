// A strict JSON (RFC 8259) parser that keeps where every value and key sits in the text.
//
// Foundation's JSONSerialization was tried first, as suggested, and set aside: it gives an error's
// character offset but no position for valid values, so a semantic problem ("lower bound above the
// upper bound") could not be pointed at a line; it silently keeps one of two duplicate keys (a
// parameter field given twice would go unnoticed); and it loses key order, which the reports follow.

/// A line and column in a text file, both counted from 1; columns count Unicode scalars.
public struct TextPosition: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// A parsed JSON value with the position of its first character.
public struct JSONNode: Sendable, Equatable {
    public indirect enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        /// The number and its text as written (to tell 3 from 3.0 where an integer is needed).
        case number(Double, text: String)
        case string(String)
        case array([JSONNode])
        /// Members in the order written; keys are unique (duplicates are a parse error).
        case object([JSONMember])
    }

    public var value: Value
    public var position: TextPosition

    /// "an object", "a number", … for messages.
    public var kindDescription: String {
        switch value {
        case .null: return "null"
        case .bool: return "true/false"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

/// One `"key": value` member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var keyPosition: TextPosition
    public var value: JSONNode
}

/// A syntax error: what was wrong and where.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    public var position: TextPosition
    public var message: String
}

/// Parses JSON text into `JSONNode`s; see the file comment for why this is not JSONSerialization.
public struct JSONParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1

    public init(text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// Parses a whole document: one value, surrounded only by whitespace.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(text: text)
        if parser.scalars.first == "\u{FEFF}" { parser.index = 1 }  // a UTF-8 byte-order mark
        parser.skipWhitespace()
        if parser.atEnd { throw parser.error("the file is empty; a configuration is a JSON object { … }") }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if !parser.atEnd {
            throw parser.error("unexpected \(parser.describeCurrent()) after the end of the JSON value; "
                               + "check for a missing ',' or an extra '}' or ']'")
        }
        return value
    }

    private var atEnd: Bool { index >= scalars.count }
    private var current: Unicode.Scalar? { atEnd ? nil : scalars[index] }
    private var position: TextPosition { TextPosition(line: line, column: column) }

    private func error(_ message: String, at position: TextPosition? = nil) -> JSONSyntaxError {
        JSONSyntaxError(position: position ?? self.position, message: message)
    }

    private func describeCurrent() -> String {
        guard let c = current else { return "end of file" }
        switch c {
        case "\n": return "end of line"
        case "\t": return "a tab"
        default: return "'\(Character(c))'"
        }
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func skipWhitespace() {
        while let c = current, c == " " || c == "\t" || c == "\n" || c == "\r" { advance() }
    }

    private mutating func expect(_ c: Unicode.Scalar, _ context: String) throws(JSONSyntaxError) {
        guard current == c else { throw error("expected '\(Character(c))' \(context), found \(describeCurrent())") }
        advance()
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        guard depth < 200 else { throw error("values are nested more than 200 levels deep") }
        let start = position
        guard let c = current else { throw error("expected a value, found end of file") }
        switch c {
        case "{": return JSONNode(value: .object(try parseObject(depth: depth)), position: start)
        case "[": return JSONNode(value: .array(try parseArray(depth: depth)), position: start)
        case "\"": return JSONNode(value: .string(try parseString()), position: start)
        case "t": try parseLiteral("true"); return JSONNode(value: .bool(true), position: start)
        case "f": try parseLiteral("false"); return JSONNode(value: .bool(false), position: start)
        case "n": try parseLiteral("null"); return JSONNode(value: .null, position: start)
        case "-", "0" ... "9": return try parseNumber()
        case "'":
            throw error("strings must be enclosed in double quotes (\"), not single quotes")
        default:
            if c == "N" || c == "I" {
                throw error("NaN and Infinity are not JSON numbers; leave a bound out (or write null) for ±∞")
            }
            throw error("expected a value (object, list, string, number, true, false or null), found \(describeCurrent())")
        }
    }

    private mutating func parseLiteral(_ word: String) throws(JSONSyntaxError) {
        let start = position
        for expected in word.unicodeScalars {
            guard current == expected else {
                throw error("expected '\(word)'; strings must be in double quotes", at: start)
            }
            advance()
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> [JSONMember] {
        advance()  // {
        var members: [JSONMember] = []
        var seen: [String: TextPosition] = [:]
        skipWhitespace()
        if current == "}" { advance(); return members }
        while true {
            skipWhitespace()
            let keyPosition = position
            guard current == "\"" else {
                if current == "}" { throw error("trailing comma before '}': remove the last ','") }
                throw error("expected a field name in double quotes, found \(describeCurrent())")
            }
            let key = try parseString()
            if let first = seen[key] {
                throw error("field '\(key)' appears twice in the same object (first at line \(first.line)); "
                            + "keep one", at: keyPosition)
            }
            seen[key] = keyPosition
            skipWhitespace()
            try expect(":", "after the field name '\(key)'")
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append(JSONMember(key: key, keyPosition: keyPosition, value: value))
            skipWhitespace()
            if current == "," { advance(); continue }
            if current == "}" { advance(); return members }
            throw error("expected ',' or '}' after the value of '\(key)', found \(describeCurrent())")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> [JSONNode] {
        advance()  // [
        var elements: [JSONNode] = []
        skipWhitespace()
        if current == "]" { advance(); return elements }
        while true {
            skipWhitespace()
            if current == "]" { throw error("trailing comma before ']': remove the last ','") }
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if current == "," { advance(); continue }
            if current == "]" { advance(); return elements }
            throw error("expected ',' or ']' in a list, found \(describeCurrent())")
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = position
        advance()  // opening quote
        var result = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw error("unterminated string (it starts here)", at: start) }
            switch c {
            case "\"":
                advance()
                return String(result)
            case "\\":
                advance()
                guard let e = current else { throw error("unterminated string (it starts here)", at: start) }
                let escapePosition = position
                advance()
                switch e {
                case "\"": result.append("\"")
                case "\\": result.append("\\")
                case "/": result.append("/")
                case "b": result.append("\u{08}")
                case "f": result.append("\u{0C}")
                case "n": result.append("\n")
                case "r": result.append("\r")
                case "t": result.append("\t")
                case "u":
                    var code = try parseHex4()
                    if (0xD800 ..< 0xDC00).contains(code) {  // a surrogate pair
                        guard current == "\\" else { throw error("unpaired UTF-16 surrogate in \\u escape", at: escapePosition) }
                        advance()
                        guard current == "u" else { throw error("unpaired UTF-16 surrogate in \\u escape", at: escapePosition) }
                        advance()
                        let low = try parseHex4()
                        guard (0xDC00 ..< 0xE000).contains(low) else {
                            throw error("invalid UTF-16 surrogate pair in \\u escape", at: escapePosition)
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else {
                        throw error("invalid \\u escape (a lone surrogate)", at: escapePosition)
                    }
                    result.append(scalar)
                default:
                    throw error("invalid escape '\\\(Character(e))' in a string; write a backslash as \\\\", at: escapePosition)
                }
            case "\n":
                throw error("unterminated string: a line break inside a string must be written \\n", at: start)
            default:
                if c.value < 0x20 { throw error("control character U+\(String(c.value, radix: 16)) inside a string; escape it") }
                result.append(c)
                advance()
            }
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0 ..< 4 {
            guard let c = current, c.isASCII, let digit = UInt32(String(Character(c)), radix: 16) else {
                throw error("\\u must be followed by four hexadecimal digits")
            }
            code = code * 16 + digit
            advance()
        }
        return code
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONNode {
        let start = position
        var text = ""
        func digits(_ parser: inout JSONParser) -> Int {
            var count = 0
            while let c = parser.current, ("0" ... "9").contains(c) {
                text.unicodeScalars.append(c)
                parser.advance()
                count += 1
            }
            return count
        }
        if current == "-" { text += "-"; advance() }
        if current == "0" {
            text += "0"
            advance()
            if let c = current, ("0" ... "9").contains(c) { throw error("numbers must not have leading zeros", at: start) }
        } else if digits(&self) == 0 {
            throw error("expected a digit after '-'", at: start)
        }
        if current == "." {
            text += "."
            advance()
            if digits(&self) == 0 { throw error("expected a digit after the decimal point", at: start) }
        }
        if current == "e" || current == "E" {
            text += "e"
            advance()
            if current == "+" || current == "-" { text.unicodeScalars.append(current!); advance() }
            if digits(&self) == 0 { throw error("expected a digit in the exponent", at: start) }
        }
        guard let value = Double(text), value.isFinite else {
            throw error("the number \(text) is too large for a double", at: start)
        }
        return JSONNode(value: .number(value, text: text), position: start)
    }
}
