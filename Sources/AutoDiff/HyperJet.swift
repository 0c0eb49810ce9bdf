import Foundation

/// A second-order forward-mode dual number over `N` variables: a value, its gradient and its Hessian,
/// all exact to round-off.
///
/// Mathematics (chain rule to second order): for f(a), ∇f = f′ ∇a and ∇²f = f′ ∇²a + f″ ∇a ∇aᵀ; for
/// products, ∇²(ab) = a∇²b + b∇²a + ∇a∇bᵀ + ∇b∇aᵀ. Storage is fixed-size (`InlineArray`), so a local
/// energy evaluated in `HyperJet<N>` allocates nothing. Cost per operation is O(N²): meant for the few
/// variables of one local term (a bond's coordinates and the potential's parameters). Only the upper
/// triangle `i ≤ j` of the Hessian is computed and stored meaningfully; read it with `hessian(i, j)`.
public struct HyperJet<let N: Int>: Real {
    public var value: Double
    public var gradient: InlineArray<N, Double>
    /// Row-major upper triangle holder: `h[i][j]` valid for `i ≤ j`.
    public var h: InlineArray<N, InlineArray<N, Double>>

    @inlinable public init(_ value: Double) {
        self.value = value
        gradient = InlineArray(repeating: 0)
        h = InlineArray(repeating: InlineArray(repeating: 0))
    }

    /// The independent variable number `index` with value `value`.
    @inlinable public init(_ value: Double, variable index: Int) {
        self.init(value)
        gradient[index] = 1
    }

    @inlinable public init(floatLiteral value: Double) { self.init(value) }
    @inlinable public init(integerLiteral value: Int) { self.init(Double(value)) }

    /// ∂²f/∂xᵢ∂xⱼ (either order).
    @inlinable public func hessian(_ i: Int, _ j: Int) -> Double { i <= j ? h[i][j] : h[j][i] }

    /// f(a) from f(a.value), f′ and f″.
    @inlinable func chain(_ f: Double, _ d1: Double, _ d2: Double) -> Self {
        var r = self
        r.value = f
        for i in 0 ..< N {
            let gi = d2 * gradient[i]
            for j in i ..< N { r.h[i][j] = d1 * h[i][j] + gi * gradient[j] }
        }
        for i in 0 ..< N { r.gradient[i] = d1 * gradient[i] }
        return r
    }

    @inlinable public static func + (a: Self, b: Self) -> Self {
        var r = a
        r.value += b.value
        for i in 0 ..< N {
            r.gradient[i] += b.gradient[i]
            for j in i ..< N { r.h[i][j] += b.h[i][j] }
        }
        return r
    }

    @inlinable public static func - (a: Self, b: Self) -> Self {
        var r = a
        r.value -= b.value
        for i in 0 ..< N {
            r.gradient[i] -= b.gradient[i]
            for j in i ..< N { r.h[i][j] -= b.h[i][j] }
        }
        return r
    }

    @inlinable public static prefix func - (a: Self) -> Self { (-1.0) * a }

    @inlinable public static func * (a: Double, b: Self) -> Self {
        var r = b
        r.value *= a
        for i in 0 ..< N {
            r.gradient[i] *= a
            for j in i ..< N { r.h[i][j] *= a }
        }
        return r
    }

    @inlinable public static func + (a: Self, b: Double) -> Self {
        var r = a
        r.value += b
        return r
    }

    @inlinable public static func * (a: Self, b: Self) -> Self {
        var r = a
        r.value = a.value * b.value
        for i in 0 ..< N {
            for j in i ..< N {
                r.h[i][j] = a.value * b.h[i][j] + b.value * a.h[i][j]
                    + a.gradient[i] * b.gradient[j] + b.gradient[i] * a.gradient[j]
            }
        }
        for i in 0 ..< N { r.gradient[i] = a.value * b.gradient[i] + b.value * a.gradient[i] }
        return r
    }

    @inlinable public static func / (a: Self, b: Self) -> Self {
        let inv = 1 / b.value
        return a * b.chain(inv, -inv * inv, 2 * inv * inv * inv)
    }

    @inlinable public static func exp(_ x: Self) -> Self {
        let e = Foundation.exp(x.value)
        return x.chain(e, e, e)
    }

    @inlinable public static func log(_ x: Self) -> Self {
        let inv = 1 / x.value
        return x.chain(Foundation.log(x.value), inv, -inv * inv)
    }

    @inlinable public static func sqrt(_ x: Self) -> Self {
        let s = x.value.squareRoot()
        return x.chain(s, 0.5 / s, -0.25 / (s * x.value))
    }

    @inlinable public static func pow(_ x: Self, _ p: Double) -> Self {
        let f = Foundation.pow(x.value, p)
        let d1 = p * Foundation.pow(x.value, p - 1)
        return x.chain(f, d1, (p - 1) * p * Foundation.pow(x.value, p - 2))
    }

    @inlinable public static func sin(_ x: Self) -> Self {
        let s = Foundation.sin(x.value)
        return x.chain(s, Foundation.cos(x.value), -s)
    }

    @inlinable public static func cos(_ x: Self) -> Self {
        let c = Foundation.cos(x.value)
        return x.chain(c, -Foundation.sin(x.value), -c)
    }

    @inlinable public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    @inlinable public static func == (a: Self, b: Self) -> Bool { a.value == b.value }
}
