import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element, for checking what the writers produce: the documents must be accepted by
/// a real XML parser (Foundation's, over libxml2), and tests then look things up in the tree.
final class XMLNode {
    let name: String
    let attributes: [String: String]
    var children: [XMLNode] = []
    /// Character data directly inside this element.
    var ownText = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// All text inside, including that of children (e.g. a label and its superscript tspan).
    var text: String { ownText + children.map(\.text).joined() }

    func attribute(_ key: String) -> String? { attributes[key] }

    func double(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }

    /// This element and all below it, depth first.
    var descendants: [XMLNode] { [self] + children.flatMap(\.descendants) }

    func all(_ name: String) -> [XMLNode] { descendants.filter { $0.name == name } }

    func first(_ name: String) -> XMLNode? { descendants.first { $0.name == name } }

    func element(id: String) -> XMLNode? { descendants.first { $0.attributes["id"] == id } }
}

enum XMLTree {
    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses `text`; throws with the parser's message if it is not well-formed.
    static func parse(_ text: String) throws -> XMLNode {
        let delegate = Builder()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = delegate
        guard parser.parse(), let root = delegate.root else {
            throw ParseError(description: "XML parse failed: \(parser.parserError.map { "\($0)" } ?? "no root") "
                + "at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: XMLNode?
        var stack: [XMLNode] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            let node = XMLNode(name: elementName, attributes: attributes)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.ownText += string
        }
    }
}

/// A fresh, empty directory under the system's temporary directory, unique to one test.
func makeTemporaryDirectory(_ label: String = #function) throws -> String {
    let cleaned = label.filter { $0.isLetter || $0.isNumber }
    let path = URL(fileURLWithPath: NSTemporaryDirectory())
        .appendingPathComponent("reports-tests-\(cleaned)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Parses whitespace-separated numbers (the body of a VTK ASCII DataArray).
func numbers(_ text: String) -> [Double] {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double(String($0)) }
}
