import Foundation
import Reports
import Sparse

/// The expected outcome of a bundled case (`expected.json` beside `case.json`): fitted parameters,
/// misfit and iteration counts, each with the tolerance within which a run must reproduce it, and
/// the BLAS thread count it was recorded with.
///
/// Strict by default: the same build, processor kind and thread count reproduce a run to round-off, so
/// parameters and objective are compared to 1e-10 relative and iteration counts exactly; a deliberate
/// change is accepted with `regress --update`. Run with another thread count or on another processor
/// kind (OpenBLAS picks other kernels), the factorizations round differently and the last digits move:
/// the comparison then uses `looseTolerances` and says so, so the test suite passes on any CPU.
struct ExpectedOutcome: Equatable {
    /// Tolerances of a new expected.json: parameters, objective (relative), outer iterations (absolute), Newton iterations (relative).
    static let strictTolerances = (parameter: 1e-10, objective: 1e-10, outer: 0, newton: 0.0)
    /// Used instead when the thread count differs from the recorded one.
    static let looseTolerances = (parameter: 1e-6, objective: 1e-6, outer: 2, newton: 0.25)

    var status: String
    /// BLAS threads of the run that recorded it (nil in files written before it was recorded).
    var threads: Int?
    /// The processor kind it was recorded on (`model name` of /proc/cpuinfo; nil where unknown).
    var processor: String?
    /// name → (value, relative tolerance).
    var parameters: [(name: String, value: Double, tolerance: Double)]
    var objective: (value: Double, tolerance: Double)
    /// Absolute tolerance in iterations.
    var outerIterations: (value: Int, tolerance: Int)
    /// Relative tolerance.
    var newtonIterations: (value: Int, tolerance: Double)

    static let fileName = "expected.json"

    static func == (a: ExpectedOutcome, b: ExpectedOutcome) -> Bool { a.json == b.json }

    /// From a finished run, with the default tolerances.
    init(_ s: RunSummary) {
        let t = Self.strictTolerances
        status = s.optimization!.status.isConverged ? "converged" : "not converged"
        threads = BLASThreads.current
        processor = Self.currentProcessor
        parameters = s.space.freeIndices.map { (s.space.names[$0], s.theta[$0], t.parameter) }
        objective = (s.optimization!.objective, t.objective)
        outerIterations = (s.optimization!.iterations, t.outer)
        newtonIterations = (s.newtonIterations, t.newton)
    }

    init?(json text: String, file: String, diagnostics d: DiagnosticList) {
        d.file = file
        let root: JSONNode
        do { root = try JSONParser.parse(text) } catch {
            d.error("invalid JSON: \(error.message)", at: error.position)
            return nil
        }
        guard let r = ObjectReader(root, context: "expected outcome", known: ["comment", "status", "threads", "processor", "parameters", "objective",
                                                                              "outer_iterations", "newton_iterations"], diagnostics: d) else { return nil }
        _ = r.string("comment")
        threads = r.integer("threads")
        processor = r.string("processor")
        func pair(_ key: String) -> (Double, Double)? {
            guard let o = r.object(key, known: ["value", "tolerance"], required: true),
                  let v = o.number("value", required: true), let t = o.number("tolerance", required: true) else { return nil }
            o.finish()
            return (v, t)
        }
        var parameters: [(String, Double, Double)] = []
        if let p = r.object("parameters", known: [], required: true), case let .object(members) = p.node.value {
            for m in members {
                guard let o = ObjectReader(m.value, context: "expected parameter '\(m.key)'", known: ["value", "tolerance"], diagnostics: d),
                      let v = o.number("value", required: true), let t = o.number("tolerance", required: true) else { continue }
                o.finish()
                parameters.append((m.key, v, t))
            }
        }
        guard let status = r.string("status", required: true), let objective = pair("objective"), let outer = pair("outer_iterations"),
              let newton = pair("newton_iterations") else { r.finish(); return nil }
        r.finish()
        self.status = status
        self.parameters = parameters
        self.objective = objective
        outerIterations = (Int(outer.0), Int(outer.1))
        newtonIterations = (Int(newton.0), newton.1)
    }

