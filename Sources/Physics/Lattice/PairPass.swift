// The passes over the pairs of a lattice: Π alone, Newton's Π, ∂Π/∂u and ∂²Π/∂u² (written by hand),
// and the general pass with parameter derivatives.
//
// Mathematics. For pair (i, j) with d = xⱼ + s − xᵢ, r = |d|, n = d/r and the cut-off radial energy
// φₛ(r) = φ(r) S(r) (SmoothCutoff.swift):
//   ∂φₛ/∂xⱼ = φₛ′ n = −∂φₛ/∂xᵢ,
//   ∂²φₛ/∂xⱼ² = K = φₛ″ nnᵀ + (φₛ′/r)(I − nnᵀ),   ∂²φₛ/∂xᵢ² = K,   ∂²φₛ/∂xᵢ∂xⱼ = −K
// (e.g. Tadmor & Miller, Modeling Materials, CUP 2011, §8.1 for the pair-potential force constants).
// φₛ, φₛ′, φₛ″ come from a one-variable `HyperJet<1, 1>` through the potential's generic `energy`:
// exact radial derivatives, whatever the potential.
//
// Why passes of their own, reached through the potential. `PairGroup` is generic over its potential
// and is reached through `any EnergyGroup`, so its own code runs unspecialized: every jet operation
// of a potential written generically went through protocol witnesses and metadata (about 300 ns per
// pair at 10⁵ atoms). The loops below are `@inlinable` and generic over the potential, and the group
// enters them through a requirement of `PairPotential` (`newtonPass`, `energyPass`, `parameterPass`)
// whose default implementation is compiled where the conformance is declared, with the potential
// known: the whole loop is specialized, one dynamic call per pass (the potential's energy is compiled
// for its jet type; the optimizer may merge the loops of several potentials into one that calls each
// one's specialized energy directly — no witness table, no metadata). In Newton's loop:
// no allocation, the dimension a constant (2 or 3, the loops unrolled), the Hessian scattered by the
// precomputed `ScatterMap`, and pairs in the neighbour list's (first, second) order, so consecutive
// pairs touch nearby rows of the matrix.
//
// Bit for bit. Entries, their order and every floating-point operation are those of the general path
// (`PairDerivatives` through `EnergyEvaluation.accumulate`): K's entry (a, b) is φ″·nₐ·n_b +
// φ′/r·(δₐ_b − nₐn_b) evaluated in that order, signs are exact factors ±1, and every sum is added in
// the same order, so Newton's iterates do not change.

import AutoDiff
import Sparse

/// The pairs of a `PairGroup` as its passes read them: storage valid only during the call it is handed
/// to. Guarantees that its passes add exactly what the general path (`PairDerivatives` through
/// `EnergyEvaluation.accumulate`) adds, in the same order, to the last bit.
public struct PairPass {
    /// Group name, for messages.
    @usableFromInline let name: String
    @usableFromInline let dimension: Int
    @usableFromInline let cutoff: SmoothCutoff
    /// Atom indices of each pair and its image shift (d per pair).
    @usableFromInline let first: UnsafeBufferPointer<Int32>, second: UnsafeBufferPointer<Int32>
    @usableFromInline let shifts: UnsafeBufferPointer<Double>
    /// The potential's parameter values, in its own order.
    @usableFromInline let parameters: UnsafeBufferPointer<Double>
    /// Unknown of each pair's 2d dofs (negative: prescribed), and the Hessian scatter map (empty
    /// without a Hessian).
    @usableFromInline let unknowns: UnsafeBufferPointer<Int32>
    @usableFromInline let map: UnsafeBufferPointer<Int32>
    @usableFromInline let termStarts: UnsafeBufferPointer<Int>
    /// The model parameter of each of the potential's.
    @usableFromInline let parameterIndices: [Int]

    @usableFromInline
    init(name: String, dimension: Int, cutoff: SmoothCutoff, first: UnsafeBufferPointer<Int32>, second: UnsafeBufferPointer<Int32>,
         shifts: UnsafeBufferPointer<Double>, parameters: UnsafeBufferPointer<Double>, unknowns: UnsafeBufferPointer<Int32>,
         map: UnsafeBufferPointer<Int32>, termStarts: UnsafeBufferPointer<Int>, parameterIndices: [Int]) {
        self.name = name
        self.dimension = dimension
        self.cutoff = cutoff
        self.first = first
        self.second = second
        self.shifts = shifts
        self.parameters = parameters
        self.unknowns = unknowns
        self.map = map
        self.termStarts = termStarts
        self.parameterIndices = parameterIndices
    }

