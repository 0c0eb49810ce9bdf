// Linearized (Gauss–Newton) uncertainty of a weighted least-squares estimate (Seber & Wild, "Nonlinear
// Regression", Wiley 1989, §2.1–2.3 and §5.2; Bates & Watts 1988, §2.3).
//
// With weighted residuals r (m), Jacobian J (m × p) at the optimum ẑ:
//   χ² = rᵀr, s² = χ²/(m − p),
//   information  H = JᵀJ/c + J_πᵀJ_π,  c = 1 (absolute σ) or s² (relative σ), J_π the prior rows (optional),
//   Cov(z) = H⁻¹ = c (JᵀJ + c J_πᵀJ_π)⁻¹,  se_k = √Cov_kk,  interval ẑ_k ± t_{(1+γ)/2, m−p} se_k (γ the confidence level),
//   Cov(θ) = D Cov(z) D, D = diag(dθ/dz) (delta method); θ-intervals are the z-intervals mapped through
//   θ(z), so log-parameters get asymmetric, positive intervals.
// H is inverted through the eigen-decomposition of S H S (S = diag(1/√H_kk)): eigenvalues below
// τ·λ_max (τ = identifiabilityThreshold) are dropped (pseudo-inverse), and parameters with a component
// above `involvementThreshold` in the dropped eigenspace get infinite standard errors — a singular JᵀJ
// never produces a crash or an unexplained NaN. The identifiability diagnostic decomposes the data part
// JᵀJ (scaled per `IdentifiabilityScaling`); a dropped eigenvector v corresponds to the direction
// δz ∝ S v along which the residuals do not change to first order.

import Foundation
import Sparse

/// Computes `UncertaintyReport`s from residuals and Jacobians at an optimum.
public enum UncertaintyAnalysis {
    /// The report for data residuals `residuals` (already weighted) and their Jacobian w.r.t. the free z
    /// of `space`, at `z`. Pass data rows only: priors are added by `options.includePrior`.
    public static func analyze(residuals r: [Double], jacobian j: DenseMatrix, at z: [Double], space: ParameterSpace,
                               options: UncertaintyOptions = UncertaintyOptions()) throws(UncertaintyError) -> UncertaintyReport {
        try options.validate()
        let p = space.freeCount, m = r.count
        guard z.count == p else { throw .dimensionMismatch(what: "z", expected: p, found: z.count) }
        guard j.rows == m else { throw .dimensionMismatch(what: "Jacobian rows", expected: m, found: j.rows) }
        guard j.columns == p else { throw .dimensionMismatch(what: "Jacobian columns", expected: p, found: j.columns) }
        guard p > 0, m > p else { throw .tooFewResiduals(residuals: m, parameters: p) }
        guard r.allSatisfy(\.isFinite) else { throw .notFinite("the residual vector") }
        guard j.isFinite else { throw .notFinite("the Jacobian") }
        guard z.allSatisfy(\.isFinite) else { throw .notFinite("the parameter vector z") }

        let chi2 = r.reduce(0) { $0 + $1 * $1 }
        let dof = m - p
        let s2 = chi2 / Double(dof)
        let data = j.gram()
        // (JᵀJ/c + J_πᵀJ_π)⁻¹ = c (JᵀJ + c J_πᵀJ_π)⁻¹: no division, so a perfect fit (s² = 0) gives Cov = 0.
        let factor = options.errorScale == .relative ? s2 : 1
        var information = data
        if options.includePrior {
            let prior: PriorResiduals
            do { prior = try space.priorResiduals(at: z) } catch { throw .parameter(error) }
            let g = prior.jacobian.gram()
            for a in 0 ..< p { for b in 0 ..< p { information[a, b] += factor * g[a, b] } }
        }
        var (covariance, determined) = try pseudoInverse(information, z: z, space: space, options: options)
        for a in 0 ..< p { for b in 0 ..< p { covariance[a, b] *= factor } }
        let theta: [Double], covTheta: DenseMatrix
        do {
            let full = try space.physical(from: z)
            theta = space.freeIndices.map { full[$0] }
            covTheta = try space.covarianceInPhysical(covariance, at: z)
        } catch { throw .parameter(error) }

        let q = options.useStudentT
            ? StudentT.quantile((1 + options.confidenceLevel) / 2, degreesOfFreedom: Double(dof))
            : StudentT.normalQuantile((1 + options.confidenceLevel) / 2)
        let transforms = space.freeParameters.map(\.transform)
        var seZ = [Double](), seTheta = [Double](), intZ = [ConfidenceInterval](), intTheta = [ConfidenceInterval]()
        for k in 0 ..< p {
            let se = determined[k] ? max(covariance[k, k], 0).squareRoot() : .infinity
            seZ.append(se)
            seTheta.append(determined[k] ? max(covTheta[k, k], 0).squareRoot() : .infinity)
            let interval = determined[k] ? ConfidenceInterval(lower: z[k] - q * se, upper: z[k] + q * se)
                : ConfidenceInterval(lower: -.infinity, upper: .infinity)
            intZ.append(interval)
            intTheta.append(ConfidenceInterval(lower: transforms[k].physical(interval.lower),
                                               upper: transforms[k].physical(interval.upper)))
        }
        var correlation = DenseMatrix(rows: p, columns: p)
        for a in 0 ..< p {
            for b in 0 ..< p {
                correlation[a, b] = determined[a] && determined[b]
                    ? (a == b ? 1 : covariance[a, b] / (seZ[a] * seZ[b])) : .nan
            }
        }
        let identifiability = try diagnose(data, z: z, space: space, options: options)
        return UncertaintyReport(
            names: space.freeNames, transformedNames: (0 ..< p).map(space.transformedName(ofFree:)), transforms: transforms,
            estimateTransformed: z, estimatePhysical: theta, errorScale: options.errorScale, includesPrior: options.includePrior,
            residualCount: m, parameterCount: p, degreesOfFreedom: dof, chiSquared: chi2, residualVariance: s2,
            reducedChiSquared: s2, weightedRMS: (chi2 / Double(m)).squareRoot(), covarianceTransformed: covariance,
            covariancePhysical: covTheta, isPseudoInverse: determined.contains(false), standardErrorsTransformed: seZ,
            standardErrorsPhysical: seTheta, confidenceLevel: options.confidenceLevel, quantile: q,
            intervalsTransformed: intZ, intervalsPhysical: intTheta, correlation: correlation,
            undetermined: (0 ..< p).filter { !determined[$0] }.map { space.freeNames[$0] }, identifiability: identifiability)
    }

