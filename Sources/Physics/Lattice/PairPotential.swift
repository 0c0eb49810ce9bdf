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
    /// φₛ = φ·S (the smooth cutoff applied) at `r` and its first two derivatives in r, the parameters
    /// constants: what Newton's passes need of a pair. `variables[1 ...]` hold the parameters as
    /// constant jets; `variables[0]` is overwritten with r. Keep the default: it is a requirement so
    /// that `PairGroup`'s loop, generic over the potential, calls code compiled for the conforming
    /// type (the default is specialized where the conformance is declared), not generic code.
    func cutoffRadialJet(r: Double, cutoff: SmoothCutoff, variables: UnsafeMutablePointer<HyperJet<1, 1>>) -> HyperJet<1, 1>
    /// φₛ at `r` in plain numbers, for energy-only passes; `variables[1 ...]` hold the parameters and
    /// `variables[0]` is overwritten with r. Keep the default (see `cutoffRadialJet`).
    func cutoffEnergy(r: Double, cutoff: SmoothCutoff, variables: UnsafeMutablePointer<Double>) -> Double
}

extension PairPotential {
    public func validate(_ parameters: [Double]) throws {}

    @inlinable
    public func cutoffRadialJet(r: Double, cutoff: SmoothCutoff, variables: UnsafeMutablePointer<HyperJet<1, 1>>) -> HyperJet<1, 1> {
        variables[0] = HyperJet<1, 1>(r, variable: 0)
        return cutoff.apply(energy(r: variables[0], LocalVariables(base: variables, dofCount: 1, historyCount: 0)), at: variables[0])
    }

    @inlinable
    public func cutoffEnergy(r: Double, cutoff: SmoothCutoff, variables: UnsafeMutablePointer<Double>) -> Double {
        variables[0] = r
        return cutoff.apply(energy(r: r, LocalVariables(base: variables, dofCount: 1, historyCount: 0)), at: r)
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
