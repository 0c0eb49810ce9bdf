/// A consolidation run as a sequence of equilibria: step 0 is the undrained response (its own solver,
/// Δt = 0), step n ≥ 1 the backward-Euler step from tₙ₋₁ to tₙ.
extension Consolidation: EquilibriumSequence {
    public var stepCount: Int { times.count }

    public func prepare(step n: Int, previous: [Double]) throws -> Equilibrium {
        let s = try solver(timeStep: n == 0 ? 0 : times[n] - times[n - 1])
        s.assembler.setPreviousState(previous, time: times[n])
        return s
    }
}
