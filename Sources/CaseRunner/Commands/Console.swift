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

    /// A finished progress line (one outer iteration): a plain line, so that every iteration stays
    /// visible on a terminal as in a log file.
    public func progress(_ line: String) {
        guard !quiet else { return }
        lock.withLock {
            endProgressLine()
            writeError(line + "\n")
        }
    }

    /// A transient status line, rewritten in place on a terminal (and not written elsewhere): what
    /// is being done now, replaced by the next progress line.
    public func status(_ line: String) {
        guard !quiet, errorIsTerminal else { return }
        lock.withLock {
            writeError("\r\u{1B}[K" + line)
            pendingLine = true
        }
    }

    /// Ends an in-place progress line so the next message starts on its own line.
    public func finishProgress() {
        lock.withLock { endProgressLine() }
    }

    /// Clears a transient status line so the next message starts at the beginning of the line.
    private func endProgressLine() {
        if pendingLine {
            writeError("\r\u{1B}[K")
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

/// Formats one outer iteration as a progress line: "iteration k of max", the objective, gradient,
/// step, inner iterations, the elapsed time, and the time left if the run went to the iteration
/// limit at the mean pace so far (an upper estimate: most runs converge before the limit).
enum ProgressLine {
    static let header = "  iter/max       objective   |gradient|        step   inner   elapsed   at most left"

    static func format(_ r: IterationRecord, elapsed: Double, maximum: Int? = nil) -> String {
        func e(_ x: Double) -> String { x.isFinite ? String(format: "%.3e", x) : "-" }
        let step = r.iteration == 0 ? "-" : (r.accepted ? e(r.stepNorm) : "rejected")
        var left = "-"
        if let maximum, r.iteration > 0, maximum >= r.iteration {
            left = duration(elapsed / Double(r.iteration) * Double(maximum - r.iteration))
        }
        return pad(String(r.iteration) + (maximum.map { "/\($0)" } ?? ""), 10) + pad(String(format: "%.8e", r.objective), 16)
            + pad(e(r.projectedGradientNorm), 13) + pad(step, 12) + pad(String(r.innerIterations), 8)
            + pad(String(format: "%.1f s", elapsed), 10) + pad(left, 15)
    }

    /// "42 s", "12 min", "3.5 h".
    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return String(format: "%.0f s", seconds) }
        if seconds < 7200 { return String(format: "%.0f min", seconds / 60) }
        return String(format: "%.1f h", seconds / 3600)
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}
