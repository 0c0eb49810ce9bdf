import Foundation

/// SHA-256 of a byte string, for the provenance of inputs (case.json, data and mesh files) in
/// results.nc and report.md. Foundation on Linux has no CryptoKit, hence this small version.
///
/// Reference: FIPS 180-4, "Secure Hash Standard", §5.1.1 (padding), §6.2.2 (computation), with the
/// constants of §4.2.2 and §5.3.3. Guarantees the standard's digest for any input, checked against
/// the FIPS 180-4 example vectors in the tests.
public enum SHA256 {
    /// The digest as 64 lowercase hexadecimal digits.
    public static func hex(of data: Data) -> String {
        digest(of: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The digest of a file's contents as hex, or nil if it cannot be read.
    public static func hex(ofFile path: String) -> String? {
        // Data(contentsOf:) follows symbolic links, so a linked file is hashed by its contents.
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) else { return nil }
        return hex(of: data)
    }

    /// The 32-byte digest.
    public static func digest(of data: Data) -> [UInt8] {
        var h = initialHash
        var block = [UInt32](repeating: 0, count: 64)
        let message = padded(data)
        message.withUnsafeBytes { bytes in
            for start in stride(from: 0, to: bytes.count, by: 64) {
                compress(&h, bytes: bytes, at: start, schedule: &block)
            }
        }
        return h.flatMap { word in (0 ..< 4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) } }
    }

    /// The message, a 1 bit, zeros, and the bit length as a 64-bit big-endian number, to a multiple of 512 bits (§5.1.1).
    private static func padded(_ data: Data) -> [UInt8] {
        var message = [UInt8](data)
        let bitLength = UInt64(data.count) &* 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        return message
    }

    /// One 512-bit block (§6.2.2); `w` is the message schedule, reused between blocks.
    private static func compress(_ h: inout [UInt32], bytes: UnsafeRawBufferPointer, at start: Int, schedule w: inout [UInt32]) {
        for t in 0 ..< 16 {
            let i = start + 4 * t
            w[t] = UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
        }
        for t in 16 ..< 64 {
            let s0 = rotate(w[t - 15], 7) ^ rotate(w[t - 15], 18) ^ (w[t - 15] >> 3)
            let s1 = rotate(w[t - 2], 17) ^ rotate(w[t - 2], 19) ^ (w[t - 2] >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for t in 0 ..< 64 {
            let sum1 = rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)
            let choice = (e & f) ^ (~e & g)
            let t1 = hh &+ sum1 &+ choice &+ roundConstants[t] &+ w[t]
            let sum0 = rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let t2 = sum0 &+ majority
            (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        for (k, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[k] = h[k] &+ v }
    }

    private static func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// §5.3.3: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
    private static let initialHash: [UInt32] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]

    /// §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
}
