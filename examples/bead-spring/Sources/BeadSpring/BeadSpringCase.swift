import Bilevel
import CaseRunner
import Physics
import Sparse

/// The bead-spring network as a model kind of the `calibrate` tool: `"kind": "bead-spring"` in
/// case.json. This one type is all a model author writes to run their model with every command of the
/// tool (run, check, forward, synth, gradcheck, regress); `calibrate-beads` registers it.
///
/// case.json:
/// - `model`: `{"kind": "bead-spring", "columns": 8, "rows": 7}` (optionally `"newton": {…}`); the
///   parameters are `k_bond`, `r0`, `k_angle`.
/// - each experiment: `"top_displacement": [dx, dy]`, the displacement imposed on the top row (the
///   bottom row is held); a sweep may set `"load_factor"` to scale it.
/// - observables: `"row_displacement"` (`"row"`: a row index, `"axes"`: ["x", "y"] by default; data
///   dimensions bead × component) and `"top_reaction"` (`"axes"`; data dimension component).
public struct BeadSpringCase: CaseModel {
    public static let kind = "bead-spring"
    public static let fields = ["columns", "rows", "newton"]

    public let columns: Int
    public let rows: Int
    public let newton: NewtonOptions

    public static func decode(_ r: ObjectReader, registry: ModelRegistry) -> BeadSpringCase? {
        let columns = r.integer("columns", required: true, hint: "give the number of beads per row (2 to 10000)")
        let rows = r.integer("rows", required: true, hint: "give the number of rows (2 to 10000)")
        let newton = ModelSection.newton(r)
        r.finish()
        guard let columns, let rows else { return nil }
        guard (2 ... 10_000).contains(columns), (2 ... 10_000).contains(rows) else {
            r.diagnostics.error("a bead-spring network needs 2 to 10000 columns and rows, found \(columns) × \(rows)", at: r.position)
            return nil
        }
        return BeadSpringCase(columns: columns, rows: rows, newton: newton)
    }

    public var units: ModelUnits? { nil }
    public var dimension: Int { 2 }

    public func parameterNames(experiment: ExperimentConfiguration) -> [String]? { BeadSpringNetwork.parameterNames }

    // MARK: Experiments and observables

    public var experimentFields: [String] { ["top_displacement"] }

    public func decodeExperiment(_ r: ObjectReader, into e: inout ExperimentConfiguration) {
        guard let top = r.numbers("top_displacement", required: true, hint: "give the top row's displacement [dx, dy]") else { return }
        guard top.count == 2 else {
            r.diagnostics.error("'top_displacement' of experiment '\(e.name)' needs 2 components [dx, dy], found \(top.count)",
                                at: r.position(of: "top_displacement"))
            return
        }
        e.settings = SIMD2(top[0], top[1])
        if let sweep = e.sweep, sweep.target != .loadFactor {
            r.diagnostics.error("the sweep of experiment '\(e.name)' may only set \"load_factor\" (it scales the top displacement)",
                                at: sweep.position)
        }
    }

    public var quantityNames: [String] { ["row_displacement", "top_reaction"] }
    public var observableFields: [String] { ["row", "axes"] }

    public func decodeQuantity(_ name: String, _ r: ObjectReader, experiment: ExperimentConfiguration) -> (any ObservedQuantity)? {
        var axes = [0, 1]
        if let names = r.strings("axes") {
            axes = names.compactMap { ["x", "y"].firstIndex(of: $0) }
            if axes.count != names.count || axes.isEmpty || Set(axes).count != axes.count {
                r.diagnostics.error("'axes' in \(r.context) must list distinct axes among x, y, found \(names)", at: r.position(of: "axes"))
                return nil
            }
        }
        guard name == "row_displacement" else { return BeadQuantity.topReaction(axes: axes) }
        guard let row = r.integer("row", required: true, hint: "give the index of the observed row, 0 (bottom) to \(rows - 1) (top)") else { return nil }
        guard (0 ..< rows).contains(row) else {
            r.diagnostics.error("'row' in \(r.context) is \(row), but the network has rows 0 to \(rows - 1)", at: r.position(of: "row"))
            return nil
        }
        return BeadQuantity.rowDisplacement(row: row, axes: axes)
    }

    // MARK: Building

