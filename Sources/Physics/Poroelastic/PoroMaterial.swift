import AutoDiff

/// How the permeability of a region depends on the state.
public enum PermeabilityLaw: Sendable, Equatable {
    /// k/μ is the region's parameter "k", constant: the model is linear.
    case constant
    /// Kozeny–Carman: k(ε_v)/μ = k₀ · f(φ)/f(φ₀), f(φ) = φ³/(1 − φ)², with the porosity following the
    /// volumetric strain at constant solid volume, φ = 1 − (1 − φ₀)/(1 + ε_v); this simplifies to
    /// k₀ (φ₀ + ε_v)³/(φ₀³ (1 + ε_v)). The parameter "k" is k₀/μ at the reference porosity φ₀ (a fixed
    /// property of the region, not calibrated). Each step evaluates k at the strain of the previous step
    /// (see `TaylorHoodGroup`): the step matrix then changes from step to step and is refactored.
    /// (Carman, Trans. Inst. Chem. Eng. 15, 1937; Coussy, Poromechanics, 2004.)
    case kozenyCarman(referencePorosity: Double)

    /// k(ε_v)/k₀ at volumetric strain `ev` (1 for `.constant`), generic for automatic differentiation;
    /// NaN where the porosity would not be positive (ε_v ≤ −φ₀).
    @inlinable
    public func factor<S: Real>(volumetricStrain ev: S) -> S {
        guard case let .kozenyCarman(phi0) = self else { return 1 }
        let porosity = ev + phi0
        if porosity.value <= 0 { return S(Double.nan) }
        return porosity * porosity * porosity / ((phi0 * phi0 * phi0) * (ev + 1))
    }

    /// The factor r(ε_v) and its first and second derivatives, in closed form:
    /// r′ = r L, r″ = r (L² + L′) with L = (ln r)′ = 3/(φ₀ + ε_v) − 1/(1 + ε_v).
    @inlinable
    public func factorDerivatives(volumetricStrain ev: Double) -> (r: Double, first: Double, second: Double) {
        guard case let .kozenyCarman(phi0) = self else { return (1, 0, 0) }
        let porosity = ev + phi0
        guard porosity > 0 else { return (.nan, .nan, .nan) }
        let r = porosity * porosity * porosity / (phi0 * phi0 * phi0 * (1 + ev))
        let l = 3 / porosity - 1 / (1 + ev), dl = -3 / (porosity * porosity) + 1 / ((1 + ev) * (1 + ev))
        return (r, r * l, r * (l * l + dl))
    }
}

/// The poroelastic properties of one region, in any consistent units. Their values are the defaults
/// of the model's parameters θ (see `PoroelasticModel.parameterNames`); calibration changes θ, not this.
public struct PoroMaterial: Sendable, Equatable {
    /// Drained Young's modulus E (> 0).
    public var youngsModulus: Double
    /// Drained Poisson's ratio ν (−1 < ν < 0.5).
    public var poissonRatio: Double
    /// Biot coefficient α (0 ≤ α ≤ 1).
    public var biotCoefficient: Double
    /// Biot modulus M (> 0): 1/M is the storage at constant volumetric strain. For incompressible
    /// constituents M → ∞; use a large finite value (say 10⁴ E), the saddle system needs 1/M > 0 at t = 0⁺.
    public var biotModulus: Double
    /// Hydraulic mobility k/μ (> 0): isotropic intrinsic permeability over fluid viscosity.
    public var mobility: Double
    public var permeabilityLaw: PermeabilityLaw

    public init(youngsModulus: Double, poissonRatio: Double, biotCoefficient: Double, biotModulus: Double,
                mobility: Double, permeabilityLaw: PermeabilityLaw = .constant) {
        self.youngsModulus = youngsModulus
        self.poissonRatio = poissonRatio
        self.biotCoefficient = biotCoefficient
        self.biotModulus = biotModulus
        self.mobility = mobility
        self.permeabilityLaw = permeabilityLaw
    }

    /// Base names of the five parameters of a region, in the order of `values`.
    public static let parameterBaseNames = ["E", "nu", "alpha", "M", "k"]

    /// [E, ν, α, M, k/μ].
    public var values: [Double] { [youngsModulus, poissonRatio, biotCoefficient, biotModulus, mobility] }

