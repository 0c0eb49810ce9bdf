/// A `Real` that carries the exact gradient with respect to a fixed number of seeded variables.
/// `Jet<N>` and `HyperJet<N>` conform; generic assembly code seeds and reads them through this.
public protocol FirstOrderJet: Real {
    /// Number of independent variables (`N`).
    static var variableCount: Int { get }
    /// The value, settable: a seeded variable keeps its unit gradient when its value changes, so groups
    /// seed their local variables once and only set values term by term.
    var value: Double { get set }
    /// Independent variable number `index` with value `value` (gradient = unit vector).
    init(_ value: Double, variable index: Int)
    /// ∂f/∂xᵢ.
    func derivative(_ i: Int) -> Double
}

/// A value with its first and second derivatives with respect to a few local variables: what assembly
/// scatters into global gradients and Hessians. `HyperJet` provides it by automatic differentiation;
/// hand-written local derivatives (a faster path for one model) provide their own.
public protocol LocalDerivatives {
    var value: Double { get }
    /// ∂f/∂xᵢ.
    func derivative(_ i: Int) -> Double
    /// ∂²f/∂xᵢ∂xⱼ (either order).
    func secondDerivative(_ i: Int, _ j: Int) -> Double
    /// The upper triangle of the Hessian over the first `k` variables, row by row ((0,0), (0,1) …
    /// (k−1,k−1)), if it is stored so: its first `headCount` entries at `head`, the rest at `tail`;
    /// nil (the default) otherwise. Assembly then adds it in linear passes instead of entry by entry.
    func packedHessian(over k: Int) -> PackedHessian?
}

/// A packed upper triangle stored in two contiguous pieces (see `LocalDerivatives.packedHessian`).
@frozen public struct PackedHessian {
    public let head: UnsafePointer<Double>
    public let headCount: Int
    public let tail: UnsafePointer<Double>
    @inlinable public init(head: UnsafePointer<Double>, headCount: Int, tail: UnsafePointer<Double>) {
        self.head = head
        self.headCount = headCount
        self.tail = tail
    }
}

extension LocalDerivatives {
    @inlinable public func packedHessian(over k: Int) -> PackedHessian? { nil }
}

/// A `FirstOrderJet` that also carries the exact Hessian.
public protocol SecondOrderJet: FirstOrderJet, LocalDerivatives {
    /// Number of second derivatives stored: N(N+1)/2 for a packed symmetric Hessian.
    static var storedSecondDerivativeCount: Int { get }
    /// The value, ∂f/∂xᵢ and ∂²f/∂xᵢ∂xⱼ of the jet at `jet`, read without copying the jet.
    static func value(at jet: UnsafePointer<Self>) -> Double
    static func derivative(at jet: UnsafePointer<Self>, _ i: Int) -> Double
    static func secondDerivative(at jet: UnsafePointer<Self>, _ i: Int, _ j: Int) -> Double
    /// The packed upper triangle of the Hessian over all `variableCount` variables, row by row, at its
    /// address in the jet at `jet`; nil if the jet does not store it so.
    static func packedHessian(at jet: UnsafePointer<Self>) -> UnsafePointer<Double>?
}

extension SecondOrderJet {
    /// Through the jet's own methods (which may copy it): `HyperJet` reads the entries at their addresses.
    @inlinable public static func value(at jet: UnsafePointer<Self>) -> Double { jet.pointee.value }
    @inlinable public static func derivative(at jet: UnsafePointer<Self>, _ i: Int) -> Double { jet.pointee.derivative(i) }
    @inlinable public static func secondDerivative(at jet: UnsafePointer<Self>, _ i: Int, _ j: Int) -> Double {
        jet.pointee.secondDerivative(i, j)
    }
    @inlinable public static func packedHessian(at jet: UnsafePointer<Self>) -> UnsafePointer<Double>? { nil }

