// The discretization of a case refined once, to estimate its discretization error against the data's σ.
//
// For a convergent discretization of order q, the error of the coarse solution is e_h ≈ (u_h − u_{h/2})·
// 2^q/(2^q − 1) (Richardson), so the change under one refinement is the same order as the error itself
// (for q = 1, backward Euler in time, equal to it; for q = 2 a bit over ¾ of it). A change below σ/3
// keeps the model error well inside the noise; a change near σ means the fit's parameters absorb the
// discretization error as bias (Roache, "Verification and Validation in Computational Science and
// Engineering", Hermosa 1998, ch. 5).
//
// What is refined is the model kind's to say (`RefinableModel`): the poroelastic kind doubles a
// rectangle's columns and rows and halves every time step (PoroelasticConfiguration+Refinement.swift);
// lattices and crystals have no discretization (their models are exact sums over atoms; Newton solves
// them to round-off), so nothing to refine.

/// A model kind with a discretization that `calibrate check --refine` can refine once.
public protocol RefinableModel: CaseModel {
    /// The model refined once, and what was refined in the user's terms (case.json fields).
    func refined() -> (model: any CaseModel, description: String)
}

/// How a case's discretization is refined once.
struct Refinement {
    /// The refined configuration; nil when the model has no discretization to refine.
    let configuration: CaseConfiguration?
    /// What was refined, in the user's terms (case.json fields).
    let description: String

    /// Refines `configuration` once (see the file's header for what that means per model kind).
    static func of(_ configuration: CaseConfiguration) -> Refinement {
        guard let model = configuration.model as? any RefinableModel else {
            return Refinement(configuration: nil, description: "no discretization: the model is a sum over its terms, solved by Newton to round-off")
        }
        let (refined, description) = model.refined()
        var c = configuration
        c.model = refined
        return Refinement(configuration: c, description: description)
    }

    /// t₀, t₁, … with every interval's midpoint inserted.
    static func halvedSteps(_ times: [Double]) -> [Double] {
        guard let first = times.first else { return times }
        var out = [first]
        for (a, b) in zip(times, times.dropFirst()) {
            out.append(a + 0.5 * (b - a))
            out.append(b)
        }
        return out
    }
}
