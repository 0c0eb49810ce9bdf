import Bilevel
import Foundation
import NetCDF
import Physics

/// Building a lattice experiment: the lattice and its groups, the loading of each sweep step, the
/// observables and their layout in the data; and what the tool says about lattice cases (size, report).
extension LatticeConfiguration {
    public func build(_ e: ExperimentConfiguration, index: Int, context: ModelBuildContext) throws -> ExperimentSetup? {
        try build(e, index: index, potential: potential.make(), context: context)
    }

    private func build<P: PairPotential>(_ e: ExperimentConfiguration, index: Int, potential: P,
                                         context: ModelBuildContext) throws -> ExperimentSetup? {
        let l = self, d = context.diagnostics, dataFile = context.path(e.data)
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
            guard let quantity = o.quantity as? LatticeQuantity else { continue }
            switch quantity {
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
            }
            let shape = (e.sweep == nil ? [] : [steps]) + perStep
            layouts.append(ObservableLayout(configuration: o, shape: shape, perStep: perStep.reduce(1, *), atoms: atomIDs,
                                            expectedUnits: context.expectedUnits(o, units: l.units, dimension: dimension)))
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
        for k in 0 ..< steps where context.builds(experiment: index, step: k) {
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
                                  initial: model.initialDisplacement(), bindings: e.bindings(model.parameterNames, step: k),
                                  componentCount: observables.count,
                                  makeObservables: { try model.observables($0.map { observables[$0] }) },
                                  field: FieldGeometry(dimension: dimension, reference: lattice.positions, atomIDs: lattice.originalIndex))
            if indenter != nil { setup.loadParameters = ["indenter_depth"] }
            let fraction = l.minimumSeparation
            setup.stateCheck = { u in AtomicOverlap.find(lattice: lattice, displacement: u, fraction: fraction)?.description }
            setups.append(setup)
        }
        return ExperimentSetup(configuration: e, steps: setups, layouts: layouts, series: nil,
                               field: FieldGeometry(dimension: dimension, reference: lattice.positions, atomIDs: lattice.originalIndex))
    }

    /// Size before work: where the data file already exists, each observable's variable must hold as many
    /// values as the configuration implies, checked from the file's header before the models (neighbour
    /// lists, Hessian patterns) of a large lattice are built. The full check of dimensions and coordinates
    /// follows on reading.
    private func dataFitsLayouts(_ layouts: [ObservableLayout], file: String, diagnostics d: DiagnosticList) -> Bool {
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
                        + "the groups and the observable, or remake the data with '\(CalibrateTool.toolName) synth'", at: layout.configuration.position)
                fits = false
            }
        }
        return fits
    }

    // MARK: Size and report

    func estimatedSize() -> CaseSize? {
        let d = Double(lattice.spatialDimension)
        let atoms = cells.reduce(1.0) { $0 * Double(max($1, 0)) } * Double(lattice.basisCount)
        let cell = lattice.conventionalCellEdges(latticeConstant: latticeConstant).reduce(1, *)
        let density = Double(lattice.basisCount) / max(cell, .leastNonzeroMagnitude)
        let r = cutoffOuter + skin
        let ball = d == 2 ? Double.pi * r * r : 4 / 3 * Double.pi * r * r * r
        let neighbours = max(density * ball - 1, 1)
        let n = d * atoms
        let factor = CaseSize.factorBytes(unknowns: n, dimension: Int(d), coupling: neighbours / 6)
        let pairs = atoms * neighbours / 2
        return CaseSize(itemName: "atoms", items: atoms, unknowns: n, factorBytes: factor, bytes: 2 * factor + pairs * 64 + atoms * d * 8 * 12)
    }

    public func summary(of setups: [ExperimentSetup]) -> String {
        let atoms = setups.first?.field?.atomIDs.count ?? 0
        return "\(lattice) lattice, \(cells.map(String.init).joined(separator: " × ")) cells (\(atoms) atoms), \(potential.name) potential, "
            + "cutoff \(formatNumber(cutoffInner))–\(formatNumber(cutoffOuter))"
    }

    /// The energy scale of a pair potential under prescribed displacements only: the equilibrium
    /// of cΠ is that of Π, so displacements cannot see c.
    func explanation(for c: ParameterCombination, _ s: RunSummary) -> String? {
        guard let scale = potential.energyScale, let k = s.space.freeNames.firstIndex(of: scale), abs(c.coefficients[k]) > 0.99 else { return nil }
        let forceData = s.configuration.experiments.contains { e in
            e.observables.contains { $0.quantity.isForce } || !e.loading.forces.isEmpty || e.loading.indenter != nil
        }
        guard !forceData else { return nil }
        return "displacements alone cannot fix the energy scale \(scale) of a pair potential under prescribed displacements: scaling "
            + "\(scale) scales the whole energy, so the equilibrium — every displacement — is the same for any \(scale). Add force data "
            + "(a reaction_force or indenter_force observable), or fix \(scale)"
    }
}
