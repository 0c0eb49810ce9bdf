// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014):
// a 64-bit state advanced by the golden-ratio increment, output through a bijective mixing function.
// Standard normals by the Box–Muller transform (Box & Muller, Ann. Math. Stat. 29, 1958).

import Foundation

/// A small, seeded, deterministic random number generator (same seed → same sequence on every machine).
///
/// Not cryptographic. Used for Taylor-test directions and reproducible synthetic data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal deviate (Box–Muller; one of the pair is discarded for simplicity).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextUniform()            // (0, 1]: log is finite
        let u2 = nextUniform()
        return (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
