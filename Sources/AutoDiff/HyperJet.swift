import Foundation

/// A second-order forward-mode dual number over `N` variables: a value, its gradient and its Hessian,
/// all exact to round-off.
///
/// Mathematics (chain rule to second order, e.g. Griewank & Walther, *Evaluating Derivatives*, 2008,
/// ch. 13): for f(a), ∇f = f′ ∇a and ∇²f = f′ ∇²a + f″ ∇a ∇aᵀ; for products,
/// ∇²(ab) = a∇²b + b∇²a + ∇a∇bᵀ + ∇b∇aᵀ; for f(y, x) of two arguments,
/// ∇²f = f_y ∇²y + f_x ∇²x + f_yy ∇y∇yᵀ + f_xx ∇x∇xᵀ + f_xy (∇y∇xᵀ + ∇x∇yᵀ).
///
/// The Hessian is symmetric, so only its upper triangle is stored, packed row by row: `T` must be
/// N(N+1)/2 (`HyperJet<4, 10>`, `HyperJet<7, 28>`). Swift cannot compute `T` from `N` in a type, so
/// both are written; a wrong `T` stops at the first value made (a precondition that the optimizer
/// removes once `N` and `T` are known), and `AutoDiffGroup`/`PairGroup` name the right pair in their
/// error. Storage is fixed-size (`InlineArray`), so a local energy evaluated in `HyperJet` allocates
/// nothing; cost per operation is O(N²), meant for the few variables of one local term.
public struct HyperJet<let N: Int, let T: Int>: Real {
    public var value: Double
    public var gradient: InlineArray<N, Double>
    /// The upper triangle of the Hessian, row by row: (0,0), (0,1) … (0,N−1), (1,1) … (N−1,N−1).
    public var packedHessian: InlineArray<T, Double>

    @inline(__always) @inlinable public init(_ value: Double) {
        precondition(T == N * (N + 1) / 2, "HyperJet<\(N), \(T)>: the second size must be N(N+1)/2 = \(N * (N + 1) / 2)")
        self.init(uninitializedDerivatives: value)
    }

    /// The independent variable number `index` with value `value`.
    @inlinable public init(_ value: Double, variable index: Int) {
        self.init(value)
        gradient[index] = 1
    }

    @inline(__always) @inlinable public init(floatLiteral value: Double) { self.init(value) }
    @inline(__always) @inlinable public init(integerLiteral value: Int) { self.init(Double(value)) }

    /// Position of (i, j), i ≤ j, in `packedHessian`: rows 0..<i hold N + (N−1) + … + (N−i+1) entries.
    @inlinable static func packedIndex(_ i: Int, _ j: Int) -> Int { i * (2 * N - i + 1) / 2 + (j - i) }

    /// ∂²f/∂xᵢ∂xⱼ (either order).
    @inlinable public func hessian(_ i: Int, _ j: Int) -> Double {
        i <= j ? packedHessian[Self.packedIndex(i, j)] : packedHessian[Self.packedIndex(j, i)]
    }

    /// A result to be filled: every operation below writes its result's entries once, in place,
    /// instead of copying an operand and overwriting it (copies of these few-hundred-byte values cost
    /// more than the arithmetic), and reads entries without bounds checks: indices run over 0..<N and
    /// 0..<T by construction. The operations are always inlined, so that a term's energy compiles to
    /// one function whose intermediate jets stay in place.
    @inline(__always) @inlinable init(uninitializedDerivatives value: Double) {
        self.value = value
        // Specialized code (sizes known) fills the arrays with an inlined closure whose stores merge
        // with the operation's own; generic code that is not specialized (a pair potential reached
        // through its protocol) calls `init(repeating:)`, where the closure form costs a metadata
        // lookup per entry (2.4× the pair assembly); `init(repeating:)` in specialized code stays an
        // out-of-line call (1.4× the network's assembly). `_isConcrete` is decided at compile time.
        if _isConcrete(Self.self) {
            gradient = InlineArray { _ in 0 }
            packedHessian = InlineArray { _ in 0 }
        } else {
            gradient = InlineArray(repeating: 0)
            packedHessian = InlineArray(repeating: 0)
        }
    }

