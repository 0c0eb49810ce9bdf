import Bilevel
import Foundation
import Physics
import Sparse
import Verification

/// Issue 13's consolidation benchmark: Terzaghi's column (a unit square of soil, roller sides, fixed
/// bottom, drained top loaded by 10 kPa at t = 0), Taylor–Hood P2/P1 on an n × n grid of cell pairs
/// (about 9n² unknowns), the undrained response and 20 backward-Euler steps, and the adjoint gradient of
/// ½Σ(p/σ)² over three pressure sensors and every step with respect to all parameters (E, ν, α, M, k).
///
/// One JSON line per size:
/// - `forward_s`, `forward_and_gradient_s`: from a fresh `Consolidation` (pattern, analysis, both
///   factorizations included), best of the repeats;
/// - `limit_s`: what any direct solver must do for this: two fresh factorizations (each with its own
///   analysis, ordering included, of the undrained and the stepping matrix) and 40 solves, with the
///   factorization the model uses, on the same matrices, in the same run (the model itself orders the
///   shared pattern once: `SharedOrderings`);
/// - `reference_cholmod_factorization_s`: CHOLMOD's supernodal numeric factorization of a 2D Q1
///   elasticity stiffness with as many unknowns (the machine's yardstick).
/// `--saddle ldlt` or `--saddle multifrontalLDLT` forces the saddle factorization (default: by size).
/// With `--candidates`, also one `saddle-factorization` line per candidate factorization of the stepping
/// matrix (see `SaddleCandidates`).
enum TerzaghiBenchmark {
    static let steps = 20

    static func run(options: [String: String]) throws {
        guard let sizes = parseSizes(options["sizes"] ?? "1e4,1e5") else { throw BenchUsage.invalid }
        let candidates = (options["candidates"] ?? "").split(separator: ",").map(String.init)
        var saddle: FactorizationOptions.Kind?
        if let name = options["saddle"] {
            guard let kind = FactorizationOptions.Kind(rawValue: name) else { throw BenchUsage.invalid }
            saddle = kind
        }
        for target in sizes {
            var problem = try column(unknowns: target)
            problem.newton.saddleFactorization = saddle
            if options["model"] != "skip" { try measure(problem) }
            if !candidates.isEmpty { try SaddleCandidates.compare(problem, candidates: candidates) }
            if options["profile"] != nil { try profile(problem) }
        }
    }

    struct Problem {
        let model: PoroelasticModel
        /// The consolidation's defaults (saddle, constant Hessian); `--saddle ldlt|multifrontalLDLT` forces
        /// the factorization instead of the choice by size.
        var newton: NewtonOptions
        let timeStep: Double
        let sensors: ObservableSet
        let sigma: Double
        var theta: [Double] { model.initialParameters }
    }

