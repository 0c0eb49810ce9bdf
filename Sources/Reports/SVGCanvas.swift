import Foundation

/// A rectangle in SVG pixel coordinates (y grows downwards).
struct Rect: Equatable {
    var x: Double, y: Double, width: Double, height: Double
    var maxX: Double { x + width }
    var maxY: Double { y + height }

    func contains(_ px: Double, _ py: Double) -> Bool {
        px >= x && px <= maxX && py >= y && py <= maxY
    }
}

/// Accumulates SVG elements as text, one per line, with fixed number formatting so the same
/// drawing always yields the same bytes.
struct SVGCanvas {
    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

    private(set) var lines: [String] = []
    private var depth = 0

    /// Coordinates with at most two decimals (a hundredth of a pixel is far below what any viewer
    /// shows), trailing zeros removed: `12.5`, `100`, `-3.25`.
    static func number(_ value: Double) -> String {
        var text = NumberFormat.fixed(value, decimals: 2)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// An estimate of the width of `text` in pixels. SVG has no text measurement, so layout uses
    /// approximate advances of DejaVu Sans (the widest of the fonts named in ``fontFamily``) by
    /// character class; the estimate errs wide so that labels never collide.
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        var ems = 0.0
        for character in text {
            switch character {
            case "i", "l", "j", ".", ",", ":", ";", "'", "|", "!", "I": ems += 0.30
            case " ", "f", "t", "r", "(", ")", "[", "]", "-", "/": ems += 0.40
            case "m", "w", "M", "W", "\u{00D7}": ems += 0.95
            case "0" ... "9", "+", "=", "<", ">", "\u{2212}", "\u{00B1}": ems += 0.66
            case "a" ... "z": ems += 0.62
            case "A" ... "Z": ems += 0.74
            default: ems += 0.70
            }
        }
        return ems * fontSize
    }

    static func estimatedWidth(_ label: TickLabel, fontSize: Double) -> Double {
        estimatedWidth(label.base, fontSize: fontSize)
            + estimatedWidth(label.exponent ?? "", fontSize: fontSize * superscriptScale)
    }

    static let superscriptScale = 0.72

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(XMLEscape.escape($0.1))\"" }.joined()
    }

    private mutating func emit(_ line: String) {
        lines.append(String(repeating: "  ", count: depth) + line)
    }

    mutating func open(_ name: String, _ pairs: [(String, String)] = []) {
        emit("<\(name)\(Self.attributes(pairs))>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        emit("</\(name)>")
    }

    mutating func element(_ name: String, _ pairs: [(String, String)]) {
        emit("<\(name)\(Self.attributes(pairs))/>")
    }

    /// A text element; `content` is escaped here.
    mutating func text(_ content: String, x: Double, y: Double, _ pairs: [(String, String)] = []) {
        let position = [("x", Self.number(x)), ("y", Self.number(y))]
        emit("<text\(Self.attributes(position + pairs))>\(XMLEscape.escape(content))</text>")
    }

    /// A tick label, with its exponent typeset as a superscript when it has one.
    mutating func label(_ label: TickLabel, x: Double, y: Double, fontSize: Double, _ pairs: [(String, String)]) {
        var body = XMLEscape.escape(label.base)
        if let exponent = label.exponent {
            let size = Self.number(fontSize * Self.superscriptScale)
            let rise = Self.number(-fontSize * 0.42)
            body += "<tspan dy=\"\(rise)\" font-size=\"\(size)\">\(XMLEscape.escape(exponent))</tspan>"
        }
        let position = [("x", Self.number(x)), ("y", Self.number(y))]
        emit("<text\(Self.attributes(position + pairs))>\(body)</text>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) {
        element("line", [("x1", Self.number(x1)), ("y1", Self.number(y1)),
                         ("x2", Self.number(x2)), ("y2", Self.number(y2))])
    }

    mutating func rect(_ r: Rect, _ pairs: [(String, String)] = []) {
        element("rect", [("x", Self.number(r.x)), ("y", Self.number(r.y)),
                         ("width", Self.number(r.width)), ("height", Self.number(r.height))] + pairs)
    }

    /// One marker centred on (x, y) with "radius" `size`; fill and stroke come from the enclosing group.
    mutating func marker(_ shape: MarkerShape, x: Double, y: Double, size: Double) {
        let n = Self.number
        switch shape {
        case .circle:
            element("circle", [("cx", n(x)), ("cy", n(y)), ("r", n(size))])
        case .square:
            let side = size * 1.75
            element("rect", [("x", n(x - side / 2)), ("y", n(y - side / 2)),
                             ("width", n(side)), ("height", n(side))])
        case .triangle:
            let r = size * 1.3
            let d = "M\(n(x)),\(n(y - r))L\(n(x + r * 0.866)),\(n(y + r * 0.5))L\(n(x - r * 0.866)),\(n(y + r * 0.5))Z"
            element("path", [("d", d)])
        case .diamond:
            let r = size * 1.3
            element("path", [("d", "M\(n(x)),\(n(y - r))L\(n(x + r)),\(n(y))L\(n(x)),\(n(y + r))L\(n(x - r)),\(n(y))Z")])
        case .cross:
            let r = size
            element("path", [("d", "M\(n(x - r)),\(n(y - r))L\(n(x + r)),\(n(y + r))M\(n(x - r)),\(n(y + r))L\(n(x + r)),\(n(y - r))")])
        }
    }

    /// The finished document: XML declaration, root `svg` element with a white background.
    static func document(width: Double, height: Double, title: String?, body: [String]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""
        out += " width=\"\(number(width))\" height=\"\(number(height))\""
        out += " viewBox=\"0 0 \(number(width)) \(number(height))\""
        out += " font-family=\"\(fontFamily)\">\n"
        if let title, !title.isEmpty {
            // The <title> child is what screen readers and browsers' tooltips show.
            out += "  <title>\(XMLEscape.escape(title))</title>\n"
        }
        out += "  <rect x=\"0\" y=\"0\" width=\"\(number(width))\" height=\"\(number(height))\" fill=\"#ffffff\"/>\n"
        for line in body { out += "  " + line + "\n" }
        out += "</svg>\n"
        return out
    }
}
