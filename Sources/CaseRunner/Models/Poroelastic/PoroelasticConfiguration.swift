import Bilevel
import Foundation
import NetCDF
import Physics

/// `model` with `"kind": "poroelastic"`: a Taylor–Hood plane-strain Biot model on a triangle mesh, in
/// Pa, m and s, stepped in time (docs/poroelasticity.md).
public struct PoroelasticConfiguration: Sendable {
    public enum Mesh: Sendable {
        case rectangle(width: Double, height: Double, columns: Int, rows: Int, gradingX: Double, gradingY: Double)
        /// A Gmsh MSH 4.1 file, relative to the case folder.
        case gmsh(String)
    }
    public struct Condition: Sendable {
        public var condition: PoroBoundaryCondition
        public var position: TextPosition
    }
    public var mesh: Mesh
    public var meshPosition: TextPosition
    /// Region name → permeability law (regions not listed: constant permeability).
    public var permeabilityLaws: [String: PermeabilityLaw]
    public var conditions: [Condition]
    /// t₀ (the undrained response), t₁, …, t_N.
    public var times: [Double]
    public var newton: NewtonOptions?
}

/// What a poroelastic sensor measures.
public enum PoroQuantity: ObservedQuantity, Equatable {
    case pressure(point: [Double])
    case pointDisplacement(point: [Double], axis: Int)
    case settlement(boundary: String)

    static let names = ["pressure", "point_displacement", "settlement"]

    var isPressure: Bool { if case .pressure = self { return true } else { return false } }

    public var name: String {
        switch self {
        case .pressure: return "pressure"
        case .pointDisplacement: return "point_displacement"
        case .settlement: return "settlement"
        }
    }

    public func unitKind(dimension: Int) -> UnitKind? { isPressure ? .stress(dimension: 3) : .length }

    public var label: String {
        switch self {
        case .pressure: return "pore pressure"
        case let .pointDisplacement(_, axis): return "displacement \(["x", "y"][axis])"
        case .settlement: return "settlement"
        }
    }

    /// The model's unit of the quantity (the poroelastic model works in Pa, m and s).
    var unit: String { isPressure ? "Pa" : "m" }

    func sensor(name: String) -> PoroSensor {
        switch self {
        case let .pressure(p): return .pressure(name: name, at: SIMD2(p[0], p[1]))
        case let .pointDisplacement(p, axis): return .displacement(name: name, at: SIMD2(p[0], p[1]), component: axis)
        case let .settlement(b): return .settlement(name: name, boundary: b)
        }
    }
}

extension PoroelasticConfiguration: BuiltInModel {
    public static let kind = "poroelastic"
    public static let fields = ["mesh", "materials", "boundary_conditions", "time_stepping", "newton"]

    public var units: ModelUnits? { ModelUnits(length: "m", energy: "J") }
    public var dimension: Int { 2 }

    public var quantityNames: [String] { PoroQuantity.names }
    public var observableFields: [String] { ["point", "axis", "boundary"] }

    public func decodeQuantity(_ name: String, _ r: ObjectReader, experiment: ExperimentConfiguration) -> (any ObservedQuantity)? {
        switch name {
        case "pressure", "point_displacement":
            guard let point = r.numbers("point", required: true, hint: "give the sensor's position [x, y] in m") else { return nil }
            guard point.count == 2 else {
                r.diagnostics.error("'point' in \(r.context) needs 2 coordinates [x, y] (m), found \(point.count)", at: r.position(of: "point"))
                return nil
            }
            if name == "pressure" { return PoroQuantity.pressure(point: point) }
            guard let axis = r.choice("axis", ["x", "y"], required: true) else { return nil }
            return PoroQuantity.pointDisplacement(point: point, axis: axis == "x" ? 0 : 1)
        default:
            guard let b = r.string("boundary", required: true, hint: "name the mesh boundary whose mean downward displacement is measured") else { return nil }
            return PoroQuantity.settlement(boundary: b)
        }
    }

    /// A poroelastic experiment runs along time: its observation times are "times" (or the data's
    /// `time` coordinate, read in `prepare`), never a sweep.
    public var experimentFields: [String] { ["times"] }

    public func decodeExperiment(_ r: ObjectReader, into e: inout ExperimentConfiguration) {
        let d = r.diagnostics
        if e.sweep != nil { d.error("experiment '\(e.name)' has a 'sweep', but a poroelastic experiment runs along time; remove it", at: r.position(of: "sweep")) }
        let times = r.numbers("times")
        if let times, times.isEmpty || zip(times, times.dropFirst()).contains(where: { !($1 > $0) }) {
            d.error("'times' of experiment '\(e.name)' must list strictly increasing observation times (s)", at: r.position(of: "times"))
        }
        e.sweep = SweepConfiguration(dimension: "time", target: .time, values: times ?? [], units: "s", position: r.position(of: "times"))
    }

    /// Known once the mesh (its regions) is read: checked when the experiment is built.
    public func parameterNames(experiment: ExperimentConfiguration) -> [String]? { nil }

    public var inputFiles: [String] {
        if case let .gmsh(file) = mesh { return [file] }
        return []
    }

    public func prepare(_ experiments: inout [ExperimentConfiguration], context: ModelBuildContext) {
        PoroSeries.resolveObservationTimes(&experiments, context: context)
    }

    func estimatedSize() -> CaseSize? {
        guard case let .rectangle(_, _, columns, rows, _, _) = mesh else { return nil }
        let c = Double(max(columns, 0)), r = Double(max(rows, 0))
        return CaseSize.taylorHood(triangles: 2 * c * r, nodes: (2 * c + 1) * (2 * r + 1), vertices: (c + 1) * (r + 1), steps: times.count)
    }

    public func summary(of setups: [ExperimentSetup]) -> String {
        guard let series = setups.first?.series else { return "poroelastic (Biot) model" }
        let mesh = series.model.mesh
        let source: String
        switch self.mesh {
        case .rectangle: source = "rectangle mesh"
        case let .gmsh(file): source = "Gmsh mesh `\(file)`"
        }
        return "plane-strain Biot poroelasticity (Taylor–Hood P2/P1), \(source): \(mesh.triangleCount) triangles, \(mesh.nodeCount) nodes, "
            + "regions \(mesh.regionNames.joined(separator: ", ")); \(times.count - 1) time steps to t = \(formatNumber(times.last ?? 0)) s"
    }

    /// A permeability (mobility) the data cannot see: its region drains (or stays undrained) on a time
    /// scale outside the observation window, so a whole range of values fits the data equally.
    func explanation(for c: ParameterCombination, _ s: RunSummary) -> String? {
        guard let k = c.coefficients.indices.max(by: { abs(c.coefficients[$0]) < abs(c.coefficients[$1]) }), abs(c.coefficients[k]) > 0.99 else { return nil }
        let name = s.space.freeNames[k]
        guard name == "k" || name.hasPrefix("k_") else { return nil }
        let region = name == "k" ? "the domain" : "region '\(name.dropFirst(2))'"
        let first = s.loaded.setups.compactMap { $0.series?.observationTimes.first }.min().map { " (t = \(formatNumber($0)) s)" } ?? ""
        return "The data cannot determine \(name): \(region) drains faster than the first observation\(first) — its excess pore pressure "
            + "has dissipated before any sensor reads it — or too slowly to drain within the record, so a whole range of \(name) fits equally. "
            + "Observe earlier (or longer), or fix \(name); the other parameters' standard errors are then defined"
    }
}
