import AutoDiff

/// A pair potential φ(r; θ) whose parameters are calibrated.
///
/// Write `energy` once, generically; `PairGroup` differentiates it in `Radial`, a `HyperJet` over
/// (r, parameters) — declare `typealias Radial = HyperJet<K, K(K+1)/2>` with `K = 1 + parameterNames.count` —
/// and applies the chain rule through r = |xⱼ − xᵢ| by hand, which is exact and much cheaper than
/// differentiating the whole bond automatically. `validate` rejects non-physical parameters.
public protocol PairPotential: Sendable {
    associatedtype Radial: SecondOrderJet
    /// Names of the potential's parameters, in its own order ("D", "alpha", "r0").
    static var parameterNames: [String] { get }
    /// φ at distance `r`; parameter `j` is `p.parameter(j)`.
    func energy<S: Real>(r: S, _ p: LocalVariables<S>) -> S
    /// Throws `PhysicsError.invalidParameter` for values outside the physical range.
    func validate(_ parameters: [Double]) throws
    /// Adds Π and, as `e.needs` asks, ∂Π/∂u and ∂²Π/∂u² of the pairs of `pairs` into `e`: Newton's
    /// pass. Keep the default: it is a requirement so that the pass, entered from `PairGroup` (generic
    /// code), runs compiled for the conforming type (PairPass.swift).
    func newtonPass(_ pairs: PairPass, _ e: inout EnergyEvaluation) throws
    /// Adds Π of the pairs of `pairs` into `e.energy`. Keep the default (see `newtonPass`).
    func energyPass(_ pairs: PairPass, _ e: inout EnergyEvaluation) throws
    /// Adds Π and what `e.needs` asks for, parameter derivatives included (in `Radial`), into `e`.
    /// Keep the default (see `newtonPass`).
    func parameterPass(_ pairs: PairPass, _ e: inout EnergyEvaluation) throws
}

extension PairPotential {
    public func validate(_ parameters: [Double]) throws {}

    @inlinable
    public func newtonPass(_ pairs: PairPass, _ e: inout EnergyEvaluation) throws { try pairs.newton(self, &e) }

    @inlinable
    public func energyPass(_ pairs: PairPass, _ e: inout EnergyEvaluation) throws { try pairs.energy(self, &e) }

    @inlinable
    public func parameterPass(_ pairs: PairPass, _ e: inout EnergyEvaluation) throws {
        try pairs.withParameterDerivatives(self, &e)
    }

    /// Requires each listed parameter to be strictly positive.
    public func requirePositive(_ parameters: [Double], _ slots: [Int]) throws {
        for j in slots where !(parameters[j] > 0) {
            throw PhysicsError.invalidParameter(name: Self.parameterNames[j], value: parameters[j],
                                                requirement: "> 0")
        }
    }

    /// φ(r) in plain numbers, for tests and reports.
    public func energy(r: Double, parameters: [Double]) -> Double {
        let local = [r] + parameters
        return local.withUnsafeBufferPointer {
            energy(r: r, LocalVariables(base: $0.baseAddress!, dofCount: 1, historyCount: 0))
        }
    }
}

/// Morse: φ(r) = D [e^{−2α(r − r₀)} − 2 e^{−α(r − r₀)}]; well depth D at r₀, width 1/α.
public struct Morse: PairPotential {
    public typealias Radial = HyperJet<4, 10>
    public static let parameterNames = ["D", "alpha", "r0"]
    public init() {}
    @inlinable public func energy<S: Real>(r: S, _ p: LocalVariables<S>) -> S {
        let e = S.exp(-(p.parameter(1) * (r - p.parameter(2))))
        return p.parameter(0) * (e * e - 2 * e)
    }
    public func validate(_ parameters: [Double]) throws { try requirePositive(parameters, [0, 1, 2]) }
}

/// Lennard-Jones: φ(r) = 4ε [(σ/r)¹² − (σ/r)⁶]; minimum −ε at 2^{1/6} σ.
public struct LennardJones: PairPotential {
    public typealias Radial = HyperJet<3, 6>
    public static let parameterNames = ["epsilon", "sigma"]
    public init() {}
    @inlinable public func energy<S: Real>(r: S, _ p: LocalVariables<S>) -> S {
        let s6 = S.pow(p.parameter(1) / r, 6)
        return 4 * p.parameter(0) * (s6 * s6 - s6)
    }
    public func validate(_ parameters: [Double]) throws { try requirePositive(parameters, [0, 1]) }
}

/// Harmonic spring: φ(r) = ½ k (r − r₀)².
public struct HarmonicSpring: PairPotential {
    public typealias Radial = HyperJet<3, 6>
    public static let parameterNames = ["k", "r0"]
    public init() {}
    @inlinable public func energy<S: Real>(r: S, _ p: LocalVariables<S>) -> S {
        let s = r - p.parameter(1)
        return 0.5 * p.parameter(0) * s * s
    }
    public func validate(_ parameters: [Double]) throws { try requirePositive(parameters, [0, 1]) }
}