    /// Whether the type's sizes agree (`HyperJet<N, T>` with T = N(N+1)/2). Groups check it before
    /// making any value, so that a wrong declaration is a typed error, not a stop.
    @inlinable public static var hasConsistentSizes: Bool {
        storedSecondDerivativeCount == variableCount * (variableCount + 1) / 2
    }
}

/// The declaration a term needs for `n` local variables, for error messages: "HyperJet<7, 28>".
public func hyperJetDeclaration(variables n: Int) -> String { "HyperJet<\(n), \(n * (n + 1) / 2)>" }

extension Jet: FirstOrderJet {
    @inlinable public static var variableCount: Int { N }
    @inlinable public func derivative(_ i: Int) -> Double { gradient[i] }
}

extension HyperJet: SecondOrderJet {
    @inlinable public static var variableCount: Int { N }
    @inlinable public static var storedSecondDerivativeCount: Int { T }
    @inline(__always) @inlinable public static func value(at jet: UnsafePointer<Self>) -> Double {
        unsafe UnsafeRawPointer(jet).load(fromByteOffset: MemoryLayout<Self>.offset(of: \.value)!, as: Double.self)
    }
    @inline(__always) @inlinable public static func derivative(at jet: UnsafePointer<Self>, _ i: Int) -> Double {
        unsafe UnsafeRawPointer(jet).load(fromByteOffset: MemoryLayout<Self>.offset(of: \.gradient)! + i * MemoryLayout<Double>.stride,
                                          as: Double.self)
    }
    @inline(__always) @inlinable public static func secondDerivative(at jet: UnsafePointer<Self>, _ i: Int, _ j: Int) -> Double {
        let p = i <= j ? packedIndex(i, j) : packedIndex(j, i)
        return unsafe UnsafeRawPointer(jet).load(fromByteOffset: MemoryLayout<Self>.offset(of: \.packedHessian)! + p * MemoryLayout<Double>.stride,
                                                 as: Double.self)
    }
    @inline(__always) @inlinable public static func packedHessian(at jet: UnsafePointer<Self>) -> UnsafePointer<Double>? {
        unsafe UnsafeRawPointer(jet).advanced(by: MemoryLayout<Self>.offset(of: \.packedHessian)!).assumingMemoryBound(to: Double.self)
    }
    @inline(__always) @inlinable public func derivative(_ i: Int) -> Double { gradient[i] }
    @inline(__always) @inlinable public func secondDerivative(_ i: Int, _ j: Int) -> Double { hessian(i, j) }
}

/// The value and derivatives of a jet stored elsewhere, read in place. A jet is a few hundred bytes:
/// code that calls a jet's methods on `pointer.pointee` copies the whole jet for every entry it reads
/// (measured: one 224-byte copy per Hessian entry), so groups keep each term's result in their scratch
/// storage and hand this over instead; it reads single entries at their addresses.
/// Valid while the storage it points to is.
@frozen public struct JetReference<J: SecondOrderJet>: LocalDerivatives {
    public let pointer: UnsafePointer<J>
    @inlinable public init(_ pointer: UnsafePointer<J>) { self.pointer = pointer }
    @inline(__always) @inlinable public var value: Double { J.value(at: pointer) }
    @inline(__always) @inlinable public func derivative(_ i: Int) -> Double { J.derivative(at: pointer, i) }
    @inline(__always) @inlinable public func secondDerivative(_ i: Int, _ j: Int) -> Double { J.secondDerivative(at: pointer, i, j) }
    /// The jet's own packed Hessian when its variables are exactly the first `k` (a jet over more
    /// variables interleaves their columns in each row).
    @inline(__always) @inlinable public func packedHessian(over k: Int) -> PackedHessian? {
        guard J.variableCount == k, let packed = J.packedHessian(at: pointer) else { return nil }
        return PackedHessian(head: packed, headCount: k * (k + 1) / 2, tail: packed)
    }
}
