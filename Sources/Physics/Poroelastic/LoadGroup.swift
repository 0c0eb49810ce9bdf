import Sparse

/// External loads with a time history: Π = −h(t) Σᵢ fᵢ xᵢ over the dofs the group lists, h the load's
/// `LoadHistory` evaluated at the evaluation's `time` (which is why this is an `EnergyGroup` rather
/// than a `LocalEnergy`: local terms do not see the time).
///
/// Linear in the state and free of parameters: it adds to the energy and the gradient only (its
/// Hessian, mixed derivatives and history coupling are zero). Tractions on boundary edges give the
/// consistent nodal forces of the quadratic edge, L·t·(1/6, 1/6, 2/3) for its two vertices and midpoint.
public struct LoadGroup: EnergyGroup {
    public let name: String
    public let connectivity: Connectivity
    /// Force on each entry of `connectivity.indices` at h = 1.
    public let forces: [Double]
    public let history: LoadHistory

    public init(name: String, connectivity: Connectivity, forces: [Double], history: LoadHistory) throws {
        guard forces.count == connectivity.indices.count else {
            throw PhysicsError.invalidModel("\(name): one force per connectivity entry expected (\(connectivity.indices.count)), got \(forces.count)")
        }
        self.name = name
        self.connectivity = connectivity
        self.forces = forces
        self.history = history
    }

    public func evaluate(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?) throws {
        let h = history.value(at: e.time)
        guard h != 0 else { return }
        var sum = 0.0
        let wantsGradient = e.needs.contains(.gradient)
        for (k, dof) in connectivity.indices.enumerated() {
            let f = h * forces[k]
            sum -= f * e.positions[Int(dof)]
            if wantsGradient, unknowns.indices[k] >= 0 { e.gradient[Int(unknowns.indices[k])] -= f }
        }
        e.energy += sum
    }
}
