import AutoDiff
import Sparse

// Hand-assembled Taylor–Hood elements of the Biot incremental potential (docs/poroelasticity.md):
//   Πₑ = ½uᵀKu − α pᵀBu − ½ pᵀ(Mₚ/M + Δt k r̄(u⁻) Lₚ)p + α pᵀBu⁻ + pᵀMₚp⁻/M,
// with K = λK_λ + G K_G, (K_λ)_ab = ∫ div φ_a div φ_b, (K_G)_ab = ∫ 2ε(φ_a):ε(φ_b), B_ia = ∫ ψ_i div φ_a,
// (Mₚ)_ij = ∫ ψ_iψ_j = A(1 + δ_ij)/12, (Lₚ)_ij = ∫ ∇ψ_i·∇ψ_j = A ∇λ_i·∇λ_j, φ_a the vector shape functions
// of displacement dof a, ψ_i = λ_i, r̄ = (1/3) Σ_q r(ε_v⁻(x_q)) the mean permeability factor at the previous
// step's strain (1 for constant permeability). Exact standard FE matrices (3-point rule). Every
// derivative is written out: the 35 local variables are [u (12), p (3) | u⁻, p⁻ | E, ν, α, M, k], and
// λ = Eν/((1+ν)(1−2ν)), G = E/(2(1+ν)) carry the chain rule to E and ν. Tests compare every entry with
// `TaylorHoodElement` (automatic differentiation). The matrices are those of the standard u–p consolidation
// element (Lewis & Schrefler, The Finite Element Method in the Static and Dynamic Deformation and
// Consolidation of Porous Media, 1998, ch. 3), here derived from one potential.

/// The Taylor–Hood elements of one region with hand-written exact derivatives, for constant or
/// Kozeny–Carman permeability.
///
/// Kozeny–Carman permeability is evaluated at the previous step's volumetric strain, which keeps each
/// step the stationarity of a symmetric potential with no extra terms in the mechanics (a permeability
/// of the current strain would add −(Δt/2) k′|∇p|² to the mean stress; see docs/poroelasticity.md). Its
/// dependence on u⁻ enters the history coupling ∂²Π/∂x∂x⁻ that adjoints need.
///
/// Guarantees: the same value, gradient, Hessian, mixed derivatives, parameter gradient and history
/// coupling as `TaylorHoodElement` to round-off; no allocation per element (scratch is allocated once per
/// evaluation); parameters validated before any element is evaluated (`PhysicsError.invalidParameter`);
/// a previous strain outside the Kozeny–Carman range (porosity ≤ 0) throws `PhysicsError.nonFinite`.
public struct TaylorHoodGroup: EnergyGroup {
    public let name: String
    /// 15 dofs per element: u₀ₓ u₀ᵧ … u₅ₓ u₅ᵧ p₀ p₁ p₂.
    public let connectivity: Connectivity
    public let geometries: [TaylorHoodGeometry]
    /// Model parameters read as E, ν, α, M, k.
    public let parameterIndices: [Int]
    /// Their names (for error messages).
    public let parameterNames: [String]
    public let timeStep: Double
    public let permeability: PermeabilityLaw
    /// The elements' geometric matrices (given, to share them between groups on the same elements, or
    /// computed here).
    public let matrices: TaylorHoodMatrices

    public init(name: String, connectivity: Connectivity, geometries: [TaylorHoodGeometry], parameterIndices: [Int],
                parameterNames: [String], timeStep: Double, permeability: PermeabilityLaw = .constant,
                matrices: TaylorHoodMatrices? = nil) throws {
        guard connectivity.termCount == geometries.count, connectivity.indices.count == 15 * geometries.count else {
            throw PhysicsError.invalidModel("\(name): connectivity must list 15 dofs for each of \(geometries.count) elements")
        }
        guard parameterIndices.count == 5, parameterNames.count == 5 else {
            throw PhysicsError.invalidModel("\(name): 5 parameters (E, ν, α, M, k) expected")
        }
        self.name = name
        self.connectivity = connectivity
        self.geometries = geometries
        self.parameterIndices = parameterIndices
        self.parameterNames = parameterNames
        self.timeStep = timeStep
        self.permeability = permeability
        if let matrices, matrices.elementCount != geometries.count {
            throw PhysicsError.invalidModel("\(name): element matrices for \(matrices.elementCount) elements given for \(geometries.count)")
        }
        self.matrices = matrices ?? TaylorHoodMatrices(geometries: geometries)
    }

