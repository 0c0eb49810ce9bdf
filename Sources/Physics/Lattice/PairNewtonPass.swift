// Newton's pass over the pairs of a lattice: Π, ∂Π/∂u and ∂²Π/∂u², written by hand.
//
// Mathematics. For pair (i, j) with d = xⱼ + s − xᵢ, r = |d|, n = d/r and the cut-off radial energy
// φₛ(r) = φ(r) S(r) (SmoothCutoff.swift):
//   ∂φₛ/∂xⱼ = φₛ′ n = −∂φₛ/∂xᵢ,
//   ∂²φₛ/∂xⱼ² = K = φₛ″ nnᵀ + (φₛ′/r)(I − nnᵀ),   ∂²φₛ/∂xᵢ² = K,   ∂²φₛ/∂xᵢ∂xⱼ = −K
// (e.g. Tadmor & Miller, Modeling Materials, CUP 2011, §8.1 for the pair-potential force constants).
// φₛ, φₛ′, φₛ″ come from the potential's `cutoffRadialJet`, a one-variable `HyperJet<1, 1>` through
// the potential's generic `energy`: exact radial derivatives, whatever the potential.
//
// Why a pass of its own. `PairGroup` is generic over its potential and is reached through
// `any EnergyGroup`, so its code runs unspecialized: every jet operation of the potential written
// generically went through protocol witnesses and metadata (about 300 ns per pair at 10⁵ atoms). Here
// the potential is called once per pair through a protocol requirement whose implementation is
// compiled for the concrete potential; everything else — geometry, K, the scatter — is concrete code
// on the pair arrays, with the dimension a constant after inlining, no allocation in the loop, and
// the Hessian scattered by the precomputed `ScatterMap`. Pairs come sorted by (first, second) from the
// neighbour list, so consecutive pairs touch nearby rows of the matrix.
//
// Bit for bit. Entries, their order and every floating-point operation are those of the general path
// (`PairDerivatives` through `EnergyEvaluation.accumulate`): K's entry (a, b) is φ″·nₐ·n_b +
// φ′/r·(δₐ_b − nₐn_b) evaluated in that order, signs are exact factors ±1, and every sum is added in
// the same order, so Newton's iterates do not change.

import AutoDiff
import Sparse

extension PairGroup {
    /// Π and, as `e.needs` asks, ∂Π/∂u and ∂²Π/∂u² of all pairs (no parameter derivatives).
    func evaluateNewton(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?) throws {
        if dimension == 2 {
            try newtonPass(&e, unknowns: unknowns, scatter: scatter, dimension: 2)
        } else {
            try newtonPass(&e, unknowns: unknowns, scatter: scatter, dimension: 3)
        }
    }

    /// The pass for dimension `d` (a literal at each call, so the per-pair loops unroll).
    @inline(__always)
    private func newtonPass(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?, dimension d: Int) throws {
        let k = 2 * d, q = parameterIndices.count
        let variables = UnsafeMutablePointer<HyperJet<1, 1>>.allocate(capacity: 1 + q)
        defer { variables.deallocate() }
        variables.initialize(to: HyperJet<1, 1>(0, variable: 0))
        for j in 0 ..< q { (variables + 1 + j).initialize(to: HyperJet<1, 1>(e.parameters[parameterIndices[j]])) }
        let gradient: UnsafeMutablePointer<Double>? = e.needs.contains(.gradient) ? e.gradient.baseAddress : nil
        let values: UnsafeMutablePointer<Double>? = e.needs.contains(.hessian) && scatter != nil ? e.matrix?.values.baseAddress : nil
        let positions = e.positions, outer = cutoff.outer, cutoff = cutoff, potential = potential
        let noPositions: [Int32] = [], noStarts: [Int] = []
        var energy = e.energy
        try withPairArrays { first, second, shifts in
            try unknowns.indices.withUnsafeBufferPointer { unknownIndices in
                try (scatter?.positions ?? noPositions).withUnsafeBufferPointer { map in
                    try (scatter?.termStarts ?? noStarts).withUnsafeBufferPointer { termStarts in
                        for t in 0 ..< first.count {
                            let (separation, r) = Self.separation(t, d, positions, first, second, shifts)
                            if r >= outer { continue }
                            guard r > 0 else { throw overlap(t) }
                            let phi = potential.cutoffRadialJet(r: r, cutoff: cutoff, variables: variables)
                            let phi1 = phi.derivative(0), phi2 = phi.secondDerivative(0, 0)
                            guard phi.value.isFinite, phi1.isFinite, phi2.isFinite else { throw nonFinite(t, r) }
                            energy += phi.value
                            let n = separation / r
                            let local = unknownIndices.baseAddress! + t * k
                            if let gradient {
                                let minusPhi1 = -phi1
                                for a in 0 ..< k where local[a] >= 0 {
                                    gradient[Int(local[a])] += (a < d ? minusPhi1 : phi1) * n[a % d]
                                }
                            }
                            guard let values else { continue }
                            // K over (component of a, component of b), both orders: the product φ″nₐn_b
                            // rounds differently in each.
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
                                    let p = Int(map[slot])
                                    slot += 1
                                    let sign: Double = (a < d) == (b < d) ? 1 : -1
                                    let v = sign * stiffness[3 * (a % d) + b % d]
                                    if p >= 0 {
                                        values[p] += v
                                    } else if p <= -2 {
                                        values[-p - 2] += 2 * v
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        e.energy = energy
    }
}
