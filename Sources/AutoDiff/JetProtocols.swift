/// A `Real` that carries the exact gradient with respect to a fixed number of seeded variables.
/// `Jet<N>` and `HyperJet<N>` conform; generic assembly code seeds and reads them through this.
public protocol FirstOrderJet: Real {
    /// Number of independent variables (`N`).
    static var variableCount: Int { get }
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
}

/// A `FirstOrderJet` that also carries the exact Hessian.
public protocol SecondOrderJet: FirstOrderJet, LocalDerivatives {}

extension Jet: FirstOrderJet {
    @inlinable public static var variableCount: Int { N }
    @inlinable public func derivative(_ i: Int) -> Double { gradient[i] }
}

extension HyperJet: SecondOrderJet {
    @inlinable public static var variableCount: Int { N }
    @inlinable public func derivative(_ i: Int) -> Double { gradient[i] }
    @inlinable public func secondDerivative(_ i: Int, _ j: Int) -> Double { hessian(i, j) }
}
