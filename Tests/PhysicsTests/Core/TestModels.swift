import AutoDiff
import Physics
import Sparse

/// A nonlinear spring between two points in the plane: ½k(|x₂ − x₁| − r₀)², parameters (k, r₀).
struct PlaneSpring: LocalEnergy {
    typealias Hyper = HyperJet<6, 21>
    static let dofCount = 4
    static let parameterCount = 2
    func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let dx = v[2] - v[0], dy = v[3] - v[1]
        let stretch = S.sqrt(dx * dx + dy * dy) - v.parameter(1)
        return 0.5 * v.parameter(0) * stretch * stretch
    }
}

/// An on-site quartic pin, c·|x − X|⁴ / 4 + ½ c |x − X|², tying a point to a place: parameter c.
struct QuarticPin: LocalEnergy {
    typealias Hyper = HyperJet<3, 6>
    static let dofCount = 2
    static let parameterCount = 1
    let anchor: (Double, Double)
    func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let dx = v[0] - anchor.0, dy = v[1] - anchor.1
        let s = dx * dx + dy * dy
        return v.parameter(0) * (0.25 * s * s + 0.5 * s)
    }
}

/// A chain of `count` points along x at unit spacing joined by springs, each point pinned to a place
/// slightly off its reference; point 0 fixed, the last pulled by `pull` along x.
func springChain(count: Int, pinned: Bool = true) throws -> (model: Model, initial: [Double], theta: [Double]) {
    var reference: [Double] = []
    for i in 0 ..< count { reference += [Double(i), 0] }
    let layout = try DofLayout(reference: reference, prescribed: [0, 1, 2 * count - 2])
    var springs = Connectivity()
    for i in 0 ..< count - 1 { springs.append([Int32(2 * i), Int32(2 * i + 1), Int32(2 * i + 2), Int32(2 * i + 3)]) }
    var groups: [any EnergyGroup] = [
        try AutoDiffGroup(name: "springs", terms: Array(repeating: PlaneSpring(), count: count - 1),
                          connectivity: springs, parameterIndices: [0, 1]),
    ]
    if pinned {
        var pins = Connectivity()
        var terms: [QuarticPin] = []
        for i in 0 ..< count {
            pins.append([Int32(2 * i), Int32(2 * i + 1)])
            terms.append(QuarticPin(anchor: (Double(i) + 0.1 * Double(i % 3), 0.2 * Double(i % 2))))
        }
        groups.append(try AutoDiffGroup(name: "pins", terms: terms, connectivity: pins, parameterIndices: [2]))
    }
    let model = Model(layout: layout, groups: groups, parameterNames: ["k", "r0", "c"])
    var initial = [Double](repeating: 0, count: 2 * count)
    initial[2 * count - 2] = 0.3
    return (model, initial, [2.0, 1.05, 0.5])
}
