@testable import CaseRunner
import Foundation
import Testing

/// Command-line misuse and destructive commands: typos get "did you mean", `synth` does not
/// overwrite data made at unintended values, mesh errors point into the .msh file.
@Suite struct HostileCommandTests {
    @Test func aMisspeltCommandIsRecognized() {
        let r = calibrate("chek", "cases/morse-lattice")
        #expect(r.status == 2, "\(r.err) \(r.out)")
        #expect(r.err.contains("'chek' is not a command and not a case folder; did you mean 'calibrate check'?"), "\(r.err)")
        // A folder that happens to be named like a command typo is still a case folder.
        let folder = TemporaryFolder()
        try? FileManager.default.createDirectory(atPath: folder.path + "/chek", withIntermediateDirectories: false)
        let asCase = calibrate(folder.path + "/chek")
        #expect(!asCase.err.contains("did you mean 'calibrate check'"))
    }

    @Test func synthRefusesToReplaceDataWithoutATruthForEveryFreeParameter() throws {
        let folder = preparedSmallCase()
        let before = folder.read("observations.nc")
        let r = calibrate("synth", folder.path, "--truth", "D=0.35", "--noise", "0.01", "-q")
        #expect(r.status == 2, "\(r.err) \(r.out)")
        #expect(r.err.contains("--truth alpha=VALUE --truth r0=VALUE") && r.err.contains("--at-initial"), "\(r.err)")
        #expect(folder.read("observations.nc") == before)
        #expect(!folder.contents.contains { $0.hasPrefix(".") }, "leftover temporaries: \(folder.contents)")
        // Asked for explicitly, it replaces them.
        let explicit = calibrate("synth", folder.path, "--truth", "D=0.35", "--noise", "0.01", "--at-initial", "-q")
        #expect(explicit.status == 0, "\(explicit.err)")
        #expect(folder.read("observations.nc") != before)
    }

    @Test func synthWritesNewDataAtInitialValuesWithoutTheFlag() {
        let folder = TemporaryFolder()
        folder.write(smallLatticeCase(), to: "case.json")
        let r = calibrate("synth", folder.path, "--noise", "0.01", "-q")
        #expect(r.status == 0, "\(r.err)")
        #expect(folder.exists("observations.nc"))
    }

    @Test func aMeshSyntaxErrorIsLocatedInTheMeshFile() throws {
        let folder = TemporaryFolder()
        let source = repositoryRoot + "/cases/layered-footing"
        for file in ["case.json", "footing.nc"] {
            try FileManager.default.copyItem(atPath: source + "/" + file, toPath: folder.path + "/" + file)
        }
        let mesh = try String(contentsOfFile: source + "/footing.msh", encoding: .utf8)
        let lines = mesh.components(separatedBy: "\n")
        let header = try #require(lines.firstIndex(of: "$Nodes")) + 1  // 0-based index of the counts line
        var broken = lines
        broken[header] = "-" + lines[header]
        try broken.joined(separator: "\n").write(toFile: folder.path + "/footing.msh", atomically: true, encoding: .utf8)
        let r = calibrate("check", folder.path)
        #expect(r.status == 2, "\(r.err) \(r.out)")
        let output = r.out + r.err
        #expect(output.contains("footing.msh:\(header + 1):1: error: MSH syntax error in $Nodes: the number of node blocks is -"), "\(output)")
        #expect(!output.contains("case.json:"), "\(output)")
    }
}