    /// Pair t's separation xⱼ + shift − xᵢ (zero beyond the dimension) and its length.
    @inlinable @inline(__always)
    func separation(_ t: Int, _ d: Int, _ positions: UnsafeBufferPointer<Double>) -> (vector: SIMD3<Double>, distance: Double) {
        let i = Int(first[t]) * d, j = Int(second[t]) * d
        var n = SIMD3<Double>(0, 0, 0)
        for c in 0 ..< d { n[c] = positions[j + c] + shifts[t * d + c] - positions[i + c] }
        return (n, (n * n).sum().squareRoot())
    }

    @inlinable
    func overlap(_ t: Int) -> PhysicsError { Self.overlap(group: name, term: t, first[t], second[t]) }

    @inlinable
    func nonFinite(_ t: Int, _ r: Double) -> PhysicsError { Self.nonFinite(group: name, term: t, first[t], second[t], distance: r) }

    /// Atoms `i` and `j` of pair term `t` of group `group` coincide. (Not inlined: the loops' cold path.)
    @usableFromInline
    static func overlap(group: String, term t: Int, _ i: Int32, _ j: Int32) -> PhysicsError {
        .nonFinite(group: group, term: t, detail: "atoms \(i) and \(j) overlap (distance 0); check the lattice, vacancies and the loading")
    }

    /// The pair energy of atoms `i` and `j` (term `t` of `group`) is not finite at distance `r`.
    @usableFromInline
    static func nonFinite(group: String, term t: Int, _ i: Int32, _ j: Int32, distance r: Double) -> PhysicsError {
        .nonFinite(group: group, term: t, detail: "atoms \(i) and \(j) at distance \(r); check the parameters and the loading")
    }

    /// Π of all pairs, in plain numbers, added into `e.energy` as one sum.
    @inlinable
    public func energy<P: PairPotential>(_ potential: P, _ e: inout EnergyEvaluation) throws {
        let q = parameters.count
        try withUnsafeTemporaryAllocation(of: Double.self, capacity: 1 + q) { variables in
            let base = variables.baseAddress!
            base.initialize(to: 0)
            for j in 0 ..< q { (base + 1 + j).initialize(to: parameters[j]) }
            var sum = 0.0
            for t in 0 ..< first.count {
                let r = separation(t, dimension, e.positions).distance
                if r >= cutoff.outer { continue }
                guard r > 0 else { throw overlap(t) }
                base[0] = r
                let phi = cutoff.apply(potential.energy(r: r, LocalVariables(base: base, dofCount: 1, historyCount: 0)), at: r)
                guard phi.isFinite else { throw nonFinite(t, r) }
                sum += phi
            }
            e.energy += sum
        }
    }

    /// Π and, as `e.needs` asks, ∂Π/∂u and ∂²Π/∂u² of all pairs (no parameter derivatives): the radial
    /// derivatives from a one-variable jet, the parameters constants.
    @inlinable
    public func newton<P: PairPotential>(_ potential: P, _ e: inout EnergyEvaluation) throws {
        if dimension == 2 {
            try pass(potential, &e, dimension: 2, radial: HyperJet<1, 1>.self)
        } else {
            try pass(potential, &e, dimension: 3, radial: HyperJet<1, 1>.self)
        }
    }

    /// Π and whatever `e.needs` asks for, ∂²Π/∂u∂θ and ∂Π/∂θ included: the radial derivatives from
    /// `P.Radial`, the jet over (r, parameters). Mixed entries are ±(∂φₛ′/∂θⱼ) nₐ, as `PairDerivatives`
    /// gives them, added in `EnergyEvaluation.accumulate`'s order.
    @inlinable
    public func withParameterDerivatives<P: PairPotential>(_ potential: P, _ e: inout EnergyEvaluation) throws {
        if dimension == 2 {
            try pass(potential, &e, dimension: 2, radial: P.Radial.self)
        } else {
            try pass(potential, &e, dimension: 3, radial: P.Radial.self)
        }
    }

