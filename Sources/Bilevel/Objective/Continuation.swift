// Continuation inside a calibration: each evaluation starts from the nearest equilibrium already computed
// on the branch, moved by the first-order predictor
//     u_pred = u_a + (du*/dθ)(θ − θ_a),
// with du*/dθ = −H⁻¹ ∂²Π/∂u∂θ computed at the anchor with the factor its Newton solve left (Allgower &
// Georg, "Introduction to Numerical Continuation Methods", SIAM 2003, §2.2: Euler predictor, Newton
// corrector). It is an accelerator, not a definition: the equilibrium meant is the one on the loading path
// (`Equilibrium.solveAlongLoadPath`). A continued solve is trusted only when
//   • Newton converged from the predictor with a positive-definite Hessian at every iterate, and
//   • the corrector's move is no larger than the predictor's own first-order move (κ = 1) plus a small
//     absolute allowance: on a smooth branch the corrector removes an O(|Δθ|²) error, while an
//     equilibrium of another branch sits a finite distance away whatever Δθ.
// Otherwise the point is solved by the definition. If the definition's equilibrium is not within the same
// bound of the predictor either, u*(θ) jumps between the anchor and θ: a branch jump. The evaluation is
// then rejected (the optimizer shortens its step), logged and counted, so the optimizer never sees a
// discontinuous objective as if it were smooth.

import Foundation
import Physics

/// Settings of continuation inside a calibration, with documented defaults and a `validate()`.
public struct ContinuationOptions: Sendable, Equatable {
    /// Start from the nearest computed equilibrium with the first-order predictor. Default false: every
    /// evaluation solves along the loading path, a pure function of θ. The loading path's one-step solve
    /// is itself discontinuous in θ where several equilibria compete (the bundled lattice case near its
    /// start), and a continued branch must then disagree with it somewhere: rejecting those points keeps
    /// a run on the start's branch, accepting them computes something other than the definition. It can
    /// be the default once the definition is continuous along a stable branch (docs/gradients.md).
    public var enabled = false
    /// Equilibria kept as anchors per experiment (most recent first). Default 4.
    public var anchors = 4
    /// κ: largest corrector move accepted, relative to the predictor's first-order move. Default 1.
    public var branchTolerance = 1.0
    /// Absolute allowance for the corrector move, relative to the largest position magnitude. Default 1e-6.
    public var absoluteTolerance = 1e-6
    /// The loading path that defines the equilibrium.
    public var loadPath = LoadPathOptions()

    public init() {}

    /// Throws `PhysicsError.invalidModel` naming the first bad setting.
    public func validate(parameterCount: Int) throws {
        guard anchors >= 1 else { throw PhysicsError.invalidModel("continuation: anchors must be ≥ 1 (got \(anchors))") }
        guard branchTolerance > 0, branchTolerance.isFinite, absoluteTolerance >= 0, absoluteTolerance.isFinite else {
            throw PhysicsError.invalidModel("continuation: branchTolerance must be positive and absoluteTolerance ≥ 0")
        }
        try loadPath.validate(parameterCount: parameterCount)
    }
}

/// An equilibrium kept for continuation: model parameters, full displacement, and du*/dθ (unknowns ×
/// parameters, one column of `unknownCount` entries per model parameter).
public struct ContinuationAnchor: Sendable, Equatable {
    public let theta: [Double]
    public let displacement: [Double]
    public let sensitivities: [Double]

    public init(theta: [Double], displacement: [Double], sensitivities: [Double]) {
        self.theta = theta
        self.displacement = displacement
        self.sensitivities = sensitivities
    }
}

/// Counts of how an experiment's equilibria were found.
public struct ContinuationStatistics: Sendable, Equatable {
    /// Solves continued from an anchor and accepted.
    public var continued = 0
    /// Solves along the loading path (first evaluations, and continued solves not trusted).
    public var loadPathSolves = 0
    /// Evaluations rejected because the equilibrium on the loading path is not the continuation of the anchor.
    public var branchJumps = 0
    /// Evaluations rejected because the branch became unstable along the loading path.
    public var instabilities = 0

    public init() {}
}

/// The anchors of one experiment and the predictor from them.
struct ContinuationCache {
    var anchors: [ContinuationAnchor] = []

    /// The anchor nearest to θ in relative distance (the most recent among equals).
    func nearest(to theta: [Double]) -> ContinuationAnchor? {
        var best: (ContinuationAnchor, Double)?
        for a in anchors {
            var d = 0.0
            for i in theta.indices {
                let r = (theta[i] - a.theta[i]) / max(abs(a.theta[i]), 1e-300)
                d += r * r
            }
            if best == nil || d < best!.1 { best = (a, d) }
        }
        return best?.0
    }

    mutating func insert(_ anchor: ContinuationAnchor, keeping count: Int) {
        anchors.insert(anchor, at: 0)
        if anchors.count > count { anchors.removeLast(anchors.count - count) }
    }

    /// u_a + S(θ − θ_a) on the unknowns; prescribed dofs from `initial`. Also returns the predictor's
    /// largest move ‖u_pred − u_a‖∞.
    static func predict(from a: ContinuationAnchor, theta: [Double], initial: [Double], layout: DofLayout) -> ([Double], Double) {
        var u = initial
        let n = layout.unknownCount
        var move = 0.0
        for (k, d) in layout.dofOfUnknown.enumerated() {
            var change = 0.0
            for p in theta.indices where theta[p] != a.theta[p] { change += a.sensitivities[p * n + k] * (theta[p] - a.theta[p]) }
            u[Int(d)] = a.displacement[Int(d)] + change
            move = max(move, abs(change))
        }
        return (u, move)
    }

    /// ‖a − b‖∞ over the unknowns, and the largest position magnitude |reference + b|.
    static func distance(_ a: [Double], _ b: [Double], layout: DofLayout) -> (distance: Double, scale: Double) {
        var distance = 0.0, scale = 0.0
        for d in layout.dofOfUnknown {
            let i = Int(d)
            distance = max(distance, abs(a[i] - b[i]))
            scale = max(scale, abs(layout.reference[i] + b[i]))
        }
        return (distance, scale)
    }
}
