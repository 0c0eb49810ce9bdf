import Bilevel
import Foundation

/// Where commands write: results to standard output, messages and progress to standard error.
/// Tests pass a capturing console; the executable uses `Console.standard`.
public final class Console: @unchecked Sendable {
    private let lock = NSLock()
    private let writeOut: (String) -> Void
    private let writeError: (String) -> Void
    /// Whether standard error is a terminal (progress is then updated in place).
    public let errorIsTerminal: Bool
    /// Silences progress and informational messages (errors are always written).
    public var quiet = false
    private var pendingLine = false

    public init(out: @escaping (String) -> Void, error: @escaping (String) -> Void, errorIsTerminal: Bool = false) {
        writeOut = out
        writeError = error
        self.errorIsTerminal = errorIsTerminal
    }

    /// The process's standard output and error.
    public static func standard() -> Console {
        Console(out: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
                error: { text in FileHandle.standardError.write(Data(text.utf8)) },
                errorIsTerminal: isatty(2) == 1)
    }

    /// A console that keeps everything written, for tests.
    public static func capturing() -> (Console, CapturedOutput) {
        let captured = CapturedOutput()
        return (Console(out: { captured.append(out: $0) }, error: { captured.append(error: $0) }), captured)
    }

    /// A line of results on standard output (written even when quiet: it is what was asked for).
    public func print(_ line: String) {
        lock.withLock { writeOut(line + "\n") }
    }

    /// An informational line on standard error (silenced by --quiet).
    public func info(_ line: String) {
        guard !quiet else { return }
        lock.withLock {
            endProgressLine()
            writeError(line + "\n")
        }
    }

    /// A diagnostic on standard error (never silenced).
    public func report(_ diagnostic: Diagnostic) {
        guard diagnostic.severity != .note || !quiet else { return }
        lock.withLock {
            endProgressLine()
            writeError(diagnostic.description + "\n")
        }
    }

    /// An error message on standard error (never silenced).
    public func error(_ text: String) {
        lock.withLock {
            endProgressLine()
            writeError(text + "\n")
        }
    }

    /// A progress line: rewritten in place on a terminal, a plain line otherwise.
    public func progress(_ line: String) {
        guard !quiet else { return }
        lock.withLock {
            if errorIsTerminal {
                writeError("\r\u{1B}[K" + line)
                pendingLine = true
            } else {
                writeError(line + "\n")
            }
        }
    }

    /// Ends an in-place progress line so the next message starts on its own line.
    public func finishProgress() {
        lock.withLock { endProgressLine() }
    }

    private func endProgressLine() {
        if pendingLine {
            writeError("\n")
            pendingLine = false
        }
    }
}

/// What a capturing console received.
public final class CapturedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var outText = ""
    private var errorText = ""
    func append(out: String) { lock.withLock { outText += out } }
    func append(error: String) { lock.withLock { errorText += error } }
    public var standardOutput: String { lock.withLock { outText } }
    public var standardError: String { lock.withLock { errorText } }
}

/// Formats one outer iteration as a progress line.
enum ProgressLine {
    static let header = "  iter       objective   |gradient|        step   inner   elapsed"

    static func format(_ r: IterationRecord, elapsed: Double) -> String {
        func e(_ x: Double) -> String { x.isFinite ? String(format: "%.3e", x) : "-" }
        let step = r.iteration == 0 ? "-" : (r.accepted ? e(r.stepNorm) : "rejected")
        return pad(String(r.iteration), 6) + pad(String(format: "%.8e", r.objective), 16) + pad(e(r.projectedGradientNorm), 13)
            + pad(step, 12) + pad(String(r.innerIterations), 8) + pad(String(format: "%.1f s", elapsed), 10)
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}
