import AutoDiff
import Sparse

/// Quasi-static Biot poroelasticity in plane strain on a Taylor–Hood mesh, as an incremental potential
/// per backward-Euler time step (docs/poroelasticity.md; Biot 1941, Coussy, Poromechanics, 2004):
///
///   Π(u, p) = ∫ ½ε:C:ε − ∫ α p div u − ∫ p²/2M − (Δt/2) ∫ (k/μ)|∇p|² + ∫ α p div u⁻ + ∫ p p⁻/M − ∫_Γ t(tₙ)·u.
///
/// ∂Π/∂u = 0 is the mechanical equilibrium, −∂Π/∂p = 0 the backward-Euler mass balance; the step matrix
/// [[K, −αBᵀ], [−αB, −(S + Δt H)]] is symmetric quasi-definite (LDLᵀ, `NewtonOptions.problem = .saddle`).
/// A region with Kozeny–Carman permeability uses k at the previous step's strain (see `TaylorHoodGroup`).
///
/// Dofs: displacement components of every node (a rigid plate's tied components share one dof), then
/// one dof per rigid plate, then the pore pressure of every vertex; reference values are 0. Displacement
/// conditions and drained boundaries are prescribed dofs of the layout (condensed out); their values for
/// time t come from `applyPrescribed(to:at:)`. Parameters: per region E, ν, α, M, k (k/μ), named
/// "E", "nu", "alpha", "M", "k" when the mesh has one region and "E_<region>", … otherwise.
///
/// Checked at construction: every mesh region has a material and every material and condition names
/// an existing region or boundary (`PhysicsError.invalidModel`, listing the names that exist); material
/// values are physical (`invalidParameter`); the displacement conditions remove every rigid-body mode
/// (`underConstrained`, saying which translation or rotation is free).
public struct PoroelasticModel: Sendable {
    /// How element derivatives are computed.
    public enum Differentiation: Sendable { case handWritten, automatic }

    public let mesh: TriangleMesh
    public let materials: [String: PoroMaterial]
    public let conditions: [PoroBoundaryCondition]
    public let parameterNames: [String]
    public let layout: DofLayout
    /// Dof of displacement component c of node n, at index 2n + c.
    public let displacementDofs: [Int32]
    /// Pore-pressure dof of each vertex.
    public let pressureDofs: [Int32]
    /// The shared displacement dof of each rigid-plate boundary.
    public let plateDofs: [String: Int32]
    /// Prescribed dofs with their value at h = 1 and history.
    let prescribed: [(dof: Int32, value: Double, history: LoadHistory)]
    let geometries: [TaylorHoodGeometry]
    /// 15 dofs per triangle.
    let elementDofs: Connectivity
    let regionTriangles: [[Int]]
    /// Element matrices per region, shared by every model made from this one.
    let elementMatrices = TaylorHoodMatrixCache()

