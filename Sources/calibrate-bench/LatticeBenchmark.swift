import Foundation
import Physics
import Sparse

/// Issue 3's benchmark: relaxation of a sheared triangular Morse lattice (periodic along x, bottom held,
/// top sheared 2% and stretched 1%, four vacancies) at 10⁴ to 10⁶ atoms. Times the neighbour list,
/// one assembly of energy, gradient and Hessian, the analysis, one numeric factorization and one solve
/// with it, and the whole Newton solve (each the best of a few runs), each Newton iteration against one
/// factorization in wall-clock and in process CPU time (all threads: the cost of the work on a shared
/// machine); reports memory against the factor's size.
enum LatticeBenchmark {
    /// The benchmark lattice with about `atoms` sites.
    static func model(atoms: Int) throws -> LatticeModel<Morse> {
        let nx = max(8, Int((Double(atoms) / 4).squareRoot().rounded()))
        let ny = max(4, atoms / (2 * nx))
        let perfect = try Lattice(kind: .triangular, cells: [nx, ny], latticeConstant: 1, periodic: [true, false])
        let centre = 2 * nx * (ny / 2) + nx / 2 * 2
        let lattice = try perfect.removingAtoms([centre, centre + 1, centre + 2 * nx, centre + 2 * nx + 1])
        let height = perfect.box[1] - 3.0.squareRoot() / 2
        return try LatticeModel(lattice: lattice, potential: Morse(), cutoff: try SmoothCutoff(inner: 1.2, outer: 1.6),
                                constraints: [.fixed("bottom", dimension: 2),
                                              GroupConstraint(group: "top", components: [0: 0.02 * height, 1: 0.01 * height])])
    }

    static let theta = [1.0, 3.0, 1.0]
    static let gradient: [Double] = [0, 0.02, 0, 0.01]

    static func run(sizes: [Int]) throws {
        for target in sizes {
            let rssStart = Measurement.residentBytes()
            let (modelTime, model) = try Measurement.time { try Self.model(atoms: target) }
            let lattice = model.lattice
            let repeats = target <= 20_000 ? 5 : (target <= 200_000 ? 3 : 1)
            let neighbourTime = try Measurement.best(of: repeats) {
                _ = try NeighbourList(lattice: lattice, cutoff: model.cutoff.outer, skin: model.skin)
            }
            let (analysisTime, solver) = try Measurement.time { try Equilibrium(model: try model.makeModel()) }
            let start = model.initialDisplacement(displacementGradient: gradient)
            let assemblyTime = try Measurement.best(of: repeats) {
                try solver.assembler.evaluate(displacement: start, parameters: theta, needs: .newton)
            }
            // With the mixed derivative and ∂Π/∂θ (what the bilevel layer asks at an equilibrium).
            let allTime = try Measurement.best(of: repeats) {
                try solver.assembler.evaluate(displacement: start, parameters: theta, needs: .all)
            }
            try solver.assembler.evaluate(displacement: start, parameters: theta, needs: .newton)
            let factorTime = try Measurement.best(of: repeats) { try solver.factor.factorize(solver.assembler.hessian) }
            var factorCPU = Double.infinity
            for _ in 0 ..< repeats {
                factorCPU = min(factorCPU, try Measurement.processTime { try solver.factor.factorize(solver.assembler.hessian) }.seconds)
            }
            // One linear solve with the factor (what each Newton iteration adds to its factorization).
            let rhs = solver.assembler.gradient
            var solution = rhs
            let linearSolveTime = try Measurement.best(of: repeats) {
                try rhs.withUnsafeBufferPointer { b in try solution.withUnsafeMutableBufferPointer { try solver.factor.solve(b, into: $0) } }
            }
            // The whole Newton solve, best of as many runs as the factorization (the solve is deterministic:
            // the same iterates every run), in wall-clock and in process CPU time.
            var solveTime = Double.infinity, solveCPU = Double.infinity
            var fastest: EquilibriumResult?
            for _ in 0 ..< repeats {
                let (cpu, (wall, again)) = try Measurement.processTime {
                    try Measurement.time { try solver.solve(parameters: theta, initial: start) }
                }
                if wall < solveTime { fastest = again }
                solveTime = min(solveTime, wall)
                solveCPU = min(solveCPU, cpu)
            }
            let result = fastest!
            let iterations = Double(max(result.iterations, 1))
            let factorBytes = solver.factor.memoryInUse
            let rss = Measurement.residentBytes() - rssStart
            Measurement.emit([
                "benchmark": "lattice-relaxation", "atoms": lattice.atomCount, "unknowns": model.layout.unknownCount,
                "pairs": model.neighbours.pairCount, "model_build_s": modelTime, "neighbour_list_s": neighbourTime,
                "assembly_s": assemblyTime, "analysis_and_setup_s": analysisTime, "factorization_s": factorTime,
                "linear_solve_s": linearSolveTime, "assembly_all_s": allTime,
                "ratio_assembly_over_factorization": assemblyTime / factorTime,
                "newton_iterations": result.iterations, "newton_converged": result.converged, "solve_s": solveTime,
                "solve_per_iteration_s": solveTime / iterations,
                "ratio_iteration_over_factorization": solveTime / iterations / factorTime,
                // Within the fastest solve itself (immune to the load changing between measurements): its
                // factorizations and linear solves per iteration, and the whole iteration over its factorization.
                "newton_factorization_per_iteration_s": result.factorizationSeconds / iterations,
                "newton_linear_solve_per_iteration_s": result.linearSolveSeconds / iterations,
                "ratio_iteration_over_its_factorization": result.seconds / result.factorizationSeconds,
                "factorization_cpu_s": factorCPU, "solve_per_iteration_cpu_s": solveCPU / iterations,
                "ratio_iteration_over_factorization_cpu": solveCPU / iterations / factorCPU,
                "final_gradient_norm": result.gradientNorms.last ?? 0,
                "factor_mb": Double(factorBytes) / 1e6, "process_growth_mb": Double(rss) / 1e6,
                "ratio_memory_over_factor": Double(rss) / Double(max(factorBytes, 1)),
            ])
        }
    }
}
