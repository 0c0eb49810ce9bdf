// Box constraints l ≤ z ≤ u, the projection P(z)_i = min(max(z_i, l_i), u_i), and the first-order
// optimality measure for bound-constrained minimization, ‖P(z − ∇f(z)) − z‖∞, which is zero exactly at
// a stationary point of f on the box (Nocedal & Wright, "Numerical Optimization", 2nd ed., 2006, §16.7,
// eq. 16.71; Conn, Gould & Toint 1988).

/// Lower and upper bounds on the optimizer's vector z; infinite entries mean "unbounded on that side".
///
/// Guarantees after `init(lower:upper:)`: equal lengths, no NaN, lower ≤ upper component-wise.
public struct BoxBounds: Sendable, Codable, Equatable {
    /// Lower bounds (−∞ allowed).
    public let lower: [Double]
    /// Upper bounds (+∞ allowed).
    public let upper: [Double]

    /// Checked bounds.
    public init(lower: [Double], upper: [Double]) throws(OptimizerError) {
        guard lower.count == upper.count else {
            throw .dimensionMismatch(what: "upper bounds", expected: lower.count, found: upper.count)
        }
        for i in lower.indices where !(lower[i] <= upper[i]) || lower[i] == .infinity || upper[i] == -.infinity {
            throw .invalidBounds(index: i, lower: lower[i], upper: upper[i])
        }
        self.lower = lower
        self.upper = upper
    }

    private enum CodingKeys: String, CodingKey { case lower, upper }

    /// Decoded bounds are checked like constructed ones.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(lower: try c.decode([Double].self, forKey: .lower), upper: try c.decode([Double].self, forKey: .upper))
    }

    /// Bounds already validated elsewhere (a `ParameterSpace`).
    init(uncheckedLower lower: [Double], upper: [Double]) {
        self.lower = lower
        self.upper = upper
    }

    /// No bounds in `dimension` variables.
    public static func unbounded(_ dimension: Int) -> BoxBounds {
        BoxBounds(uncheckedLower: Array(repeating: -.infinity, count: dimension),
                  upper: Array(repeating: .infinity, count: dimension))
    }

    /// Number of variables.
    public var dimension: Int { lower.count }

    /// P(z): z clamped into the box.
    public func project(_ z: [Double]) -> [Double] {
        var out = z
        for i in out.indices { out[i] = min(max(out[i], lower[i]), upper[i]) }
        return out
    }

    /// ‖P(z − g) − z‖∞: the projected-gradient norm, zero exactly at a first-order point on the box.
    public func projectedGradientNorm(at z: [Double], gradient g: [Double]) -> Double {
        var norm = 0.0
        for i in z.indices {
            let moved = min(max(z[i] - g[i], lower[i]), upper[i])
            norm = max(norm, abs(moved - z[i]))
        }
        return norm
    }

    /// True when every entry of z is inside the box.
    public func contains(_ z: [Double]) -> Bool {
        z.indices.allSatisfy { z[$0] >= lower[$0] && z[$0] <= upper[$0] }
    }
}

extension BoxBounds {
    /// Checks a starting point against the box before an optimizer runs: at least one parameter, one
    /// bound pair per parameter, finite values.
    func validateStart(_ start: [Double]) throws {
        guard !start.isEmpty else { throw OptimizerError.noFreeParameters }
        guard dimension == start.count else {
            throw OptimizerError.dimensionMismatch(what: "bounds", expected: start.count, found: dimension)
        }
        if let bad = start.firstIndex(where: { !$0.isFinite }) { throw OptimizerError.nonFiniteStart(index: bad) }
    }
}
