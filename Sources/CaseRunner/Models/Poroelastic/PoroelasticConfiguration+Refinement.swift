/// Refining a poroelastic case once for `calibrate check --refine`:
///   • on a generated rectangle, columns and rows doubled (the same grading, last cell over first) and
///     every time step halved (a time inserted at each interval's midpoint);
///   • on a Gmsh mesh, the time steps only. The mesh's geometry lives in the .geo file, not in the .msh,
///     so a faithful spatial refinement needs Gmsh (`gmsh -2 -clscale 0.5`); a split of the triangles in
///     the .msh would keep curved boundaries as the coarse chords.
extension PoroelasticConfiguration: RefinableModel {
    public func refined() -> (model: any CaseModel, description: String) {
        var poro = self
        var parts: [String] = []
        if case let .rectangle(width, height, columns, rows, gradingX, gradingY) = mesh {
            poro.mesh = .rectangle(width: width, height: height, columns: 2 * columns, rows: 2 * rows, gradingX: gradingX, gradingY: gradingY)
            parts.append("mesh \(columns) × \(rows) → \(2 * columns) × \(2 * rows) cells")
        } else {
            parts.append("the Gmsh mesh is kept (refine it in Gmsh, e.g. `gmsh -2 -clscale 0.5`, and check again)")
        }
        let steps = times.count - 1
        poro.times = Refinement.halvedSteps(times)
        parts.append("time steps halved (\(steps) → \(poro.times.count - 1))")
        return (poro, parts.joined(separator: "; "))
    }
}
