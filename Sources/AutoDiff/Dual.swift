/// A one-direction dual number over any `Real`: `a + ε·b` with ε² = 0, itself a `Real`.
///
/// Nesting gives higher derivatives of one-dimensional functions while keeping the outer derivatives:
/// evaluating φ(r) with r = `Dual(Dual(x, 1), 1)` over `S = Jet<N>` yields φ, φ′ and φ″ at x, each
/// carrying exact derivatives with respect to the N outer variables. Crystal properties (bulk modulus,
/// elastic constants) use this: they are sums of φ′ and φ″ over lattice shells, differentiated again
/// with respect to the lattice constant and the potential's parameters.
public struct Dual<S: Real>: Real {
    public var primal: S
    public var tangent: S

    @inlinable public init(_ primal: S, _ tangent: S) {
        self.primal = primal
        self.tangent = tangent
    }

    @inlinable public init(_ value: Double) { self.init(S(value), 0) }
    @inlinable public init(floatLiteral value: Double) { self.init(value) }
    @inlinable public init(integerLiteral value: Int) { self.init(Double(value)) }

    @inlinable public var value: Double { primal.value }

    @inlinable public static func + (a: Self, b: Self) -> Self { Self(a.primal + b.primal, a.tangent + b.tangent) }
    @inlinable public static func - (a: Self, b: Self) -> Self { Self(a.primal - b.primal, a.tangent - b.tangent) }
    @inlinable public static prefix func - (a: Self) -> Self { Self(-a.primal, -a.tangent) }
    @inlinable public static func * (a: Double, b: Self) -> Self { Self(a * b.primal, a * b.tangent) }
    @inlinable public static func + (a: Self, b: Double) -> Self { Self(a.primal + b, a.tangent) }
    @inlinable public static func * (a: Self, b: Self) -> Self {
        Self(a.primal * b.primal, a.primal * b.tangent + a.tangent * b.primal)
    }
    @inlinable public static func / (a: Self, b: Self) -> Self {
        let q = a.primal / b.primal
        return Self(q, (a.tangent - q * b.tangent) / b.primal)
    }
    @inlinable public static func exp(_ x: Self) -> Self {
        let e = S.exp(x.primal)
        return Self(e, e * x.tangent)
    }
    @inlinable public static func log(_ x: Self) -> Self { Self(S.log(x.primal), x.tangent / x.primal) }
    @inlinable public static func sqrt(_ x: Self) -> Self {
        let s = S.sqrt(x.primal)
        return Self(s, x.tangent / (2 * s))
    }
    @inlinable public static func pow(_ x: Self, _ p: Double) -> Self {
        Self(S.pow(x.primal, p), p * S.pow(x.primal, p - 1) * x.tangent)
    }
    @inlinable public static func sin(_ x: Self) -> Self { Self(S.sin(x.primal), S.cos(x.primal) * x.tangent) }
    @inlinable public static func cos(_ x: Self) -> Self { Self(S.cos(x.primal), -(S.sin(x.primal) * x.tangent)) }
    @inlinable public static func tanh(_ x: Self) -> Self {
        let t = S.tanh(x.primal)
        return Self(t, (1 - t * t) * x.tangent)
    }
    @inlinable public static func asin(_ x: Self) -> Self {
        Self(S.asin(x.primal), x.tangent / S.sqrt(1 - x.primal * x.primal))
    }
    @inlinable public static func acos(_ x: Self) -> Self {
        Self(S.acos(x.primal), -(x.tangent / S.sqrt(1 - x.primal * x.primal)))
    }
    @inlinable public static func atan(_ x: Self) -> Self {
        Self(S.atan(x.primal), x.tangent / (1 + x.primal * x.primal))
    }
    /// d atan2(y, x) = (x dy − y dx) / (x² + y²).
    @inlinable public static func atan2(_ y: Self, _ x: Self) -> Self {
        Self(S.atan2(y.primal, x.primal),
             (x.primal * y.tangent - y.primal * x.tangent) / (x.primal * x.primal + y.primal * y.primal))
    }

    @inlinable public static func < (a: Self, b: Self) -> Bool { a.primal < b.primal }
    @inlinable public static func == (a: Self, b: Self) -> Bool { a.primal == b.primal }
}
