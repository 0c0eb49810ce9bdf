import Sparse

/// The states of a consolidation run: one full displacement vector (every dof, prescribed ones
/// included) per time, starting with the undrained response at `times[0]`.
public struct ConsolidationResult: Sendable {
    public let times: [Double]
    public let states: [[Double]]
    /// The equilibrium solve of each time (the undrained one first).
    public let solves: [EquilibriumResult]
    /// True when every step converged. Otherwise the run stopped at the first step that did not:
    /// `states` and `times` end with the last converged state, `solves` with the failed solve.
    public var converged: Bool { solves.allSatisfy(\.converged) }
}

/// Backward-Euler time stepping of a `PoroelasticModel`: the undrained response at t₀ (Δt = 0: no flow,
/// the fluid content ζ = α div u + p/M keeps its initial value — Terzaghi's and Mandel's t = 0⁺), then
/// one equilibrium solve per step, each from the previous state.
///
/// Each distinct step length has its own `Equilibrium` (Δt is part of the step's energy), created on
/// first use and kept. For a linear model the Newton options declare the Hessian constant, so with a
/// constant time step one LDLᵀ factorization serves every step (and every later run at the same θ); the
/// Kozeny–Carman model takes Newton iterations, refactoring each time. Steps whose lengths agree to a
/// relative 10⁻⁹ share a solver (the first one's Δt), so rounding in the time grid does not refactor.
public final class Consolidation {
    public let model: PoroelasticModel
    /// t₀ (undrained response), t₁, …, t_N.
    public let times: [Double]
    public let options: NewtonOptions
    /// The state before loading, the history of the undrained solve (zero: an unloaded body at rest).
    public var initialState: [Double]
    private var solvers: [(timeStep: Double, solver: Equilibrium)] = []

    /// Time stepping through `times` (strictly increasing). Default options: `.saddle` problems, the
    /// Hessian declared constant for a linear model, at most 25 Newton iterations.
    public init(model: PoroelasticModel, times: [Double], options: NewtonOptions? = nil) throws {
        guard let first = times.first, first.isFinite else {
            throw PhysicsError.invalidModel("a consolidation run needs at least the initial time")
        }
        for (a, b) in zip(times, times.dropFirst()) where !(b > a) || !b.isFinite {
            throw PhysicsError.invalidParameter(name: "time step Δt", value: b - a,
                                                requirement: "> 0: times must increase strictly (from \(a) to \(b))")
        }
        var o = options ?? NewtonOptions()
        if options == nil {
            o.problem = .saddle
            o.hessianIsConstant = model.isLinear
            o.maximumIterations = 25
        }
        guard o.problem == .saddle else {
            throw PhysicsError.invalidModel("poroelastic steps are saddle points: use NewtonOptions.problem = .saddle")
        }
        self.model = model
        self.times = times
        self.options = o
        initialState = [Double](repeating: 0, count: model.layout.dofCount)
    }

    /// `steps` steps of length `timeStep` from `start`: times start + n·Δt.
    public convenience init(model: PoroelasticModel, timeStep: Double, steps: Int, start: Double = 0,
                            options: NewtonOptions? = nil) throws {
        guard timeStep > 0, timeStep.isFinite else {
            throw PhysicsError.invalidParameter(name: "time step Δt", value: timeStep, requirement: "> 0 and finite")
        }
        guard steps >= 1 else { throw PhysicsError.invalidModel("a consolidation run needs at least one step (got \(steps))") }
        try self.init(model: model, times: (0 ... steps).map { start + Double($0) * timeStep }, options: options)
    }

    /// The solver for steps of length `timeStep` (0: the undrained response), created on first use.
    public func solver(timeStep: Double) throws -> Equilibrium {
        if let s = solvers.first(where: { abs($0.timeStep - timeStep) <= 1e-9 * timeStep }) { return s.solver }
        let s = try Equilibrium(model: model.makeModel(timeStep: timeStep), options: options)
        solvers.append((timeStep, s))
        return s
    }

    /// Numeric factorizations so far, over all solvers.
    public var factorizationCount: Int { solvers.reduce(0) { $0 + $1.solver.factor.factorizationCount } }

    /// One step: the state at `time` from `previous` (the state at `time − timeStep`); `timeStep = 0`
    /// gives the undrained response to the loads at `time`. The starting guess is `previous` with the
    /// prescribed values of `time`.
    public func step(from previous: [Double], time: Double, timeStep: Double, parameters theta: [Double]) throws -> EquilibriumResult {
        let s = try solver(timeStep: timeStep)
        s.assembler.setPreviousState(previous, time: time)
        var initial = previous
        model.applyPrescribed(to: &initial, at: time)
        return try s.solve(parameters: theta, initial: initial)
    }

    /// Runs every step at parameters θ. Throws for invalid parameters (`PhysicsError.invalidParameter`)
    /// and invalid evaluations; a step that does not converge ends the run (see `ConsolidationResult`).
    public func run(parameters theta: [Double]) throws -> ConsolidationResult {
        try model.validate(parameters: theta)
        guard initialState.count == model.layout.dofCount else {
            throw PhysicsError.sizeMismatch(what: "the initial state", expected: model.layout.dofCount, found: initialState.count)
        }
        var states: [[Double]] = [], solves: [EquilibriumResult] = []
        var previous = initialState
        for (n, t) in times.enumerated() {
            let result = try step(from: previous, time: t, timeStep: n == 0 ? 0 : t - times[n - 1], parameters: theta)
            solves.append(result)
            guard result.converged else { break }
            states.append(result.displacement)
            previous = result.displacement
        }
        return ConsolidationResult(times: Array(times.prefix(states.count)), states: states, solves: solves)
    }
}