    /// Throws `PhysicsError.invalidParameter` for the first of [E, ν, α, M, k] (named `names`) outside
    /// its physical range.
    public static func validate(_ v: some RandomAccessCollection<Double>, names: [String]) throws {
        let e = v[v.startIndex], nu = v[v.index(v.startIndex, offsetBy: 1)], alpha = v[v.index(v.startIndex, offsetBy: 2)]
        let m = v[v.index(v.startIndex, offsetBy: 3)], k = v[v.index(v.startIndex, offsetBy: 4)]
        func check(_ ok: Bool, _ i: Int, _ value: Double, _ requirement: String) throws {
            if !ok { throw PhysicsError.invalidParameter(name: names[i], value: value, requirement: requirement) }
        }
        try check(e > 0 && e.isFinite, 0, e, "> 0 and finite (Young's modulus)")
        try check(nu > -1 && nu < 0.5, 1, nu, "in (−1, 0.5) (Poisson's ratio; 0.5 is incompressible, where plane strain locks)")
        try check(alpha >= 0 && alpha <= 1, 2, alpha, "in [0, 1] (Biot coefficient)")
        try check(m > 0 && m.isFinite, 3, m, "> 0 and finite (Biot modulus; use a large value for incompressible constituents)")
        try check(k > 0 && k.isFinite, 4, k, "> 0 and finite (permeability over viscosity)")
    }

    func validateLaw(region: String) throws {
        if case let .kozenyCarman(phi0) = permeabilityLaw, !(phi0 > 0 && phi0 < 1) {
            throw PhysicsError.invalidParameter(name: "reference porosity of region '\(region)'", value: phi0, requirement: "in (0, 1)")
        }
    }
}

/// A dimensionless multiplier of a load or prescribed value over time.
public enum LoadHistory: Sendable, Equatable {
    /// 0 before `time`, 1 from `time` on (a load applied at t = 0 acts in the undrained response at 0⁺).
    case step(at: Double)
    /// 0 until `start`, rising linearly to 1 at `start + duration`, then 1.
    case ramp(start: Double, duration: Double)
    /// Piecewise linear through (times[i], values[i]), times strictly increasing; constant beyond the ends.
    case table(times: [Double], values: [Double])

    /// Applied at t = 0 and held.
    public static let constant = LoadHistory.step(at: 0)

    /// The multiplier at `t`.
    public func value(at t: Double) -> Double {
        switch self {
        case let .step(t0):
            return t >= t0 ? 1 : 0
        case let .ramp(start, duration):
            return min(1, max(0, (t - start) / duration))
        case let .table(times, values):
            if t <= times[0] { return values[0] }
            if t >= times[times.count - 1] { return values[values.count - 1] }
            var hi = 1
            while times[hi] < t { hi += 1 }
            let s = (t - times[hi - 1]) / (times[hi] - times[hi - 1])
            return values[hi - 1] + s * (values[hi] - values[hi - 1])
        }
    }

    func validate(_ what: String) throws {
        switch self {
        case let .step(t0):
            guard t0.isFinite else { throw PhysicsError.invalidModel("\(what): the step time must be finite") }
        case let .ramp(start, duration):
            guard start.isFinite, duration > 0, duration.isFinite else {
                throw PhysicsError.invalidModel("\(what): a ramp needs a finite start and a duration > 0 (got \(duration)); use .step for an instantaneous load")
            }
        case let .table(times, values):
            guard !times.isEmpty, times.count == values.count,
                  zip(times, times.dropFirst()).allSatisfy({ $0 < $1 }), (times + values).allSatisfy(\.isFinite)
            else {
                throw PhysicsError.invalidModel("\(what): a load table needs as many values as times (at least one), finite, with strictly increasing times")
            }
        }
    }
}

/// A boundary condition on a named boundary of the mesh. Boundaries without a pressure condition are
/// impermeable (no flow); without a displacement or traction condition they are traction free.
public enum PoroBoundaryCondition: Sendable, Equatable {
    /// Displacement component `component` (0 = x, 1 = y) of every node of the boundary is held at
    /// `value × history(t)`; a roller holds one component at zero.
    case displacement(boundary: String, component: Int, value: Double, history: LoadHistory)
    /// Both components held at zero.
    case fixed(boundary: String)
    /// Drained: the pore pressure of the boundary's vertices is held at `pressure` (from t = 0⁺ on).
    case drained(boundary: String, pressure: Double)
    /// A traction (force per unit area, per unit thickness) `traction × history(t)` on the boundary;
    /// compression pointing into the body is negative along the outward normal.
    case traction(boundary: String, traction: SIMD2<Double>, history: LoadHistory)
    /// A rigid, frictionless plate pressed on the boundary: component `component` of the displacement is
    /// the same for all its nodes (one shared unknown, the plate's displacement), and the plate carries
    /// the force `force × history(t)` per unit thickness along that component (the other component stays
    /// free, and the plate is impermeable unless the boundary is also drained). Mandel's problem.
    case rigidPlate(boundary: String, component: Int, force: Double, history: LoadHistory)

    /// A roller: the displacement component `component` held at zero.
    public static func roller(_ boundary: String, component: Int) -> PoroBoundaryCondition {
        .displacement(boundary: boundary, component: component, value: 0, history: .constant)
    }

    /// The boundary this condition acts on.
    public var boundary: String {
        switch self {
        case let .displacement(b, _, _, _), let .fixed(b), let .drained(b, _), let .traction(b, _, _), let .rigidPlate(b, _, _, _):
            return b
        }
    }
}
