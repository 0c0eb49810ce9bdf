// The map between the full physical parameter vector θ ∈ ℝⁿ (every parameter, fixed ones included, in
// definition order) and the optimizer's vector z ∈ ℝᵖ (free parameters only, each transformed:
// z_k = θ_i or ln θ_i, where i = freeIndices[k]).
//
// Chain rule: with D = diag(dθ_i/dz_k) (1 or θ_i), ∇_z L = D ∇_θ L restricted to free parameters, and
// a residual Jacobian J_z = J_θ[:, free] D. Covariances map back by the delta method Σ_θ = D Σ_z D
// (first-order; exact for the identity transform). See Seber & Wild, "Nonlinear Regression", Wiley 1989,
// §5.2 (parameter transformations) and §2.1 (linear approximation).

/// An ordered, validated set of named parameters and the maps between physical θ and the optimizer's z.
///
/// Guarantees, once constructed: every parameter passes `Parameter.validationError()`, names are unique,
/// and `physical(from:)` / `transformed(from:)` are inverse to rounding on the box. Maps throw a
/// `ParameterError` for vectors of the wrong length (no silent truncation).
public struct ParameterSpace: Sendable, Codable, Equatable {
    /// All parameters in definition order.
    public let parameters: [Parameter]
    /// Positions in `parameters` of the free ones, ascending; z_k belongs to `parameters[freeIndices[k]]`.
    public let freeIndices: [Int]

    /// Validates and stores `parameters`; throws the first problem found, in definition order.
    public init(_ parameters: [Parameter]) throws(ParameterError) {
        var seen = Set<String>()
        for p in parameters {
            if let error = p.validationError() { throw error }
            guard seen.insert(p.name).inserted else { throw .duplicateName(p.name) }
        }
        self.parameters = parameters
        freeIndices = parameters.indices.filter { !parameters[$0].isFixed }
    }