    /// The pass for dimension `d` (a literal at each call, so the per-pair loops unroll) with radial
    /// jet `R`: over r alone (parameters constant) or over (r, parameters).
    @inlinable @inline(__always)
    func pass<P: PairPotential, R: SecondOrderJet>(_ potential: P, _ e: inout EnergyEvaluation, dimension d: Int,
                                                   radial _: R.Type) throws {
        let k = 2 * d, q = parameters.count, unknownCount = e.gradient.count
        let withParameters = R.variableCount > 1
        let gradient: UnsafeMutablePointer<Double>? = e.needs.contains(.gradient) ? e.gradient.baseAddress : nil
        let values: UnsafeMutablePointer<Double>? = e.needs.contains(.hessian) && !map.isEmpty ? e.matrix?.values.baseAddress : nil
        let mixed: UnsafeMutablePointer<Double>? = withParameters && e.needs.contains(.mixed) ? e.mixed.baseAddress : nil
        let parameterGradient: UnsafeMutablePointer<Double>? =
            withParameters && e.needs.contains(.parameterGradient) ? e.parameterGradient.baseAddress : nil
        let positions = e.positions
        var energy = e.energy
        try withUnsafeTemporaryAllocation(of: R.self, capacity: 1 + q) { variables in
            let jets = variables.baseAddress!
            jets.initialize(to: R(0, variable: 0))
            for j in 0 ..< q { (jets + 1 + j).initialize(to: withParameters ? R(parameters[j], variable: 1 + j) : R(parameters[j])) }
            defer { jets.deinitialize(count: 1 + q) }
            for t in 0 ..< first.count {
                let (separation, r) = separation(t, d, positions)
                if r >= cutoff.outer { continue }
                guard r > 0 else { throw overlap(t) }
                jets[0] = R(r, variable: 0)
                let phi = cutoff.apply(potential.energy(r: jets[0], LocalVariables(base: jets, dofCount: 1, historyCount: 0)), at: jets[0])
                let phi1 = phi.derivative(0), phi2 = phi.secondDerivative(0, 0)
                guard phi.value.isFinite, phi1.isFinite, phi2.isFinite else { throw nonFinite(t, r) }
                energy += phi.value
                let n = separation / r
                let local = unknowns.baseAddress! + t * k
                if let gradient {
                    let minusPhi1 = -phi1
                    for a in 0 ..< k where local[a] >= 0 {
                        gradient[Int(local[a])] += (a < d ? minusPhi1 : phi1) * n[a % d]
                    }
                }
                if let values {
                    // K over (component of a, component of b) in both orders: φ″nₐn_b rounds differently
                    // in each.
                    let radialOverR = phi1 / r
                    var stiffness = InlineArray<9, Double>(repeating: 0)
                    for a in 0 ..< d {
                        for b in 0 ..< d {
                            let delta: Double = a == b ? 1 : 0
                            stiffness[3 * a + b] = phi2 * n[a] * n[b] + radialOverR * (delta - n[a] * n[b])
                        }
                    }
                    var slot = termStarts[t]
                    for a in 0 ..< k {
                        for b in a ..< k {
                            let encoded = map[slot]
                            slot += 1
                            let sign: Double = (a < d) == (b < d) ? 1 : -1
                            ScatterMap.add(sign * stiffness[3 * (a % d) + b % d], at: encoded, to: values)
                        }
                    }
                }
                if let mixed {
                    for (j, p) in parameterIndices.enumerated() {
                        let slope = phi.secondDerivative(0, 1 + j), minusSlope = -slope
                        for a in 0 ..< k where local[a] >= 0 {
                            mixed[p * unknownCount + Int(local[a])] += (a < d ? minusSlope : slope) * n[a % d]
                        }
                    }
                }
                if let parameterGradient {
                    for (j, p) in parameterIndices.enumerated() { parameterGradient[p] += phi.derivative(1 + j) }
                }
            }
        }
        e.energy = energy
    }
}

extension PairGroup {
    /// `body` with this group's pairs at `parameters` (the model's), `unknowns` and `scatter` as a `PairPass`.
    func withPass<T>(_ parameters: UnsafeBufferPointer<Double>, unknowns: Connectivity, scatter: ScatterMap?,
                     _ body: (PairPass) throws -> T) throws -> T {
        let noPositions: [Int32] = [], noStarts: [Int] = []
        let values = parameterIndices.map { parameters[$0] }
        return try first.withUnsafeBufferPointer { first in
            try second.withUnsafeBufferPointer { second in
                try shifts.withUnsafeBufferPointer { shifts in
                    try values.withUnsafeBufferPointer { parameters in
                        try unknowns.indices.withUnsafeBufferPointer { unknownIndices in
                            try (scatter?.positions ?? noPositions).withUnsafeBufferPointer { map in
                                try (scatter?.termStarts ?? noStarts).withUnsafeBufferPointer { termStarts in
                                    try body(PairPass(name: name, dimension: dimension, cutoff: cutoff, first: first, second: second,
                                                      shifts: shifts, parameters: parameters, unknowns: unknownIndices,
                                                      map: map, termStarts: termStarts, parameterIndices: parameterIndices))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