    var json: String {
        func n(_ x: Double) -> String { NumberFormat.roundTrip(x) }
        var lines = ["{", "  \"comment\": \"Expected outcome of 'calibrate run' on this case; checked by 'calibrate regress' and the test suite. "
                     + "Tolerances: parameters and objective relative, outer iterations absolute, Newton iterations relative; they hold "
                     + "for the recorded BLAS thread count and processor (with another, looser ones are used). "
                     + "Regenerate with 'calibrate regress CASE --update' after an intended change.\",",
                     "  \"status\": \"\(status)\","] + (threads.map { ["  \"threads\": \($0),"] } ?? [])
            + (processor.map { ["  \"processor\": \"\($0)\","] } ?? []) + ["  \"parameters\": {"]
        lines += parameters.enumerated().map { k, p in
            "    \"\(p.name)\": {\"value\": \(n(p.value)), \"tolerance\": \(n(p.tolerance))}" + (k + 1 < parameters.count ? "," : "")
        }
        lines += ["  },",
                  "  \"objective\": {\"value\": \(n(objective.value)), \"tolerance\": \(n(objective.tolerance))},",
                  "  \"outer_iterations\": {\"value\": \(outerIterations.value), \"tolerance\": \(outerIterations.tolerance)},",
                  "  \"newton_iterations\": {\"value\": \(newtonIterations.value), \"tolerance\": \(n(newtonIterations.tolerance))}", "}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The processor kind of this machine: the first `model name` of /proc/cpuinfo and the widest vector
    /// extension OpenBLAS may pick kernels for (nil where unreadable).
    static let currentProcessor: String? = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        func field(_ key: String) -> String? {
            guard let line = lines.first(where: { $0.hasPrefix(key) }), let colon = line.firstIndex(of: ":") else { return nil }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let model = field("model name") else { return nil }
        let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
        let vector = flags.contains("avx512f") ? "avx512" : flags.contains("avx2") ? "avx2" : flags.contains("avx") ? "avx" : "sse"
        // Quotes and backslashes would need escaping in expected.json; no processor name needs them.
        return (model + " (\(vector))").filter { $0 != "\"" && $0 != "\\" }
    }()

    /// This expectation with the loose tolerances, for a run with another thread count than recorded.
    var loosened: ExpectedOutcome {
        var e = self
        let t = Self.looseTolerances
        e.parameters = parameters.map { ($0.name, $0.value, max($0.tolerance, t.parameter)) }
        e.objective.tolerance = max(objective.tolerance, t.objective)
        e.outerIterations.tolerance = max(outerIterations.tolerance, t.outer)
        e.newtonIterations.tolerance = max(newtonIterations.tolerance, t.newton)
        return e
    }

    /// Differences between this expectation and a run, as sentences (empty when it matches).
    func differences(from s: RunSummary) -> [String] {
        var out: [String] = []
        let actual = ExpectedOutcome(s)
        if actual.status != status { out.append("status is '\(actual.status)', expected '\(status)'") }
        for p in parameters {
            guard let i = s.space.names.firstIndex(of: p.name) else { out.append("parameter '\(p.name)' is no longer defined"); continue }
            let v = s.theta[i]
            if abs(v - p.value) > p.tolerance * max(abs(p.value), 1e-300) {
                out.append("\(p.name) = \(NumberFormat.roundTrip(v)), expected \(NumberFormat.roundTrip(p.value)) (relative tolerance \(p.tolerance))")
            }
        }
        let f = actual.objective.value
        if abs(f - objective.value) > objective.tolerance * max(abs(objective.value), 1e-300) {
            out.append("objective = \(NumberFormat.roundTrip(f)), expected \(NumberFormat.roundTrip(objective.value)) (relative tolerance \(objective.tolerance))")
        }
        if abs(actual.outerIterations.value - outerIterations.value) > outerIterations.tolerance {
            out.append("\(actual.outerIterations.value) outer iterations, expected \(outerIterations.value)"
                       + (outerIterations.tolerance > 0 ? " ± \(outerIterations.tolerance)" : " exactly"))
        }
        if Double(abs(actual.newtonIterations.value - newtonIterations.value)) > newtonIterations.tolerance * Double(newtonIterations.value) {
            out.append("\(actual.newtonIterations.value) Newton iterations, expected \(newtonIterations.value)"
                       + (newtonIterations.tolerance > 0 ? " ± \(Int(newtonIterations.tolerance * 100))%" : " exactly"))
        }
        return out
    }
}

/// `calibrate regress [CASE …] [--update]`: runs cases and compares them with their expected.json.
enum RegressCommand {
    /// Every folder under `root` holding an expected.json (or, for `--update`, a case.json), sorted.
    static func bundledCases(under root: String, marker: String = ExpectedOutcome.fileName) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.sorted().map { root + "/" + $0 }.filter { FileManager.default.fileExists(atPath: $0 + "/" + marker) }
    }

    static func execute(_ cases: [String], update: Bool, jobs: Int? = nil, console: Console) throws -> Int32 {
        var notes: Set<String> = []
        let list = cases.isEmpty ? bundledCases(under: "cases", marker: update ? CaseConfiguration.fileName : ExpectedOutcome.fileName) : cases
        guard !list.isEmpty else { throw UsageError("no case given and no folder under ./cases has an expected.json", command: "regress") }
        var failures = 0
        for path in list {
            let (outcome, note) = try compare(path, update: update, jobs: jobs)
            if let note, notes.insert(note).inserted { console.info(note) }
            if outcome.isEmpty {
                console.print("\(update ? "updated" : "ok")  \(path)")
            } else {
                failures += 1
                console.print("FAIL  \(path)")
                for line in outcome { console.print("      \(line)") }
            }
        }
        console.print(update ? "\(list.count) expected outcome(s) written" : "\(list.count - failures) passed, \(failures) failed")
        return failures == 0 ? ExitStatus.success : ExitStatus.notConverged
    }

    /// Runs one case into a temporary folder and compares it (or, with `update`, rewrites its
    /// expected.json). Returns the differences; empty when it matches.
    static func check(_ path: String, update: Bool) throws -> [String] {
        try compare(path, update: update).differences
    }

    /// The differences, and a note when looser tolerances were used for another thread count.
    static func compare(_ path: String, update: Bool, jobs: Int? = nil) throws -> (differences: [String], note: String?) {
        let temporary = FileManager.default.temporaryDirectory.path + "/calibrate-regress-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        var options = RunOptions()
        options.output = temporary + "/results"
        options.jobs = jobs
        options.singleProcess = true  // under mpirun, rank 0 runs every case itself
        let (console, _) = Console.capturing()
        console.quiet = true
        let (_, summary) = try RunCommand.perform(path, options: options, console: console)
        guard let summary else { return (["the run was interrupted"], nil) }
        let file = try CaseLocation.locate(path).directory + "/" + ExpectedOutcome.fileName
        if update {
            try AtomicFile.write(ExpectedOutcome(summary).json, to: file)
            return ([], nil)
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return (["cannot read '\(file)'"], nil) }
        let diagnostics = DiagnosticList(file: file)
        guard let expected = ExpectedOutcome(json: text, file: file, diagnostics: diagnostics) else {
            return (diagnostics.items.map(\.description), nil)
        }
        if let recorded = expected.threads, recorded != BLASThreads.current {
            return (expected.loosened.differences(from: summary),
                    "the expected outcomes were recorded with \(recorded) BLAS thread(s), this run uses \(BLASThreads.current): compared with "
                    + "looser tolerances (use --threads \(recorded) for the strict comparison)")
        }
        if let recorded = expected.processor, recorded != ExpectedOutcome.currentProcessor {
            return (expected.loosened.differences(from: summary),
                    "the expected outcomes were recorded on \(recorded), this machine is \(ExpectedOutcome.currentProcessor ?? "unknown"): its "
                    + "BLAS kernels round differently, so the comparison uses looser tolerances")
        }
        return (expected.differences(from: summary), nil)
    }
}
