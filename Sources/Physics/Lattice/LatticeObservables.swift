import Sparse

/// A quantity measured on a loaded lattice.
public enum LatticeObservable: Sendable, Equatable {
    /// Displacement of one atom along one axis.
    case displacement(atom: Int, axis: Int)
    /// Mean displacement of a group along one axis (a settlement, an extensometer).
    case meanDisplacement(group: String, axis: Int)
    /// The force the loading device exerts on a held group, along one axis.
    case reactionForce(group: String, axis: Int)
    /// The force on the indenter, ∂Π/∂depth (positive when pushing into the material).
    case indenterForce

    /// A name for reports and data mapping.
    public var name: String {
        let axes = ["x", "y", "z"]
        switch self {
        case let .displacement(atom, axis): return "u\(axes[axis])_atom\(atom)"
        case let .meanDisplacement(group, axis): return "mean_u\(axes[axis])_\(group)"
        case let .reactionForce(group, axis): return "reaction_f\(axes[axis])_\(group)"
        case .indenterForce: return "indenter_force"
        }
    }
}

extension LatticeModel {
    /// The listed observables, one component each, in order, with exact derivatives.
    public func observables(_ list: [LatticeObservable]) throws -> ObservableSet {
        let d = lattice.dimension
        var groups: [any ObservableGroup] = []
        var displacementTerms: [DofDisplacement] = [], displacementDofs = Connectivity()
        var displacementComponents: [Int32] = [], displacementWeights: [Double] = []
        func addDisplacement(atom: Int, axis: Int, component: Int, weight: Double) throws {
            guard atom >= 0 && atom < lattice.atomCount, axis >= 0 && axis < d else {
                throw PhysicsError.invalidModel("observable on atom \(atom), axis \(axis): the lattice has \(lattice.atomCount) atoms in \(d) dimensions")
            }
            let dof = self.dof(atom: atom, axis: axis)
            displacementTerms.append(DofDisplacement(reference: lattice.positions[dof]))
            displacementDofs.append([Int32(dof)])
            displacementComponents.append(Int32(component))
            displacementWeights.append(weight)
        }
        func atoms(of group: String) throws -> [Int] {
            guard let atoms = lattice.groups[group], !atoms.isEmpty else {
                throw PhysicsError.invalidModel("observable on unknown or empty group '\(group)'; groups are \(lattice.groups.keys.sorted())")
            }
            return atoms
        }
        for (c, observable) in list.enumerated() {
            switch observable {
            case let .displacement(atom, axis):
                try addDisplacement(atom: atom, axis: axis, component: c, weight: 1)
            case let .meanDisplacement(group, axis):
                let members = try atoms(of: group)
                for a in members { try addDisplacement(atom: a, axis: axis, component: c, weight: 1 / Double(members.count)) }
            case let .reactionForce(group, axis):
                groups.append(try ReactionForce(name: observable.name, lattice: self, atoms: try atoms(of: group), axis: axis, component: c))
            case .indenterForce:
                guard indenter != nil, let contacts = try makeModel().groups.last else {
                    throw PhysicsError.invalidModel("an indenter force is observed but the lattice has no indenter")
                }
                // Slot of the depth: after the term's d coordinates and its stiffness.
                if let g = contacts as? AutoDiffGroup<IndenterContact2D> {
                    groups.append(try EnergyDerivativeObservable(name: observable.name, group: g, slot: 2 + 1, component: c))
                } else if let g = contacts as? AutoDiffGroup<IndenterContact3D> {
                    groups.append(try EnergyDerivativeObservable(name: observable.name, group: g, slot: 3 + 1, component: c))
                } else {
                    throw PhysicsError.invalidModel("the indenter's contact group was not found in the model; an indenter force cannot be observed")
                }
            }
        }
        if !displacementTerms.isEmpty {
            groups.insert(try LocalObservableGroup(name: "displacements", terms: displacementTerms, connectivity: displacementDofs,
                                                   components: displacementComponents, weights: displacementWeights,
                                                   parameterIndices: []), at: 0)
        }
        return ObservableSet(componentNames: list.map(\.name), groups: groups)
    }
}
