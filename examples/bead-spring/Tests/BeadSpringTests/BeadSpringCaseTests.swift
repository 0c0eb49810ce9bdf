import BeadSpring
import CaseRunner
import Foundation
import Testing

/// The bead-spring kind through the `calibrate` tool, as `calibrate-beads` runs it: registered, it is
/// checked, solved and reported like a built-in kind; unregistered, the tool does not know it.
@Suite struct BeadSpringCaseTests {
    /// The example's case folder (this file is Tests/BeadSpringTests/… of the package).
    static let casePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("cases/shear").path

    static var registry: ModelRegistry {
        var r = ModelRegistry.standard
        r.register(BeadSpringCase.self)
        return r
    }

    func tool(_ arguments: [String], registry: ModelRegistry = registry) -> (status: Int32, out: String, err: String) {  // err: everything printed (check lists problems on stdout)
        let (console, captured) = Console.capturing()
        let status = CalibrateTool.main(arguments, registry: registry, console: console)
        return (status, captured.standardOutput, captured.standardOutput + captured.standardError)
    }

    /// A copy of the bundled case with `edit` applied to its case.json.
    func editedCase(_ edit: (String) -> String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("beads-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.casePath + "/observations.nc", toPath: folder + "/observations.nc")
        let text = try String(contentsOfFile: Self.casePath + "/case.json", encoding: .utf8)
        try edit(text).write(toFile: folder + "/case.json", atomically: true, encoding: .utf8)
        return folder
    }

    @Test func theBundledCaseChecksWithItsData() {
        let r = tool(["check", Self.casePath])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("2 experiment"), "\(r.out)")
    }

    @Test func theBundledCaseRegresses() {
        let r = tool(["regress", Self.casePath])
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
    }

    @Test func theKindsOwnFieldsAreCheckedWithLineAndColumn() throws {
        let folder = try editedCase { $0.replacingOccurrences(of: "\"row\": 3, \"variable\": \"u_middle_shear\"", with: "\"row\": 9, \"variable\": \"u_middle_shear\"")
            .replacingOccurrences(of: "\"top_displacement\": [0.0, 0.3]", with: "\"top_displacement\": [0.3]") }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let r = tool(["check", folder])
        #expect(r.status == 2)
        #expect(r.err.contains("case.json:17:") && r.err.contains("'row' in observable 1 of experiment 'shear' is 9, but the network has rows 0 to 6"), "\(r.err)")
        #expect(r.err.contains("'top_displacement' of experiment 'stretch' needs 2 components [dx, dy], found 1"), "\(r.err)")
    }

    @Test func withoutTheRegistrationTheToolDoesNotKnowTheKind() {
        let r = tool(["check", Self.casePath], registry: .standard)
        #expect(r.status == 2)
        #expect(r.err.contains("model kind 'bead-spring' is not known"), "\(r.err)")
    }
}
