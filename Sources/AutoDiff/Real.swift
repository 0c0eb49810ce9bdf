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
}

extension Real {
    @inlinable public static func - (a: Self, b: Double) -> Self { a + (-b) }
    @inlinable public static func - (a: Double, b: Self) -> Self { -b + a }
    @inlinable public static func + (a: Double, b: Self) -> Self { b + a }
    @inlinable public static func * (a: Self, b: Double) -> Self { b * a }
    @inlinable public static func / (a: Self, b: Double) -> Self { (1 / b) * a }
    @inlinable public static func / (a: Double, b: Self) -> Self { Self(a) / b }
    @inlinable public static func += (a: inout Self, b: Self) { a = a + b }
    @inlinable public static func -= (a: inout Self, b: Self) { a = a - b }
    @inlinable public static func *= (a: inout Self, b: Self) { a = a * b }
    /// x·x, cheaper and exact for all the dual types.
    @inlinable public static func square(_ x: Self) -> Self { x * x }
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
}

extension Double: Real {
    @inlinable public var value: Double { self }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inlinable public static func pow(_ x: Double, _ p: Double) -> Double { Foundation.pow(x, p) }
    @inlinable public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    @inlinable public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
}
