import AutoDiff
import Foundation

// The two terms of a planar bead-spring network, written once, generically, as `LocalEnergy`s:
//   bond stretching   E_b = ½ k_b (|x_j − x_i| − r₀)²
//   angle bending     E_a = ½ k_θ (θ − θ₀)²,  θ = atan2(a × b, a · b),  a = x_i − x_j, b = x_k − x_j,
// the harmonic bond and harmonic angle of molecular force fields (e.g. Allen & Tildesley, *Computer
// Simulation of Liquids*, 2nd ed., 2017, §1.3.3). The angle is written with atan2, not acos of the
// normalised dot product: atan2 is smooth at straight (θ = π) and folded (θ = 0) angles where acos′
// is infinite, and it keeps the orientation (the angle from a to b, counter-clockwise positive).

/// Bond stretching between beads i and j: ½ k (|x_j − x_i| − r₀)². Dofs (xᵢ, yᵢ, xⱼ, yⱼ); parameters
/// (k, r₀) in the network's numbering (`BeadSpringNetwork.parameterNames`).
/// Translation invariant: evaluated over bead j with bead i held (`HyperJet<2, 3>` in Newton's passes).
public struct BeadBond: TranslationInvariant {
    public typealias Hyper = HyperJet<6, 21>
    public typealias DofHyper = HyperJet<4, 10>
    public typealias RelativeHyper = HyperJet<4, 10>
    public typealias RelativeDofHyper = HyperJet<2, 3>
    public static let spatialDimension = 2
    public static let dofCount = 4
    public static let parameterCount = 2
    public init() {}
    @inlinable public func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let dx = v[2] - v[0], dy = v[3] - v[1]
        let stretch = S.sqrt(dx * dx + dy * dy) - v.parameter(1)
        return 0.5 * v.parameter(0) * stretch * stretch
    }
}

/// Angle bending at bead j between its bonds to i and k: ½ k_θ (θ − θ₀)², with θ the angle from
/// a = xᵢ − xⱼ to b = xₖ − xⱼ. Dofs (xᵢ, yᵢ, xⱼ, yⱼ, xₖ, yₖ); parameter k_θ; the rest angle θ₀ is the
/// term's constant (the reference geometry's angle, so the unloaded network is stress-free).
/// Translation invariant: evaluated over beads j and k with bead i held (`HyperJet<4, 10>` in Newton's passes).
public struct BeadAngle: TranslationInvariant {
    public typealias Hyper = HyperJet<7, 28>
    public typealias DofHyper = HyperJet<6, 21>
    public typealias RelativeHyper = HyperJet<5, 15>
    public typealias RelativeDofHyper = HyperJet<4, 10>
    public static let spatialDimension = 2
    public static let dofCount = 6
    public static let parameterCount = 1
    /// θ₀ in radians, in (−π, π].
    public let restAngle: Double
    /// cos θ₀ and sin θ₀: b is turned back by θ₀ before the angle is taken.
    public let restCosine: Double, restSine: Double
    public init(restAngle: Double) {
        self.restAngle = restAngle
        restCosine = cos(restAngle)
        restSine = sin(restAngle)
    }
    /// θ − θ₀ is the angle from a to b turned back by θ₀, so atan2's branch cut (where its value jumps
    /// by 2π) lies at a bend of ±π, opposite the rest angle, never near a physical state.
    @inlinable public func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let ax = v[0] - v[2], ay = v[1] - v[3]
        let bx = v[4] - v[2], by = v[5] - v[3]
        let rx = restCosine * bx + restSine * by, ry = restCosine * by - restSine * bx
        let bend = S.atan2(ax * ry - ay * rx, ax * rx + ay * ry)
        return 0.5 * v.parameter(0) * bend * bend
    }
}
