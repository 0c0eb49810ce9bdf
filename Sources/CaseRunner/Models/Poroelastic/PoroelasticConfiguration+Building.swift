import Bilevel
import Foundation
import Physics

/// Building a poroelastic experiment: the mesh (rectangle or Gmsh), materials per region, the sensors
/// and the consolidation run over the model's time steps.
extension PoroelasticConfiguration {
    public func build(_ e: ExperimentConfiguration, index: Int, context: ModelBuildContext) throws -> ExperimentSetup? {
        let p = self, d = context.diagnostics, space = context.space
        let mesh: TriangleMesh
        do {
            switch p.mesh {
            case let .rectangle(w, h, c, r, gx, gy):
                mesh = try TriangleMesh.rectangle(width: w, height: h, columns: c, rows: r, gradingX: gx, gradingY: gy)
            case let .gmsh(file):
                let path = context.path(file)
                guard FileManager.default.fileExists(atPath: path) else {
                    d.error("the mesh file '\(path)' does not exist; 'gmsh' is relative to the case folder", at: p.meshPosition)
                    return nil
                }
                do { mesh = try TriangleMesh.readGmsh(path: path) } catch {
                    // Located in the .msh file (and its line), not in case.json: that is where the fix goes.
                    if case let .syntax(_, section, line, message) = error {
                        d.error("MSH syntax error\(section.map { " in \($0)" } ?? ""): \(message)", at: TextPosition(line: line, column: 1), file: path)
                    } else {
                        d.error("\(error)", file: path)
                    }
                    return nil
                }
                // Size before work: the mesh (bounded by its file) is read, the model not yet built.
                guard CaseSize.admit(CaseSize.estimate(mesh: mesh, steps: p.times.count), diagnostics: d) else { return nil }
            }
        } catch {
            d.error("the mesh: \(error)", at: p.meshPosition)
            return nil
        }
        for region in p.permeabilityLaws.keys.sorted() where !mesh.regionNames.contains(region) {
            d.error("'materials' names region '\(region)', which the mesh does not have" + Suggestion.hint(for: region, among: mesh.regionNames)
                    + " (regions: \(mesh.regionNames.joined(separator: ", ")))", at: p.meshPosition)
        }
        for c in p.conditions where !mesh.boundaryNames.contains(c.condition.boundary) {
            d.error("boundary '\(c.condition.boundary)' is not a boundary of the mesh" + Suggestion.hint(for: c.condition.boundary, among: mesh.boundaryNames)
                    + " (boundaries: \(mesh.boundaryNames.joined(separator: ", ")))", at: c.position)
        }
        let parameterNames = mesh.regionNames.flatMap { region in
            PoroMaterial.parameterBaseNames.map { mesh.regionNames.count == 1 ? $0 : "\($0)_\(region)" }
        }
        // Every model parameter needs a value: a calibration parameter of that name or a constant.
        let constants = Set(e.constants.map(\.name))
        for name in parameterNames where space.map({ !$0.names.contains(name) }) ?? false && !constants.contains(name) {
            d.error("model parameter '\(name)' has no value in experiment '\(e.name)': add a parameter named '\(name)' to 'parameters' "
                    + "(\"fixed\": true if it is not calibrated), or set it in the experiment's 'constants'"
                    + (mesh.regionNames.count > 1 ? " (with several regions, the names are E_region, nu_region, alpha_region, M_region, k_region)" : ""),
                    at: e.position)
        }
        for c in e.constants where !parameterNames.contains(c.name) {
            d.error("experiment '\(e.name)' sets '\(c.name)' in 'constants', which is not a parameter of the model"
                    + Suggestion.hint(for: c.name, among: parameterNames), at: c.position)
        }
        if d.hasErrors { return nil }
        var materials: [String: PoroMaterial] = [:]
        for region in mesh.regionNames {
            materials[region] = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1, biotModulus: 1e9, mobility: 1e-9,
                                             permeabilityLaw: p.permeabilityLaws[region] ?? .constant)
        }
        let model: PoroelasticModel
        do {
            model = try PoroelasticModel(mesh: mesh, materials: materials, conditions: p.conditions.map(\.condition))
        } catch let error as PhysicsError {
            d.error(CaseTerms.translate(error.description), at: p.meshPosition)
            return nil
        }
        let times = e.sweep?.values ?? []
        if let first = p.times.first, let last = p.times.last, let outside = times.first(where: { $0 < first || $0 > last }) {
            d.error("experiment '\(e.name)' observes at t = \(formatNumber(outside)) s, outside the simulated times \(formatNumber(first))…\(formatNumber(last)) s; "
                    + "extend the model's time_stepping", at: e.position)
        }
        var sensors: [PoroSensor] = []
        var layouts: [ObservableLayout] = []
        for o in e.observables {
            guard let q = o.quantity as? PoroQuantity else { continue }
            let sensor = q.sensor(name: o.variable)
            do { _ = try model.observables([sensor]) } catch {
                d.error("observable '\(o.variable)': \(error)", at: o.position)
                continue
            }
            var expected = q.unit
            if let given = o.units {
                if let message = UnitCheck.mismatchMessage(expected: q.unit, found: given, comparison: UnitCheck.compare(expected: q.unit, found: given)) {
                    d.error("the units of observable '\(o.variable)' in the configuration do not fit the model: "
                            + message.replacingOccurrences(of: "its units are", with: "they are") + " (the poroelastic model works in Pa, m and s)",
                            at: o.position)
                }
                expected = given
            }
            sensors.append(sensor)
            layouts.append(ObservableLayout(configuration: o, shape: [times.count], perStep: 1, atoms: nil, expectedUnits: expected))
        }
        if d.hasErrors { return nil }
        let consolidation = try Consolidation(model: model, times: p.times, options: p.newton.map { o in
            var o = o
            o.problem = .saddle
            o.hessianIsConstant = model.isLinear
            return o
        })
        let series = PoroSeries(model: model, consolidation: consolidation, sensors: try model.observables(sensors),
                                bindings: e.bindings(model.parameterNames, step: 0), observationTimes: times)
        return ExperimentSetup(configuration: e, steps: [], layouts: layouts, series: series)
    }
}
