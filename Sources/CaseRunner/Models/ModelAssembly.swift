import Bilevel
import Foundation
import NetCDF
import Physics

/// One equilibrium of one experiment (one step of its sweep), built from the configuration alone:
/// the model, its loading, the parameter bindings and every observable the data file holds.
final class StepSetup {
    let experiment: Int
    let step: Int
    let model: Model
    let newton: NewtonOptions
    let initial: [Double]
    let bindings: [ParameterBinding]
    /// Number of observed components at this step (all observables, all entries).
    let componentCount: Int
    /// The observable set of the listed components (indices into the step's components).
    let makeObservables: ([Int]) throws -> ObservableSet
    /// Atom positions for field output (nil for models without a spatial field).
    let field: FieldGeometry?
    /// Why an equilibrium state is not physical (atoms pushed through each other), or nil; see `Experiment.stateCheck`.
    var stateCheck: (([Double]) -> String?)?

    init(experiment: Int, step: Int, model: Model, newton: NewtonOptions, initial: [Double], bindings: [ParameterBinding],
         componentCount: Int, makeObservables: @escaping ([Int]) throws -> ObservableSet, field: FieldGeometry?) {
        self.experiment = experiment
        self.step = step
        self.model = model
        self.newton = newton
        self.initial = initial
        self.bindings = bindings
        self.componentCount = componentCount
        self.makeObservables = makeObservables
        self.field = field
    }

    private var predictor: Experiment?

    /// The loading path that defines this step's equilibrium: the prescribed displacements and the
    /// indentation depth grow together from zero.
    var loadPath: LoadPathOptions {
        LoadPathOptions(loadParameters: model.parameterNames.indices.filter { model.parameterNames[$0] == "indenter_depth" })
    }

    /// Solves at model-independent calibration parameters θ (ordered as `names`) and returns every
    /// component's prediction and the equilibrium; nil when the equilibrium was not found.
    func predict(theta: [Double], names: [String]) throws -> Experiment.Evaluation? {
        if predictor == nil {
            let all = try makeObservables(Array(0 ..< componentCount))
            predictor = try Experiment(name: "prediction", model: model, newton: newton, observables: all,
                                       observed: [Double](repeating: 0, count: componentCount),
                                       sigma: [Double](repeating: 1, count: componentCount), initial: initial, bindings: bindings)
            predictor!.continuation.loadPath = loadPath
            predictor!.stateCheck = stateCheck
        }
        return try predictor!.evaluate(theta: theta, names: names, derivatives: .none)
    }

    /// Why the last prediction's equilibrium was rejected as unphysical, if it was.
    var lastRejection: String? { predictor?.lastRejection }
}

/// Reference positions of the atoms of a lattice, for VTK output.
struct FieldGeometry {
    let dimension: Int
    /// Flat reference coordinates, atom by atom.
    let reference: [Double]
    /// Each atom's index in the lattice as built.
    let atomIDs: [Int]
}

/// How one observable's values are laid out in its netCDF variable.
struct ObservableLayout {
    let configuration: ObservableConfiguration
    /// Dimension names, slowest first (the sweep dimension first when there is one).
    var dimensions: [String] { configuration.dimensions }
    /// Lengths of the dimensions.
    let shape: [Int]
    /// Values per sweep step (all of them without a sweep).
    let perStep: Int
    /// Original atom indices along the atom dimension (displacements only).
    let atoms: [Int]?
    /// The unit the data must be in, when known (configured, or derived from the model's units).
    let expectedUnits: String?
    /// Values over all steps.
    var count: Int { shape.reduce(1, *) }
}

/// One experiment of the case with its steps and observable layouts.
final class ExperimentSetup {
    let configuration: ExperimentConfiguration
    let steps: [StepSetup]
    let layouts: [ObservableLayout]
    /// A time-stepped (poroelastic) experiment: one sequence of equilibria observed at the sweep's times.
    let series: PoroSeries?

    init(configuration: ExperimentConfiguration, steps: [StepSetup], layouts: [ObservableLayout], series: PoroSeries? = nil) {
        self.configuration = configuration
        self.steps = steps
        self.layouts = layouts
        self.series = series
    }

