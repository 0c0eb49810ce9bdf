import Foundation

/// Where a result came from: the tool's version and commit, the command line as typed (with its
/// --set values), and the SHA-256 of every input file (case.json, data, mesh), so that a result in
/// a lab notebook can be traced to exactly the inputs that made it.
///
/// Guarantees: the same inputs and command line give the same provenance (nothing time-dependent).
struct Provenance {
    /// One input file and its digest.
    struct Input {
        /// "configuration", "data" or "mesh".
        let role: String
        let path: String
        /// 64 hex digits, or "unreadable" when the file could not be read.
        let sha256: String
    }

    let version: String
    let commit: String
    /// `calibrate` and its arguments, each quoted for a POSIX shell where needed.
    let commandLine: String
    let inputs: [Input]

    /// The commit of the source checkout the running executable was built in (`.build/…/calibrate` inside
    /// a git work tree): read from that checkout's `.git` at run time, since SwiftPM cannot embed it
    /// without a build plugin. "unknown" for an executable outside a checkout. The work tree may have
    /// changed since the build; the SHA-256 of the inputs, not this, is what makes a result reproducible.
    static let buildCommit: String = GitCheckout.commit(containing: executablePath) ?? "unknown"

    private static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
    }

    /// The arguments of the running command (without the program name); `CalibrateTool.main` sets them.
    @TaskLocal static var arguments: [String] = []

    static func collect(_ loaded: LoadedCase) -> Provenance {
        var inputs = [Input(role: "configuration", path: loaded.location.configuration, sha256: SHA256.hex(of: loaded.configurationBytes))]
        for path in loaded.dataFiles {
            inputs.append(Input(role: "data", path: path, sha256: SHA256.hex(ofFile: path) ?? "unreadable"))
        }
        for path in loaded.modelFiles where !loaded.dataFiles.contains(path) {
            inputs.append(Input(role: "model input", path: path, sha256: SHA256.hex(ofFile: path) ?? "unreadable"))
        }
        return Provenance(version: CalibrateTool.version, commit: buildCommit,
                          commandLine: (["calibrate"] + arguments).map(shellQuoted).joined(separator: " "), inputs: inputs)
    }

    /// `text` as one word for a POSIX shell: unchanged when it is safe, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+@%")
        if !text.isEmpty, text.unicodeScalars.allSatisfy(safe.contains) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
