import Bilevel
import Foundation
import Reports

/// The state of an interrupted `calibrate run`: the evaluation journal and what it belongs to.
///
/// Stored as a small binary file (numbers as their IEEE-754 bit patterns, little-endian, so they
/// come back exactly) next to the output folder, written atomically after every outer iteration.
///
/// Layout: magic, format version (UInt32), the content, then a checksum (64-bit FNV-1a) over every
/// byte before it. FNV-1a's step (xor a byte, multiply by an odd prime mod 2⁶⁴) is a bijection of
/// the state, so any change of a single byte — anywhere, including the last — changes the checksum:
/// a damaged checkpoint is refused as damaged, never resumed into a different result.
struct Checkpoint: Equatable {
    static let magic = Array("CALIBRATE-CHECKPOINT\n".utf8)
    static let formatVersion: UInt32 = 5

    /// Hash of the configuration, every input file (data, mesh), the optimizer settings and
    /// calibrate's version (see `fingerprint(of:optimizer:)`).
    var fingerprint: UInt64
    /// BLAS threads of the run that wrote it (results are reproducible only for a fixed count).
    var threads: Int
    /// Outer iterations completed.
    var iterations: Int
    /// Wall-clock seconds spent before the interruption(s).
    var elapsedSeconds: Double
    var records: [EvaluationJournal.Record]
    /// The continuation anchors of every experiment after the last record (empty without continuation):
    /// restored when the replay ends, so that a resumed run continues from the same equilibria.
    var anchors: [[ContinuationAnchor]] = []
    /// The evaluations rejected before the interruption (for the resumed run's report).
    var rejected = RejectedEvaluations()

    /// Where the checkpoint of output folder `output` lives: `.<name>.checkpoint` beside it.
    static func path(forOutput output: String) -> String {
        let url = URL(fileURLWithPath: output)
        let parent = (output as NSString).deletingLastPathComponent
        let name = "." + url.lastPathComponent + ".checkpoint"
        return parent.isEmpty ? name : parent + "/" + name
    }

    // MARK: Encoding

    func encoded() -> Data {
        var w = ByteWriter()
        w.bytes(Self.magic)
        w.u32(Self.formatVersion)
        w.u64(fingerprint)
        w.int(threads)
        w.int(iterations)
        w.double(elapsedSeconds)
        w.int(records.count)
        for record in records {
            switch record {
            case let .residual(z, jacobian, result):
                w.u8(1)
                w.doubles(z)
                w.u8(jacobian ? 1 : 0)
                w.u8(result == nil ? 0 : 1)
                if let r = result {
                    w.doubles(r.residuals)
                    w.int(r.innerIterations)
                    if let j = r.jacobian {
                        w.u8(1)
                        w.int(j.rows)
                        w.int(j.columns)
                        w.doubles(j.values)
                    } else {
                        w.u8(0)
                    }
                }
            case let .objective(z, result):
                w.u8(2)
                w.doubles(z)
                w.u8(result == nil ? 0 : 1)
                if let r = result {
                    w.double(r.value)
                    w.doubles(r.gradient)
                    w.int(r.innerIterations)
                    if let a = r.curvature {
                        w.u8(1)
                        w.int(a.rows)
                        w.int(a.columns)
                        w.doubles(a.values)
                    } else {
                        w.u8(0)
                    }
                }
            }
        }
        w.int(anchors.count)
        for list in anchors {
            w.int(list.count)
            for a in list {
                w.doubles(a.theta)
                w.doubles(a.displacement)
                w.doubles(a.sensitivities)
            }
        }
        w.int(rejected.branchJumps)
        w.int(rejected.instabilities)
        w.text(rejected.firstBranchJump)
        w.text(rejected.firstInstability)
        var checksum = Fingerprint()
        checksum.add(w.buffer)
        w.u64(checksum.value)
        return Data(w.buffer)
    }

    /// Why bytes are not a checkpoint this build can resume.
    enum DecodingFailure: Error, Equatable {
        /// Not a checkpoint at all (another file at the checkpoint's path).
        case notACheckpoint
        /// A checkpoint of another format version (another build of calibrate).
        case otherVersion(UInt32)
        /// The checksum does not match, or the content is inconsistent: the file was damaged.
        case damaged
    }

    /// Decodes a checkpoint; nil when the bytes are not one, are truncated or damaged.
    static func decode(_ data: Data) -> Checkpoint? {
        try? decodeChecked(data)
    }

