/// One problem (or warning, or note) found in a case: what, and where — a file, and in the
/// configuration a line and column.
///
/// `description` reads like a compiler message, `file:line:column: error: message`, so editors and
/// terminals can jump to the place.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        case error, warning, note
    }

    public var severity: Severity
    /// The file concerned as the user would type it (relative to the working directory), or nil.
    public var file: String?
    /// Line and column in `file` (configuration files only).
    public var position: TextPosition?
    public var message: String

    public init(_ severity: Severity, file: String? = nil, at position: TextPosition? = nil, _ message: String) {
        self.severity = severity
        self.file = file
        self.position = position
        self.message = message
    }

    public var description: String {
        var location = ""
        if let file {
            location = file
            if let position { location += ":\(position.line):\(position.column)" }
            location += ": "
        }
        return "\(location)\(severity.rawValue): \(message)"
    }
}

/// Collects every problem found, so that `calibrate check` can list them all rather than stop at
/// the first. Not thread-safe; one list per command.
public final class DiagnosticList {
    public private(set) var items: [Diagnostic] = []
    /// The file positions refer to unless a diagnostic names another.
    public var file: String?

    public init(file: String? = nil) {
        self.file = file
    }

    public func error(_ message: String, at position: TextPosition? = nil, file: String? = nil) {
        items.append(Diagnostic(.error, file: file ?? self.file, at: position, message))
    }

    public func warning(_ message: String, at position: TextPosition? = nil, file: String? = nil) {
        items.append(Diagnostic(.warning, file: file ?? self.file, at: position, message))
    }

    public func note(_ message: String, at position: TextPosition? = nil, file: String? = nil) {
        items.append(Diagnostic(.note, file: file ?? self.file, at: position, message))
    }

    public func append(_ diagnostic: Diagnostic) { items.append(diagnostic) }
    public func append(contentsOf other: [Diagnostic]) { items.append(contentsOf: other) }

    public var errors: [Diagnostic] { items.filter { $0.severity == .error } }
    public var hasErrors: Bool { items.contains { $0.severity == .error } }

    /// Throws the collected problems as one `CaseError` when there is at least one error.
    public func throwIfErrors() throws(CaseError) {
        if hasErrors { throw CaseError(items) }
    }
}

/// The case cannot be used as it is: its configuration, its data or the command line's values are
/// wrong, or an output cannot be written. Carries every problem found (exit status 2).
public struct CaseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// A single error without a file position.
    public init(_ message: String, file: String? = nil) {
        diagnostics = [Diagnostic(.error, file: file, message)]
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// The command line is wrong: an unknown command or option, a missing or malformed value
/// (exit status 2). `command` names the command whose help the message refers to.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var command: String?

    public init(_ message: String, command: String? = nil) {
        self.message = message
        self.command = command
    }

    public var description: String {
        let tool = CalibrateTool.toolName
        let help = command.map { "\(tool) \($0) --help" } ?? "\(tool) --help"
        return "error: \(message)\nSee '\(help)'."
    }
}
