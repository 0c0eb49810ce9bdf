import Foundation

/// A scalar that local energies, observables and objectives are written in, once, generically.
///
/// `Double` conforms (plain evaluation), and so do the dual-number types of this module, which carry
/// exact derivatives along: `Jet` (value and gradient), `HyperJet` (value, gradient and Hessian) and
/// `Dual` (one directional derivative over any `Real`, nestable for higher derivatives of a
/// one-dimensional function, such as φ′ and φ″ of a pair potential). Write `S.exp(x)`, `S.sqrt(x)`, ...
/// Comparisons look at values only, so branches (cutoffs) select pieces without differentiating the
/// branch condition, as in Ceres Solver's Jets.
public protocol Real: Comparable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, Sendable {
    init(_ value: Double)
    /// The plain value, without derivatives.
    var value: Double { get }

    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    static func * (a: Double, b: Self) -> Self
    static func + (a: Self, b: Double) -> Self

    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    /// x raised to a constant power.
    static func pow(_ x: Self, _ p: Double) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    /// Arc sine, for values in [−1, 1]; the derivative is infinite at ±1.
    static func asin(_ x: Self) -> Self
    /// Arc cosine, for values in [−1, 1]; the derivative is infinite at ±1 (a straight angle): prefer
    /// `atan2` for angles that may be straight.
    static func acos(_ x: Self) -> Self
    static func atan(_ x: Self) -> Self
    /// The angle of the point (x, y) in (−π, π], smooth everywhere except at the origin: the robust way
    /// to write an angle, `atan2(a × b, a · b)` for the angle from a to b.
    static func atan2(_ y: Self, _ x: Self) -> Self
}

extension Real {
    @inline(__always) @inlinable public static func - (a: Self, b: Double) -> Self { a + (-b) }
    @inline(__always) @inlinable public static func - (a: Double, b: Self) -> Self { -b + a }
    @inline(__always) @inlinable public static func + (a: Double, b: Self) -> Self { b + a }
    @inline(__always) @inlinable public static func * (a: Self, b: Double) -> Self { b * a }
    @inline(__always) @inlinable public static func / (a: Self, b: Double) -> Self { (1 / b) * a }
    @inline(__always) @inlinable public static func / (a: Double, b: Self) -> Self { Self(a) / b }
    @inline(__always) @inlinable public static func += (a: inout Self, b: Self) { a = a + b }
    @inline(__always) @inlinable public static func -= (a: inout Self, b: Self) { a = a - b }
    @inline(__always) @inlinable public static func *= (a: inout Self, b: Self) { a = a * b }
    /// x·x, cheaper and exact for all the dual types.
    @inline(__always) @inlinable public static func square(_ x: Self) -> Self { x * x }
    /// x raised to a small integer power by repeated squaring (Lennard-Jones' r⁻⁶ and r⁻¹²).
    @inlinable public static func pow(_ x: Self, _ n: Int) -> Self {
        if n < 0 { return 1 / pow(x, -n) }
        var result: Self = 1, base = x, k = n
        while k > 0 {
            if k & 1 == 1 { result = result * base }
            base = base * base
            k >>= 1
        }
        return result
    }

    /// |x|. At x = 0 it is x itself: the derivative taken there is the right-hand one (+1), as in
    /// Ceres Solver's Jets. A term minimised at a kink should be smoothed instead.
    @inline(__always) @inlinable public static func abs(_ x: Self) -> Self { x.value < 0 ? -x : x }
    /// The smaller of a and b with its derivatives. At a tie (equal values) it is `a`, derivatives
    /// included: a one-sided derivative, the one of the first argument.
    @inline(__always) @inlinable public static func min(_ a: Self, _ b: Self) -> Self { b.value < a.value ? b : a }
    /// The larger of a and b with its derivatives. At a tie it is `a` (the first argument's derivatives).
    @inline(__always) @inlinable public static func max(_ a: Self, _ b: Self) -> Self { b.value > a.value ? b : a }
}

extension Double: Real {
    @inlinable public var value: Double { self }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inlinable public static func pow(_ x: Double, _ p: Double) -> Double { Foundation.pow(x, p) }
    @inlinable public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    @inlinable public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func asin(_ x: Double) -> Double { Foundation.asin(x) }
    @inlinable public static func acos(_ x: Double) -> Double { Foundation.acos(x) }
    @inlinable public static func atan(_ x: Double) -> Double { Foundation.atan(x) }
    @inlinable public static func atan2(_ y: Double, _ x: Double) -> Double { Foundation.atan2(y, x) }
}