    /// Decodes a checkpoint after checking its magic, version and checksum.
    static func decodeChecked(_ data: Data) throws(DecodingFailure) -> Checkpoint {
        let bytes = Array(data)
        guard bytes.count >= magic.count + 4, Array(bytes.prefix(magic.count)) == magic else { throw .notACheckpoint }
        var header = ByteReader(Array(bytes[magic.count ..< magic.count + 4]))
        let version = header.u32()!
        guard version == formatVersion else { throw .otherVersion(version) }
        guard bytes.count >= magic.count + 4 + 8 else { throw .damaged }
        var checksum = Fingerprint()
        checksum.add(bytes[..<(bytes.count - 8)])
        var trailer = ByteReader(Array(bytes.suffix(8)))
        guard trailer.u64() == checksum.value else { throw .damaged }
        guard let checkpoint = decodeContent(Array(bytes[(magic.count + 4) ..< (bytes.count - 8)])) else { throw .damaged }
        return checkpoint
    }

    /// The content between the version and the checksum.
    private static func decodeContent(_ content: [UInt8]) -> Checkpoint? {
        var r = ByteReader(content)
        guard let fingerprint = r.u64(), let threads = r.int(), let iterations = r.int(), let elapsed = r.double(),
              let count = r.int(), count >= 0 else { return nil }
        var records: [EvaluationJournal.Record] = []
        for _ in 0 ..< count {
            switch r.u8() {
            case 1:
                guard let z = r.doubles(), let jacobian = r.u8(), let present = r.u8() else { return nil }
                var result: EvaluationJournal.ResidualRecord?
                if present == 1 {
                    guard let residuals = r.doubles(), let inner = r.int(), let hasJ = r.u8() else { return nil }
                    var matrix: DenseMatrix?
                    if hasJ == 1 {
                        guard let rows = r.int(), let columns = r.int(), rows >= 0, columns >= 0, let values = r.doubles(),
                              case let (size, overflow) = rows.multipliedReportingOverflow(by: columns), !overflow, values.count == size
                        else { return nil }
                        matrix = DenseMatrix(rows: rows, columns: columns, values: values)
                    }
                    result = .init(residuals: residuals, jacobian: matrix, innerIterations: inner)
                }
                records.append(.residual(z: z, jacobian: jacobian == 1, result: result))
            case 2:
                guard let z = r.doubles(), let present = r.u8() else { return nil }
                var result: EvaluationJournal.ObjectiveRecord?
                if present == 1 {
                    guard let value = r.double(), let gradient = r.doubles(), let inner = r.int(), let hasA = r.u8(), hasA <= 1 else { return nil }
                    var curvature: DenseMatrix?
                    if hasA == 1 {
                        guard let rows = r.int(), let columns = r.int(), rows >= 0, columns >= 0, let values = r.doubles(),
                              case let (size, overflow) = rows.multipliedReportingOverflow(by: columns), !overflow, values.count == size
                        else { return nil }
                        curvature = DenseMatrix(rows: rows, columns: columns, values: values)
                    }
                    result = .init(value: value, gradient: gradient, innerIterations: inner, curvature: curvature)
                }
                records.append(.objective(z: z, result: result))
            default:
                return nil
            }
        }
        guard let experiments = r.int(), experiments >= 0 else { return nil }
        var anchors: [[ContinuationAnchor]] = []
        for _ in 0 ..< experiments {
            guard let count = r.int(), count >= 0 else { return nil }
            var list: [ContinuationAnchor] = []
            for _ in 0 ..< count {
                guard let theta = r.doubles(), let displacement = r.doubles(), let sensitivities = r.doubles() else { return nil }
                list.append(ContinuationAnchor(theta: theta, displacement: displacement, sensitivities: sensitivities))
            }
            anchors.append(list)
        }
        // Counts are bounded so that adding the resumed run's own cannot overflow.
        guard let jumps = r.int(), (0 ... Int(Int32.max)).contains(jumps), let instabilities = r.int(),
              (0 ... Int(Int32.max)).contains(instabilities),
              let firstJump = r.text(), let firstInstability = r.text() else { return nil }
        guard r.atEnd else { return nil }
        return Checkpoint(fingerprint: fingerprint, threads: threads, iterations: iterations, elapsedSeconds: elapsed, records: records,
                          anchors: anchors, rejected: RejectedEvaluations(branchJumps: jumps, instabilities: instabilities,
                                                                          firstBranchJump: firstJump, firstInstability: firstInstability))
    }