    public func evaluate(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?) throws {
        guard !e.history.isEmpty else {
            throw PhysicsError.invalidModel("\(name) reads the previous time step, but no history was set; set the assembler's history (or the model's) to the previous positions")
        }
        let theta = parameterIndices.map { e.parameters[$0] }
        try PoroMaterial.validate(theta, names: parameterNames)
        var kernel = TaylorHoodKernel(theta: theta, timeStep: timeStep, permeability: permeability)
        defer { kernel.deallocate() }
        let second = !e.needs.isDisjoint(with: [.hessian, .mixed, .historyCouplingProduct, .historyCouplingForwardProduct])
        let energyOnly = e.needs == .energy
        var sum = 0.0
        try unknowns.indices.withUnsafeBufferPointer { unknownIndices in
            try connectivity.indices.withUnsafeBufferPointer { dofIndices in
                for t in geometries.indices {
                    let dofs = dofIndices.baseAddress! + 15 * t
                    for a in 0 ..< 15 {
                        kernel.x[a] = e.positions[Int(dofs[a])]
                        kernel.x[15 + a] = e.history[Int(dofs[a])]
                    }
                    kernel.compute(geometries[t], matrices: matrices, element: t, second: second)
                    guard kernel.value.isFinite else {
                        throw PhysicsError.nonFinite(group: name, term: t, detail: "its dofs are \(Array(connectivity.term(t))); "
                            + "the previous step's volumetric strain leaves no porosity for the Kozeny–Carman law (ε_v ≤ −φ₀), "
                            + "or the parameters are out of range; reduce the load or the time step")
                    }
                    if energyOnly {
                        sum += kernel.value
                        continue
                    }
                    e.accumulate(kernel.derivatives, term: t, dofCount: 15, historyCount: 15, dofs: dofs,
                                 unknowns: unknownIndices.baseAddress! + 15 * t, parameterIndices: parameterIndices,
                                 scatter: scatter, block: kernel.block)
                }
            }
        }
        e.energy += sum
    }

    /// Value, gradient (35) and Hessian (35 × 35, row-major) of element `t` at local variables `x`
    /// (15 current, 15 previous) and parameters `theta` [E, ν, α, M, k]: for tests and diagnostics.
    public func localDerivatives(element t: Int, variables x: [Double], parameters theta: [Double])
        -> (value: Double, gradient: [Double], hessian: [Double]) {
        var kernel = TaylorHoodKernel(theta: theta, timeStep: timeStep, permeability: permeability)
        defer { kernel.deallocate() }
        for a in 0 ..< 30 { kernel.x[a] = x[a] }
        kernel.compute(geometries[t], matrices: matrices, element: t, second: true)
        return (kernel.value, Array(UnsafeBufferPointer(start: kernel.gradient, count: 35)),
                Array(UnsafeBufferPointer(start: kernel.hessian, count: 35 * 35)))
    }
}

/// Dense local derivatives read from scratch buffers (the `LocalDerivatives` the scatter path needs).
struct DenseLocalDerivatives: LocalDerivatives {
    let value: Double
    let gradient: UnsafePointer<Double>
    let hessian: UnsafePointer<Double>
    let size: Int
    func derivative(_ i: Int) -> Double { gradient[i] }
    func secondDerivative(_ i: Int, _ j: Int) -> Double { hessian[i * size + j] }
}

/// Scratch and arithmetic of one Taylor–Hood element; one per evaluation, reused for every element.
struct TaylorHoodKernel {
    // Material constants and their derivatives with respect to E and ν.
    let lambda, shear, alpha, inverseM, mobility, timeStep: Double
    let lambdaE, shearE, lambdaNu, shearNu, lambdaENu, shearENu, lambdaNuNu, shearNuNu: Double
    let permeability: PermeabilityLaw
    /// One allocation holds everything: x (30), K_λ, K_G (144 each), B (36), Lₚ (9), the gradient (35),
    /// the Hessian (35²), the scatter block (15²), and ∂r̄/∂u⁻ (12), ∂²r̄/∂u⁻² (144).
    let storage: UnsafeMutablePointer<Double>
    var x: UnsafeMutablePointer<Double> { storage }
    var kl: UnsafeMutablePointer<Double> { storage + 30 }
    var kg: UnsafeMutablePointer<Double> { storage + 174 }
    var b: UnsafeMutablePointer<Double> { storage + 318 }
    var lp: UnsafeMutablePointer<Double> { storage + 354 }
    var gradient: UnsafeMutablePointer<Double> { storage + 363 }
    var hessian: UnsafeMutablePointer<Double> { storage + 398 }
    var block: UnsafeMutablePointer<Double> { storage + 1623 }
    var dr: UnsafeMutablePointer<Double> { storage + 1848 }
    var d2r: UnsafeMutablePointer<Double> { storage + 1860 }
    var value = 0.0
    static let storageSize = 2004

