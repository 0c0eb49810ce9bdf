import AutoDiff

/// A C² multiplicative switch that takes a pair energy smoothly to zero between `inner` and `outer`:
/// φₛ(r) = φ(r) S(x), x = (r − inner)/(outer − inner), S(x) = 1 − 10x³ + 15x⁴ − 6x⁵ on [0, 1],
/// 1 below and 0 beyond. S′ and S″ vanish at both ends, so energy, forces and the Hessian are
/// continuous everywhere — which Newton's method and finite-difference checks both need. A Taylor-
/// shifted cutoff (shifted force) is only C¹ and, measured here, let a 2D Morse lattice collapse.
public struct SmoothCutoff: Sendable, Equatable {
    /// Where switching starts.
    public let inner: Double
    /// Where the energy reaches zero; pairs farther apart are skipped.
    public let outer: Double

    public init(inner: Double, outer: Double) throws {
        guard inner > 0, outer > inner, outer.isFinite else {
            throw PhysicsError.invalidModel("cutoff needs 0 < inner < outer, got inner \(inner), outer \(outer)")
        }
        self.inner = inner
        self.outer = outer
    }

    /// φ(r) · S(r).
    @inlinable public func apply<S: Real>(_ phi: S, at r: S) -> S {
        if r.value <= inner { return phi }
        let x = (r - inner) / (outer - inner)
        let x3 = x * x * x
        return phi * (1 + x3 * (-10 + x * (15 - 6 * x)))
    }
}