    func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }

    /// The checkpoint at `path`, nil when there is none; an error that says what is wrong when the
    /// path is a folder, a dangling or looping link, unreadable, or the file is damaged.
    static func read(at path: String) throws(CaseError) -> Checkpoint? {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            var link = stat()
            if code == ENOENT && lstat(path, &link) != 0 { return nil }
            let why = code == ELOOP ? "it is a symbolic link that loops" : code == ENOENT ? "it is a symbolic link to nothing" : String(cString: strerror(code))
            throw CaseError("cannot read the checkpoint '\(path)': \(why); remove it and run again without --resume")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw CaseError("the checkpoint path '\(path)' is a folder, not a checkpoint file; move the folder away (calibrate writes "
                            + "the checkpoint of the output folder there) and run again without --resume")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CaseError("the checkpoint path '\(path)' is not a regular file (a device, pipe or socket); move it away and run again "
                            + "without --resume")
        }
        // The checkpoint is read whole: one larger than half the machine's memory cannot have been
        // written by a run that fits in it, and would only exhaust the memory.
        let memory = Int64(sysconf(Int32(_SC_PHYS_PAGES))) * Int64(sysconf(Int32(_SC_PAGESIZE)))
        if memory > 0, Int64(info.st_size) > memory / 2 {
            throw CaseError("the checkpoint '\(path)' has \(info.st_size) bytes, more than half this machine's memory (\(memory) bytes); "
                            + "it cannot be resumed here: delete it and run again without --resume")
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw CaseError("cannot read the checkpoint '\(path)': \(String(cString: strerror(errno))); check its permissions")
        }
        do {
            return try decodeChecked(bytes)
        } catch .notACheckpoint {
            throw CaseError("'\(path)' is not a calibrate checkpoint; move it away and run again without --resume")
        } catch let .otherVersion(version) {
            throw CaseError("the checkpoint '\(path)' has format \(version), this calibrate writes format \(formatVersion); it was written by "
                            + "another version of calibrate: run again without --resume to start over")
        } catch {
            throw CaseError("the checkpoint '\(path)' is damaged (its checksum does not match its content); it cannot be resumed: "
                            + "delete it and run again without --resume")
        }
    }

    /// What a checkpoint must match to be resumed: calibrate's version, case.json's bytes, every
    /// input file's bytes (data files, the Gmsh mesh), and the optimizer settings of this run.
    static func fingerprint(of loaded: LoadedCase, optimizer: OptimizerConfiguration) -> UInt64 {
        var fingerprint = Fingerprint()
        fingerprint.add(CalibrateTool.version)
        fingerprint.add(loaded.configurationBytes)
        for file in loaded.inputFiles {
            fingerprint.add(file)
            fingerprint.add(FileManager.default.contents(atPath: file) ?? Data())
        }
        fingerprint.add("\(optimizer.method) \(optimizer.levenbergMarquardt) \(optimizer.lbfgs) starts \(optimizer.starts) "
                        + "continuation \(optimizer.continuation)")
        return fingerprint.value
    }
}

/// FNV-1a, 64 bits: a fast, stable fingerprint (not cryptographic; it only has to notice changes).
struct Fingerprint {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes {
            value ^= UInt64(b)
            value = value &* 0x0000_0100_0000_01B3
        }
    }

    mutating func add(_ text: String) {
        add(text.utf8)
        add([0])
    }
}

private struct ByteWriter {
    var buffer: [UInt8] = []
    mutating func bytes(_ b: [UInt8]) { buffer += b }
    mutating func u8(_ v: UInt8) { buffer.append(v) }
    mutating func u32(_ v: UInt32) { for k in 0 ..< 4 { buffer.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
    mutating func u64(_ v: UInt64) { for k in 0 ..< 8 { buffer.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }
    mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func double(_ v: Double) { u64(v.bitPattern) }
    mutating func doubles(_ v: [Double]) {
        int(v.count)
        for x in v { double(x) }
    }
    /// UTF-8 bytes after their count.
    mutating func text(_ s: String) {
        int(s.utf8.count)
        buffer += Array(s.utf8)
    }
}

private struct ByteReader {
    let buffer: [UInt8]
    var offset = 0
    init(_ buffer: [UInt8]) { self.buffer = buffer }
    var atEnd: Bool { offset == buffer.count }
    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, n <= buffer.count - offset else { return nil }
        defer { offset += n }
        return Array(buffer[offset ..< offset + n])
    }
    mutating func u8() -> UInt8? { bytes(1)?[0] }
    mutating func u32() -> UInt32? {
        bytes(4).map { b in (0 ..< 4).reduce(UInt32(0)) { $0 | UInt32(b[$1]) << (8 * UInt32($1)) } }
    }
    mutating func u64() -> UInt64? {
        bytes(8).map { b in (0 ..< 8).reduce(UInt64(0)) { $0 | UInt64(b[$1]) << (8 * UInt64($1)) } }
    }
    mutating func int() -> Int? { u64().map { Int(Int64(bitPattern: $0)) } }
    mutating func double() -> Double? { u64().map(Double.init(bitPattern:)) }
    mutating func doubles() -> [Double]? {
        guard let n = int(), n >= 0, n <= (buffer.count - offset) / 8 else { return nil }
        var out: [Double] = []
        out.reserveCapacity(n)
        for _ in 0 ..< n { out.append(double()!) }
        return out
    }
    /// A count, then that many bytes of valid UTF-8 (nil otherwise: the count is bounded by the bytes left).
    mutating func text() -> String? {
        guard let n = int(), let b = bytes(n) else { return nil }  // `bytes` bounds n by what is left
        return String(validating: b, as: UTF8.self)
    }
}
