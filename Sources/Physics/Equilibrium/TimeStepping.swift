import Foundation

/// A sequence of equilibria, step n depending on step n − 1 through the assembler's history: what the
/// time-stepped adjoint and sensitivities run through. Step n may use its own solver (an undrained first
/// step, a different time step).
public protocol EquilibriumSequence: AnyObject {
    /// Number of steps.
    var stepCount: Int { get }
    /// The state before the first step.
    var initialState: [Double] { get }
    /// Sets up step n (history from `previous`, its time) and returns the solver that solves it.
    func prepare(step n: Int, previous: [Double]) throws -> Equilibrium
}

/// A sequence of equilibria u₁ … u_N at times t₁ … t_N, each step's potential depending on the previous
/// state (an incremental potential, such as backward-Euler consolidation).
///
/// Step n sets the assembler's history to the positions of step n − 1 and its time to tₙ, lets the
/// caller write the prescribed values of step n, and solves from the previous state. States are kept
/// (the adjoint runs backwards through them). With `NewtonOptions.hessianIsConstant` one factorization
/// serves every step of a run at fixed θ.
public final class TimeStepping: EquilibriumSequence {
    public let solver: Equilibrium
    public let times: [Double]

    public init(solver: Equilibrium, times: [Double]) throws {
        guard !times.isEmpty, zip(times, times.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw PhysicsError.invalidModel("time steps must be a non-empty increasing list of times")
        }
        self.solver = solver
        self.times = times
    }

    /// The states of one run: `initial` is the state before the first step (at t₀).
    public struct Run: Sendable {
        public let initial: [Double]
        /// Full displacement after each step.
        public let states: [[Double]]
        public let results: [EquilibriumResult]
        public var converged: Bool { results.allSatisfy(\.converged) }
        /// Newton iterations over all steps.
        public var iterations: Int { results.reduce(0) { $0 + $1.iterations } }
    }

    /// Runs every step at parameters `theta` from `initial` (the state at t₀, whose positions are the
    /// first step's history). `prescribe(n, &u)` writes the prescribed values of step n into u. Stops
    /// at the first step that does not converge (the run then has fewer states than steps).
    public func run(parameters theta: [Double], initial: [Double],
                    prescribe: (Int, inout [Double]) -> Void = { _, _ in }) throws -> Run {
        initialState = initial
        var state = initial
        var states: [[Double]] = [], results: [EquilibriumResult] = []
        for n in times.indices {
            setStep(n, previous: state)
            var start = state
            prescribe(n, &start)
            let result = try solver.solve(parameters: theta, initial: start)
            results.append(result)
            guard result.converged else { break }
            state = result.displacement
            states.append(state)
        }
        return Run(initial: initial, states: states, results: results)
    }

    public var stepCount: Int { times.count }
    /// The state before the first step, as given to the latest `run`.
    public private(set) var initialState: [Double] = []

    public func prepare(step n: Int, previous: [Double]) throws -> Equilibrium {
        setStep(n, previous: previous)
        return solver
    }

    /// Sets history and time for step `n` whose previous state is `previous`.
    public func setStep(_ n: Int, previous: [Double]) {
        solver.assembler.setPreviousState(previous, time: times[n])
    }
}
