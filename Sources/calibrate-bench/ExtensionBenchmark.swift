import Foundation
import Physics
import Sparse

/// Issue 10's benchmark: automatic derivatives at hand-written speed. A bead-spring network (bonds and
/// bond angles, `BeadSpringNetwork`) with at least `unknowns` unknowns, assembled (energy, gradient,
/// Hessian) with the automatic groups made inside Physics, with automatic groups made here (as a
/// model author's package would: `AutoDiffGroup` specialized in the caller's module) and with the
/// hand-written groups; against one numeric factorization of its Hessian; then one Newton solve with
/// each, whose solutions must agree; and the pair assembly of the lattice benchmark's Morse lattice.
/// Times are CPU times of the benchmark's thread (best of 7), with one BLAS thread.
enum ExtensionBenchmark {
    static let theta = [1.0, 1.0, 0.2]

    /// Least CPU time of this thread over `repeats` runs. The machine is shared, and wall-clock times of
    /// a single-threaded computation there measure the other processes as much as this one; with one
    /// BLAS thread (the benchmark sets it) the factorization runs on this thread too.
    static func cpuBest(of repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        func now() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + 1e-9 * Double(t.tv_nsec)
        }
        var best = Double.infinity
        for _ in 0 ..< max(1, repeats) {
            let start = now()
            try body()
            best = min(best, now() - start)
        }
        return best
    }

    /// `calibrate-bench extension [--sizes 1e4]`: one JSON line per size (unknowns, at least).
    static func run(options: [String: String]) throws {
        guard let sizes = parseSizes(options["sizes"] ?? "1e4") else { throw BenchUsage.invalid }
        try run(sizes: sizes)
    }

    static func run(sizes: [Int]) throws {
        BLASThreads.set(1)
        for target in sizes {
            let side = Int((Double(target) / 2).squareRoot().rounded(.up)) + 2
            let net = try BeadSpringNetwork(columns: side, rows: side)
            let height = net.reference[2 * net.beadCount - 1]
            let start = net.initialDisplacement(top: SIMD2(0.02 * height, 0.01 * height))
            let automatic = try net.model(automatic: true)
            let local = Model(layout: automatic.layout, groups: try groupsMadeHere(net), parameterNames: BeadSpringNetwork.parameterNames)
            let handWritten = try net.model(automatic: false)
            let repeats = 7
            func assemblyTime(_ model: Model) throws -> (Double, Equilibrium) {
                let solver = try Equilibrium(model: model)
                let t = try cpuBest(of: repeats) {
                    try solver.assembler.evaluate(displacement: start, parameters: theta, needs: .newton)
                }
                return (t, solver)
            }
            let (automaticTime, automaticSolver) = try assemblyTime(automatic)
            let (localTime, _) = try assemblyTime(local)
            let (handTime, handSolver) = try assemblyTime(handWritten)
            let mixedTime = try cpuBest(of: repeats) {
                try automaticSolver.assembler.evaluate(displacement: start, parameters: theta, needs: .all)
            }
            let handMixedTime = try cpuBest(of: repeats) {
                try handSolver.assembler.evaluate(displacement: start, parameters: theta, needs: .all)
            }
            // Where the time goes: without the Hessian's scatter (the local Hessians are still computed,
            // by both paths), and the energy alone (hand-written: the terms' arithmetic floor).
            let firstOrder: Needs = [.energy, .gradient]
            let automaticFirstOrderTime = try cpuBest(of: repeats) {
                try automaticSolver.assembler.evaluate(displacement: start, parameters: theta, needs: firstOrder)
            }
            let handFirstOrderTime = try cpuBest(of: repeats) {
                try handSolver.assembler.evaluate(displacement: start, parameters: theta, needs: firstOrder)
            }
            let handEnergyTime = try cpuBest(of: repeats) {
                try handSolver.assembler.evaluate(displacement: start, parameters: theta, needs: .energy)
            }
            // Pair-potential assembly (`PairGroup`, radial HyperJet) of the lattice benchmark's Morse
            // lattice with as many atoms as the network has unknowns, in the same CPU-time measure:
            // the `HyperJet` work of this issue must not slow it down.
            let lattice = try LatticeBenchmark.model(atoms: target)
            let pairAssembler = try Assembler(model: try lattice.makeModel())
            let latticeStart = lattice.initialDisplacement(displacementGradient: LatticeBenchmark.gradient)
            let pairTime = try cpuBest(of: repeats) {
                try pairAssembler.evaluate(displacement: latticeStart, parameters: LatticeBenchmark.theta, needs: .newton)
            }
            try automaticSolver.assembler.evaluate(displacement: start, parameters: theta, needs: .newton)
            let factorTime = try cpuBest(of: repeats) {
                try automaticSolver.factor.factorize(automaticSolver.assembler.hessian)
            }
            let (solveTime, a) = try Measurement.time { try automaticSolver.solve(parameters: theta, initial: start) }
            let b = try handSolver.solve(parameters: theta, initial: start)
            let difference = zip(a.displacement, b.displacement).map { abs($0 - $1) }.max() ?? 0
            Measurement.emit([
                "benchmark": "extension-bead-spring", "beads": net.beadCount, "unknowns": automatic.unknownCount,
                "bonds": net.bonds.count, "angles": net.angles.count,
                "assembly_automatic_s": automaticTime, "assembly_automatic_made_in_caller_s": localTime,
                "assembly_handwritten_s": handTime, "factorization_s": factorTime,
                "assembly_all_automatic_s": mixedTime, "assembly_all_handwritten_s": handMixedTime,
                "assembly_without_hessian_scatter_automatic_s": automaticFirstOrderTime,
                "assembly_without_hessian_scatter_handwritten_s": handFirstOrderTime, "energy_handwritten_s": handEnergyTime,
                "lattice_pairs": lattice.neighbours.pairCount, "lattice_pair_assembly_s": pairTime,
                "ratio_automatic_over_handwritten": automaticTime / handTime,
                "ratio_automatic_made_in_caller_over_handwritten": localTime / handTime,
                "ratio_all_automatic_over_handwritten": mixedTime / handMixedTime,
                "ratio_assembly_over_factorization": automaticTime / factorTime,
                "newton_iterations": a.iterations, "newton_converged": a.converged && b.converged, "solve_s": solveTime,
                "max_solution_difference": difference,
            ])
        }
    }

    /// The automatic groups built in this module, as a model author's own package builds them.
    static func groupsMadeHere(_ net: BeadSpringNetwork) throws -> [any EnergyGroup] {
        [try AutoDiffGroup(name: "bonds", terms: [BeadBond](repeating: BeadBond(), count: net.bonds.count),
                           connectivity: net.bondConnectivity, parameterIndices: [0, 1]),
         try AutoDiffGroup(name: "angles", terms: net.restAngles.map { BeadAngle(restAngle: $0) },
                           connectivity: net.angleConnectivity, parameterIndices: [2])]
    }
}