    private enum CodingKeys: String, CodingKey { case parameters }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(try container.decode([Parameter].self, forKey: .parameters))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(parameters, forKey: .parameters)
    }

    /// n, all parameters.
    public var count: Int { parameters.count }
    /// p, the free parameters (the optimizer's dimension).
    public var freeCount: Int { freeIndices.count }
    /// All names in definition order.
    public var names: [String] { parameters.map(\.name) }
    /// Names of the free parameters, in z order.
    public var freeNames: [String] { freeIndices.map { parameters[$0].name } }
    /// Free parameters, in z order.
    public var freeParameters: [Parameter] { freeIndices.map { parameters[$0] } }

    /// Position of `name` in `parameters`.
    public func index(of name: String) throws(ParameterError) -> Int {
        guard let i = parameters.firstIndex(where: { $0.name == name }) else { throw .unknownName(name) }
        return i
    }

    /// Name of z_k as printed in reports: "log D" for a log-transformed D, else "D".
    public func transformedName(ofFree k: Int) -> String {
        let p = parameters[freeIndices[k]]
        return p.transform == .log ? "log \(p.name)" : p.name
    }

    /// θ at the initial values.
    public var initialPhysical: [Double] { parameters.map(\.initial) }
    /// z at the initial values.
    public var initialTransformed: [Double] {
        freeIndices.map { parameters[$0].transform.transformed(parameters[$0].initial) }
    }
    /// Lower bounds of z (−∞ where unbounded).
    public var lowerTransformed: [Double] {
        freeIndices.map { bound(parameters[$0].lower, parameters[$0].transform) }
    }
    /// Upper bounds of z (+∞ where unbounded).
    public var upperTransformed: [Double] {
        freeIndices.map { bound(parameters[$0].upper, parameters[$0].transform) }
    }
    /// Typical magnitudes of z for the relative-gradient optimality test: 1 for a log-transformed
    /// parameter (a unit change of log θ is a relative change of θ), |initial| for an untransformed one
    /// (1 where the initial value is 0).
    public var optimalityScales: [Double] {
        freeIndices.map { i in
            let p = parameters[i]
            return p.transform == .log || p.initial == 0 ? 1 : abs(p.initial)
        }
    }

    /// The box for the optimizers.
    public var transformedBounds: BoxBounds {
        BoxBounds(uncheckedLower: lowerTransformed, upper: upperTransformed)
    }

    private func bound(_ value: Double, _ transform: ParameterTransform) -> Double {
        transform == .log && value == .infinity ? .infinity : transform.transformed(value)
    }

    /// The full θ for a free z: free entries from z, fixed ones at their `initial` values.
    public func physical(from z: [Double]) throws(ParameterError) -> [Double] {
        try check(z, freeCount, "transformed vector z")
        var theta = initialPhysical
        for (k, i) in freeIndices.enumerated() { theta[i] = parameters[i].transform.physical(z[k]) }
        return theta
    }

    /// The free z for a full θ (fixed entries of θ are ignored).
    public func transformed(from theta: [Double]) throws(ParameterError) -> [Double] {
        try check(theta, count, "physical vector θ")
        var z = [Double]()
        z.reserveCapacity(freeCount)
        for i in freeIndices {
            let p = parameters[i]
            if p.transform == .log && !(theta[i] > 0) { throw .nonPositiveValueForLog(parameter: p.name, value: theta[i]) }
            z.append(p.transform.transformed(theta[i]))
        }
        return z
    }

    /// dθ_i/dz_k for each free parameter at z (the diagonal of D).
    public func physicalDerivative(at z: [Double]) throws(ParameterError) -> [Double] {
        try check(z, freeCount, "transformed vector z")
        return freeIndices.enumerated().map { k, i in parameters[i].transform.derivative(z[k]) }
    }

    /// ∇_z L from ∇_θ L (full length n; entries of fixed parameters are dropped).
    public func gradientInTransformed(_ physicalGradient: [Double], at z: [Double]) throws(ParameterError) -> [Double] {
        try check(physicalGradient, count, "physical gradient")
        let d = try physicalDerivative(at: z)
        return freeIndices.enumerated().map { k, i in physicalGradient[i] * d[k] }
    }

    /// J_z (m × p) from J_θ (m × n; columns of fixed parameters are dropped).
    public func jacobianInTransformed(_ physicalJacobian: DenseMatrix, at z: [Double]) throws(ParameterError) -> DenseMatrix {
        guard physicalJacobian.columns == count else {
            throw .dimensionMismatch(what: "physical Jacobian (columns)", expected: count, found: physicalJacobian.columns)
        }
        let d = try physicalDerivative(at: z)
        var out = DenseMatrix(rows: physicalJacobian.rows, columns: freeCount)
        for r in 0 ..< physicalJacobian.rows {
            for (k, i) in freeIndices.enumerated() { out[r, k] = physicalJacobian[r, i] * d[k] }
        }
        return out
    }

    /// Σ_θ = D Σ_z D for the free parameters (delta method; p × p).
    public func covarianceInPhysical(_ transformedCovariance: DenseMatrix, at z: [Double]) throws(ParameterError) -> DenseMatrix {
        guard transformedCovariance.rows == freeCount, transformedCovariance.columns == freeCount else {
            throw .dimensionMismatch(what: "covariance (rows)", expected: freeCount, found: transformedCovariance.rows)
        }
        let d = try physicalDerivative(at: z)
        var out = transformedCovariance
        for a in 0 ..< freeCount { for b in 0 ..< freeCount { out[a, b] = d[a] * transformedCovariance[a, b] * d[b] } }
        return out
    }

    /// z clamped into the box.
    public func projected(_ z: [Double]) throws(ParameterError) -> [Double] {
        try check(z, freeCount, "transformed vector z")
        return transformedBounds.project(z)
    }

    private func check(_ v: [Double], _ expected: Int, _ what: String) throws(ParameterError) {
        guard v.count == expected else { throw .dimensionMismatch(what: what, expected: expected, found: v.count) }
    }
}
