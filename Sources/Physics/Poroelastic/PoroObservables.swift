import AutoDiff
import Sparse

/// A measurement a poroelastic experiment records, for `PoroelasticModel.observables(_:)`.
public enum PoroSensor: Sendable, Equatable {
    /// Pore pressure at a point, interpolated with the element's linear pressure shape functions.
    case pressure(name: String, at: SIMD2<Double>)
    /// Displacement component (0 = x, 1 = y) at a point, interpolated with the quadratic shape functions.
    case displacement(name: String, at: SIMD2<Double>, component: Int)
    /// Settlement of a boundary: its mean vertical displacement, positive downwards,
    /// s = −(1/L) ∫_Γ u_y ds (exact for the quadratic edge: weights L/6, L/6, 2L/3 per edge).
    case settlement(name: String, boundary: String)

    public var name: String {
        switch self {
        case let .pressure(name, _), let .displacement(name, _, _), let .settlement(name, _): return name
        }
    }
}

/// A fixed linear combination of `N` dofs, o = Σ cᵢ xᵢ: an interpolated field value or a boundary mean.
/// Reference positions are zero in a poroelastic model, so positions are displacements.
public struct LinearCombination<let N: Int>: LocalObservable {
    public typealias Gradient = Jet<N>
    public static var dofCount: Int { N }
    public static var parameterCount: Int { 0 }
    public let coefficients: InlineArray<N, Double>

    public init(coefficients: InlineArray<N, Double>) { self.coefficients = coefficients }

    @inlinable public func value<S: Real>(_ v: LocalVariables<S>) -> S {
        var sum: S = 0
        for i in 0 ..< N { sum += coefficients[i] * v[i] }
        return sum
    }
}

extension PoroelasticModel {
    /// The sensors as an `ObservableSet`, one component per sensor in order, with exact derivatives
    /// (the observables are linear in the state and independent of θ).
    ///
    /// Throws `PhysicsError.invalidModel` for a point outside the mesh (with the mesh's bounding box), an
    /// unknown boundary (listing those that exist) or a component other than 0 or 1.
    public func observables(_ sensors: [PoroSensor]) throws -> ObservableSet {
        var pressureTerms: [LinearCombination<3>] = [], pressureDofs = Connectivity(), pressureComponents: [Int32] = []
        var displacementTerms: [LinearCombination<6>] = [], displacementDofs = Connectivity(), displacementComponents: [Int32] = []
        var edgeTerms: [LinearCombination<3>] = [], edgeDofs = Connectivity(), edgeComponents: [Int32] = []
        for (c, sensor) in sensors.enumerated() {
            switch sensor {
            case let .pressure(name, point):
                let (t, l) = try locate(point, sensor: name)
                let nodes = mesh.nodes(ofTriangle: t)
                pressureTerms.append(LinearCombination(coefficients: [l.x, l.y, l.z]))
                pressureDofs.append(nodes.prefix(3).map { self.pressureDofs[Int($0)] })
                pressureComponents.append(Int32(c))
            case let .displacement(name, point, component):
                guard component == 0 || component == 1 else {
                    throw PhysicsError.invalidModel("sensor '\(name)': displacement component must be 0 (x) or 1 (y), got \(component)")
                }
                let (t, l) = try locate(point, sensor: name)
                let n = TaylorHoodGeometry.quadraticValues(at: l)
                displacementTerms.append(LinearCombination(coefficients: [n[0], n[1], n[2], n[3], n[4], n[5]]))
                displacementDofs.append(mesh.nodes(ofTriangle: t).map { self.displacementDofs[2 * Int($0) + component] })
                displacementComponents.append(Int32(c))
            case let .settlement(name, boundary):
                guard let edges = mesh.boundaries[boundary] else {
                    throw PhysicsError.invalidModel("sensor '\(name)' measures boundary '\(boundary)', which the mesh does not have; its boundaries are \(mesh.boundaryNames)")
                }
                var lengths: [Double] = []
                for e in stride(from: 0, to: edges.count, by: 3) {
                    let a = mesh.points[Int(edges[e])], b = mesh.points[Int(edges[e + 1])]
                    lengths.append(((b - a) * (b - a)).sum().squareRoot())
                }
                let total = lengths.reduce(0, +)
                for (k, length) in lengths.enumerated() {
                    let w = -length / total
                    edgeTerms.append(LinearCombination(coefficients: [w / 6, w / 6, 2 * w / 3]))
                    edgeDofs.append((0 ..< 3).map { self.displacementDofs[2 * Int(edges[3 * k + $0]) + 1] })
                    edgeComponents.append(Int32(c))
                }
            }
        }
        var groups: [any ObservableGroup] = []
        if !pressureTerms.isEmpty {
            groups.append(try LocalObservableGroup(name: "pressure sensors", terms: pressureTerms, connectivity: pressureDofs,
                                                   components: pressureComponents, parameterIndices: []))
        }
        if !displacementTerms.isEmpty {
            groups.append(try LocalObservableGroup(name: "displacement sensors", terms: displacementTerms, connectivity: displacementDofs,
                                                   components: displacementComponents, parameterIndices: []))
        }
        if !edgeTerms.isEmpty {
            groups.append(try LocalObservableGroup(name: "settlements", terms: edgeTerms, connectivity: edgeDofs,
                                                   components: edgeComponents, parameterIndices: []))
        }
        return ObservableSet(componentNames: sensors.map(\.name), groups: groups)
    }

    func locate(_ point: SIMD2<Double>, sensor: String) throws -> (Int, SIMD3<Double>) {
        guard point.x.isFinite, point.y.isFinite, let found = mesh.locate(point) else {
            let lo = mesh.points.reduce(SIMD2(repeating: Double.infinity)) { pointwiseMin($0, $1) }
            let hi = mesh.points.reduce(SIMD2(repeating: -Double.infinity)) { pointwiseMax($0, $1) }
            throw PhysicsError.invalidModel("sensor '\(sensor)' at (\(point.x), \(point.y)) is outside the mesh (bounding box [\(lo.x), \(hi.x)] × [\(lo.y), \(hi.y)]); move it inside a triangle")
        }
        return found
    }
}
