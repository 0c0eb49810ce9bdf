import Bilevel

/// `calibrate gradcheck CASE`: the adjoint gradient and the sensitivity Jacobian against central
/// finite differences (Richardson-extrapolated, with their error estimate), and the Taylor remainder
/// test, at the initial parameters (or those given with --set). A derivative disagrees only when it is
/// off by more than the tolerance and by more than twice the finite difference's own error estimate:
/// at a fitted point a stiff parameter's difference can be wrong in its second digit.
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
        let fd = try FiniteDifference.extrapolatedGradient(of: f, at: z)
        let scale = fd.value.map(abs).max() ?? 0
        // A component far smaller than the others (at a fitted point, a sum Jᵀr that cancels) is compared
        // relative to a floor: 10⁻³ of the largest component, or the gap at which Dennis & Schnabel's
        // relative gradient |Δg_k|·s_k/max(|f|, 1) reaches the termination policy's tolerance (10⁻⁶; a
        // gradient that small counts as zero, so a smaller gap cannot change a result). The Taylor test
        // below checks the whole gradient to 10⁻⁴ whatever the size of f.
        let scales = space.optimalityScales
        let negligible = TerminationPolicy().relativeGradientTolerance / tolerance
        func floor(_ k: Int) -> Double { max(1e-3 * scale, negligible * max(abs(base.value), 1) / scales[k]) }
        var ok = true
        console.print("  parameter            adjoint      finite difference   ± its error       relative difference")
        for k in z.indices {
            let exact = base.gradient[k], difference = fd.value[k], error = fd.error[k]
            let agrees = FiniteDifference.agrees(exact: exact, difference: difference, error: error, tolerance: tolerance, floor: floor(k))
            if !agrees { ok = false }
            let relative = abs(exact - difference) / max(abs(difference), floor(k), 1e-300)
            console.print("  " + ProgressLine.pad(space.transformedName(ofFree: k), 12) + "  " + ProgressLine.pad(String(format: "%.9e", exact), 18)
                          + "  " + ProgressLine.pad(String(format: "%.9e", difference), 18) + "  " + ProgressLine.pad(String(format: "%.1e", error), 9)
                          + "  " + ProgressLine.pad(String(format: "%.2e", relative), 12) + (agrees ? "" : "  MISMATCH"))
        }
        // The residual Jacobian (forward sensitivities) against finite differences of the residuals.
        guard let r = try residuals(z, true), let j = r.jacobian else { throw failed(z) }
        let fdJ = try FiniteDifference.extrapolatedJacobian(of: { x in
            guard let e = try residuals(x, false) else { throw failed(x) }
            return e.residuals
        }, at: z)
        var worst = 0.0, disagreeing = 0
        let jScale = fdJ.value.values.map(abs).max() ?? 0
        for i in 0 ..< j.rows { for k in 0 ..< j.columns {
            let difference = fdJ.value[i, k]
            worst = max(worst, abs(j[i, k] - difference) / max(abs(difference), 1e-3 * jScale, 1e-300))
            if !FiniteDifference.agrees(exact: j[i, k], difference: difference, error: fdJ.error[i, k], tolerance: tolerance,
                                        floor: 1e-3 * jScale) { disagreeing += 1 }
        } }
        if disagreeing > 0 { ok = false }
        console.print("sensitivity Jacobian (\(j.rows) × \(j.columns)) against finite differences: largest relative difference "
                      + String(format: "%.2e", worst)
                      + (disagreeing > 0 ? " — MISMATCH in \(disagreeing) entries (beyond both the tolerance and twice the differences' error)"
                                         : worst > tolerance ? " (within the finite differences' own error)" : ""))
        // The Taylor test's largest steps may leave the equilibrium branch (the evaluation is then rejected as
        // a branch jump); such points are skipped (NaN) rather than ending the check.
        let taylor = try TaylorTest.run({ x in try objective(x)?.value ?? .nan }, at: z, gradient: base.gradient)
        if !taylor.passed { ok = false }
        console.print(taylor.summary)
        console.print(ok ? "gradient check passed" : "gradient check FAILED (tolerance \(tolerance))")
        return ok ? ExitStatus.success : ExitStatus.notConverged
    }
}