    var stepCount: Int { series?.consolidation.times.count ?? steps.count }
    /// The sweep coordinate of each step (nil without a sweep).
    var sweepValues: [Double]? { configuration.sweep?.values }
}

/// Builds the models of every experiment of a configuration.
enum ModelAssembly {
    /// The experiments, or nil with the problems in `diagnostics`.
    static func build(_ configuration: CaseConfiguration, directory: String = ".", space: ParameterSpace? = nil,
                      diagnostics: DiagnosticList) -> [ExperimentSetup]? {
        var setups: [ExperimentSetup] = []
        for (index, experiment) in configuration.experiments.enumerated() {
            do {
                let setup: ExperimentSetup?
                switch configuration.model {
                case let .lattice(l):
                    setup = try buildLattice(l, experiment: experiment, index: index, potential: l.potential.instance,
                                             dataFile: CaseLocation.join(directory, experiment.data), diagnostics: diagnostics)
                case let .crystal(c):
                    setup = try buildCrystal(c, experiment: experiment, index: index, potential: c.potential.instance, diagnostics: diagnostics)
                case let .poroelastic(p):
                    setup = try buildPoroelastic(p, experiment: experiment, index: index, directory: directory, space: space, diagnostics: diagnostics)
                }
                if let setup { setups.append(setup) }
            } catch {
                diagnostics.error("experiment '\(experiment.name)': \(error)", at: experiment.position)
            }
        }
        return diagnostics.hasErrors ? nil : setups
    }

    /// Model parameter bindings of step `step`.
    static func bindings(_ names: [String], experiment e: ExperimentConfiguration, step: Int) -> [ParameterBinding] {
        names.map { name in
            if case .parameter(name)? = e.sweep?.target { return .constant(e.sweep!.values[step]) }
            if let c = e.constants.first(where: { $0.name == name }) { return .constant(c.value) }
            return .parameter(name)
        }
    }

    /// The unit data of `quantity` must have: configured, else derived from the model's units.
    static func expectedUnits(_ o: ObservableConfiguration, units: ModelUnits?, dimension: Int, diagnostics: DiagnosticList) -> String? {
        guard let units else { return o.units }
        let derived = UnitCheck.derived(o.quantity.unitKind(dimension: dimension), length: units.length, energy: units.energy)
        if let given = o.units, let message = UnitCheck.mismatchMessage(expected: derived, found: given,
                                                                       comparison: UnitCheck.compare(expected: derived, found: given)) {
            diagnostics.error("the units of observable '\(o.variable)' in the configuration do not fit the model: "
                              + message.replacingOccurrences(of: "its units are", with: "they are")
                              + " (the model's units are \(units.length) and \(units.energy))", at: o.position)
        }
        return o.units ?? derived
    }

    // MARK: Lattices

