// The discretization of a case refined once, to estimate its discretization error against the data's σ.
//
// For a convergent discretization of order q, the error of the coarse solution is e_h ≈ (u_h − u_{h/2})·
// 2^q/(2^q − 1) (Richardson), so the change under one refinement is the same order as the error itself
// (for q = 1, backward Euler in time, equal to it; for q = 2 a bit over ¾ of it). A change below σ/3
// keeps the model error well inside the noise; a change near σ means the fit's parameters absorb the
// discretization error as bias (Roache, "Verification and Validation in Computational Science and
// Engineering", Hermosa 1998, ch. 5).
//
// What is refined, per model kind:
//   • poroelastic on a generated rectangle: columns and rows doubled (the same grading, last cell over
//     first) and every time step halved (a time inserted at each interval's midpoint);
//   • poroelastic on a Gmsh mesh: the time steps only. The mesh's geometry lives in the .geo file, not in
//     the .msh, so a faithful spatial refinement needs Gmsh (`gmsh -2 -clscale 0.5`); a split of the
//     triangles in the .msh would keep curved boundaries as the coarse chords;
//   • lattices and crystals: no discretization (their models are exact sums over atoms; Newton solves
//     them to round-off), so nothing to refine.

/// How a case's discretization is refined once.
struct Refinement {
    /// The refined configuration; nil when the model has no discretization to refine.
    let configuration: CaseConfiguration?
    /// What was refined, in the user's terms (case.json fields).
    let description: String

    /// Refines `configuration` once (see the file's header for what that means per model kind).
    static func of(_ configuration: CaseConfiguration) -> Refinement {
        guard case var .poroelastic(poro) = configuration.model else {
            return Refinement(configuration: nil, description: "no discretization: the model is a sum over atoms, solved by Newton to round-off")
        }
        var parts: [String] = []
        if case let .rectangle(width, height, columns, rows, gradingX, gradingY) = poro.mesh {
            poro.mesh = .rectangle(width: width, height: height, columns: 2 * columns, rows: 2 * rows, gradingX: gradingX, gradingY: gradingY)
            parts.append("mesh \(columns) × \(rows) → \(2 * columns) × \(2 * rows) cells")
        } else {
            parts.append("the Gmsh mesh is kept (refine it in Gmsh, e.g. `gmsh -2 -clscale 0.5`, and check again)")
        }
        let steps = poro.times.count - 1
        poro.times = halvedSteps(poro.times)
        parts.append("time steps halved (\(steps) → \(poro.times.count - 1))")
        var refined = configuration
        refined.model = .poroelastic(poro)
        return Refinement(configuration: refined, description: parts.joined(separator: "; "))
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