    /// f(a) from f(a.value), f′ and f″.
    @inline(__always) @inlinable func chain(_ f: Double, _ d1: Double, _ d2: Double) -> Self {
        var r = Self(uninitializedDerivatives: f)
        var p = 0
        for i in 0 ..< N {
            let gi = unsafe d2 * gradient[unchecked: i]
            for j in i ..< N {
                unsafe r.packedHessian[unchecked: p] = d1 * packedHessian[unchecked: p] + gi * gradient[unchecked: j]
                p += 1
            }
        }
        for i in 0 ..< N { unsafe r.gradient[unchecked: i] = d1 * gradient[unchecked: i] }
        return r
    }

    /// f(y, x) from its value, first partials (f_y, f_x) and second partials (f_yy, f_xx, f_xy).
    @inline(__always) @inlinable static func chain(_ y: Self, _ x: Self, _ f: Double, _ fy: Double, _ fx: Double,
                                                   _ fyy: Double, _ fxx: Double, _ fxy: Double) -> Self {
        var r = Self(uninitializedDerivatives: f)
        var p = 0
        for i in 0 ..< N {
            let yi = unsafe y.gradient[unchecked: i], xi = unsafe x.gradient[unchecked: i]
            let a = fyy * yi + fxy * xi, b = fxy * yi + fxx * xi
            for j in i ..< N {
                unsafe r.packedHessian[unchecked: p] = fy * y.packedHessian[unchecked: p] + fx * x.packedHessian[unchecked: p]
                    + a * y.gradient[unchecked: j] + b * x.gradient[unchecked: j]
                p += 1
            }
        }
        for i in 0 ..< N { unsafe r.gradient[unchecked: i] = fy * y.gradient[unchecked: i] + fx * x.gradient[unchecked: i] }
        return r
    }

    @inline(__always) @inlinable public static func + (a: Self, b: Self) -> Self {
        var r = Self(uninitializedDerivatives: a.value + b.value)
        for i in 0 ..< N { unsafe r.gradient[unchecked: i] = a.gradient[unchecked: i] + b.gradient[unchecked: i] }
        for p in 0 ..< T { unsafe r.packedHessian[unchecked: p] = a.packedHessian[unchecked: p] + b.packedHessian[unchecked: p] }
        return r
    }

    @inline(__always) @inlinable public static func - (a: Self, b: Self) -> Self {
        var r = Self(uninitializedDerivatives: a.value - b.value)
        for i in 0 ..< N { unsafe r.gradient[unchecked: i] = a.gradient[unchecked: i] - b.gradient[unchecked: i] }
        for p in 0 ..< T { unsafe r.packedHessian[unchecked: p] = a.packedHessian[unchecked: p] - b.packedHessian[unchecked: p] }
        return r
    }

    @inline(__always) @inlinable public static prefix func - (a: Self) -> Self { (-1.0) * a }

    @inline(__always) @inlinable public static func * (a: Double, b: Self) -> Self {
        var r = Self(uninitializedDerivatives: b.value * a)
        for i in 0 ..< N { unsafe r.gradient[unchecked: i] = b.gradient[unchecked: i] * a }
        for p in 0 ..< T { unsafe r.packedHessian[unchecked: p] = b.packedHessian[unchecked: p] * a }
        return r
    }

    @inline(__always) @inlinable public static func + (a: Self, b: Double) -> Self {
        var r = a
        r.value += b
        return r
    }

