import Physics
import Sparse

/// Messages between ranks as arrays of doubles: numbers travel as themselves (bit for bit), whole
/// numbers and UTF-8 bytes as exactly representable doubles. Reading checks every count against what
/// is left, so a damaged message is refused (`MessageError`), never read out of bounds.
public struct MessageWriter {
    public init() {}

    public private(set) var values: [Double] = []

    public mutating func int(_ x: Int) { values.append(Double(x)) }
    public mutating func double(_ x: Double) { values.append(x) }
    public mutating func doubles(_ x: [Double]) {
        int(x.count)
        values.append(contentsOf: x)
    }
    public mutating func string(_ s: String) {
        let bytes = Array(s.utf8)
        int(bytes.count)
        values.append(contentsOf: bytes.map(Double.init))
    }
}

/// A message that does not decode: a protocol error between ranks (never expected).
public struct MessageError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}

/// Reads a `MessageWriter`'s message in the order it was written; every read checks what is left and
/// throws `MessageError` rather than read past the end, so a damaged or hostile message is refused.
public struct MessageReader {
    private let values: [Double]
    private var position = 0

    public init(_ values: [Double]) { self.values = values }

    public var isAtEnd: Bool { position == values.count }

    public mutating func double() throws -> Double {
        guard position < values.count else { throw MessageError(description: "message between ranks ends early") }
        position += 1
        return values[position - 1]
    }

    public mutating func int() throws -> Int {
        let x = try double()
        guard x == x.rounded(), abs(x) < 9.0e15 else { throw MessageError(description: "message between ranks has \(x) where a count belongs") }
        return Int(x)
    }

    public mutating func count() throws -> Int {
        let n = try int()
        guard n >= 0, n <= values.count - position else {
            throw MessageError(description: "message between ranks announces \(n) values, \(values.count - position) are left")
        }
        return n
    }

    public mutating func doubles() throws -> [Double] {
        let n = try count()
        position += n
        return Array(values[position - n ..< position])
    }

    public mutating func string() throws -> String {
        let bytes = try doubles().map { b -> UInt8 in
            guard let byte = UInt8(exactly: b) else { throw MessageError(description: "message between ranks has a bad text byte \(b)") }
            return byte
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The encodings of what executors exchange.
enum ExperimentMessages {
    /// One experiment's outcome: 0 failed (nil), 1 solved, 2 threw.
    static func write(_ outcome: LocalEvaluation.Outcome, experiment: String, to w: inout MessageWriter) {
        switch outcome {
        case .success(nil):
            w.int(0)
        case let .success(r?):
            w.int(1)
            w.doubles(r.predicted)
            w.doubles(r.residuals)
            if let j = r.jacobian {
                w.int(1)
                w.int(j.count)
                for row in j { w.doubles(row) }
            } else {
                w.int(0)
            }
            if let g = r.gradient {
                w.int(1)
                w.doubles(g)
            } else {
                w.int(0)
            }
            w.int(r.innerIterations)
        case let .failure(error):
            w.int(2)
            w.int(error is SparseError ? 1 : 0)
            w.string("\(error)")
        }
    }

    static func readOutcome(_ r: inout MessageReader, experiment: String, rank: Int) throws -> LocalEvaluation.Outcome {
        switch try r.int() {
        case 0:
            return .success(nil)
        case 1:
            let predicted = try r.doubles(), residuals = try r.doubles()
            var jacobian: [[Double]]?
            if try r.int() == 1 {
                let rows = try r.count()
                jacobian = try (0 ..< rows).map { _ in try r.doubles() }
            }
            let gradient = try r.int() == 1 ? try r.doubles() : nil
            let inner = try r.int()
            return .success(ExperimentResiduals(predicted: predicted, residuals: residuals, jacobian: jacobian,
                                                gradient: gradient, innerIterations: inner))
        case 2:
            let solverFailure = try r.int() == 1
            let message = try r.string()
            return .failure(RemoteEvaluationError(experiment: experiment, rank: rank, message: message, isSolverFailure: solverFailure))
        case let tag:
            throw MessageError(description: "message between ranks has outcome tag \(tag)")
        }
    }

    static func write(_ anchors: [ContinuationAnchor], to w: inout MessageWriter) {
        w.int(anchors.count)
        for a in anchors {
            w.doubles(a.theta)
            w.doubles(a.displacement)
            w.doubles(a.sensitivities)
        }
    }

    static func readAnchors(_ r: inout MessageReader) throws -> [ContinuationAnchor] {
        try (0 ..< r.count()).map { _ in
            ContinuationAnchor(theta: try r.doubles(), displacement: try r.doubles(), sensitivities: try r.doubles())
        }
    }

    static func write(_ report: ExperimentReport, to w: inout MessageWriter) {
        let s = report.statistics
        for x in [s.continued, s.loadPathSolves, s.branchJumps, s.instabilities] { w.int(x) }
        w.int(report.events.count)
        for e in report.events { w.string(e) }
    }

    static func readReport(_ r: inout MessageReader) throws -> ExperimentReport {
        var s = ContinuationStatistics()
        s.continued = try r.int()
        s.loadPathSolves = try r.int()
        s.branchJumps = try r.int()
        s.instabilities = try r.int()
        let events = try (0 ..< r.count()).map { _ in try r.string() }
        return ExperimentReport(statistics: s, events: events)
    }
}

/// An experiment evaluated on another rank threw: what it said, where.
public struct RemoteEvaluationError: Error, CustomStringConvertible {
    public let experiment: String
    public let rank: Int
    public let message: String
    /// The error was the sparse solver's (a matrix that is not positive definite, for example): callers
    /// that treat such errors as a failed evaluation treat this one the same way.
    public let isSolverFailure: Bool

    public var description: String { message }
}
