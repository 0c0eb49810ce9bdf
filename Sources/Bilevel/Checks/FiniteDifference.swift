// Central finite differences: ∂f/∂z_i ≈ (f(z + h_i e_i) − f(z − h_i e_i)) / (2 h_i), truncation error
// O(h²) and round-off error O(ε|f|/h); balancing gives h ≈ ε^{1/3}·scale (Nocedal & Wright, "Numerical
// Optimization", 2nd ed. 2006, §8.1, eq. 8.9). Here h_i = relativeStep·max(|z_i|, 1), with
// relativeStep = ε^{1/3} ≈ 6.1e-6 by default. The actual difference (z_i + h) − (z_i − h) is used in the
// denominator so that rounding of z_i ± h does not bias the result. Points may leave the box: pass a
// smaller step near bounds where the model is undefined.
//
// Richardson extrapolation (ibid. §8.1; Dahlquist & Björck, "Numerical Methods", 1974, §7.2): with
// D(h) = f′ + c h² + O(h⁴), the combination (4 D(h/2) − D(h))/3 cancels the h² term, and
// |D(h/2) − D(h)|/3 estimates the error c h²/4 of D(h/2). Round-off, and the noise of an inner solve
// stopped at its tolerance, make D(h) and D(h/2) differ too, so the estimate grows where those dominate:
// it tells a check how far finite differences can be trusted at this point (a stiff parameter's
// third derivative, or a large objective near its minimum, can make them wrong in the second digit).

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

    /// A Richardson-extrapolated central difference and its error estimate, entry by entry.
    public struct Extrapolated: Sendable {
        /// (4 D(h/2) − D(h))/3.
        public var value: DenseMatrix
        /// |D(h/2) − D(h)|/3 (≥ 0): the estimated error of D(h/2), a bound on the extrapolated value's
        /// error wherever truncation or noise dominates it.
        public var error: DenseMatrix
    }

    /// Central-difference Jacobian of r at steps h and h/2 (4p evaluations), extrapolated, with its
    /// error estimate.
    public static func extrapolatedJacobian(of r: ([Double]) throws -> [Double], at z: [Double],
                                            relativeStep: Double = defaultRelativeStep) rethrows -> Extrapolated {
        let coarse = try jacobian(of: r, at: z, relativeStep: relativeStep)
        let fine = try jacobian(of: r, at: z, relativeStep: relativeStep / 2)
        let pairs = zip(fine.values, coarse.values)
        return Extrapolated(value: DenseMatrix(rows: fine.rows, columns: fine.columns, values: pairs.map { (4 * $0 - $1) / 3 }),
                            error: DenseMatrix(rows: fine.rows, columns: fine.columns, values: pairs.map { abs($0 - $1) / 3 }))
    }

    /// The extrapolated central-difference gradient of f (the one-row case of `extrapolatedJacobian`).
    public static func extrapolatedGradient(of f: ([Double]) throws -> Double, at z: [Double],
                                            relativeStep: Double = defaultRelativeStep) rethrows -> (value: [Double], error: [Double]) {
        let e = try extrapolatedJacobian(of: { [try f($0)] }, at: z, relativeStep: relativeStep)
        return (z.indices.map { e.value[0, $0] }, z.indices.map { e.error[0, $0] })
    }

    /// Whether an exact derivative agrees with an extrapolated difference: within `tolerance` relative to
    /// max(|difference|, floor), or within twice the difference's own error estimate (beyond which the
    /// finite difference, not the exact derivative, is the doubtful one).
    public static func agrees(exact: Double, difference: Double, error: Double, tolerance: Double, floor: Double) -> Bool {
        let gap = abs(exact - difference)
        return gap <= tolerance * max(abs(difference), floor, 1e-300) || gap <= 2 * error
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
