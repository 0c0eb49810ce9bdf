import Sparse

/// The degrees of freedom of a model and which of them are unknowns.
///
/// Every dof has a reference value (atom coordinates for a lattice, zero for a displacement field);
/// the state is a displacement from it. Prescribed dofs (fixed atoms, imposed displacements, drained
/// pressures) are eliminated by condensation: they keep the value the loading gives them and are not
/// unknowns of the Newton system, so the reduced Hessian is positive definite at a stable minimum.
public struct DofLayout: Sendable, Equatable {
    /// Reference value of every dof.
    public let reference: [Double]
    /// For each dof, its unknown index, or −1 when prescribed.
    public let unknownIndex: [Int32]
    /// For each unknown, its dof.
    public let dofOfUnknown: [Int32]

    /// A layout with `prescribed` dofs eliminated; all others are unknowns, numbered in dof order.
    public init(reference: [Double], prescribed: some Sequence<Int>) throws {
        self.reference = reference
        var index = [Int32](repeating: 0, count: reference.count)
        for d in prescribed {
            guard d >= 0 && d < reference.count else {
                throw PhysicsError.invalidModel("prescribed dof \(d) is outside 0..<\(reference.count)")
            }
            index[d] = -1
        }
        var dofs: [Int32] = []
        for d in 0 ..< reference.count where index[d] >= 0 {
            index[d] = Int32(dofs.count)
            dofs.append(Int32(d))
        }
        unknownIndex = index
        dofOfUnknown = dofs
    }

    /// Number of dofs.
    public var dofCount: Int { reference.count }
    /// Number of unknowns (free dofs).
    public var unknownCount: Int { dofOfUnknown.count }
    /// Whether dof `d` is prescribed.
    public func isPrescribed(_ d: Int) -> Bool { unknownIndex[d] < 0 }

    /// A term connectivity over dofs mapped to unknowns (prescribed dofs become −1).
    public func unknowns(of connectivity: Connectivity) -> Connectivity {
        var mapped = Connectivity()
        for t in 0 ..< connectivity.termCount {
            mapped.append(connectivity.term(t).map { $0 >= 0 ? unknownIndex[Int($0)] : -1 })
        }
        return mapped
    }

    /// Writes unknowns `u` into their dofs of the full displacement vector.
    public func scatter(unknowns u: [Double], into displacement: inout [Double]) {
        for (k, d) in dofOfUnknown.enumerated() { displacement[Int(d)] = u[k] }
    }

    /// Reads the unknowns out of a full displacement vector.
    public func gather(_ displacement: [Double]) -> [Double] {
        dofOfUnknown.map { displacement[Int($0)] }
    }
}
