import Bilevel

/// Plain-language notes on what the data could and could not determine, for the report and the
/// end-of-run summary. General findings come from the eigen-analysis of JᵀJ; a few situations with
/// a known physical cause are explained as such.
enum IdentifiabilityNotes {
    static func notes(for s: RunSummary) -> [String] {
        var notes: [String] = []
        if let u = s.uncertainty {
            for c in u.unidentifiable {
                if let explained = (s.configuration.model as? any BuiltInModel)?.explanation(for: c, s) {
                    notes.append(explained)
                } else {
                    notes.append("not identifiable — \(c.description)")
                }
            }
            let names = u.names
            for a in names.indices {
                for b in names.indices where b > a {
                    let rho = u.correlation[a, b]
                    if rho.isFinite, abs(rho) > 0.95 {
                        notes.append("\(names[a]) and \(names[b]) are strongly correlated (ρ = \(String(format: "%.3f", rho))): the data "
                                     + "determine mainly a combination of the two")
                    }
                }
            }
            if let note = goodnessOfFit(u) { notes.append(note) }
        }
        for (i, hit) in s.boundsHit.enumerated() where hit != 0 {
            let p = s.space.parameters[i]
            notes.append("\(p.name) ended at its \(hit < 0 ? "lower" : "upper") bound (\(formatNumber(hit < 0 ? p.lower : p.upper))); "
                         + "the best fit may lie beyond it — widen the bound if that is physical")
        }
        return notes
    }

    /// A warning when χ² is improbable for its degrees of freedom (p < 0.001 on either side), judged by the χ²
    /// distribution: at 447 degrees of freedom χ²/dof = 1.97 is far out, at 3 it is not.
    static func goodnessOfFit(_ u: UncertaintyReport) -> String? {
        guard let p = u.chiSquaredPValue else { return nil }
        let chi = "χ² = \(formatSignificant(u.chiSquared)) (χ²/dof = \(formatSignificant(u.reducedChiSquared)))"
        if p < 1e-3 {
            return "\(chi) is improbably large for \(u.degreesOfFreedom) degrees of freedom (p = \(formatSignificant(p))): the model "
                + "does not reproduce the data within their σ (a wrong model or equilibrium branch, a local minimum, or σ too small); "
                + "the intervals cannot be trusted until this is explained"
        }
        if p > 1 - 1e-3 {
            return "\(chi) is improbably small for \(u.degreesOfFreedom) degrees of freedom (P(χ² ≤ observed) = "
                + "\(formatSignificant(1 - p))): the σ appear too large for the scatter of the data, and the intervals too wide"
        }
        return nil
    }

    private static func formatSignificant(_ x: Double) -> String { String(format: "%.3g", x) }
}
