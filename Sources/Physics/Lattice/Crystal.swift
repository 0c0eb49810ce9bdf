import AutoDiff
import Sparse

/// Energy per atom of a perfect crystal as a function of its lattice constant a:
/// E(a) = ½ Σₛ nₛ φₛ(cₛ a), a sum over neighbour shells (nₛ neighbours at cₛ a) of the cut-off pair
/// potential. As a `LocalEnergy` with the single dof a, relaxing the cell size is an ordinary equilibrium
/// solve, and everything downstream (adjoint gradients, sensitivities) applies unchanged.
public struct CrystalEnergy<P: PairPotential>: LocalEnergy {
    public typealias Hyper = P.Radial
    public static var dofCount: Int { 1 }
    public static var parameterCount: Int { P.parameterNames.count }
    public let potential: P
    public let cutoff: SmoothCutoff
    public let shells: CoordinationShells

    @inlinable public func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        var sum: S = 0
        for shell in shells.shells {
            let r = shell.ratio * v[0]
            if r.value >= cutoff.outer { break }
            sum += Double(shell.count) * cutoff.apply(potential.energy(r: r, v), at: r)
        }
        return 0.5 * sum
    }
}

/// A property of the relaxed crystal, as an observable of (a, θ) with exact derivatives:
/// - `latticeConstant`: a;
/// - `cohesiveEnergy`: −E(a), the energy per atom to separate the crystal into free atoms;
/// - `bulkModulus`: B = Ω d²E/dΩ² = a² E″(a) / (d² Ω) at zero pressure (Ω the volume per atom);
/// - `c11`, `c12`, `c44`: Born's elastic constants of a pair-potential crystal at zero stress,
///   C_ijkl = (1/2Ω) Σ_R (φ″(R) − φ′(R)/R) R² n̂ᵢn̂ⱼn̂ₖn̂ₗ (Born & Huang, Dynamical Theory of Crystal
///   Lattices, 1954); C44 = C12 (Cauchy's relation), and B = (C11 + 2C12)/3 in 3D, (C11 + C12)/2 in 2D.
/// φ′ and φ″ come from nested dual numbers, so the derivatives with respect to a and θ stay exact.
public struct CrystalProperty<P: PairPotential>: LocalObservable {
    public enum Kind: String, Sendable, CaseIterable {
        case latticeConstant = "lattice_constant"
        case cohesiveEnergy = "cohesive_energy"
        case bulkModulus = "bulk_modulus"
        case c11, c12, c44
    }

    public typealias Gradient = P.Radial
    public static var dofCount: Int { 1 }
    public static var parameterCount: Int { P.parameterNames.count }
    public let kind: Kind
    public let crystal: CrystalEnergy<P>

    public init(_ kind: Kind, crystal: CrystalEnergy<P>) {
        self.kind = kind
        self.crystal = crystal
    }

    public func value<S: Real>(_ v: LocalVariables<S>) -> S {
        let a = v[0]
        let shells = crystal.shells
        let d = Double(shells.kind.spatialDimension)
        let omega = shells.volumeCoefficient * S.pow(a, shells.kind.spatialDimension)
        switch kind {
        case .latticeConstant:
            return a
        case .cohesiveEnergy:
            return -crystal.energy(v)
        case .bulkModulus:
            // E″(a) by differentiating E twice along a with nested duals over S.
            typealias D2 = Dual<Dual<S>>
            let count = 1 + Self.parameterCount
            let local = UnsafeMutablePointer<D2>.allocate(capacity: count)
            defer { local.deallocate() }
            local[0] = D2(Dual(a, 1), Dual(1, 0))
            for j in 0 ..< Self.parameterCount { local[1 + j] = D2(Dual(v.parameter(j), 0), Dual(0, 0)) }
            let e = crystal.energy(LocalVariables(base: local, dofCount: 1, historyCount: 0))
            return a * a * e.tangent.tangent / (d * d * omega)
        case .c11, .c12, .c44:
            typealias D2 = Dual<Dual<S>>
            let count = 1 + Self.parameterCount
            let local = UnsafeMutablePointer<D2>.allocate(capacity: count)
            defer { local.deallocate() }
            for j in 0 ..< Self.parameterCount { local[1 + j] = D2(Dual(v.parameter(j), 0), Dual(0, 0)) }
            var sum: S = 0
            for shell in shells.shells {
                let r = shell.ratio * a
                if r.value >= crystal.cutoff.outer { break }
                local[0] = D2(Dual(r, 1), Dual(1, 0))
                let radial = LocalVariables(base: local, dofCount: 1, historyCount: 0)
                let phi = crystal.cutoff.apply(crystal.potential.energy(r: local[0], radial), at: local[0])
                let moment = kind == .c11 ? shell.xxxx : shell.xxyy
                sum += moment * (phi.tangent.tangent - phi.tangent.primal / r) * r * r
            }
            return sum / (2 * omega)
        }
    }
}

