import Bilevel
import Foundation
import Reports

// Sections of report.md beyond the parameter table: the convergence banner, provenance, and the
// identifiability analysis with the poorly determined directions named.
//
// Intervals projected away from the null space (Seber & Wild, "Nonlinear Regression", 1989, §3.4;
// Golub & Van Loan, §5.5.4): with the eigen-decomposition S H S = Σ λ_k v_k v_kᵀ of the scaled
// information matrix, the pseudo-inverse keeps only λ_k above the threshold, Cov⁺(z) = S (Σ_{k kept}
// v_k v_kᵀ / λ_k) S. For a parameter whose weight in the dropped eigenspace is small, √Cov⁺_kk is its
// standard error with the undetermined combination held at its estimate (conditional on the null
// space); for a parameter that dominates a dropped direction no interval exists.
enum ReportSections {
    /// A parameter counts as well determined despite a null space when its largest coefficient in any
    /// undetermined combination (unit vectors) is below this; the interval is then conditional.
    static let conditionalInvolvementLimit = 0.3
    /// Relative eigenvalues below this (but above the threshold) are called poorly determined.
    static let poorlyDetermined = 1e-4

    /// Standard error and interval (physical units) of free parameter `k` conditional on the null
    /// space, when `k` is undetermined only through a small share of a dropped direction.
    static func conditionalInterval(_ u: UncertaintyReport, _ k: Int) -> (se: Double, interval: ConfidenceInterval)? {
        guard u.undetermined.contains(u.names[k]), !u.unidentifiable.isEmpty else { return nil }
        let involvement = u.unidentifiable.map { abs($0.coefficients[k]) }.max() ?? 1
        let variance = u.covarianceTransformed[k, k]
        guard involvement < conditionalInvolvementLimit, variance.isFinite, variance >= 0 else { return nil }
        let seZ = variance.squareRoot(), z = u.estimateTransformed[k], t = u.transforms[k]
        let interval = ConfidenceInterval(lower: t.physical(z - u.quantile * seZ), upper: t.physical(z + u.quantile * seZ))
        // Delta method, as for the determined parameters.
        let se = t == .log ? exp(z) * seZ : seZ
        return (se, interval)
    }

    /// The correlation of free parameters `a` and `b` from the pseudo-inverse, when both are determined
    /// or conditionally determined (see `conditionalInterval`); nil otherwise.
    static func conditionalCorrelation(_ u: UncertaintyReport, _ a: Int, _ b: Int) -> Double? {
        func usable(_ k: Int) -> Bool { u.standardErrorsTransformed[k].isFinite || conditionalInterval(u, k) != nil }
        guard usable(a), usable(b) else { return nil }
        let c = u.covarianceTransformed
        let scale = (c[a, a] * c[b, b]).squareRoot()
        return scale > 0 ? c[a, b] / scale : nil
    }

    /// A banner at the top of the report when the optimizer did not converge.
    static func convergenceBanner(_ s: RunSummary) -> [String] {
        guard let o = s.optimization, !o.status.isConverged else { return [] }
        return ["> **⚠ The calibration did not converge: \(o.status.description).** The values below are those of the last "
                + "iterate, not of an optimum, and the standard errors and intervals are computed there: they are not valid. "
                + (o.status.advice.map { "Advice: \($0) (`\(CalibrateTool.toolName) gradcheck CASE --set …`, `\"starts\"` in the optimizer section)." }
                   ?? "Raise the iteration limit (`--max-iterations` or the optimizer's `maximum_iterations` in case.json) and run again, or check the case."),
                ""]
    }

    /// The provenance: tool, command line and the SHA-256 of every input file.
    static func provenance(_ s: RunSummary) throws -> [String] {
        let p = Provenance.collect(s.loaded)
        var table = try MarkdownTable(columns: ["input", "file", "SHA-256"])
        for input in p.inputs { try table.append([.text(input.role), .text("`\(input.path)`"), .text("`\(input.sha256)`")]) }
        return ["## Provenance", "",
                "- calibrate \(p.version), commit \(p.commit)",
                "- Command line: `\(p.commandLine)`", "",
                table.text,
                "Check the inputs with `sha256sum -c`: the global attribute `input_files_sha256` of results.nc holds the same list.", ""]
    }