    private static func buildLattice<P: PairPotential>(_ l: LatticeConfiguration, experiment e: ExperimentConfiguration, index: Int,
                                                       potential: P, dataFile: String, diagnostics d: DiagnosticList) throws -> ExperimentSetup? {
        var lattice = try Lattice(kind: l.lattice, cells: l.cells, latticeConstant: l.latticeConstant, periodic: l.periodic)
        for g in l.groups {
            switch g.selection {
            case let .region(lower, upper):
                let tolerance = 1e-9 * l.latticeConstant
                try lattice.tag(g.name) { p in p.indices.allSatisfy { p[$0] >= lower[$0] - tolerance && p[$0] <= upper[$0] + tolerance } }
            case let .atoms(atoms):
                try lattice.tag(g.name, atoms: atoms)
            }
        }
        let dimension = lattice.dimension
        func atoms(_ group: String, _ position: TextPosition) -> [Int]? {
            guard let members = lattice.groups[group], !members.isEmpty else {
                d.error("group '\(group)' contains no atoms; check its region or atom list", at: position)
                return nil
            }
            return members
        }
        var prescribed = Set<Int>()
        for c in e.loading.constraints {
            for a in atoms(c.group, c.position) ?? [] where c.displacement.contains(where: { $0 != nil }) { prescribed.insert(a) }
        }
        for f in e.loading.forces { _ = atoms(f.group, f.position) }
        // Observables: the lattice observables of one step, and each observable's layout.
        let steps = e.sweep?.values.count ?? 1
        var list: [LatticeObservable] = []
        var layouts: [ObservableLayout] = []
        for o in e.observables {
            var perStep: [Int] = []
            var atomIDs: [Int]?
            switch o.quantity {
            case let .displacement(selection, axes):
                var chosen: [Int]
                switch selection {
                case .unconstrained: chosen = (0 ..< lattice.atomCount).filter { !prescribed.contains($0) }
                case let .group(g): chosen = atoms(g, o.position) ?? []
                case let .atoms(ids):
                    chosen = ids
                    if let bad = ids.first(where: { $0 < 0 || $0 >= lattice.atomCount }) {
                        d.error("observable '\(o.variable)' lists atom \(bad), but the lattice has atoms 0 to \(lattice.atomCount - 1)", at: o.position)
                        chosen = []
                    }
                }
                for a in chosen { for axis in axes { list.append(.displacement(atom: a, axis: axis)) } }
                atomIDs = chosen.map { lattice.originalIndex[$0] }
                perStep = [chosen.count, axes.count]
            case let .meanDisplacement(group, axes):
                _ = atoms(group, o.position)
                for axis in axes { list.append(.meanDisplacement(group: group, axis: axis)) }
                perStep = [axes.count]
            case let .reactionForce(group, axes):
                _ = atoms(group, o.position)
                for axis in axes { list.append(.reactionForce(group: group, axis: axis)) }
                perStep = [axes.count]
            case .indenterForce:
                list.append(.indenterForce)
            case .crystal, .poro:
                continue  // rejected by the decoder
            }
            let shape = (e.sweep == nil ? [] : [steps]) + perStep
            layouts.append(ObservableLayout(configuration: o, shape: shape, perStep: perStep.reduce(1, *), atoms: atomIDs,
                                            expectedUnits: expectedUnits(o, units: l.units, dimension: dimension, diagnostics: d)))
        }
        // Large lattices: the data's sizes are compared before the model is built (smaller ones get the
        // reader's more detailed message, per dimension, once built).
        if d.hasErrors || (lattice.atomCount >= 20_000 && !dataFitsLayouts(layouts, file: dataFile, diagnostics: d)) { return nil }
        let cutoff = try SmoothCutoff(inner: l.cutoffInner, outer: l.cutoffOuter)
        var indenter: Indenter?
        if let i = e.loading.indenter {
            let lateral = i.lateral ?? (0 ..< dimension - 1).map { lattice.box[$0] / 2 }
            var depths = e.constants.filter { $0.name == "indenter_depth" }.map(\.value)
            if case .parameter("indenter_depth")? = e.sweep?.target { depths += e.sweep!.values }
            let deepest = i.maximumDepth ?? max(depths.max() ?? 0, l.latticeConstant)
            if let beyond = depths.first(where: { $0 > deepest }) {
                d.error("experiment '\(e.name)' indents to \(beyond), deeper than the indenter's maximum_depth \(deepest); raise maximum_depth", at: i.position)
                return nil
            }
            indenter = Indenter(radius: i.radius, lateral: lateral, maximumDepth: deepest)
        }
        var setups: [StepSetup] = []
        for k in 0 ..< steps {
            let factor = e.sweep?.target == .loadFactor ? e.sweep!.values[k] : 1
            let constraints = e.loading.constraints.map { c in
                GroupConstraint(group: c.group, components: Dictionary(uniqueKeysWithValues: c.displacement.enumerated().compactMap { axis, v in
                    v.map { (axis, factor * $0) }
                }))
            }
            let forces = e.loading.forces.map { GroupForce(group: $0.group, force: $0.force.map { factor * $0 }) }
            let model = try LatticeModel(lattice: lattice, potential: potential, cutoff: cutoff, skin: l.skin,
                                         constraints: constraints, forces: forces, indenter: indenter)
            let observables = list
            let setup = StepSetup(experiment: index, step: k, model: try model.makeModel(), newton: l.newton,
                                  initial: model.initialDisplacement(), bindings: bindings(model.parameterNames, experiment: e, step: k),
                                  componentCount: observables.count,
                                  makeObservables: { try model.observables($0.map { observables[$0] }) },
                                  field: FieldGeometry(dimension: dimension, reference: lattice.positions, atomIDs: lattice.originalIndex))
            let fraction = l.minimumSeparation
            setup.stateCheck = { u in AtomicOverlap.find(lattice: lattice, displacement: u, fraction: fraction)?.description }
            setups.append(setup)
        }
        return ExperimentSetup(configuration: e, steps: setups, layouts: layouts)
    }