    init(theta: [Double], timeStep: Double, permeability: PermeabilityLaw) {
        let e = theta[0], nu = theta[1]
        let d = (1 + nu) * (1 - 2 * nu)
        lambda = e * nu / d
        shear = e / (2 * (1 + nu))
        lambdaE = nu / d
        shearE = 1 / (2 * (1 + nu))
        lambdaNu = e * (1 + 2 * nu * nu) / (d * d)
        shearNu = -e / (2 * (1 + nu) * (1 + nu))
        lambdaENu = (1 + 2 * nu * nu) / (d * d)
        shearENu = -1 / (2 * (1 + nu) * (1 + nu))
        lambdaNuNu = e * (2 + 12 * nu + 8 * nu * nu * nu) / (d * d * d)
        shearNuNu = e / ((1 + nu) * (1 + nu) * (1 + nu))
        alpha = theta[2]
        inverseM = 1 / theta[3]
        mobility = theta[4]
        self.timeStep = timeStep
        self.permeability = permeability
        storage = .allocate(capacity: Self.storageSize)
        storage.initialize(repeating: 0, count: Self.storageSize)
    }

    func deallocate() { storage.deallocate() }

    var derivatives: DenseLocalDerivatives {
        DenseLocalDerivatives(value: value, gradient: gradient, hessian: hessian, size: 35)
    }

    /// K_λ, K_G (full, symmetric) and B of `geometry` by the 3-point rule.
    static func geometricMatrices(_ geometry: TaylorHoodGeometry, kl: UnsafeMutablePointer<Double>,
                                  kg: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>) {
        for i in 0 ..< 144 { kl[i] = 0; kg[i] = 0 }
        for i in 0 ..< 36 { b[i] = 0 }
        let w = geometry.area / 3
        for l in TaylorHoodGeometry.quadraturePoints {
            let g = geometry.quadraticGradients(at: l)
            let psi = SIMD3(l.x, l.y, l.z)
            for a in 0 ..< 12 {
                let ga = g[a >> 1], ca = a & 1, da = ga[ca]
                for i in 0 ..< 3 { b[i * 12 + a] += w * psi[i] * da }
                for c in a ..< 12 {
                    let gc = g[c >> 1], cc = c & 1
                    kl[a * 12 + c] += w * da * gc[cc]
                    // 2ε(φ_a):ε(φ_c) = (∇N_i·∇N_j) δ_{ca,cc} + ∂_{cc}N_i ∂_{ca}N_j
                    kg[a * 12 + c] += w * ((ca == cc ? (ga * gc).sum() : 0) + ga[cc] * gc[ca])
                }
            }
        }
        for a in 0 ..< 12 { for c in 0 ..< a { kl[a * 12 + c] = kl[c * 12 + a]; kg[a * 12 + c] = kg[c * 12 + a] } }
    }