/// A perfect crystal whose lattice constant relaxes to zero pressure, as a one-unknown `Model`, with
/// its properties as observables. Calibrating a potential to a lattice constant, cohesive energy and
/// bulk modulus (or elastic constants) is then the same bilevel problem as any other.
public struct CrystalModel<P: PairPotential>: Sendable {
    public let energy: CrystalEnergy<P>
    /// Starting lattice constant of the relaxation.
    public let initialLatticeConstant: Double

    /// Shells are enumerated out to the cutoff at 60% of `initialLatticeConstant`; a relaxation that
    /// shrinks the crystal further is rejected as non-physical by `validate(latticeConstant:)`.
    /// Largest cutoff ÷ (0.6 × initial lattice constant) the lattice sum accepts (15 lattice constants).
    public static var maximumCutoffRatio: Double { 25 }

    public init(kind: LatticeKind, potential: P, cutoff: SmoothCutoff, initialLatticeConstant: Double) throws {
        guard initialLatticeConstant > 0 else {
            throw PhysicsError.invalidModel("the initial lattice constant must be > 0, got \(initialLatticeConstant)")
        }
        let nearest = kind.nearestNeighbourDistance(latticeConstant: initialLatticeConstant)
        guard cutoff.outer > nearest else {
            throw PhysicsError.invalidModel("the cutoff \(cutoff.outer) is shorter than the nearest-neighbour distance \(nearest): the crystal would not bind; increase the cutoff")
        }
        // The lattice sum enumerates every site within the cutoff of a crystal compressed to 0.6 a: about
        // ratio^d sites. Bounded so that a mistyped cutoff (or lattice constant in other units) is an
        // error in a moment rather than minutes of enumeration and gigabytes of sites.
        let ratio = cutoff.outer / (0.6 * initialLatticeConstant)
        guard ratio <= Self.maximumCutoffRatio else {
            throw PhysicsError.invalidModel("the cutoff \(cutoff.outer) is \(Int(cutoff.outer / initialLatticeConstant)) times the initial "
                + "lattice constant \(initialLatticeConstant); a crystal's lattice sum takes cutoffs up to "
                + "\(Int(0.6 * Self.maximumCutoffRatio)) lattice constants: check that both are in the same units, or reduce the cutoff")
        }
        let shells = CoordinationShells(kind: kind, maximumRatio: ratio)
        energy = CrystalEnergy(potential: potential, cutoff: cutoff, shells: shells)
        self.initialLatticeConstant = initialLatticeConstant
    }

    public var parameterNames: [String] { P.parameterNames }

    /// The energy per atom over the single unknown a (reference 0, so the displacement is a itself).
    public func makeModel() throws -> Model {
        var c = Connectivity()
        c.append([0])
        let group = try AutoDiffGroup(name: "crystal", terms: [energy], connectivity: c,
                                      parameterIndices: Array(0 ..< P.parameterNames.count))
        return Model(layout: try DofLayout(reference: [0], prescribed: []), groups: [group], parameterNames: parameterNames)
    }

    /// The starting state of a relaxation.
    public var initialDisplacement: [Double] { [initialLatticeConstant] }

    /// The listed properties, one component each, in order.
    public func observables(_ kinds: [CrystalProperty<P>.Kind]) throws -> ObservableSet {
        var c = Connectivity()
        for _ in kinds { c.append([0]) }
        let group = try LocalObservableGroup(name: "crystal properties", terms: kinds.map { CrystalProperty($0, crystal: energy) },
                                             connectivity: c, components: kinds.indices.map(Int32.init),
                                             parameterIndices: Array(0 ..< P.parameterNames.count))
        return ObservableSet(componentNames: kinds.map(\.rawValue), groups: [group])
    }

    /// Throws when a relaxed lattice constant left the range the shells were enumerated for.
    public func validate(latticeConstant a: Double) throws {
        guard a >= 0.6 * initialLatticeConstant else {
            throw PhysicsError.invalidModel("the crystal collapsed to a = \(a) (started at \(initialLatticeConstant)); check the parameters and the cutoff")
        }
    }
}
