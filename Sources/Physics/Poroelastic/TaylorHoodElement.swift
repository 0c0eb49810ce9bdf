import AutoDiff

// The Taylor–Hood P2–P1 triangle (Taylor & Hood 1973; for poroelasticity Murad & Loula 1992, 1994):
// quadratic displacement on six nodes, linear pressure on the three vertices. Its inf-sup stability
// (Brezzi–Fortin, Mixed and Hybrid Finite Element Methods, §VIII) keeps early-time pressures free of the
// spurious checkerboard oscillations that equal-order elements show in undrained conditions.
//
// Shape functions in barycentric coordinates λ₀, λ₁, λ₂ (vertices 0–2, midpoints 3 = 01, 4 = 12, 5 = 20):
//   N_i = λ_i(2λ_i − 1) (i < 3),  N₃ = 4λ₀λ₁,  N₄ = 4λ₁λ₂,  N₅ = 4λ₂λ₀;  pressure ψ_i = λ_i.
// On a straight-sided triangle ∇λ_i is constant, so ∇N is linear and every integrand of the linear
// model (∇N·∇N, ψ div N, ψψ) is a polynomial of degree ≤ 2: the 3-point rule at the barycentric points
// (2/3, 1/6, 1/6) and permutations, weights 1/3 (Strang & Fix), integrates it exactly. The Kozeny–Carman
// permeability is not polynomial; the same rule integrates it to O(h³) per element.

/// Geometry of one straight-sided Taylor–Hood triangle: its area and the (constant) gradients of its
/// barycentric coordinates, from which every shape-function gradient follows. Precomputed once per
/// element; assembly never recomputes geometry.
public struct TaylorHoodGeometry: Sendable, Equatable {
    /// Area (positive for counter-clockwise vertices).
    public let area: Double
    /// ∇λ₀, ∇λ₁, ∇λ₂.
    public let g0: SIMD2<Double>, g1: SIMD2<Double>, g2: SIMD2<Double>

    /// The geometry of the triangle with vertices `a`, `b`, `c` (counter-clockwise).
    public init(_ a: SIMD2<Double>, _ b: SIMD2<Double>, _ c: SIMD2<Double>) {
        let twice = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)
        area = 0.5 * twice
        g0 = SIMD2(b.y - c.y, c.x - b.x) / twice
        g1 = SIMD2(c.y - a.y, a.x - c.x) / twice
        g2 = SIMD2(a.y - b.y, b.x - a.x) / twice
    }

    /// The 3-point rule: barycentric points; each weight is area / 3.
    public static let quadraturePoints: [SIMD3<Double>] = [
        SIMD3(2.0 / 3, 1.0 / 6, 1.0 / 6), SIMD3(1.0 / 6, 2.0 / 3, 1.0 / 6), SIMD3(1.0 / 6, 1.0 / 6, 2.0 / 3),
    ]

    /// Gradients of the six quadratic shape functions at barycentric point `l`.
    @inlinable
    public func quadraticGradients(at l: SIMD3<Double>) -> InlineArray<6, SIMD2<Double>> {
        var g = InlineArray<6, SIMD2<Double>>(repeating: .zero)
        g[0] = (4 * l.x - 1) * g0
        g[1] = (4 * l.y - 1) * g1
        g[2] = (4 * l.z - 1) * g2
        g[3] = 4 * (l.x * g1 + l.y * g0)
        g[4] = 4 * (l.y * g2 + l.z * g1)
        g[5] = 4 * (l.z * g0 + l.x * g2)
        return g
    }

    /// Values of the six quadratic shape functions at barycentric point `l`.
    @inlinable
    public static func quadraticValues(at l: SIMD3<Double>) -> [Double] {
        [l.x * (2 * l.x - 1), l.y * (2 * l.y - 1), l.z * (2 * l.z - 1), 4 * l.x * l.y, 4 * l.y * l.z, 4 * l.z * l.x]
    }
}

/// One Taylor–Hood element of the Biot incremental potential, differentiated automatically: the
/// reference implementation that `TaylorHoodGroup`'s hand-written derivatives are tested against, and a
/// template for variants. Slow (HyperJet<35, 630>: 15 dofs, their previous values, 5 parameters): use
/// `TaylorHoodGroup` for real meshes.
///
/// Local dofs: u₀ₓ u₀ᵧ … u₅ₓ u₅ᵧ p₀ p₁ p₂; parameters E, ν, α, M, k (k/μ). Energy (docs/poroelasticity.md):
/// Πₑ = ∫ [½λ(div u)² + G ε:ε − α p div u − p²/(2M) + α p div u⁻ + p p⁻/M] − (Δt/2) ∫ k r(ε_v⁻) |∇p|²,
/// with r the permeability law's factor at the previous step's volumetric strain (1 for `.constant`).
public struct TaylorHoodElement: LocalEnergy {
    public typealias Hyper = HyperJet<35, 630>
    public static let dofCount = 15
    public static let parameterCount = 5
    public static let readsHistory = true
    public let geometry: TaylorHoodGeometry
    public let timeStep: Double
    public let permeability: PermeabilityLaw

    public init(geometry: TaylorHoodGeometry, timeStep: Double, permeability: PermeabilityLaw = .constant) {
        self.geometry = geometry
        self.timeStep = timeStep
        self.permeability = permeability
    }

    @inlinable
    public func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let e = v.parameter(0), nu = v.parameter(1), alpha = v.parameter(2), m = v.parameter(3), k = v.parameter(4)
        let lambda = e * nu / ((1 + nu) * (1 - 2 * nu)), shear = e / (2 * (1 + nu))
        let w = geometry.area / 3
        var sum: S = 0, factor: S = 0
        for l in TaylorHoodGeometry.quadraturePoints {
            let g = geometry.quadraticGradients(at: l)
            var exx: S = 0, eyy: S = 0, gamma: S = 0, previousDiv: S = 0
            for a in 0 ..< 6 {
                exx += g[a].x * v[2 * a]
                eyy += g[a].y * v[2 * a + 1]
                gamma += g[a].y * v[2 * a] + g[a].x * v[2 * a + 1]
                previousDiv += g[a].x * v.previous(2 * a) + g[a].y * v.previous(2 * a + 1)
            }
            let p = l.x * v[12] + l.y * v[13] + l.z * v[14]
            let pPrevious = l.x * v.previous(12) + l.y * v.previous(13) + l.z * v.previous(14)
            let div = exx + eyy
            let elastic = 0.5 * (lambda * div * div) + shear * (exx * exx + eyy * eyy + 0.5 * (gamma * gamma))
            let coupling = alpha * p * (previousDiv - div)
            let storage = (p * pPrevious - 0.5 * (p * p)) / m
            sum += w * (elastic + coupling + storage)
            factor += permeability.factor(volumetricStrain: previousDiv)
        }
        let gx = geometry.g0.x * v[12] + geometry.g1.x * v[13] + geometry.g2.x * v[14]
        let gy = geometry.g0.y * v[12] + geometry.g1.y * v[13] + geometry.g2.y * v[14]
        return sum - (0.5 * timeStep * w) * (k * factor * (gx * gx + gy * gy))
    }
}