    /// Element `element`'s matrices (from `matrices`), then value, gradient and (when `second`) the
    /// Hessian at `x`.
    mutating func compute(_ geometry: TaylorHoodGeometry, matrices: TaylorHoodMatrices, element: Int, second: Bool) {
        let kl = kl, kg = kg, b = b, lp = lp, x = x, gradient = gradient, dr = dr, d2r = d2r
        matrices.unpack(element, kl: kl, kg: kg, b: b)
        let nonlinear = permeability != .constant
        var rbar = nonlinear ? 0.0 : 1.0
        if nonlinear {
            for i in 0 ..< 144 { d2r[i] = 0 }
            for i in 0 ..< 12 { dr[i] = 0 }
            rbar = 0
            for l in TaylorHoodGeometry.quadraturePoints {
                let g = geometry.quadraticGradients(at: l)
                // Permeability factor at the previous strain, and its derivatives with respect to u⁻.
                var d = InlineArray<12, Double>(repeating: 0), ev = 0.0
                for a in 0 ..< 12 { d[a] = g[a >> 1][a & 1]; ev += d[a] * x[15 + a] }
                let r = permeability.factorDerivatives(volumetricStrain: ev)
                rbar += r.r / 3
                for a in 0 ..< 12 {
                    dr[a] += r.first / 3 * d[a]
                    if second { for c in 0 ..< 12 { d2r[a * 12 + c] += r.second / 3 * d[a] * d[c] } }
                }
            }
        }
        let gl: InlineArray<3, SIMD2<Double>> = [geometry.g0, geometry.g1, geometry.g2]
        for i in 0 ..< 3 { for j in 0 ..< 3 { lp[i * 3 + j] = geometry.area * (gl[i] * gl[j]).sum() } }
        let mp = geometry.area / 12  // (Mₚ)_ij = mp (1 + δ_ij)

        // Products with the current and previous state.
        var klu = InlineArray<12, Double>(repeating: 0), kgu = InlineArray<12, Double>(repeating: 0)
        var btp = InlineArray<12, Double>(repeating: 0)
        var bu = SIMD3<Double>.zero, buh = SIMD3<Double>.zero, lpp = SIMD3<Double>.zero
        let p = SIMD3(x[12], x[13], x[14]), ph = SIMD3(x[27], x[28], x[29])
        let mpp = mp * (p + SIMD3(repeating: p.sum())), mpph = mp * (ph + SIMD3(repeating: ph.sum()))
        for a in 0 ..< 12 {
            var sl = 0.0, sg = 0.0
            for c in 0 ..< 12 { sl += kl[a * 12 + c] * x[c]; sg += kg[a * 12 + c] * x[c] }
            klu[a] = sl
            kgu[a] = sg
            for i in 0 ..< 3 {
                bu[i] += b[i * 12 + a] * x[a]
                buh[i] += b[i * 12 + a] * x[15 + a]
                btp[a] += b[i * 12 + a] * p[i]
            }
        }
        for i in 0 ..< 3 { for j in 0 ..< 3 { lpp[i] += lp[i * 3 + j] * p[j] } }
        var ukl = 0.0, ukg = 0.0
        for a in 0 ..< 12 { ukl += x[a] * klu[a]; ukg += x[a] * kgu[a] }
        let pmp = (p * mpp).sum(), pmph = (p * mpph).sum(), plp = (p * lpp).sum()
        let flow = timeStep * mobility * rbar

        value = 0.5 * (lambda * ukl + shear * ukg) - alpha * (p * (bu - buh)).sum()
            - 0.5 * inverseM * pmp - 0.5 * flow * plp + inverseM * pmph
        for a in 0 ..< 12 {
            gradient[a] = lambda * klu[a] + shear * kgu[a] - alpha * btp[a]
            gradient[15 + a] = alpha * btp[a] - 0.5 * timeStep * mobility * plp * dr[a]
        }
        for i in 0 ..< 3 {
            gradient[12 + i] = -alpha * (bu[i] - buh[i]) - inverseM * (mpp[i] - mpph[i]) - flow * lpp[i]
            gradient[27 + i] = inverseM * mpp[i]
        }
        let m2 = inverseM * inverseM
        gradient[30] = 0.5 * (lambdaE * ukl + shearE * ukg)
        gradient[31] = 0.5 * (lambdaNu * ukl + shearNu * ukg)
        gradient[32] = -(p * (bu - buh)).sum()
        gradient[33] = 0.5 * m2 * pmp - m2 * pmph
        gradient[34] = -0.5 * timeStep * rbar * plp
        guard second else { return }

        let h = hessian, n = 35
        func set(_ i: Int, _ j: Int, _ v: Double) { h[i * n + j] = v; h[j * n + i] = v }
        // Every element writes the same entries (which ones depends on the law only), and the kernel's
        // storage starts at zero: the other entries stay zero without clearing 35² values per element.
        for a in 0 ..< 12 {
            for c in a ..< 12 { set(a, c, lambda * kl[a * 12 + c] + shear * kg[a * 12 + c]) }
            for i in 0 ..< 3 {
                set(a, 12 + i, -alpha * b[i * 12 + a])   // ∂²Π/∂u∂p
                set(12 + i, 15 + a, alpha * b[i * 12 + a] - timeStep * mobility * lpp[i] * dr[a])  // ∂²Π/∂p∂u⁻
            }
            set(a, 30, lambdaE * klu[a] + shearE * kgu[a])
            set(a, 31, lambdaNu * klu[a] + shearNu * kgu[a])
            set(a, 32, -btp[a])
            set(15 + a, 32, btp[a])
            set(15 + a, 34, -0.5 * timeStep * plp * dr[a])
            if nonlinear { for c in a ..< 12 { set(15 + a, 15 + c, -0.5 * timeStep * mobility * plp * d2r[a * 12 + c]) } }
        }
        for i in 0 ..< 3 {
            for j in i ..< 3 {
                let mass = mp * (i == j ? 2 : 1)
                set(12 + i, 12 + j, -(inverseM * mass + flow * lp[i * 3 + j]))
                set(12 + i, 27 + j, inverseM * mass)
                if i != j { set(12 + j, 27 + i, inverseM * mass) }
            }
            set(12 + i, 32, -(bu[i] - buh[i]))
            set(12 + i, 33, m2 * (mpp[i] - mpph[i]))
            set(12 + i, 34, -timeStep * rbar * lpp[i])
            set(27 + i, 33, -m2 * mpp[i])
        }
        set(30, 31, 0.5 * (lambdaENu * ukl + shearENu * ukg))
        set(31, 31, 0.5 * (lambdaNuNu * ukl + shearNuNu * ukg))
        set(33, 33, m2 * inverseM * (2 * pmph - pmp))
    }
}
