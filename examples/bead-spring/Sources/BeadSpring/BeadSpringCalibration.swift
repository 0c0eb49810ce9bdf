import AutoDiff
import Bilevel
import Physics
import Sparse

/// The calibration set-up of the bead-spring example: a network sheared and stretched through its top
/// row, observed through the displacements of the beads of its middle row and the reaction on the top
/// row along both axes. Parameters: `k_bond`, `r0`, `k_angle` (all calibrated).
public struct BeadSpringCalibration {
    public let network: BeadSpringNetwork
    public let model: Model
    /// Imposed displacement of the top row.
    public let top: SIMD2<Double>

    public init(columns: Int = 8, rows: Int = 7, top: SIMD2<Double> = SIMD2(0.4, 0.25), handWritten: Bool = false) throws {
        network = try BeadSpringNetwork(columns: columns, rows: rows)
        model = try network.model(automatic: !handWritten)
        self.top = top
    }

    /// Observables: x and y displacement of every bead of the middle row, then the top's reactions.
    public func observables() throws -> ObservableSet {
        let middle = (network.rows / 2) * network.columns ..< (network.rows / 2 + 1) * network.columns
        var terms: [DofDisplacement] = [], dofs = Connectivity(), components: [Int32] = [], names: [String] = []
        for bead in middle {
            for axis in 0 ..< 2 {
                let d = 2 * bead + axis
                terms.append(DofDisplacement(reference: network.reference[d]))
                dofs.append([Int32(d)])
                components.append(Int32(names.count))
                names.append("u\(axis == 0 ? "x" : "y")[\(bead)]")
            }
        }
        var groups: [any ObservableGroup] = [
            try LocalObservableGroup(name: "displacements", terms: terms, connectivity: dofs, components: components,
                                     parameterIndices: []),
        ]
        for axis in 0 ..< 2 {
            groups.append(try ReactionObservable(name: "reaction \(axis)", model: model,
                                                 dofs: network.top.map { 2 * $0 + axis }, component: names.count))
            names.append(axis == 0 ? "Rx[top]" : "Ry[top]")
        }
        return ObservableSet(componentNames: names, groups: groups)
    }

    /// The experiment without data, for predictions.
    public func predictor() throws -> Experiment {
        try Experiment(name: "bead-spring shear", model: model, observables: try observables(), initial: network.initialDisplacement(top: top),
                       bindings: BeadSpringNetwork.parameterNames.map { .parameter($0) })
    }

    /// The experiment against `observed` with standard deviations `sigma`.
    public func experiment(observed: [Double], sigma: [Double]) throws -> Experiment {
        try Experiment(name: "bead-spring shear", model: model, observables: try observables(), observed: observed,
                       sigma: sigma, initial: network.initialDisplacement(top: top),
                       bindings: BeadSpringNetwork.parameterNames.map { .parameter($0) })
    }
}
