// Cholesky factorization M = L Lᵀ of a small symmetric positive-definite matrix and the solve
// M x = b by forward and back substitution (Golub & Van Loan, "Matrix Computations", 4th ed. 2013,
// Alg. 4.2.1). p ≤ a few tens here, so a hand-written O(p³/3) loop beats a LAPACK round trip and keeps
// the optimizer free of C calls.

enum DenseCholesky {
    /// x with M x = b, or nil when M is not numerically positive definite: a pivot is not finite or
    /// has lost all significant digits (≤ 64 ε times the original diagonal entry).
    static func solve(_ m: DenseMatrix, _ b: [Double]) -> [Double]? {
        let n = m.rows
        precondition(m.columns == n && b.count == n, "Cholesky solve needs a square matrix and a matching vector")
        var l = m.values
        for j in 0 ..< n {
            var d = l[j * n + j]
            for k in 0 ..< j { d -= l[j * n + k] * l[j * n + k] }
            guard d.isFinite, d > 64 * Double.ulpOfOne * abs(m[j, j]), d > 0 else { return nil }
            let pivot = d.squareRoot()
            l[j * n + j] = pivot
            for i in (j + 1) ..< max(j + 1, n) {
                var s = l[i * n + j]
                for k in 0 ..< j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / pivot
            }
        }
        var y = b
        for i in 0 ..< n {
            var s = y[i]
            for k in 0 ..< i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1) ..< max(i + 1, n) { s -= l[k * n + i] * y[k] }
            y[i] = s / l[i * n + i]
        }
        return y
    }
}
