import AutoDiff
import Physics

/// ½ k (|x₂ − x₁| − 1)² between two points in the plane.
struct ChainSpring: LocalEnergy {
    typealias Hyper = HyperJet<5, 15>
    static let dofCount = 4
    static let parameterCount = 1
    func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let dx = v[2] - v[0], dy = v[3] - v[1]
        let s = S.sqrt(dx * dx + dy * dy) - 1
        return 0.5 * v.parameter(0) * s * s
    }
}

/// ½ c |x − X|² tying a point to its anchor.
struct ChainPin: LocalEnergy {
    typealias Hyper = HyperJet<3, 6>
    static let dofCount = 2
    static let parameterCount = 1
    let anchor: (Double, Double)
    func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let dx = v[0] - anchor.0, dy = v[1] - anchor.1
        return 0.5 * v.parameter(0) * (dx * dx + dy * dy)
    }
}
