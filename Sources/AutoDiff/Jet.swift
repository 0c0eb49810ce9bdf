import Foundation

/// A first-order forward-mode dual number over `N` variables: a value and its exact gradient.
///
/// For f(a): ∇f = f′(a) ∇a; for products ∇(ab) = a∇b + b∇a. Fixed-size storage, no allocation; cost per
/// operation O(N). Used where only first derivatives are needed (observables, objectives, gradients
/// without Hessians); `HyperJet` carries second derivatives as well.
public struct Jet<let N: Int>: Real {
    public var value: Double
    public var gradient: InlineArray<N, Double>

    @inlinable public init(_ value: Double) {
        self.value = value
        gradient = InlineArray(repeating: 0)
    }

    /// The independent variable number `index` with value `value`.
    @inlinable public init(_ value: Double, variable index: Int) {
        self.init(value)
        gradient[index] = 1
    }

    @inlinable public init(floatLiteral value: Double) { self.init(value) }
    @inlinable public init(integerLiteral value: Int) { self.init(Double(value)) }

    @inlinable func chain(_ f: Double, _ d1: Double) -> Self {
        var r = Self(f)
        for i in 0 ..< N { r.gradient[i] = d1 * gradient[i] }
        return r
    }

    @inlinable public static func + (a: Self, b: Self) -> Self {
        var r = a
        r.value += b.value
        for i in 0 ..< N { r.gradient[i] += b.gradient[i] }
        return r
    }

    @inlinable public static func - (a: Self, b: Self) -> Self {
        var r = a
        r.value -= b.value
        for i in 0 ..< N { r.gradient[i] -= b.gradient[i] }
        return r
    }

    @inlinable public static prefix func - (a: Self) -> Self { (-1.0) * a }

    @inlinable public static func * (a: Double, b: Self) -> Self {
        var r = b
        r.value *= a
        for i in 0 ..< N { r.gradient[i] *= a }
        return r
    }

    @inlinable public static func + (a: Self, b: Double) -> Self {
        var r = a
        r.value += b
        return r
    }

    @inlinable public static func * (a: Self, b: Self) -> Self {
        var r = Self(a.value * b.value)
        for i in 0 ..< N { r.gradient[i] = a.value * b.gradient[i] + b.value * a.gradient[i] }
        return r
    }

    @inlinable public static func / (a: Self, b: Self) -> Self {
        let inv = 1 / b.value
        var r = Self(a.value * inv)
        for i in 0 ..< N { r.gradient[i] = (a.gradient[i] - r.value * b.gradient[i]) * inv }
        return r
    }

    @inlinable public static func exp(_ x: Self) -> Self {
        let e = Foundation.exp(x.value)
        return x.chain(e, e)
    }

    @inlinable public static func log(_ x: Self) -> Self { x.chain(Foundation.log(x.value), 1 / x.value) }

    @inlinable public static func sqrt(_ x: Self) -> Self {
        let s = x.value.squareRoot()
        return x.chain(s, 0.5 / s)
    }

    @inlinable public static func pow(_ x: Self, _ p: Double) -> Self {
        x.chain(Foundation.pow(x.value, p), p * Foundation.pow(x.value, p - 1))
    }

    @inlinable public static func sin(_ x: Self) -> Self { x.chain(Foundation.sin(x.value), Foundation.cos(x.value)) }
    @inlinable public static func cos(_ x: Self) -> Self { x.chain(Foundation.cos(x.value), -Foundation.sin(x.value)) }

    @inlinable public static func tanh(_ x: Self) -> Self {
        let t = Foundation.tanh(x.value)
        return x.chain(t, 1 - t * t)
    }

    @inlinable public static func asin(_ x: Self) -> Self {
        x.chain(Foundation.asin(x.value), 1 / (1 - x.value * x.value).squareRoot())
    }

    @inlinable public static func acos(_ x: Self) -> Self {
        x.chain(Foundation.acos(x.value), -1 / (1 - x.value * x.value).squareRoot())
    }

    @inlinable public static func atan(_ x: Self) -> Self { x.chain(Foundation.atan(x.value), 1 / (1 + x.value * x.value)) }

    /// ∇atan2(y, x) = (x∇y − y∇x) / (x² + y²).
    @inlinable public static func atan2(_ y: Self, _ x: Self) -> Self {
        let s = 1 / (x.value * x.value + y.value * y.value)
        let fy = x.value * s, fx = -y.value * s
        var r = Self(Foundation.atan2(y.value, x.value))
        for i in 0 ..< N { r.gradient[i] = fy * y.gradient[i] + fx * x.gradient[i] }
        return r
    }

    @inlinable public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    @inlinable public static func == (a: Self, b: Self) -> Bool { a.value == b.value }
}
