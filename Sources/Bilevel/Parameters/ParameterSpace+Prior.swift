// Gaussian priors as extra least-squares residuals. An independent prior θ_i ~ N(μ_i, s_i²) adds
// −log p = ½ ((θ_i − μ_i)/s_i)² to the misfit ½‖r‖², i.e. one residual
//     r_prior,i = (θ_i(z) − μ_i)/s_i,   ∂r_prior,i/∂z_k = δ_ik (dθ_i/dz_i)/s_i,
// so the minimizer of the augmented sum of squares is the maximum a posteriori estimate and the augmented
// Gauss–Newton matrix is the posterior information (Tarantola, "Inverse Problem Theory", SIAM 2005, §3.2).
// Priors are in physical units; for a log-transformed parameter the residual is nonlinear in z.
// Priors on fixed parameters are constant and are skipped.

/// Prior residuals and their Jacobian rows, to be appended below the data residuals.
public struct PriorResiduals: Sendable, Equatable {
    /// (θ_i − μ_i)/s_i for each free parameter with a prior, in z order.
    public var residuals: [Double]
    /// One row per prior residual, p columns.
    public var jacobian: DenseMatrix
    /// Names of the parameters, one per row.
    public var names: [String]
}

extension ParameterSpace {
    /// Number of free parameters carrying a prior (rows added by `priorResiduals(at:)`).
    public var priorCount: Int { freeIndices.filter { parameters[$0].prior != nil }.count }

    /// The prior residuals and Jacobian rows at z.
    public func priorResiduals(at z: [Double]) throws(ParameterError) -> PriorResiduals {
        let d = try physicalDerivative(at: z)
        var residuals: [Double] = []
        var rows: [Double] = []
        var names: [String] = []
        for (k, i) in freeIndices.enumerated() {
            guard let prior = parameters[i].prior else { continue }
            let theta = parameters[i].transform.physical(z[k])
            residuals.append((theta - prior.mean) / prior.standardDeviation)
            var row = [Double](repeating: 0, count: freeCount)
            row[k] = d[k] / prior.standardDeviation
            rows.append(contentsOf: row)
            names.append(parameters[i].name)
        }
        return PriorResiduals(residuals: residuals, jacobian: DenseMatrix(rows: residuals.count, columns: freeCount, values: rows),
                              names: names)
    }

    /// `evaluation` with the prior residuals (and, if it has a Jacobian, their rows) appended.
    public func appendingPrior(to evaluation: ResidualEvaluation, at z: [Double]) throws(ParameterError) -> ResidualEvaluation {
        let prior = try priorResiduals(at: z)
        var out = evaluation
        out.residuals += prior.residuals
        if let j = evaluation.jacobian {
            guard j.columns == freeCount else {
                throw .dimensionMismatch(what: "residual Jacobian (columns)", expected: freeCount, found: j.columns)
            }
            out.jacobian = j.appendingRows(of: prior.jacobian)
        }
        return out
    }

    /// A residual function whose results carry the prior residuals after the data residuals. A nil
    /// (failed) evaluation stays nil.
    public func withPrior(_ residuals: @escaping ResidualFunction) -> ResidualFunction {
        { z, needJacobian in
            guard let e = try residuals(z, needJacobian) else { return nil }
            return try self.appendingPrior(to: e, at: z)
        }
    }
}
