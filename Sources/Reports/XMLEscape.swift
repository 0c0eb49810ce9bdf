/// Escaping for text placed in XML (SVG, VTK, PVD) content and attribute values.
enum XMLEscape {
    /// `text` made safe for both element content and double- or single-quoted attributes:
    /// `& < > " '` become entities, and characters XML 1.0 forbids (C0 controls other than
    /// tab, newline and carriage return) become U+FFFD, since no escape makes them legal.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
