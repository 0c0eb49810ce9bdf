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

    /// CPU seconds of the whole process (every thread, BLAS workers included) taken by `body`: on a
    /// shared machine, where wall-clock times of the same work vary by 2× or more, the cost of the work.
    static func processTime<T>(_ body: () throws -> T) rethrows -> (seconds: Double, value: T) {
        func now() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        let start = now()
        let value = try body()
        return (now() - start, value)
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
