import AutoDiff
import Sparse
import Synchronization

/// A prescribed displacement of a tagged group of atoms: each listed component is held at the given
/// value (components left out stay free, as on a roller). `fixed` holds every component at zero.
public struct GroupConstraint: Sendable, Equatable {
    public let group: String
    /// Displacement per constrained axis (axis index → value).
    public let components: [Int: Double]
    public init(group: String, components: [Int: Double]) {
        self.group = group
        self.components = components
    }
    /// Every component of every atom of `group` held at its reference position.
    public static func fixed(_ group: String, dimension: Int) -> GroupConstraint {
        GroupConstraint(group: group, components: Dictionary(uniqueKeysWithValues: (0 ..< dimension).map { ($0, 0.0) }))
    }
}

/// A constant force on every atom of a group.
public struct GroupForce: Sendable, Equatable {
    public let group: String
    public let force: [Double]
    public init(group: String, force: [Double]) {
        self.group = group
        self.force = force
    }
}

/// A rigid spherical indenter pressed along the last axis into the top surface; see `IndenterContact2D`.
/// Atoms within `radius + maximumDepth` of the indenter's first contact point interact with it.
public struct Indenter: Sendable, Equatable {
    public let radius: Double
    /// Lateral position of the centre (x in 2D, (x, y) in 3D).
    public let lateral: [Double]
    public let maximumDepth: Double
    public init(radius: Double, lateral: [Double], maximumDepth: Double) {
        self.radius = radius
        self.lateral = lateral
        self.maximumDepth = maximumDepth
    }
}

/// An atomistic lattice under load as a `Model`: pair interactions of one potential over a neighbour list,
/// boundary groups held by condensation, external forces and an optional indenter.
///
/// Parameters: the potential's (named as the potential names them), then, with an indenter,
/// "indenter_stiffness" and "indenter_depth" (the depth is a load, set per experiment and usually fixed).
/// Dof 2·i + c (3·i + c in 3D) is component c of atom i; the displacement vector from
/// `initialDisplacement()` carries the prescribed values.
public struct LatticeModel<P: PairPotential>: Sendable {
    public let lattice: Lattice
    public let potential: P
    public let cutoff: SmoothCutoff
    public let skin: Double
    public let constraints: [GroupConstraint]
    public let forces: [GroupForce]
    public let indenter: Indenter?
    public let neighbours: NeighbourList
    public let layout: DofLayout

    public init(lattice: Lattice, potential: P, cutoff: SmoothCutoff, skin: Double = 0.3,
                constraints: [GroupConstraint], forces: [GroupForce] = [], indenter: Indenter? = nil) throws {
        let d = lattice.dimension
        let nearest = lattice.kind.nearestNeighbourDistance(latticeConstant: lattice.latticeConstant)
        guard cutoff.outer > nearest * (1 + 1e-9) else {
            throw PhysicsError.invalidModel("the cutoff \(cutoff.outer) does not reach the nearest-neighbour distance \(nearest): atoms would not interact; increase the cutoff")
        }
        var prescribed = Set<Int>()
        for c in constraints {
            guard let atoms = lattice.groups[c.group] else {
                throw PhysicsError.invalidModel("constraint on unknown group '\(c.group)'; groups are \(lattice.groups.keys.sorted())")
            }
            for axis in c.components.keys where axis < 0 || axis >= d {
                throw PhysicsError.invalidModel("constraint on group '\(c.group)' names axis \(axis), outside 0..<\(d)")
            }
            for a in atoms { for axis in c.components.keys { prescribed.insert(d * a + axis) } }
        }
        for f in forces {
            guard lattice.groups[f.group] != nil else {
                throw PhysicsError.invalidModel("force on unknown group '\(f.group)'; groups are \(lattice.groups.keys.sorted())")
            }
            guard f.force.count == d else { throw PhysicsError.invalidModel("force on '\(f.group)' needs \(d) components") }
        }
        try Self.checkRigidModes(lattice: lattice, prescribed: prescribed)
        self.lattice = lattice
        self.potential = potential
        self.cutoff = cutoff
        self.skin = skin
        self.constraints = constraints
        self.forces = forces
        self.indenter = indenter
        do {
            neighbours = try NeighbourList(lattice: lattice, cutoff: cutoff.outer, skin: skin)
        } catch {
            throw PhysicsError.geometry(error)
        }
        layout = try DofLayout(reference: lattice.positions, prescribed: prescribed.sorted())
    }

