import Foundation

/// Independent dense linear algebra for checking the sparse layer: Gaussian elimination with partial
/// pivoting, which works for definite and indefinite matrices alike.
enum DenseReference {
    /// Solves the row-major `n × n` system a x = b; returns x and log|det a| and the sign of det a.
    static func solve(_ a: [Double], _ b: [Double], n: Int) -> (x: [Double], logAbsDet: Double, sign: Double) {
        var m = a, x = b, logAbs = 0.0, sign = 1.0
        for k in 0 ..< n {
            var p = k
            for i in k + 1 ..< n where abs(m[i * n + k]) > abs(m[p * n + k]) { p = i }
            if p != k {
                for j in 0 ..< n { m.swapAt(k * n + j, p * n + j) }
                x.swapAt(k, p)
                sign = -sign
            }
            let pivot = m[k * n + k]
            logAbs += log(abs(pivot))
            if pivot < 0 { sign = -sign }
            for i in k + 1 ..< n {
                let f = m[i * n + k] / pivot
                if f == 0 { continue }
                for j in k ..< n { m[i * n + j] -= f * m[k * n + j] }
                x[i] -= f * x[k]
            }
        }
        for k in stride(from: n - 1, through: 0, by: -1) {
            var s = x[k]
            for j in k + 1 ..< n { s -= m[k * n + j] * x[j] }
            x[k] = s / m[k * n + k]
        }
        return (x, logAbs, sign)
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        norm(zip(a, b).map { $0 - $1 }) / max(norm(b), .leastNormalMagnitude)
    }
}

/// A deterministic generator (SplitMix64) so that random tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Resident set size of this process in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields.count > 1 ? fields[1] : "0") ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}