    public init(mesh: TriangleMesh, materials: [String: PoroMaterial], conditions: [PoroBoundaryCondition]) throws {
        for region in materials.keys where !mesh.regionNames.contains(region) {
            throw PhysicsError.invalidModel("a material is given for region '\(region)', which the mesh does not have; its regions (physical surfaces) are \(mesh.regionNames)")
        }
        for region in mesh.regionNames where materials[region] == nil {
            throw PhysicsError.invalidModel("mesh region '\(region)' has no material; give one for each of \(mesh.regionNames)")
        }
        let single = mesh.regionNames.count == 1
        var names: [String] = []
        for region in mesh.regionNames {
            let regionNames = PoroMaterial.parameterBaseNames.map { single ? $0 : "\($0)_\(region)" }
            try PoroMaterial.validate(materials[region]!.values, names: regionNames)
            try materials[region]!.validateLaw(region: region)
            names += regionNames
        }
        for c in conditions {
            guard mesh.boundaries[c.boundary] != nil else {
                throw PhysicsError.invalidModel("boundary condition on '\(c.boundary)', which the mesh does not have; its boundaries (physical curves) are \(mesh.boundaryNames)")
            }
            switch c {
            case let .displacement(_, component, value, history):
                guard component == 0 || component == 1 else { throw PhysicsError.invalidModel("displacement on '\(c.boundary)': component must be 0 (x) or 1 (y), got \(component)") }
                guard value.isFinite else { throw PhysicsError.invalidModel("displacement on '\(c.boundary)' is not finite") }
                try history.validate("displacement on '\(c.boundary)'")
            case let .rigidPlate(_, component, force, history):
                guard component == 0 || component == 1 else { throw PhysicsError.invalidModel("rigid plate on '\(c.boundary)': component must be 0 (x) or 1 (y), got \(component)") }
                guard force.isFinite else { throw PhysicsError.invalidModel("rigid plate force on '\(c.boundary)' is not finite") }
                try history.validate("rigid plate on '\(c.boundary)'")
            case let .traction(_, t, history):
                guard t.x.isFinite && t.y.isFinite else { throw PhysicsError.invalidModel("traction on '\(c.boundary)' is not finite") }
                try history.validate("traction on '\(c.boundary)'")
            case let .drained(_, pressure):
                guard pressure.isFinite else { throw PhysicsError.invalidModel("drained pressure on '\(c.boundary)' is not finite") }
            case .fixed: break
            }
        }

        // Ties of rigid plates, then dof numbering: free node components, plates, pressures.
        let nodeCount = mesh.nodeCount
        var tie = [Int](repeating: -1, count: 2 * nodeCount)
        var plateNames: [String] = []
        for case let .rigidPlate(boundary, component, _, _) in conditions {
            for n in mesh.nodes(onBoundary: boundary)! {
                let slot = 2 * Int(n) + component
                if tie[slot] >= 0 {
                    throw PhysicsError.invalidModel("rigid plates '\(plateNames[tie[slot]])' and '\(boundary)' both hold component \(component) of node \(n); a node can belong to one plate per direction")
                }
                tie[slot] = plateNames.count
            }
            plateNames.append(boundary)
        }
        var dofs = [Int32](repeating: -1, count: 2 * nodeCount)
        var next: Int32 = 0
        for slot in 0 ..< 2 * nodeCount where tie[slot] < 0 { dofs[slot] = next; next += 1 }
        var plates: [String: Int32] = [:]
        for name in plateNames { plates[name] = next; next += 1 }
        for slot in 0 ..< 2 * nodeCount where tie[slot] >= 0 { dofs[slot] = plates[plateNames[tie[slot]]]! }
        let pressure = (0 ..< mesh.vertexCount).map { Int32($0) + next }
        let dofCount = Int(next) + mesh.vertexCount

        var values: [Int32: (Double, LoadHistory)] = [:]
        var heldSlots = Set<Int>()
        for c in conditions {
            var held: [(component: Int, value: Double, history: LoadHistory)] = []
            switch c {
            case let .displacement(_, component, value, history): held = [(component, value, history)]
            case .fixed: held = [(0, 0, .constant), (1, 0, .constant)]
            case let .drained(boundary, p):
                for v in mesh.vertices(onBoundary: boundary)! { values[pressure[Int(v)]] = (p, .constant) }
            default: break
            }
            for h in held {
                for n in mesh.nodes(onBoundary: c.boundary)! {
                    let slot = 2 * Int(n) + h.component
                    if tie[slot] >= 0 {
                        throw PhysicsError.invalidModel("node \(n) of boundary '\(c.boundary)' has a prescribed displacement along \(h.component) but is tied to rigid plate '\(plateNames[tie[slot]])' along it; prescribe the plate's boundary instead, or drop one condition")
                    }
                    values[dofs[slot]] = (h.value, h.history)
                    heldSlots.insert(slot)
                }
            }
        }
        try Self.checkRigidModes(mesh: mesh, held: heldSlots, tie: tie)

        var connectivity = Connectivity()
        var geometries: [TaylorHoodGeometry] = []
        var regionTriangles = [[Int]](repeating: [], count: mesh.regionNames.count)
        for t in 0 ..< mesh.triangleCount {
            let nodes = mesh.nodes(ofTriangle: t)
            var list = [Int32]()
            for n in nodes { list += [dofs[2 * Int(n)], dofs[2 * Int(n) + 1]] }
            for n in nodes.prefix(3) { list.append(pressure[Int(n)]) }
            connectivity.append(list)
            geometries.append(TaylorHoodGeometry(mesh.points[Int(nodes[nodes.startIndex])], mesh.points[Int(nodes[nodes.startIndex + 1])],
                                                 mesh.points[Int(nodes[nodes.startIndex + 2])]))
            regionTriangles[Int(mesh.triangleRegions[t])].append(t)
        }
        self.mesh = mesh
        self.materials = materials
        self.conditions = conditions
        parameterNames = names
        displacementDofs = dofs
        pressureDofs = pressure
        plateDofs = plates
        prescribed = values.keys.sorted().map { ($0, values[$0]!.0, values[$0]!.1) }
        layout = try DofLayout(reference: [Double](repeating: 0, count: dofCount), prescribed: prescribed.map { Int($0.dof) })
        self.geometries = geometries
        elementDofs = connectivity
        self.regionTriangles = regionTriangles
    }

    /// Whether every region has constant permeability (the step potential is then quadratic).
    public var isLinear: Bool { materials.values.allSatisfy { $0.permeabilityLaw == .constant } }
    /// The materials' values as a parameter vector θ.
    public var initialParameters: [Double] { mesh.regionNames.flatMap { materials[$0]!.values } }
    /// Index in θ of parameter `base` ("E", "nu", "alpha", "M", "k") of `region`.
    public func parameterIndex(_ base: String, region: String) throws -> Int {
        guard let r = mesh.regionNames.firstIndex(of: region), let j = PoroMaterial.parameterBaseNames.firstIndex(of: base) else {
            throw PhysicsError.invalidModel("no parameter '\(base)' of region '\(region)'; regions are \(mesh.regionNames), parameters \(PoroMaterial.parameterBaseNames)")
        }
        return 5 * r + j
    }