    /// Rigid-body modes make the Hessian singular: say so before solving rather than return garbage.
    static func checkRigidModes(lattice: Lattice, prescribed: Set<Int>) throws {
        let d = lattice.dimension
        for axis in 0 ..< d where !(0 ..< lattice.atomCount).contains(where: { prescribed.contains(d * $0 + axis) }) {
            throw PhysicsError.underConstrained("no atom is held along axis \(axis), so the lattice can translate freely; fix a group (for example 'bottom' or 'left') along every axis")
        }
        let heldAtoms = Set(prescribed.map { $0 / d })
        if !lattice.periodic.contains(true) && heldAtoms.count < 2 {
            throw PhysicsError.underConstrained("only \(heldAtoms.count) atom is held and no direction is periodic, so the lattice can rotate freely; hold a whole boundary group")
        }
    }

    /// Parameter names: the potential's, then the indenter's.
    public var parameterNames: [String] {
        P.parameterNames + (indenter == nil ? [] : ["indenter_stiffness", "indenter_depth"])
    }

    /// The dof of component `axis` of `atom`.
    public func dof(atom: Int, axis: Int) -> Int { lattice.dimension * atom + axis }

    /// The energy as a `Model`. Its `refresh` keeps the pair list current as the atoms move: the list is
    /// re-anchored while its pairs are complete, and the model rebuilt on a new list (new terms, a new
    /// Hessian pattern) once a pair within the cutoff would be missing, so `Equilibrium` never loses one.
    public func makeModel() throws -> Model { try makeModel(neighbours: neighbours) }

    /// The energy with its pairs from `list`.
    func makeModel(neighbours list: NeighbourList) throws -> Model {
        let d = lattice.dimension, q = P.parameterNames.count
        let pairs = try PairGroup(name: "\(P.self) pairs", potential: potential, cutoff: cutoff, dimension: d,
                                  first: list.first, second: list.second,
                                  shifts: list.shiftVectors(), parameterIndices: Array(0 ..< q))
        var groups: [any EnergyGroup] = [pairs]
        for f in forces {
            let atoms = lattice.groups[f.group]!
            var c = Connectivity()
            for a in atoms { c.append((0 ..< d).map { Int32(dof(atom: a, axis: $0)) }) }
            if d == 2 {
                let terms = atoms.map { a in
                    ExternalForce2D(force: SIMD2(f.force[0], f.force[1]),
                                    reference: SIMD2(lattice.positions[2 * a], lattice.positions[2 * a + 1]))
                }
                groups.append(try AutoDiffGroup(name: "force on \(f.group)", terms: terms, connectivity: c, parameterIndices: []))
            } else {
                let terms = atoms.map { a in
                    ExternalForce3D(force: SIMD3(f.force[0], f.force[1], f.force[2]),
                                    reference: SIMD3(lattice.positions[3 * a], lattice.positions[3 * a + 1], lattice.positions[3 * a + 2]))
                }
                groups.append(try AutoDiffGroup(name: "force on \(f.group)", terms: terms, connectivity: c, parameterIndices: []))
            }
        }
        if let indenter { groups.append(try indenterGroup(indenter, parameterBase: q)) }
        var model = Model(layout: layout, groups: groups, parameterNames: parameterNames)
        let keeper = PairListKeeper(list), reference = lattice.positions
        model.refresh = { [self] displacement in
            guard let rebuilt = try keeper.refresh(reference: reference, displacement: displacement) else { return nil }
            return try makeModel(neighbours: rebuilt)
        }
        return model
    }

    /// Top of the lattice along the last axis: where the indenter first touches.
    public var surface: Double {
        let d = lattice.dimension
        return stride(from: d - 1, to: lattice.positions.count, by: d).map { lattice.positions[$0] }.max() ?? 0
    }