    /// The report at the end of a least-squares run. `priorRows` trailing rows (prior residuals appended
    /// by `ParameterSpace.withPrior`) are removed first; set `options.includePrior` to count the priors.
    public static func analyze(_ result: OptimizationResult, space: ParameterSpace, priorRows: Int = 0,
                               options: UncertaintyOptions = UncertaintyOptions()) throws(UncertaintyError) -> UncertaintyReport {
        guard let r = result.residuals, let j = result.jacobian else {
            throw .invalidOption("the optimization result has no residuals or Jacobian; use a least-squares optimizer's result")
        }
        guard priorRows >= 0, priorRows < r.count else {
            throw .dimensionMismatch(what: "prior rows to remove", expected: space.priorCount, found: priorRows)
        }
        let m = r.count - priorRows
        let data = DenseMatrix(rows: m, columns: j.columns, values: Array(j.values[0 ..< m * j.columns]))
        return try analyze(residuals: Array(r[0 ..< m]), jacobian: data, at: result.z, space: space, options: options)
    }

    /// Scale factors: 1/√A_kk for `.unitDiagonal` (1 where A_kk = 0), |θ_k|/(dθ_k/dz_k) for
    /// `.relativeSensitivity` (1 where θ_k = 0), 1 for `.none`.
    private static func scaleFactors(_ a: DenseMatrix, _ scaling: IdentifiabilityScaling, z: [Double],
                                     space: ParameterSpace) throws(UncertaintyError) -> [Double] {
        switch scaling {
        case .none:
            return [Double](repeating: 1, count: a.rows)
        case .unitDiagonal:
            return a.diagonal.map { $0 > 0 ? 1 / $0.squareRoot() : 1 }
        case .relativeSensitivity:
            do {
                let theta = try space.physical(from: z), derivative = try space.physicalDerivative(at: z)
                return space.freeIndices.enumerated().map { k, i in
                    theta[i] != 0 && derivative[k] != 0 ? abs(theta[i] / derivative[k]) : 1
                }
            } catch { throw .parameter(error) }
        }
    }

    /// Eigenvalues at or below this are treated as zero (not determined by the data).
    private static func cutoff(_ eigenvalues: [Double], _ scaling: IdentifiabilityScaling, _ options: UncertaintyOptions) -> Double {
        let relative = options.identifiabilityThreshold * max(eigenvalues.last ?? 0, 0)
        return scaling == .relativeSensitivity ? max(relative, options.absoluteIdentifiabilityThreshold) : relative
    }

