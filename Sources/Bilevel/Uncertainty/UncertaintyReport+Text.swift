import Foundation

extension UncertaintyReport {
    /// Fit statistics and one line per parameter: estimate ± standard error and confidence interval.
    public var briefReport: String {
        var lines = ["χ² = \(outerFormat(chiSquared)), dof = \(degreesOfFreedom), χ²/dof = \(outerFormat(reducedChiSquared)), "
            + "weighted RMS = \(outerFormat(weightedRMS)) (\(errorScale == .absolute ? "absolute" : "relative") σ"
            + (includesPrior ? ", with prior)" : ")") + (chiSquaredPValue.map { ", p = \(outerFormat($0))" } ?? "")]
        let level = String(format: "%g%%", confidenceLevel * 100)
        for k in names.indices {
            let se = standardErrorsPhysical[k].isFinite ? outerFormat(standardErrorsPhysical[k]) : "undetermined"
            lines.append("\(names[k]) = \(outerFormat(estimatePhysical[k])) ± \(se)  (\(level) interval "
                + "[\(outerFormat(intervalsPhysical[k].lower)), \(outerFormat(intervalsPhysical[k].upper))])")
        }
        for c in unidentifiable { lines.append("not identifiable: " + c.description) }
        return lines.joined(separator: "\n")
    }

    /// Brief report, then the transformed estimates, the correlation matrix and the eigen-analysis.
    public var fullReport: String {
        var lines = [briefReport, "",
                     "quantile \(outerFormat(quantile)) (\(degreesOfFreedom) degrees of freedom)"
                         + (isPseudoInverse ? "; information matrix singular: pseudo-inverse used" : ""),
                     "", outerPad("parameter", 14) + outerPad("z", 14) + outerPad("se(z)", 14) + outerPad("z lower", 14) + outerPad("z upper", 14)]
        for k in names.indices {
            lines.append(outerPad(transformedNames[k], 14) + outerPad(outerFormat(estimateTransformed[k]), 14)
                + outerPad(outerFormat(standardErrorsTransformed[k]), 14) + outerPad(outerFormat(intervalsTransformed[k].lower), 14)
                + outerPad(outerFormat(intervalsTransformed[k].upper), 14))
        }
        lines.append("")
        lines.append("correlation:")
        lines.append(outerPad("", 14) + names.map { outerPad($0, 12) }.joined())
        for a in names.indices {
            let row = names.indices.map { b -> String in
                let v = correlation[a, b]
                return outerPad(v.isNaN ? "undet." : String(format: "%.3f", v), 12)
            }
            lines.append(outerPad(names[a], 14) + row.joined())
        }
        lines.append("")
        let scaled = identifiability.scaling == .unitDiagonal ? " (unit-diagonal scaled)" : ""
        lines.append("eigenvalues of JᵀJ\(scaled), condition number \(outerFormat(identifiability.conditionNumber)):")
        for k in identifiability.eigenvalues.indices {
            let v = identifiability.eigenvectors.column(k).map { String(format: "%+.3f", $0) }.joined(separator: " ")
            lines.append(outerPad(outerFormat(identifiability.eigenvalues[k]), 14) + "  [" + v + "]")
        }
        if unidentifiable.isEmpty {
            lines.append("every parameter combination is determined (λ/λmax ≥ \(outerFormat(identifiability.threshold)))")
        }
        return lines.joined(separator: "\n")
    }
}