    static func column(unknowns target: Int) throws -> Problem {
        let n = max(4, Int((Double(target) / 9).squareRoot().rounded()))
        let reference = Terzaghi(height: 1, load: 1e4, youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1,
                                 biotModulus: 5e7, mobility: 1e-10)
        let material = PoroMaterial(youngsModulus: 1e7, poissonRatio: 0.25, biotCoefficient: 1, biotModulus: 5e7, mobility: 1e-10)
        let mesh = try TriangleMesh.rectangle(width: 1, height: 1, columns: n, rows: n)
        let model = try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
            .roller("left", component: 0), .roller("right", component: 0), .fixed(boundary: "bottom"),
            .drained(boundary: "top", pressure: 0),
            .traction(boundary: "top", traction: SIMD2(0, -1e4), history: .constant),
        ])
        // Sensors off the mesh's nodes at depths 0.2, 0.5 and 0.8; 20 steps reach T_v = 0.5.
        let sensors = try model.observables([0.2, 0.5, 0.8].map { .pressure(name: "p\($0)", at: SIMD2(0.4321, 1 - $0)) })
        var newton = NewtonOptions()
        newton.problem = .saddle
        newton.hessianIsConstant = model.isLinear
        newton.maximumIterations = 25
        return Problem(model: model, newton: newton, timeStep: reference.time(dimensionless: 0.025), sensors: sensors,
                       sigma: 0.01 * reference.initialPressure)
    }

    static func measure(_ problem: Problem) throws {
        let model = problem.model, theta = problem.theta, layout = model.layout
        let repeats = layout.unknownCount <= 20_000 ? 3 : 2
        var forward = Double.infinity, total = Double.infinity, gradientNorm = 0.0
        var consolidation: Consolidation!
        for _ in 0 ..< repeats {
            SharedOrderings.removeAll()
            let (forwardTime, (c, run)) = try Measurement.time {
                let c = try Consolidation(model: model, timeStep: problem.timeStep, steps: steps, options: problem.newton)
                return (c, try c.run(parameters: theta))
            }
            guard run.converged else { throw PhysicsError.invalidModel("the benchmark's consolidation did not converge") }
            let (gradientTime, gradient) = try Measurement.time {
                try TimeSteppedAdjoint.gradient(c, states: run.states, parameters: theta) { _, state in
                    let v = try problem.sensors.evaluate(layout: layout, displacement: state, parameters: theta)
                    let w = v.values.map { $0 / (problem.sigma * problem.sigma) }
                    return .init(dLdu: layout.gather(v.weightedDofGradient(weights: w, dofCount: layout.dofCount)),
                                 dLdtheta: v.weightedParameterGradient(weights: w))
                }
            }
            forward = min(forward, forwardTime)
            total = min(total, forwardTime + gradientTime)
            gradientNorm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
            consolidation = c
        }
        let factorizations = consolidation.factorizationCount
        let limit = try limitSeconds(consolidation, theta: theta, oneOrdering: false)
        let limitOneOrdering = try limitSeconds(consolidation, theta: theta, oneOrdering: true)
        let reference = try referenceFactorization(unknowns: layout.unknownCount)
        Measurement.emit([
            "benchmark": "terzaghi", "unknowns": layout.unknownCount, "steps": steps, "sensors": problem.sensors.count,
            "factorization": try consolidation.solver(timeStep: problem.timeStep).factor.options.kind.rawValue, "blas_threads": BLASThreads.current,
            "forward_s": forward, "forward_and_gradient_s": total, "limit_s": limit.total,
            "limit_factorizations_s": limit.factorizations, "limit_solves_s": limit.solves,
            "limit_one_ordering_s": limitOneOrdering.total, "ratio_over_limit_one_ordering": total / limitOneOrdering.total,
            "reference_cholmod_factorization_s": reference,
            "ratio_over_limit": total / limit.total, "ratio_over_reference": total / reference,
            "factorizations": factorizations, "gradient_norm": gradientNorm,
            "resident_mb": Double(Measurement.residentBytes()) / 1e6,
        ])
    }

    /// Two fresh factorizations (the undrained and the stepping matrix) and 20 solves with each, by the
    /// factorization the model's solvers use: best of two. With `oneOrdering`, the second factorization
    /// reuses the first one's ordering (their patterns are equal), as the model's solvers do.
    static func limitSeconds(_ consolidation: Consolidation, theta: [Double], oneOrdering: Bool) throws
        -> (total: Double, factorizations: Double, solves: Double)
    {
        var matrices: [SymmetricMatrix] = []
        for dt in [0, consolidation.times[1] - consolidation.times[0]] {
            let solver = try consolidation.solver(timeStep: dt)
            let zero = [Double](repeating: 0, count: consolidation.model.layout.dofCount)
            try solver.assembler.evaluate(displacement: zero, parameters: theta, needs: .newton)
            matrices.append(solver.assembler.hessian)
        }
        let options = try consolidation.solver(timeStep: 0).factor.options
        var best = (total: Double.infinity, factorizations: 0.0, solves: 0.0)
        for _ in 0 ..< 2 {
            var factorTime = 0.0, solveTime = 0.0
            for (k, matrix) in matrices.enumerated() {
                // Each factorization with its own analysis, as if alone (or the second on the first's ordering).
                if k == 0 || !oneOrdering { SharedOrderings.removeAll() }
                let (t, factor) = try Measurement.time { () throws -> SparseFactorization in
                    let f = try SparseFactorization(pattern: matrix.pattern, options: options)
                    try f.factorize(matrix)
                    return f
                }
                factorTime += t
                let b = (0 ..< matrix.dimension).map { Double(($0 * 7919) % 1000) / 1000 - 0.5 }
                var x = [Double](repeating: 0, count: b.count)
                solveTime += try Measurement.time {
                    for _ in 0 ..< steps {
                        try b.withUnsafeBufferPointer { bb in try x.withUnsafeMutableBufferPointer { try factor.solve(bb, into: $0) } }
                    }
                }.seconds
            }
            if factorTime + solveTime < best.total { best = (factorTime + solveTime, factorTime, solveTime) }
        }
        return best
    }

    /// CHOLMOD supernodal numeric factorization of 2D Q1 elasticity with about `unknowns` unknowns.
    static func referenceFactorization(unknowns: Int) throws -> Double {
        let nx = Int((Double(unknowns) / 2).squareRoot().rounded())
        let matrix = try ModelProblem.elasticity2D(nx: nx, ny: nx).assemble()
        let chol = try SparseCholesky(pattern: matrix.pattern)
        return try Measurement.best(of: 3) { try chol.factorize(matrix) }
    }

    /// Seconds of each pass the forward run and the adjoint make over the stepping matrix's model.
    static func profile(_ problem: Problem) throws {
        let c = try Consolidation(model: problem.model, timeStep: problem.timeStep, steps: steps, options: problem.newton)
        let s = try c.solver(timeStep: problem.timeStep)
        let layout = problem.model.layout, theta = problem.theta
        let zero = [Double](repeating: 0, count: layout.dofCount)
        s.assembler.setPreviousState(zero, time: problem.timeStep)
        var fields: [String: Any] = ["benchmark": "terzaghi-profile", "unknowns": layout.unknownCount]
        let needs: [(String, Needs)] = [("energy_gradient", [.energy, .gradient]), ("newton", .newton),
                                        ("adjoint_linearization", [.energy, .gradient, .mixed, .parameterGradient]), ("all", .all)]
        for (name, n) in needs {
            fields[name + "_s"] = try Measurement.best(of: 3) { try s.assembler.evaluate(displacement: zero, parameters: theta, needs: n) }
        }
        let lambda = [Double](repeating: 1, count: layout.unknownCount)
        fields["make_model_s"] = try Measurement.best(of: 3) { _ = try problem.model.makeModel(timeStep: problem.timeStep) }
        fields["new_equilibrium_s"] = try Measurement.best(of: 3) {
            _ = try Equilibrium(model: problem.model.makeModel(timeStep: problem.timeStep), options: c.options)
        }
        SharedOrderings.removeAll()
        let m = s.assembler.hessian
        fields["analysis_and_factorization_s"] = try Measurement.time {
            let f = try SparseFactorization(pattern: m.pattern, options: s.factor.options)
            try f.factorize(m)
        }.seconds
        fields["metis_ordering_s"] = try Measurement.time {
            SharedOrderings.removeAll()
            _ = try SparseFactorization(pattern: m.pattern, options: s.factor.options)
        }.seconds
        fields["history_coupling_product_s"] = try Measurement.best(of: 3) {
            try s.assembler.historyCouplingProduct(displacement: zero, parameters: theta, adjoint: lambda)
        }
        fields["set_previous_state_s"] = Measurement.best(of: 3) { s.assembler.setPreviousState(zero, time: problem.timeStep) }
        fields["sensors_s"] = try Measurement.best(of: 3) { _ = try problem.sensors.evaluate(layout: layout, displacement: zero, parameters: theta) }
        fields["mixed_transpose_s"] = Measurement.best(of: 3) { _ = s.assembler.mixedTransposeProduct(lambda) }
        fields["gather_s"] = Measurement.best(of: 3) { _ = layout.gather(zero) }
        Measurement.emit(fields)
    }
}