    private static func eigen(of a: DenseMatrix, scale s: [Double]) throws(UncertaintyError) -> SymmetricEigen {
        let n = a.rows
        var scaled = a
        for i in 0 ..< n { for k in 0 ..< n { scaled[i, k] = s[i] * a[i, k] * s[k] } }
        do { return try SymmetricEigen(symmetric: scaled.values, dimension: n) } catch { throw .eigen(error) }
    }

    /// H⁻¹ (or its pseudo-inverse) and which parameters are determined.
    private static func pseudoInverse(_ h: DenseMatrix, z: [Double], space: ParameterSpace,
                                      options: UncertaintyOptions) throws(UncertaintyError) -> (DenseMatrix, [Bool]) {
        let p = h.rows
        let scaling = options.scaling == .none ? IdentifiabilityScaling.unitDiagonal : options.scaling
        let s = try scaleFactors(h, scaling, z: z, space: space)
        let e = try eigen(of: h, scale: s)
        let cutoff = cutoff(e.eigenvalues, scaling, options)
        var inverse = DenseMatrix(rows: p, columns: p)
        var nullWeight = [Double](repeating: 0, count: p)
        for k in 0 ..< p {
            let v = e.eigenvector(k)
            let lambda = e.eigenvalues[k]
            if lambda <= cutoff || lambda <= 0 {
                for i in 0 ..< p { nullWeight[i] += v[i] * v[i] }
                continue
            }
            for a in 0 ..< p { for b in 0 ... a { inverse[a, b] += s[a] * v[a] * v[b] * s[b] / lambda } }
        }
        for a in 0 ..< p { for b in 0 ..< a { inverse[b, a] = inverse[a, b] } }
        let limit = options.involvementThreshold * options.involvementThreshold
        return (inverse, nullWeight.map { $0 <= limit })
    }

    private static func diagnose(_ data: DenseMatrix, z: [Double], space: ParameterSpace,
                                 options: UncertaintyOptions) throws(UncertaintyError) -> IdentifiabilityDiagnostic {
        let p = data.rows
        let s = try scaleFactors(data, options.scaling, z: z, space: space)
        let e = try eigen(of: data, scale: s)
        let largest = max(e.eigenvalues.last ?? 0, 0)
        let limit = cutoff(e.eigenvalues, options.scaling, options)
        let smallest = e.eigenvalues.first ?? 0
        var vectors = DenseMatrix(rows: p, columns: p)
        for k in 0 ..< p { for i in 0 ..< p { vectors[i, k] = e.vectors[k * p + i] } }
        var combinations: [ParameterCombination] = []
        for k in 0 ..< p {
            let relative = largest > 0 ? e.eigenvalues[k] / largest : 0
            guard e.eigenvalues[k] <= limit || relative < options.identifiabilityThreshold else { continue }
            combinations.append(combination(direction: (0 ..< p).map { s[$0] * e.vectors[k * p + $0] },
                                            eigenvalue: e.eigenvalues[k], relative: relative, space: space))
        }
        return IdentifiabilityDiagnostic(
            scaling: options.scaling, scaleFactors: s, eigenvalues: e.eigenvalues, eigenvectors: vectors,
            conditionNumber: smallest > 0 ? largest / smallest : .infinity, threshold: options.identifiabilityThreshold,
            unidentifiable: combinations)
    }

    /// A described undetermined combination for the z-direction `direction`.
    static func combination(direction: [Double], eigenvalue: Double, relative: Double, space: ParameterSpace) -> ParameterCombination {
        let length = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var c = direction.map { length > 0 ? $0 / length : 0 }
        let involved = c.indices.filter { abs(c[$0]) >= 0.05 }
        // The sign of an eigenvector is arbitrary: make the first named term positive, as one would write it.
        if let first = involved.first, c[first] < 0 { c = c.map { -$0 } }
        var text = ""
        for (n, k) in involved.enumerated() {
            let magnitude = String(format: "%.2f", abs(c[k]))
            let term = "\(magnitude)·\(space.transformedName(ofFree: k))"
            text += n == 0 ? (c[k] < 0 ? "−" : "") + term : (c[k] < 0 ? " − " : " + ") + term
        }
        let names = involved.map { space.freeNames[$0] }
        let subject = names.count <= 1 ? (names.first ?? "?")
            : names.dropLast().joined(separator: ", ") + " and " + names.last!
        let description = "\(subject): \(text) is not determined by the data (eigenvalue ratio \(outerFormat(max(relative, 0))))"
        return ParameterCombination(eigenvalue: eigenvalue, relativeEigenvalue: relative, coefficients: c,
                                    parameters: names, description: description)
    }
}
