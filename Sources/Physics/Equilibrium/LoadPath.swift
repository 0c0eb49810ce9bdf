// Which equilibrium a calibration means: the one reached from the reference state along the loading path.
//
// A loaded structure can have several equilibria u*(θ); "Newton from a fixed guess" picks one by the
// accident of its basin, which changes discontinuously with θ. The definition used here makes u*(θ) a
// function of θ that is continuous wherever the branch is stable:
//
//   1. The load fraction λ runs from 0 to 1. At λ the prescribed dofs sit at λ times their final values
//      and every model parameter marked as a load (an indentation depth) is λ times its value.
//   2. The state at λ = 0 is the reference: the caller's guess for the unknowns (for a lattice, its
//      reference positions) with the prescribed dofs at zero. Where even the smallest increment from it
//      needs a shift (a reference far from equilibrium, such as a pre-stressed lattice), it is first
//      relaxed unloaded, shifts allowed, and the loading followed from there.
//   3. The whole load in one step from the reference (modified Newton, shifts allowed) is tried first.
//      Where it fails, the load is applied in increments: λ → λ' starts from the state at λ with the
//      prescribed dofs moved to λ' times their final values, and is accepted only when Newton converges
//      with a positive-definite Hessian at every iterate (no shift), so the iterates never leave the
//      convex region around the branch. Otherwise the increment is halved.
//   4. An increment that still fails below `minimumIncrement` is an instability of the branch at load
//      fraction λ (the Hessian loses definiteness: a limit point, a bifurcation, a snap-through). It is
//      reported as such, never crossed.
//
// A problem whose one-step solve from the reference converges costs that one solve (a cold start); an
// unloaded problem (no prescribed motion, no load parameter) is one solve from the caller's guess. The
// one-step solve can land on different equilibria for nearby θ where the landscape has several; the
// calibration's continuation (Bilevel's `Experiment`) detects that as a branch jump and rejects it. Crisfield, "Non-linear Finite Element Analysis of Solids and
// Structures", vol. 1, 1991, ch. 9 (incremental solution with step halving); Allgower & Georg,
// "Introduction to Numerical Continuation Methods", SIAM 2003, ch. 1–2 (predictor–corrector along a branch).

import Foundation

/// Settings of the load-path solve, with documented defaults and a `validate()`.
public struct LoadPathOptions: Sendable, Equatable {
    /// Indices of model parameters that are loads (scaled by λ along the path). Default none.
    public var loadParameters: [Int] = []
    /// Smallest load increment tried before the branch is declared unstable. Default 1/1024.
    public var minimumIncrement = 1.0 / 1024

    public init(loadParameters: [Int] = []) {
        self.loadParameters = loadParameters
    }

    /// Throws `PhysicsError.invalidModel` for a meaningless setting.
    public func validate(parameterCount: Int) throws {
        guard minimumIncrement > 0, minimumIncrement < 1 else {
            throw PhysicsError.invalidModel("load path: minimumIncrement must lie in (0, 1) (got \(minimumIncrement))")
        }
        if let bad = loadParameters.first(where: { $0 < 0 || $0 >= parameterCount }) {
            throw PhysicsError.invalidModel("load path: load parameter index \(bad) is not among the model's \(parameterCount) parameters")
        }
    }
}

/// The outcome of a load-path solve.
public enum LoadPathOutcome: Sendable {
    /// The equilibrium at full load, and the number of increments taken (the λ = 0 solve not counted).
    case solved(EquilibriumResult, increments: Int, newtonIterations: Int)
    /// The branch could not be followed past load fraction `fraction` (the Hessian lost definiteness or
    /// Newton failed in every increment down to the minimum).
    case unstable(fraction: Double, newtonIterations: Int)
    /// The solve of an unloaded problem, or the relaxation of the reference, failed.
    case failedAtStart(EquilibriumResult.Status)

    /// The sentence that reports an instability at load fraction λ.
    public static func instability(at fraction: Double) -> String {
        "the equilibrium branch becomes unstable at load fraction \(String(format: "%.4g", fraction)) "
            + "(the Hessian loses definiteness: a limit point, bifurcation or snap-through); the loading cannot be followed further"
    }

    /// A sentence for logs and error messages.
    public var description: String {
        switch self {
        case let .solved(_, increments, _): return "equilibrium reached in \(increments) load increment(s)"
        case let .unstable(fraction, _): return Self.instability(at: fraction)
        case let .failedAtStart(status): return "the unloaded problem could not be solved (\(status))"
        }
    }
}

extension Equilibrium {
    /// Solves at parameters `theta` along the loading path to the full load given by `final` (full
    /// displacement: prescribed dofs at their final values, unknown dofs the starting guess).
    public func solveAlongLoadPath(parameters theta: [Double], final: [Double], options: LoadPathOptions = LoadPathOptions()) throws
        -> LoadPathOutcome {
        try options.validate(parameterCount: model.parameterCount)
        let layout = model.layout
        func parameters(at lambda: Double) -> [Double] {
            var p = theta
            for i in options.loadParameters { p[i] = lambda * theta[i] }
            return p
        }
        let loaded = options.loadParameters.contains { theta[$0] != 0 }
            || (0 ..< layout.dofCount).contains { layout.isPrescribed($0) && final[$0] != 0 }
        guard loaded else {
            let result = try solve(parameters: theta, initial: final)
            return result.converged ? .solved(result, increments: 0, newtonIterations: result.iterations) : .failedAtStart(result.status)
        }
        var state = final
        for d in 0 ..< layout.dofCount where layout.isPrescribed(d) { state[d] = 0 }
        var start = state, newton = 0
        var last: EquilibriumResult?
        var lambda = 0.0, increment = 1.0, increments = 0
        var relaxed = false
        while lambda < 1 {
            let next = min(1, lambda + increment)
            for d in 0 ..< layout.dofCount { start[d] = layout.isPrescribed(d) ? next * final[d] : state[d] }
            let result = try solve(parameters: parameters(at: next), initial: start)
            newton += result.iterations
            // The whole load in one step is the plain solve from the reference (shifts allowed); once that
            // has failed, increments must stay in the convex region of the branch.
            let wholeLoad = lambda == 0 && next == 1 && !relaxed
            if result.converged && (wholeLoad || result.shifts.allSatisfy({ $0 == 0 })) {
                lambda = next
                state = result.displacement
                last = result
                increments += 1
                increment = min(2 * increment, 1)
            } else {
                increment /= 2
                guard increment < options.minimumIncrement else { continue }
                guard lambda == 0, !relaxed else { return .unstable(fraction: lambda, newtonIterations: newton) }
                // The reference itself is far from equilibrium (a pre-stressed lattice): relax it unloaded
                // (shifts allowed) and follow the loading from there.
                let unloaded = try solve(parameters: parameters(at: 0), initial: state)
                newton += unloaded.iterations
                guard unloaded.converged else { return .failedAtStart(unloaded.status) }
                state = unloaded.displacement
                relaxed = true
                increment = 1
            }
        }
        return .solved(last!, increments: increments, newtonIterations: newton)
    }
}
