import Bilevel

/// Plain-language notes on what the data could and could not determine, for the report and the
/// end-of-run summary. General findings come from the eigen-analysis of JᵀJ; a few situations with
/// a known physical cause are explained as such.
enum IdentifiabilityNotes {
    static func notes(for s: RunSummary) -> [String] {
        var notes: [String] = []
        if let u = s.uncertainty {
            for c in u.unidentifiable {
                if let explained = energyScaleExplanation(c, s) ?? permeabilityExplanation(c, s) {
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

    /// A permeability (mobility) the data cannot see: its region drains (or stays undrained) on a time
    /// scale outside the observation window, so a whole range of values fits the data equally.
    private static func permeabilityExplanation(_ c: ParameterCombination, _ s: RunSummary) -> String? {
        guard case .poroelastic = s.configuration.model else { return nil }
        guard let k = c.coefficients.indices.max(by: { abs(c.coefficients[$0]) < abs(c.coefficients[$1]) }), abs(c.coefficients[k]) > 0.99 else { return nil }
        let name = s.space.freeNames[k]
        guard name == "k" || name.hasPrefix("k_") else { return nil }
        let region = name == "k" ? "the domain" : "region '\(name.dropFirst(2))'"
        let first = s.loaded.setups.compactMap { $0.series?.observationTimes.first }.min().map { " (t = \(formatNumber($0)) s)" } ?? ""
        return "The data cannot determine \(name): \(region) drains faster than the first observation\(first) — its excess pore pressure "
            + "has dissipated before any sensor reads it — or too slowly to drain within the record, so a whole range of \(name) fits equally. "
            + "Observe earlier (or longer), or fix \(name); the other parameters' standard errors are then defined"
    }

    /// The energy scale of a pair potential under prescribed displacements only: the equilibrium
    /// of cΠ is that of Π, so displacements cannot see c.
    private static func energyScaleExplanation(_ c: ParameterCombination, _ s: RunSummary) -> String? {
        guard case let .lattice(l) = s.configuration.model else { return nil }
        let scale = l.potential.energyScale
        guard let k = s.space.freeNames.firstIndex(of: scale), abs(c.coefficients[k]) > 0.99 else { return nil }
        let forceData = s.configuration.experiments.contains { e in
            e.observables.contains { $0.quantity.isForce } || !e.loading.forces.isEmpty || e.loading.indenter != nil
        }
        guard !forceData else { return nil }
        return "displacements alone cannot fix the energy scale \(scale) of a pair potential under prescribed displacements: scaling "
            + "\(scale) scales the whole energy, so the equilibrium — every displacement — is the same for any \(scale). Add force data "
            + "(a reaction_force or indenter_force observable), or fix \(scale)"
    }
}
