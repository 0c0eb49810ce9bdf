import Bilevel
import Foundation
import Sparse
import Testing

@Suite("Uncertainty at the optimum")
struct UncertaintyTests {
    /// y = a + b x with individual known σ_i: the residual Jacobian is X/σ.
    @Test func linearRegressionMatchesTheTextbookCovariance() throws {
        let x = [0.0, 1, 2, 3, 4, 5, 6, 7]
        let sigma = [0.5, 0.4, 0.6, 0.5, 0.3, 0.5, 0.7, 0.4]
        let y = [1.1, 2.9, 5.2, 6.8, 9.1, 11.2, 12.7, 15.1]
        let space = try ParameterSpace([Parameter(name: "a", initial: 0), Parameter(name: "b", initial: 0)])
        let f: ResidualFunction = { z, _ in
            var j = DenseMatrix(rows: x.count, columns: 2)
            for i in x.indices { j[i, 0] = 1 / sigma[i]; j[i, 1] = x[i] / sigma[i] }
            return ResidualEvaluation(residuals: x.indices.map { (z[0] + z[1] * x[$0] - y[$0]) / sigma[$0] }, jacobian: j)
        }
        let fit = try LevenbergMarquardt().minimize(f, in: space)
        var options = UncertaintyOptions()
        options.errorScale = .absolute
        let report = try UncertaintyAnalysis.analyze(fit, space: space, options: options)

        // (XᵀWX)⁻¹ by the closed form for a straight line.
        let w = sigma.map { 1 / ($0 * $0) }
        let s = w.reduce(0, +), sx = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 }
        let sxx = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }
        let delta = s * sxx - sx * sx
        let expected = [[sxx / delta, -sx / delta], [-sx / delta, s / delta]]
        for a in 0 ..< 2 {
            for b in 0 ..< 2 {
                #expect(abs(report.covarianceTransformed[a, b] - expected[a][b]) <= 1e-13 * abs(expected[a][b]))
                #expect(report.covariancePhysical[a, b] == report.covarianceTransformed[a, b])
            }
        }
        let se = [sqrt(expected[0][0]), sqrt(expected[1][1])]
        let t = StudentT.quantile(0.975, degreesOfFreedom: 6)
        #expect(abs(t - 2.446912) < 1e-6)
        #expect(report.quantile == t && report.degreesOfFreedom == 6)
        for k in 0 ..< 2 {
            #expect(abs(report.standardErrorsTransformed[k] - se[k]) <= 1e-13 * se[k])
            #expect(abs(report.intervalsPhysical[k].lower - (fit.z[k] - t * se[k])) <= 1e-12)
            #expect(abs(report.intervalsPhysical[k].upper - (fit.z[k] + t * se[k])) <= 1e-12)
        }
        let rho = expected[0][1] / (se[0] * se[1])
        #expect(abs(report.correlation[0, 1] - rho) < 1e-13 && report.correlation[0, 0] == 1)
        let chi2 = fit.residuals!.reduce(0) { $0 + $1 * $1 }
        #expect(abs(report.chiSquared - chi2) < 1e-12 && abs(report.reducedChiSquared - chi2 / 6) < 1e-12)
        #expect(abs(report.weightedRMS - sqrt(chi2 / 8)) < 1e-12)
        #expect(report.unidentifiable.isEmpty && report.undetermined.isEmpty && !report.isPseudoInverse)

        // Relative σ scales the same matrix by s² = χ²/(m − p).
        let relative = try UncertaintyAnalysis.analyze(fit, space: space)
        #expect(abs(relative.covarianceTransformed[1, 1] - chi2 / 6 * expected[1][1]) <= 1e-12 * expected[1][1])
        #expect(abs(relative.correlation[0, 1] - report.correlation[0, 1]) < 1e-15)
        let normal = try UncertaintyAnalysis.analyze(fit, space: space, options: { var o = options; o.useStudentT = false; return o }())
        #expect(abs(normal.quantile - 1.959964) < 1e-6)
    }

    /// y = (a + b) x + c: a and b enter only through their sum.
    static func duplicatedColumn() throws -> (ParameterSpace, [Double], DenseMatrix, [Double]) {
        let space = try ParameterSpace([Parameter(name: "a", initial: 1), Parameter(name: "b", initial: 1),
                                        Parameter(name: "c", initial: 0)])
        let x = OuterTestProblems.abscissae(12)
        let y = OuterTestProblems.noisyDecay(a: 0, k: 0, x: x, sigma: 0.1, seed: 4).enumerated().map { 3 * x[$0.offset] + 1 + $0.element }
        let z = [1.4, 1.6, 1.0]
        var j = DenseMatrix(rows: x.count, columns: 3)
        for i in x.indices { j[i, 0] = x[i] / 0.1; j[i, 1] = x[i] / 0.1; j[i, 2] = 1 / 0.1 }
        let r = x.indices.map { ((z[0] + z[1]) * x[$0] + z[2] - y[$0]) / 0.1 }
        return (space, r, j, z)
    }

    @Test func aDuplicatedColumnIsReportedUnidentifiable() throws {
        let (space, r, j, z) = try Self.duplicatedColumn()
        let report = try UncertaintyAnalysis.analyze(residuals: r, jacobian: j, at: z, space: space)
        #expect(report.unidentifiable.count == 1)
        let combination = try #require(report.unidentifiable.first)
        #expect(abs(combination.coefficients[0] - sqrt(0.5)) < 1e-8)
        #expect(abs(combination.coefficients[1] + sqrt(0.5)) < 1e-8)
        #expect(abs(combination.coefficients[2]) < 1e-8)
        #expect(combination.parameters == ["a", "b"])
        #expect(combination.description.hasPrefix("a and b: 0.71·a − 0.71·b is not determined by the data"), "\(combination.description)")
        #expect(report.undetermined == ["a", "b"] && report.isPseudoInverse)
        #expect(report.standardErrorsTransformed[0] == .infinity && report.standardErrorsPhysical[1] == .infinity)
        #expect(report.intervalsPhysical[0] == ConfidenceInterval(lower: -.infinity, upper: .infinity))
        #expect(report.standardErrorsTransformed[2].isFinite && report.standardErrorsTransformed[2] > 0)
        #expect(report.correlation[0, 1].isNaN && report.correlation[2, 2] == 1)
        #expect(report.identifiability.conditionNumber > 1e12)
        for text in [report.briefReport, report.fullReport] {
            #expect(!text.lowercased().contains("nan"), "reports must not print NaN: \(text)")
            #expect(text.contains("undetermined"))
        }
        #expect(report.briefReport.contains("not identifiable: a and b"))

        // A prior on a resolves the sum: everything becomes finite, the data diagnosis stays.
        let withPrior = try ParameterSpace([Parameter(name: "a", initial: 1, prior: GaussianPrior(mean: 1.5, standardDeviation: 0.2)),
                                            Parameter(name: "b", initial: 1), Parameter(name: "c", initial: 0)])
        var options = UncertaintyOptions()
        options.includePrior = true
        let posterior = try UncertaintyAnalysis.analyze(residuals: r, jacobian: j, at: z, space: withPrior, options: options)
        #expect(posterior.undetermined.isEmpty && posterior.standardErrorsTransformed.allSatisfy(\.isFinite))
        #expect(abs(posterior.standardErrorsTransformed[0] - 0.2) < 1e-3, "a is known from its prior only")
        #expect(posterior.unidentifiable.count == 1)
    }

    @Test func logTransformedIntervalsArePositiveAndAsymmetric() throws {
        let space = try ParameterSpace([Parameter(name: "A", initial: 1, lower: 1e-3, upper: 1e3, transform: .log),
                                        Parameter(name: "k", initial: 0.5, lower: 1e-3, upper: 1e3, transform: .log)])
        let x = OuterTestProblems.abscissae(10)
        let y = OuterTestProblems.noisyDecay(a: 2, k: 1.5, x: x, sigma: 0.2, seed: 11)
        let fit = try LevenbergMarquardt().minimize(OuterTestProblems.logDecayResiduals(space: space, x: x, y: y, sigma: 0.2), in: space)
        #expect(fit.status.isConverged)
        let report = try UncertaintyAnalysis.analyze(fit, space: space)
        for k in 0 ..< 2 {
            let theta = report.estimatePhysical[k], interval = report.intervalsPhysical[k]
            #expect(interval.lower > 0 && interval.lower < theta && theta < interval.upper)
            #expect((interval.upper - theta) > (theta - interval.lower) * 1.01, "log intervals are skewed upward")
            #expect(abs(interval.lower - exp(report.intervalsTransformed[k].lower)) <= 1e-14 * interval.upper)
            // Delta method: se(θ) = θ·se(log θ).
            #expect(abs(report.standardErrorsPhysical[k] - theta * report.standardErrorsTransformed[k]) <= 1e-12 * theta)
        }
        #expect(report.transformedNames == ["log A", "log k"])
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        #expect(try decoder.decode(UncertaintyReport.self, from: encoder.encode(report)) == report)
    }

    @Test func inputsAreChecked() throws {
        let (space, r, j, z) = try Self.duplicatedColumn()
        #expect(throws: UncertaintyError.tooFewResiduals(residuals: 3, parameters: 3)) {
            try UncertaintyAnalysis.analyze(residuals: Array(r[0 ..< 3]),
                                            jacobian: DenseMatrix(rows: 3, columns: 3, values: Array(j.values[0 ..< 9])), at: z, space: space)
        }
        var bad = r
        bad[2] = .nan
        #expect(throws: UncertaintyError.notFinite("the residual vector")) {
            try UncertaintyAnalysis.analyze(residuals: bad, jacobian: j, at: z, space: space)
        }
        var options = UncertaintyOptions()
        options.confidenceLevel = 1
        #expect(throws: UncertaintyError.self) { try UncertaintyAnalysis.analyze(residuals: r, jacobian: j, at: z, space: space, options: options) }
    }

    @Test func symmetricEigenWrapsLAPACK() throws {
        let e = try SymmetricEigen(symmetric: [2, 1, 0, 1, 2, 0, 0, 0, 5], dimension: 3)
        #expect(abs(e.eigenvalues[0] - 1) < 1e-14 && abs(e.eigenvalues[1] - 3) < 1e-14 && abs(e.eigenvalues[2] - 5) < 1e-14)
        let v0 = e.eigenvector(0)
        #expect(abs(abs(v0[0]) - sqrt(0.5)) < 1e-14 && abs(v0[0] + v0[1]) < 1e-14 && v0[2] == 0)
        #expect(e.eigenvector(2) == [0, 0, 1], "largest component made positive")
        #expect(throws: SymmetricEigenError.notSymmetric(row: 1, column: 0)) { try SymmetricEigen(symmetric: [1, 2, 3, 4], dimension: 2) }
        #expect(throws: SymmetricEigenError.notFinite(row: 0, column: 1)) { try SymmetricEigen(symmetric: [1, .nan, .nan, 1], dimension: 2) }
        #expect(throws: SymmetricEigenError.dimensionMismatch(dimension: 2, count: 3)) { try SymmetricEigen(symmetric: [1, 2, 3], dimension: 2) }
    }
}