    /// The eigen-analysis of JᵀJ with each eigenvalue's parameter combination; undetermined ones flagged.
    static func identifiability(_ u: UncertaintyReport) throws -> [String] {
        let d = u.identifiability
        let largest = d.eigenvalues.last ?? 0
        var table = try MarkdownTable(columns: ["eigenvalue", "relative to largest", "direction (parameter combination)", "determined"],
                                      alignments: [.right, .right, .left, .left])
        for k in d.eigenvalues.indices {
            let relative = largest > 0 ? d.eigenvalues[k] / largest : 0
            let direction = (0 ..< d.eigenvectors.rows).map { d.scaleFactors[$0] * d.eigenvectors[$0, k] }
            let determined = !(relative < d.threshold || d.eigenvalues[k] <= 0)
            let verdict = !determined ? "**no**" : (relative < poorlyDetermined ? "poorly" : "yes")
            try table.append([.number(d.eigenvalues[k], digits: 3), .number(relative, digits: 3),
                              .text(combination(direction, names: u.transformedNames)), .text(verdict)])
        }
        var md = ["Eigenvalues of JᵀJ (scaling: \(d.scaling.rawValue)), smallest first, each with the "
                  + "combination of the optimizer's parameters it measures; condition number \(NumberFormat.significant(d.conditionNumber, digits: 3)). "
                  + "A small eigenvalue means the data barely change along that combination: \"poorly\" below "
                  + "\(NumberFormat.significant(poorlyDetermined, digits: 1)) of the largest (its standard errors are large), \"no\" below the "
                  + "threshold \(NumberFormat.significant(d.threshold, digits: 1)) (no interval along it).", "", table.text]
        let conditional = u.names.indices.filter { conditionalInterval(u, $0) != nil }.map { u.names[$0] }
        if !conditional.isEmpty {
            md += ["The intervals of \(conditional.joined(separator: ", ")) are **conditional on the undetermined combination(s)**: computed from "
                   + "the pseudo-inverse of JᵀJ, which projects the undetermined direction(s) away (holds them at their estimate). "
                   + "They are marked \"conditional\" in the parameter table.", ""]
        }
        return md
    }

    /// "0.71·log D − 0.70·log alpha" from a direction (normalised to unit length, largest term positive).
    static func combination(_ direction: [Double], names: [String]) -> String {
        let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return "—" }
        let largest = direction.indices.max { abs(direction[$0]) < abs(direction[$1]) } ?? 0
        let sign: Double = direction[largest] < 0 ? -1 : 1
        var text = ""
        for (k, c) in direction.map({ sign * $0 / norm }).enumerated() where abs(c) >= 0.05 {
            let magnitude = String(format: "%.2f", abs(c))
            text += text.isEmpty ? (c < 0 ? "−" : "") : (c < 0 ? " − " : " + ")
            text += "\(magnitude)·\(names[k])"
        }
        return text
    }

    /// A note as a sentence: capitalised, unless it starts with a parameter name (names keep the case the user wrote).
    static func sentence(_ note: String, names: [String]) -> String {
        let first = note.prefix { !$0.isWhitespace && $0 != ":" }
        return names.contains(String(first)) ? note : note.capitalizedFirst
    }

    /// With several starts: one row per distinct local minimum, best first, and which starts reached it.
    static func localMinima(_ s: RunSummary) throws -> [String] {
        guard !s.minima.isEmpty else { return [] }
        let names = s.space.freeNames
        var table = try MarkdownTable(columns: ["minimum", "misfit ½χ²"] + names + ["converged", "starts"], significantDigits: 6)
        for (k, m) in s.minima.enumerated() {
            let theta = try s.space.physical(from: m.z)
            try table.append([.text("\(k + 1)"), .number(m.objective)] + s.space.freeIndices.map { .number(theta[$0]) }
                             + [.text(m.converged ? "yes" : "no"), .text(m.starts.map { "\($0 + 1)" }.joined(separator: ", "))])
        }
        let starts = s.minima.reduce(0) { $0 + $1.starts.count }
        let verdict = s.minima.count == 1 ? "Every start reached the same minimum." :
            "The starts reached \(s.minima.count) distinct minima; the results above are those of minimum 1, the lowest converged one."
        return ["## Local minima (\(starts) starts)", "",
                "Start 1 is the configured initial values; the others form a Latin hypercube within the bounds. " + verdict, "",
                table.text]
    }
}
