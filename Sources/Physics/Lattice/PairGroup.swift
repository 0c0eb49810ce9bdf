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
            // in the hand-written pass of PairNewtonPass.swift, compiled for `P`. Its value, φ′ and φ″
            // are the same expressions as those of `P.Radial`, bit for bit.
            try withPass(e.parameters, unknowns: unknowns, scatter: scatter) { try potential.newtonPass($0, &e) }
        } else {
            try evaluateTerms(&e, unknowns: unknowns, scatter: scatter, radial: P.Radial.self)
        }
    }

    /// Π and the derivatives `e.needs` asks for, the radial derivatives from the jet `R`: a jet over
    /// (r, parameters) when parameter derivatives are needed, over r alone otherwise.
    private func evaluateTerms<R: SecondOrderJet>(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?,
                                                  radial _: R.Type) throws {
        let d = dimension, k = 2 * d, q = parameterIndices.count
        let withParameters = R.variableCount > 1
        let radial = UnsafeMutablePointer<R>.allocate(capacity: 1 + q)
        let block = UnsafeMutablePointer<Double>.allocate(capacity: k * k)
        defer {
            radial.deinitialize(count: 1 + q)
            radial.deallocate()
            block.deallocate()
        }
        radial.initialize(to: R(0, variable: 0))
        for j in 0 ..< q {
            let value = e.parameters[parameterIndices[j]]
            (radial + 1 + j).initialize(to: withParameters ? R(value, variable: 1 + j) : R(value))
        }
        try unknowns.indices.withUnsafeBufferPointer { unknownIndices in
            for t in first.indices {
                let (n, r) = separation(t, e.positions)
                if r >= cutoff.outer { continue }
                guard r > 0 else { throw overlap(t) }
                radial[0] = R(r, variable: 0)
                let phi = cutoff.apply(potential.energy(r: radial[0], LocalVariables(base: radial, dofCount: 1, historyCount: 0)), at: radial[0])
                guard phi.value.isFinite, phi.derivative(0).isFinite, phi.secondDerivative(0, 0).isFinite else {
                    throw nonFinite(t, r)
                }
                let local = PairDerivatives(phi: phi, dimension: d, direction: n / r, distance: r)
                e.accumulate(local, term: t, dofCount: k, historyCount: 0, dofs: unknownIndices.baseAddress! + t * k,
                             unknowns: unknownIndices.baseAddress! + t * k, parameterIndices: parameterIndices,
                             scatter: scatter, block: block)
            }
        }
    }

    /// Pair t's separation xⱼ + shift − xᵢ (zero beyond the dimension) and its length.
    @inline(__always) private func separation(_ t: Int, _ positions: UnsafeBufferPointer<Double>) -> (vector: SIMD3<Double>, distance: Double) {
        let d = dimension, i = Int(first[t]) * d, j = Int(second[t]) * d
        var n = SIMD3<Double>(0, 0, 0)
        for c in 0 ..< d { n[c] = positions[j + c] + shifts[t * d + c] - positions[i + c] }
        return (n, (n * n).sum().squareRoot())
    }

    func overlap(_ t: Int) -> PhysicsError {
        .nonFinite(group: name, term: t, detail: "atoms \(first[t]) and \(second[t]) overlap (distance 0); check the lattice, vacancies and the loading")
    }

    func nonFinite(_ t: Int, _ r: Double) -> PhysicsError {
        .nonFinite(group: name, term: t, detail: "atoms \(first[t]) and \(second[t]) at distance \(r); check the parameters and the loading")
    }
}

/// The derivatives of one pair's energy with respect to [xᵢ | xⱼ | parameters], from its radial jet.
@usableFromInline
struct PairDerivatives<R: SecondOrderJet>: LocalDerivatives {
    let phi: R
    let dimension: Int
    let direction: SIMD3<Double>
    let distance: Double

    @usableFromInline var value: Double { phi.value }

    /// −1 for a component of xᵢ, +1 for xⱼ.
    @inline(__always) func sign(_ a: Int) -> Double { a < dimension ? -1 : 1 }

    @usableFromInline func derivative(_ a: Int) -> Double {
        let geometric = 2 * dimension
        if a < geometric { return sign(a) * phi.derivative(0) * direction[a % dimension] }
        return phi.derivative(1 + a - geometric)
    }

    @usableFromInline func secondDerivative(_ a: Int, _ b: Int) -> Double {
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