    /// Atoms the indenter can reach, one contact term each.
    func indenterGroup(_ indenter: Indenter, parameterBase: Int) throws -> any EnergyGroup {
        let d = lattice.dimension
        let reach = indenter.radius + indenter.maximumDepth + skin
        let top = surface
        var contact = Connectivity()
        var atoms: [Int] = []
        for a in 0 ..< lattice.atomCount {
            var dist2 = 0.0
            for axis in 0 ..< d - 1 {
                let delta = lattice.positions[d * a + axis] - indenter.lateral[axis]
                dist2 += delta * delta
            }
            let vertical = top + indenter.radius - lattice.positions[d * a + d - 1]
            dist2 += vertical * vertical
            if dist2.squareRoot() < reach {
                atoms.append(a)
                contact.append((0 ..< d).map { Int32(dof(atom: a, axis: $0)) })
            }
        }
        let slots = [parameterBase, parameterBase + 1]
        if d == 2 {
            let terms = atoms.map { _ in IndenterContact2D(radius: indenter.radius, lateral: indenter.lateral[0], surface: top) }
            return try AutoDiffGroup(name: "indenter contacts", terms: terms, connectivity: contact, parameterIndices: slots)
        }
        let terms = atoms.map { _ in
            IndenterContact3D(radius: indenter.radius, lateral: SIMD2(indenter.lateral[0], indenter.lateral[1]), surface: top)
        }
        return try AutoDiffGroup(name: "indenter contacts", terms: terms, connectivity: contact, parameterIndices: slots)
    }

    /// Full displacement with every prescribed component at its value (scaled by `load`, for load
    /// stepping): the initial state of a solve. Free components are zero, or, given a displacement
    /// gradient G (d × d, row-major), the affine field G·(X − X_min) — the homogeneous deformation the
    /// boundary loading implies is a far better Newton start for a tall lattice than an undeformed bulk
    /// under a displaced boundary.
    public func initialDisplacement(load: Double = 1, displacementGradient: [Double]? = nil) -> [Double] {
        let d = lattice.dimension
        var u = [Double](repeating: 0, count: layout.dofCount)
        if let g = displacementGradient {
            precondition(g.count == d * d, "the displacement gradient needs \(d * d) entries")
            let origin = (0 ..< d).map { axis in stride(from: axis, to: lattice.positions.count, by: d).map { lattice.positions[$0] }.min() ?? 0 }
            for a in 0 ..< lattice.atomCount {
                for i in 0 ..< d {
                    var v = 0.0
                    for j in 0 ..< d { v += g[i * d + j] * (lattice.positions[d * a + j] - origin[j]) }
                    u[d * a + i] = load * v
                }
            }
        }
        for c in constraints {
            for a in lattice.groups[c.group]! {
                for (axis, value) in c.components { u[dof(atom: a, axis: axis)] = load * value }
            }
        }
        return u
    }

    /// Whether atoms moved so far from the neighbour list's reference that pairs may be missing.
    public func neighbourListIsStale(displacement: [Double]) -> Bool {
        lattice.positions.withUnsafeBufferPointer { reference in
            displacement.withUnsafeBufferPointer { neighbours.needsRebuild(reference: reference, displacement: $0) }
        }
    }
}

/// The pair list a lattice model's `refresh` keeps current, shared by the copies of one model: re-anchored
/// in place while its pairs are complete, handed over as a new list when pairs within the cutoff appear.
final class PairListKeeper: Sendable {
    private let list: Mutex<NeighbourList>

    init(_ list: NeighbourList) { self.list = Mutex(list) }

    /// A new list when the kept one misses pairs within the cutoff at `reference + displacement`; nil
    /// while it holds (re-anchoring it when the cheap bound alone cannot tell).
    func refresh(reference: [Double], displacement: [Double]) throws -> NeighbourList? {
        try list.withLock { current throws -> NeighbourList? in
            let stale = reference.withUnsafeBufferPointer { r in
                displacement.withUnsafeBufferPointer { current.needsRebuild(reference: r, displacement: $0) }
            }
            guard stale else { return nil }
            let positions = zip(reference, displacement).map { $0 + $1 }
            let outcome: NeighbourList.Refresh
            do throws(GeometryError) { outcome = try current.refreshed(positions: positions) } catch { throw PhysicsError.geometry(error) }
            switch outcome {
            case .valid: return nil
            case let .reanchored(kept):
                current = kept
                return nil
            case let .rebuilt(fresh): return fresh
            }
        }
    }
}
