import AutoDiff
import Sparse

/// All pair interactions of one potential in a lattice: the energy Σ φₛ(|xⱼ + sₖ − xᵢ|; θ) over the
/// pairs (i, j) of a neighbour list, with sₖ the periodic image shift of pair k.
///
/// Hand-written geometric derivatives (the override the physics core allows for speed): with
/// d = xⱼ + s − xᵢ, r = |d|, n = d/r, ∂φ/∂xⱼ = φ′n = −∂φ/∂xᵢ, and
/// ∂²φ/∂xⱼ² = φ″ nnᵀ + (φ′/r)(I − nnᵀ), the blocks for (xᵢ, xᵢ), (xᵢ, xⱼ) following by sign; mixed
/// derivatives ∂²φ/∂x∂θ = ±(∂φ′/∂θ) n. The radial derivatives φ′, φ″, ∂φ/∂θ, ∂φ′/∂θ come exactly
/// from `P.Radial`. Tests compare every entry with automatic differentiation of the whole bond.
///
/// Speed: the passes run in `PairPass` (PairPass.swift), entered through the potential's requirements,
/// so they are compiled for the concrete potential although this group is reached through
/// `any EnergyGroup`; Newton's passes take φ, φ′, φ″ from a one-variable jet, not `P.Radial`.
public struct PairGroup<P: PairPotential>: EnergyGroup {
    public let name: String
    public let potential: P
    public let cutoff: SmoothCutoff
    /// Spatial dimension (2 or 3): atom i owns dofs d·i ..< d·i + d.
    public let dimension: Int
    /// Atom indices of each pair, and the image shift to add to xⱼ − xᵢ (d entries per pair).
    public let first: [Int32], second: [Int32], shifts: [Double]
    public let connectivity: Connectivity
    /// Model parameter of each of the potential's parameters.
    public let parameterIndices: [Int]

    public init(name: String, potential: P, cutoff: SmoothCutoff, dimension: Int, first: [Int32], second: [Int32],
                shifts: [Double], parameterIndices: [Int]) throws {
        guard dimension == 2 || dimension == 3 else {
            throw PhysicsError.invalidModel("pair interactions need dimension 2 or 3, got \(dimension)")
        }
        guard first.count == second.count, shifts.count == dimension * first.count else {
            throw PhysicsError.invalidModel("\(name): \(first.count) pairs need \(first.count) second atoms and \(dimension * first.count) shift components")
        }
        guard P.Radial.variableCount == 1 + P.parameterNames.count, P.Radial.hasConsistentSizes else {
            throw PhysicsError.invalidModel("\(P.self) declares Radial with \(P.Radial.variableCount) variables; declare \(hyperJetDeclaration(variables: 1 + P.parameterNames.count)) (the distance and \(P.parameterNames.count) parameters)")
        }
        guard parameterIndices.count == P.parameterNames.count else {
            throw PhysicsError.invalidModel("\(name): \(P.parameterNames.count) parameter indices expected")
        }
        var indices: [Int32] = []
        indices.reserveCapacity(2 * dimension * first.count)
        for k in first.indices {
            for a in [first[k], second[k]] {
                for c in 0 ..< dimension { indices.append(Int32(dimension) * a + Int32(c)) }
            }
        }
        self.name = name
        self.potential = potential
        self.cutoff = cutoff
        self.dimension = dimension
        self.first = first
        self.second = second
        self.shifts = shifts
        self.parameterIndices = parameterIndices
        connectivity = Connectivity(uniformTermSize: 2 * dimension, indices: indices)
    }

    public func evaluate(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?) throws {
        try potential.validate(parameterIndices.map { e.parameters[$0] })
        if e.needs == .energy {
            try withPass(e.parameters, unknowns: unknowns, scatter: nil) { try potential.energyPass($0, &e) }
        } else if e.needs.isDisjoint(with: [.mixed, .parameterGradient]) {
            // Newton's passes need derivatives in r only: a one-variable jet, the parameters constants,
            // in the hand-written pass of PairPass.swift, compiled for `P`. Its value, φ′ and φ″
            // are the same expressions as those of `P.Radial`, bit for bit.
            try withPass(e.parameters, unknowns: unknowns, scatter: scatter) { try potential.newtonPass($0, &e) }
        } else {
            try withPass(e.parameters, unknowns: unknowns, scatter: scatter) { try potential.parameterPass($0, &e) }
        }
    }
}

/// The derivatives of one pair's energy with respect to [xᵢ | xⱼ | parameters], from its radial jet.
@usableFromInline
struct PairDerivatives<R: SecondOrderJet>: LocalDerivatives {
    @usableFromInline let phi: R
    @usableFromInline let dimension: Int
    @usableFromInline let direction: SIMD3<Double>
    @usableFromInline let distance: Double

    @inlinable init(phi: R, dimension: Int, direction: SIMD3<Double>, distance: Double) {
        self.phi = phi
        self.dimension = dimension
        self.direction = direction
        self.distance = distance
    }

    @inlinable var value: Double { phi.value }

    /// −1 for a component of xᵢ, +1 for xⱼ.
    @inlinable @inline(__always) func sign(_ a: Int) -> Double { a < dimension ? -1 : 1 }

    @inlinable func derivative(_ a: Int) -> Double {
        let geometric = 2 * dimension
        if a < geometric { return sign(a) * phi.derivative(0) * direction[a % dimension] }
        return phi.derivative(1 + a - geometric)
    }

    @inlinable func secondDerivative(_ a: Int, _ b: Int) -> Double {
        let geometric = 2 * dimension
        switch (a < geometric, b < geometric) {
        case (true, true):
            let na = direction[a % dimension], nb = direction[b % dimension]
            let delta: Double = a % dimension == b % dimension ? 1 : 0
            let k = phi.secondDerivative(0, 0) * na * nb + phi.derivative(0) / distance * (delta - na * nb)
            return sign(a) * sign(b) * k
        case (true, false):
            return sign(a) * phi.secondDerivative(0, 1 + b - geometric) * direction[a % dimension]
        case (false, true):
            return sign(b) * phi.secondDerivative(0, 1 + a - geometric) * direction[b % dimension]
        case (false, false):
            return phi.secondDerivative(1 + a - geometric, 1 + b - geometric)
        }
    }
}