    @inline(__always) @inlinable public static func * (a: Self, b: Self) -> Self {
        var r = Self(uninitializedDerivatives: a.value * b.value)
        var p = 0
        for i in 0 ..< N {
            let ai = unsafe a.gradient[unchecked: i], bi = unsafe b.gradient[unchecked: i]
            for j in i ..< N {
                unsafe r.packedHessian[unchecked: p] = a.value * b.packedHessian[unchecked: p] + b.value * a.packedHessian[unchecked: p]
                    + ai * b.gradient[unchecked: j] + bi * a.gradient[unchecked: j]
                p += 1
            }
        }
        for i in 0 ..< N { unsafe r.gradient[unchecked: i] = a.value * b.gradient[unchecked: i] + b.value * a.gradient[unchecked: i] }
        return r
    }

    @inline(__always) @inlinable public static func / (a: Self, b: Self) -> Self {
        let inv = 1 / b.value
        return a * b.chain(inv, -inv * inv, 2 * inv * inv * inv)
    }

    @inline(__always) @inlinable public static func exp(_ x: Self) -> Self {
        let e = Foundation.exp(x.value)
        return x.chain(e, e, e)
    }

    @inline(__always) @inlinable public static func log(_ x: Self) -> Self {
        let inv = 1 / x.value
        return x.chain(Foundation.log(x.value), inv, -inv * inv)
    }

    @inline(__always) @inlinable public static func sqrt(_ x: Self) -> Self {
        let s = x.value.squareRoot()
        return x.chain(s, 0.5 / s, -0.25 / (s * x.value))
    }

    @inline(__always) @inlinable public static func pow(_ x: Self, _ p: Double) -> Self {
        let f = Foundation.pow(x.value, p)
        let d1 = p * Foundation.pow(x.value, p - 1)
        return x.chain(f, d1, (p - 1) * p * Foundation.pow(x.value, p - 2))
    }

    @inline(__always) @inlinable public static func sin(_ x: Self) -> Self {
        let s = Foundation.sin(x.value)
        return x.chain(s, Foundation.cos(x.value), -s)
    }

    @inline(__always) @inlinable public static func cos(_ x: Self) -> Self {
        let c = Foundation.cos(x.value)
        return x.chain(c, -Foundation.sin(x.value), -c)
    }

    /// tanh′ = 1 − t², tanh″ = −2t(1 − t²).
    @inline(__always) @inlinable public static func tanh(_ x: Self) -> Self {
        let t = Foundation.tanh(x.value), d = 1 - t * t
        return x.chain(t, d, -2 * t * d)
    }

    /// asin′ = (1 − x²)^{−1/2}, asin″ = x (1 − x²)^{−3/2}.
    @inline(__always) @inlinable public static func asin(_ x: Self) -> Self {
        let v = x.value, q = 1 / (1 - v * v), d = q.squareRoot()
        return x.chain(Foundation.asin(v), d, v * q * d)
    }

    /// acos = π/2 − asin: the negated derivatives.
    @inline(__always) @inlinable public static func acos(_ x: Self) -> Self {
        let v = x.value, q = 1 / (1 - v * v), d = q.squareRoot()
        return x.chain(Foundation.acos(v), -d, -v * q * d)
    }

    /// atan′ = 1/(1 + x²), atan″ = −2x/(1 + x²)².
    @inline(__always) @inlinable public static func atan(_ x: Self) -> Self {
        let v = x.value, q = 1 / (1 + v * v)
        return x.chain(Foundation.atan(v), q, -2 * v * q * q)
    }

    /// With s = x² + y²: f_y = x/s, f_x = −y/s, f_yy = −2xy/s², f_xx = 2xy/s², f_xy = (y² − x²)/s².
    @inline(__always) @inlinable public static func atan2(_ y: Self, _ x: Self) -> Self {
        let xv = x.value, yv = y.value, s = 1 / (xv * xv + yv * yv), s2 = s * s
        return chain(y, x, Foundation.atan2(yv, xv), xv * s, -yv * s,
                     -2 * xv * yv * s2, 2 * xv * yv * s2, (yv * yv - xv * xv) * s2)
    }

    @inline(__always) @inlinable public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    @inline(__always) @inlinable public static func == (a: Self, b: Self) -> Bool { a.value == b.value }
}