    public func build(_ e: ExperimentConfiguration, index: Int, context: ModelBuildContext) throws -> ExperimentSetup? {
        let network = try BeadSpringNetwork(columns: columns, rows: rows)
        let model = try network.model(automatic: true)
        let top = e.settings as? SIMD2<Double> ?? .zero
        // One entry per observed component, in the order of the experiment's observables.
        var components: [BeadComponent] = []
        var layouts: [ObservableLayout] = []
        let steps = e.sweep?.values.count ?? 1
        for o in e.observables {
            guard let q = o.quantity as? BeadQuantity else { continue }
            var perStep: [Int]
            var beads: [Int]?
            switch q {
            case let .rowDisplacement(row, axes):
                let ids = Array(row * columns ..< (row + 1) * columns)
                for b in ids { for a in axes { components.append(.dof(2 * b + a)) } }
                perStep = [ids.count, axes.count]
                beads = ids
            case let .topReaction(axes):
                for a in axes { components.append(.reaction(axis: a)) }
                perStep = [axes.count]
            }
            layouts.append(ObservableLayout(configuration: o, shape: (e.sweep == nil ? [] : [steps]) + perStep, perStep: perStep.reduce(1, *),
                                            atoms: beads, expectedUnits: o.units))
        }
        let field = FieldGeometry(dimension: 2, reference: network.reference, atomIDs: Array(0 ..< network.beadCount))
        let setups = (0 ..< steps).map { k in
            let factor = e.sweep?.target == .loadFactor ? e.sweep!.values[k] : 1
            return StepSetup(experiment: index, step: k, model: model, newton: newton, initial: network.initialDisplacement(top: factor * top),
                             bindings: e.bindings(BeadSpringNetwork.parameterNames, step: k), componentCount: components.count,
                             makeObservables: { try BeadComponent.observables($0.map { components[$0] }, network: network, model: model) },
                             field: field)
        }
        return ExperimentSetup(configuration: e, steps: setups, layouts: layouts)
    }

    public func summary(of setups: [ExperimentSetup]) -> String {
        "bead-spring network of \(columns) × \(rows) beads (harmonic bonds and bond angles), bottom row held, top row displaced"
    }
}

/// What a bead-spring experiment observes.
public enum BeadQuantity: ObservedQuantity, Equatable {
    case rowDisplacement(row: Int, axes: [Int])
    case topReaction(axes: [Int])

    public var name: String {
        switch self {
        case .rowDisplacement: return "row_displacement"
        case .topReaction: return "top_reaction"
        }
    }
    public var label: String { name.replacingOccurrences(of: "_", with: " ") }
    public var axes: [Int]? {
        switch self {
        case let .rowDisplacement(_, axes), let .topReaction(axes): return axes
        }
    }
    public var defaultDimensions: [String] {
        switch self {
        case .rowDisplacement: return ["bead", "component"]
        case .topReaction: return ["component"]
        }
    }
    public var isForce: Bool {
        if case .topReaction = self { return true }
        return false
    }
}

/// One observed component: a dof's displacement, or the top row's reaction along an axis.
enum BeadComponent {
    case dof(Int)
    case reaction(axis: Int)

    /// The observable set of `components`, in their order.
    static func observables(_ components: [BeadComponent], network: BeadSpringNetwork, model: Model) throws -> ObservableSet {
        var terms: [DofDisplacement] = [], dofs = Connectivity(), indices: [Int32] = [], names: [String] = []
        var groups: [any ObservableGroup] = []
        for (k, c) in components.enumerated() {
            switch c {
            case let .dof(d):
                terms.append(DofDisplacement(reference: network.reference[d]))
                dofs.append([Int32(d)])
                indices.append(Int32(k))
                names.append("u\(d % 2 == 0 ? "x" : "y")[\(d / 2)]")
            case let .reaction(axis):
                groups.append(try ReactionObservable(name: "reaction \(axis)", model: model, dofs: network.top.map { 2 * $0 + axis }, component: k))
                names.append(axis == 0 ? "Rx[top]" : "Ry[top]")
            }
        }
        if !terms.isEmpty {
            groups.insert(try LocalObservableGroup(name: "displacements", terms: terms, connectivity: dofs, components: indices,
                                                   parameterIndices: []), at: 0)
        }
        return ObservableSet(componentNames: names, groups: groups)
    }
}
