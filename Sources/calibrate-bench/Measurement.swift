import Foundation

/// Wall-clock timing and one-JSON-line-per-measurement output for the benchmarks.
enum Measurement {
    /// Seconds taken by `body`, with its result.
    static func time<T>(_ body: () throws -> T) rethrows -> (seconds: Double, value: T) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9, value)
    }

    /// Minimum over `repeats` runs: the least disturbed measurement of a deterministic computation.
    static func best(of repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0 ..< max(1, repeats) { best = min(best, try time(body).seconds) }
        return best
    }

    /// Prints one JSON object on its own line (keys sorted, so lines diff cleanly between runs).
    static func emit(_ fields: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// Resident set size in bytes, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