    /// Dof of displacement component `component` of `node`.
    public func displacementDof(node: Int, component: Int) -> Int { Int(displacementDofs[2 * node + component]) }
    /// Pore-pressure dof of `vertex`.
    public func pressureDof(vertex: Int) -> Int { Int(pressureDofs[vertex]) }

    /// Throws `PhysicsError.invalidParameter` naming the first parameter of θ outside its physical range.
    public func validate(parameters theta: [Double]) throws {
        guard theta.count == parameterNames.count else {
            throw PhysicsError.sizeMismatch(what: "the parameter vector", expected: parameterNames.count, found: theta.count)
        }
        for r in mesh.regionNames.indices {
            try PoroMaterial.validate(theta[5 * r ..< 5 * r + 5], names: Array(parameterNames[5 * r ..< 5 * r + 5]))
        }
    }

    /// Writes the prescribed values at time `time` into `displacement` (one entry per dof).
    public func applyPrescribed(to displacement: inout [Double], at time: Double) {
        for p in prescribed { displacement[Int(p.dof)] = p.value * p.history.value(at: time) }
    }

    /// Zero everywhere except the prescribed dofs, at their values at time `time`.
    public func prescribedDisplacement(at time: Double) -> [Double] {
        var d = [Double](repeating: 0, count: layout.dofCount)
        applyPrescribed(to: &d, at: time)
        return d
    }

    /// The energy of one time step of length `timeStep` (0 gives the undrained response) as a `Model`
    /// whose `history` (previous positions) starts at the unloaded state, zero.
    public func makeModel(timeStep: Double, differentiation: Differentiation = .handWritten) throws -> Model {
        guard timeStep >= 0, timeStep.isFinite else {
            throw PhysicsError.invalidParameter(name: "time step Δt", value: timeStep, requirement: "≥ 0 and finite (0 for the undrained response)")
        }
        var groups: [any EnergyGroup] = []
        for (r, region) in mesh.regionNames.enumerated() where !regionTriangles[r].isEmpty {
            let triangles = regionTriangles[r]
            var connectivity = Connectivity()
            for t in triangles { connectivity.append(elementDofs.term(t)) }
            let geometry = triangles.map { geometries[$0] }
            let indices = Array(5 * r ..< 5 * r + 5)
            let law = materials[region]!.permeabilityLaw
            switch differentiation {
            case .handWritten:
                groups.append(try TaylorHoodGroup(name: "Taylor–Hood elements of region \(region)", connectivity: connectivity,
                                                  geometries: geometry, parameterIndices: indices,
                                                  parameterNames: Array(parameterNames[5 * r ..< 5 * r + 5]),
                                                  timeStep: timeStep, permeability: law,
                                                  matrices: elementMatrices.matrices(region: r) { geometry }))
            case .automatic:
                let terms = geometry.map { TaylorHoodElement(geometry: $0, timeStep: timeStep, permeability: law) }
                groups.append(try AutoDiffGroup(name: "Taylor–Hood elements of region \(region) (automatic)", terms: terms,
                                                connectivity: connectivity, parameterIndices: indices))
            }
        }
        groups += try loadGroups()
        return Model(layout: layout, groups: groups, parameterNames: parameterNames,
                     history: [Double](repeating: 0, count: layout.dofCount))
    }

    /// One `LoadGroup` per traction and per rigid plate.
    func loadGroups() throws -> [any EnergyGroup] {
        var groups: [any EnergyGroup] = []
        for c in conditions {
            switch c {
            case let .traction(boundary, t, history):
                let edges = mesh.boundaries[boundary]!
                var connectivity = Connectivity()
                var forces: [Double] = []
                for e in stride(from: 0, to: edges.count, by: 3) {
                    let a = mesh.points[Int(edges[e])], b = mesh.points[Int(edges[e + 1])]
                    let length = ((b - a) * (b - a)).sum().squareRoot()
                    for (node, share) in [(edges[e], 1.0 / 6), (edges[e + 1], 1.0 / 6), (edges[e + 2], 2.0 / 3)] {
                        connectivity.append([displacementDofs[2 * Int(node)], displacementDofs[2 * Int(node) + 1]])
                        forces += [share * length * t.x, share * length * t.y]
                    }
                }
                groups.append(try LoadGroup(name: "traction on \(boundary)", connectivity: connectivity, forces: forces, history: history))
            case let .rigidPlate(boundary, _, force, history):
                var connectivity = Connectivity()
                connectivity.append([plateDofs[boundary]!])
                groups.append(try LoadGroup(name: "rigid plate \(boundary)", connectivity: connectivity, forces: [force], history: history))
            default:
                break
            }
        }
        return groups
    }
}
