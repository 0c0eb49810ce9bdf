import Bilevel

/// `calibrate gradcheck CASE`: the adjoint gradient and the sensitivity Jacobian against central
/// finite differences, and the Taylor remainder test, at the initial parameters.
enum GradCheckCommand {
    /// Relative agreement required between the exact derivatives and finite differences.
    static let tolerance = 1e-5

    static func execute(_ caseArgument: String, values: [(String, Double)], console: Console) throws -> Int32 {
        let (loaded, data) = try CommandSupport.load(caseArgument, console: console, readData: true)
        let space = loaded.space
        guard space.freeCount > 0 else { throw CaseError("every parameter is fixed; there is no gradient to check") }
        let fit = try FitProblem(loaded, data: data!)
        let theta = try loaded.parameters(with: values, option: "--set")
        let z = try space.transformed(from: theta)
        let objective = fit.objectiveFunction
        let residuals = fit.residualFunction
        func failed(_ at: [Double]) -> CaseError {
            CaseError("the model could not be solved at " + Prediction.describe((try? space.physical(from: at)) ?? theta, space.names)
                      + " while checking the gradient; choose other parameters with --set")
        }
        guard let base = try objective(z) else { throw failed(z) }
        let f: ([Double]) throws -> Double = { x in
            guard let e = try objective(x) else { throw failed(x) }
            return e.value
        }
        console.print("gradient check at " + Prediction.describe(theta, space.names) + "; objective \(Analysis.sig(base.value))")
        let fd = try FiniteDifference.gradient(of: f, at: z)
        let scale = fd.map(abs).max() ?? 0
        var ok = true
        console.print("  parameter            adjoint      finite difference   relative difference")
        for k in z.indices {
            let difference = abs(base.gradient[k] - fd[k]) / max(abs(fd[k]), 1e-3 * scale, 1e-300)
            if difference > tolerance { ok = false }
            console.print("  " + ProgressLine.pad(space.transformedName(ofFree: k), 12) + "  " + ProgressLine.pad(String(format: "%.9e", base.gradient[k]), 18)
                          + "  " + ProgressLine.pad(String(format: "%.9e", fd[k]), 18) + "  " + ProgressLine.pad(String(format: "%.2e", difference), 12)
                          + (difference > tolerance ? "  MISMATCH" : ""))
        }
        // The residual Jacobian (forward sensitivities) against finite differences of the residuals.
        guard let r = try residuals(z, true), let j = r.jacobian else { throw failed(z) }
        let fdJ = try FiniteDifference.jacobian(of: { x in
            guard let e = try residuals(x, false) else { throw failed(x) }
            return e.residuals
        }, at: z)
        var worst = 0.0
        let jScale = fdJ.values.map(abs).max() ?? 0
        for i in 0 ..< j.rows { for k in 0 ..< j.columns {
            worst = max(worst, abs(j[i, k] - fdJ[i, k]) / max(abs(fdJ[i, k]), 1e-3 * jScale, 1e-300))
        } }
        if worst > tolerance { ok = false }
        console.print("sensitivity Jacobian (\(j.rows) × \(j.columns)) against finite differences: largest relative difference "
                      + String(format: "%.2e", worst) + (worst > tolerance ? " — MISMATCH" : ""))
        // The Taylor test's largest steps may leave the equilibrium branch (the evaluation is then rejected as
        // a branch jump); such points are skipped (NaN) rather than ending the check.
        let taylor = try TaylorTest.run({ x in try objective(x)?.value ?? .nan }, at: z, gradient: base.gradient)
        if !taylor.passed { ok = false }
        console.print(taylor.summary)
        console.print(ok ? "gradient check passed" : "gradient check FAILED (tolerance \(tolerance))")
        return ok ? ExitStatus.success : ExitStatus.notConverged
    }
}
