// Central finite differences: ∂f/∂z_i ≈ (f(z + h_i e_i) − f(z − h_i e_i)) / (2 h_i), truncation error
// O(h²) and round-off error O(ε|f|/h); balancing gives h ≈ ε^{1/3}·scale (Nocedal & Wright, "Numerical
// Optimization", 2nd ed. 2006, §8.1, eq. 8.9). Here h_i = relativeStep·max(|z_i|, 1), with
// relativeStep = ε^{1/3} ≈ 6.1e-6 by default. The actual difference (z_i + h) − (z_i − h) is used in the
// denominator so that rounding of z_i ± h does not bias the result. Points may leave the box: pass a
// smaller step near bounds where the model is undefined.

import Foundation

/// Finite-difference derivatives for checking gradients and Jacobians (not for production use:
/// 2p evaluations per gradient and only ~10 correct digits).
public enum FiniteDifference {
    /// ε^{1/3}, the default relative step.
    public static let defaultRelativeStep = cbrt(Double.ulpOfOne)

    /// Central-difference gradient of f at z.
    public static func gradient(of f: ([Double]) throws -> Double, at z: [Double],
                                relativeStep: Double = defaultRelativeStep) rethrows -> [Double] {
        // The one-row Jacobian: the same differences, in the same order.
        let j = try jacobian(of: { [try f($0)] }, at: z, relativeStep: relativeStep)
        return z.indices.map { j[0, $0] }
    }

    /// Central-difference Jacobian (m × p) of a vector function r(z).
    public static func jacobian(of r: ([Double]) throws -> [Double], at z: [Double],
                                relativeStep: Double = defaultRelativeStep) rethrows -> DenseMatrix {
        var columns: [[Double]] = []
        var x = z
        for i in z.indices {
            let h = relativeStep * max(abs(z[i]), 1)
            x[i] = z[i] + h
            let up = x[i]
            let rp = try r(x)
            x[i] = z[i] - h
            let down = x[i]
            let rm = try r(x)
            x[i] = z[i]
            columns.append(zip(rp, rm).map { ($0 - $1) / (up - down) })
        }
        let m = columns.first?.count ?? 0
        var j = DenseMatrix(rows: m, columns: z.count)
        for (i, column) in columns.enumerated() { for row in 0 ..< m { j[row, i] = column[row] } }
        return j
    }
}