    /// Size before work: where the data file already exists, each observable's variable must hold as many
    /// values as the configuration implies, checked from the file's header before the models (neighbour
    /// lists, Hessian patterns) of a large lattice are built. The full check of dimensions and coordinates
    /// follows on reading.
    private static func dataFitsLayouts(_ layouts: [ObservableLayout], file: String, diagnostics d: DiagnosticList) -> Bool {
        guard FileManager.default.fileExists(atPath: file), let reader = try? NetCDFReader(path: file) else { return true }
        var fits = true
        for layout in layouts {
            guard let variable = try? reader.variable(layout.configuration.variable) else { continue }
            let stored = variable.shape.reduce(1, *)
            if stored != layout.count {
                d.error("variable '\(variable.name)' in \(file) holds \(stored) value(s) (dimensions "
                        + zip(variable.dimensions, variable.shape).map { "\($0) = \($1)" }.joined(separator: ", ")
                        + "), but the configuration implies \(layout.count) (" + zip(layout.dimensions, layout.shape).map { "\($0) = \($1)" }
                            .joined(separator: ", ") + "); the data were made for another lattice or selection: check model.cells, "
                        + "the groups and the observable, or remake the data with 'calibrate synth'", at: layout.configuration.position)
                fits = false
            }
        }
        return fits
    }

    // MARK: Crystals

    private static func buildCrystal<P: PairPotential>(_ c: CrystalConfiguration, experiment e: ExperimentConfiguration, index: Int,
                                                       potential: P, diagnostics d: DiagnosticList) throws -> ExperimentSetup? {
        let crystal = try CrystalModel(kind: c.lattice, potential: potential, cutoff: try SmoothCutoff(inner: c.cutoffInner, outer: c.cutoffOuter),
                                       initialLatticeConstant: c.initialLatticeConstant)
        let steps = e.sweep?.values.count ?? 1
        var kinds: [CrystalProperty<P>.Kind] = []
        var layouts: [ObservableLayout] = []
        for o in e.observables {
            guard case let .crystal(kind) = o.quantity else { continue }
            kinds.append(CrystalProperty<P>.Kind(rawValue: kind.rawValue)!)
            layouts.append(ObservableLayout(configuration: o, shape: e.sweep == nil ? [] : [steps], perStep: 1, atoms: nil,
                                            expectedUnits: expectedUnits(o, units: c.units, dimension: c.lattice.spatialDimension, diagnostics: d)))
        }
        if d.hasErrors { return nil }
        let model = try crystal.makeModel()
        let setups = (0 ..< steps).map { k in
            StepSetup(experiment: index, step: k, model: model, newton: c.newton, initial: crystal.initialDisplacement,
                      bindings: bindings(crystal.parameterNames, experiment: e, step: k), componentCount: kinds.count,
                      makeObservables: { try crystal.observables($0.map { kinds[$0] }) }, field: nil)
        }
        return ExperimentSetup(configuration: e, steps: setups, layouts: layouts)
    }
}

extension PotentialName {
    /// The potential as a value, for building models generically.
    var instance: any PairPotential {
        switch self {
        case .morse: return Morse()
        case .lennardJones: return LennardJones()
        case .harmonic: return HarmonicSpring()
        }
    }
}
