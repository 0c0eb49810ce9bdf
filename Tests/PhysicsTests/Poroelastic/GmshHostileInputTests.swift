import Foundation
import Physics
import Testing

/// Counts in an MSH file are untrusted: a negative one is a syntax error naming the file, the
/// section and the line; one larger than the rest of the file can hold is refused before anything
/// is reserved for it (these once trapped on `0 ..< n` or aborted reserving 10¹⁵ elements).
@Suite struct GmshHostileInputTests {
    func syntaxError(_ text: String, file: String? = "mesh.msh") -> (section: String?, line: Int, message: String, description: String)? {
        do {
            _ = try TriangleMesh.parseGmsh(text, file: file)
        } catch {
            if case let .syntax(_, section, line, message) = error { return (section, line, message, error.description) }
        }
        return nil
    }

    /// The 1-based line of the first occurrence of `line` in the fixture.
    func lineNumber(of line: String) -> Int {
        twoLayerColumnMSH.components(separatedBy: "\n").firstIndex(of: line)! + 1
    }

    @Test(arguments: [
        ("$PhysicalNames\n5\n", "$PhysicalNames\n-5\n", "$PhysicalNames", "5"),
        ("$Entities\n6 7 2 0\n", "$Entities\n6 -7 2 0\n", "$Entities", "6 7 2 0"),
        ("$Nodes\n15 21 1 21\n", "$Nodes\n-15 21 1 21\n", "$Nodes", "15 21 1 21"),
        ("0 1 0 1\n1\n0 0 0\n", "0 1 0 -1\n1\n0 0 0\n", "$Nodes", "0 1 0 1"),
    ])
    func negativeCountsAreSyntaxErrorsWithTheirPlace(original: String, broken: String, section: String, line: String) throws {
        #expect(twoLayerColumnMSH.contains(original))
        let error = try #require(syntaxError(twoLayerColumnMSH.replacingOccurrences(of: original, with: broken)))
        #expect(error.section == section)
        #expect(error.line == lineNumber(of: line))
        #expect(error.message.contains("cannot be negative"))
        #expect(error.description.contains("'mesh.msh' line \(error.line) (in \(section))"))
    }

    @Test func negativeElementCountsAndPhysicalTagCountsAreSyntaxErrors() throws {
        let elements = try #require(twoLayerColumnMSH.range(of: "$Elements\n"))
        var text = twoLayerColumnMSH
        let header = text[elements.upperBound...].prefix { $0 != "\n" }
        let fields = header.split(separator: " ")
        text.replaceSubrange(header.startIndex ..< header.endIndex, with: "-" + fields.joined(separator: " "))
        #expect(try #require(syntaxError(text)).section == "$Elements")
        let groups = twoLayerColumnMSH.replacingOccurrences(of: "1 0 0 0 1 1 0 1 1 4 1 2 3 4", with: "1 0 0 0 1 1 0 -1 1 4 1 2 3 4")
        #expect(try #require(syntaxError(groups)).message.contains("cannot be negative"))
    }

    @Test(arguments: ["$PhysicalNames\n5\n", "$Entities\n6 7 2 0\n", "$Nodes\n15 21 1 21\n", "0 1 0 1\n1\n0 0 0\n"])
    func hugeCountsAreRefusedBeforeReservingMemory(original: String) throws {
        let huge = original.replacingOccurrences(of: "\n5\n", with: "\n1000000000000000\n")
            .replacingOccurrences(of: "6 7 2 0", with: "6 7 1000000000000000 0")
            .replacingOccurrences(of: "15 21 1 21", with: "1000000000000000 21 1 21")
            .replacingOccurrences(of: "0 1 0 1\n", with: "0 1 0 1000000000000000\n")
        #expect(huge != original)
        let error = try #require(syntaxError(twoLayerColumnMSH.replacingOccurrences(of: original, with: huge)))
        #expect(error.message.contains("the rest of the file can hold at most"), "\(error.message)")
    }

    @Test func aCountJustLargerThanTheFileIsRefusedAndTheFixtureStillReads() throws {
        #expect(try TriangleMesh.parseGmsh(twoLayerColumnMSH, file: "mesh.msh").triangleCount > 0)
        // Six physical names announced, five present: the sixth line is "$EndPhysicalNames".
        let short = twoLayerColumnMSH.replacingOccurrences(of: "$PhysicalNames\n5\n", with: "$PhysicalNames\n6\n")
        #expect(syntaxError(short) != nil)
    }

    @Test func aNodeBlockOfImpossibleDimensionIsASyntaxError() throws {
        let text = twoLayerColumnMSH.replacingOccurrences(of: "0 1 0 1\n1\n0 0 0\n", with: "-4 1 1 1\n1\n0 0 0\n")
        #expect(try #require(syntaxError(text)).message.contains("dimension -4"))
    }

    @Test func aDeviceOrAFolderNamedAsTheMeshIsNotRead() {
        for path in ["/dev/zero", "/tmp"] {
            do {
                _ = try TriangleMesh.readGmsh(path: path)
                Issue.record("\(path) must be refused")
            } catch {
                guard case let .unreadable(_, reason) = error else { Issue.record("got \(error)"); continue }
                #expect(reason.contains("not a regular file"))
            }
        }
    }
}
