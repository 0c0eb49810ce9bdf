import AutoDiff
import Foundation
import Sparse

// Hand-written derivatives of the bead-spring terms (`BeadBond`, `BeadAngle`), the fast path a model
// may take; `BeadSpringTests` compares them with automatic differentiation entry by entry.
//
// Bond, d = x_j − x_i, r = |d|, n = d/r, s = r − r₀, E = ½ k s²:
//   ∂E/∂x_j = k s n = −∂E/∂x_i,   ∂²E/∂x_j² = k n nᵀ + (k s / r)(I − n nᵀ) (blocks ± by end),
//   ∂E/∂k = s²/2, ∂E/∂r₀ = −k s, ∂²E/∂x_j∂k = s n, ∂²E/∂x_j∂r₀ = −k n, ∂²E/∂k∂r₀ = −s, ∂²E/∂r₀² = k.
// Angle, θ = φ(b) − φ(a) with φ(v) = atan2(v_y, v_x):
//   ∇φ(v) = (−v_y, v_x)/|v|²,  ∇²φ(v) = [[2v_x v_y, v_y² − v_x²], [v_y² − v_x², −2v_x v_y]]/|v|⁴,
//   a = x_i − x_j, b = x_k − x_j, so ∂θ/∂x_i = −∇φ(a), ∂θ/∂x_k = ∇φ(b), ∂θ/∂x_j = ∇φ(a) − ∇φ(b), and
//   ∂²θ has blocks (i,i) = −∇²φ(a), (k,k) = ∇²φ(b), (j,j) = ∇²φ(b) − ∇²φ(a), (i,j) = ∇²φ(a),
//   (k,j) = −∇²φ(b), (i,k) = 0. With f = k_θ(θ − θ₀): ∂E/∂x = f ∂θ, ∂²E/∂x² = k_θ ∂θ∂θᵀ + f ∂²θ,
//   ∂E/∂k_θ = (θ − θ₀)²/2, ∂²E/∂x∂k_θ = (θ − θ₀) ∂θ.

/// Local derivatives written by hand into scratch storage the group owns: a gradient over `count`
/// variables and a dense symmetric Hessian (`count²`, row-major). A few words, so handing it to
/// `EnergyEvaluation.accumulate` copies nothing.
@usableFromInline
struct ScratchLocalDerivatives: LocalDerivatives {
    @usableFromInline var value = 0.0
    @usableFromInline let gradient: UnsafeMutablePointer<Double>
    @usableFromInline let hessian: UnsafeMutablePointer<Double>
    @usableFromInline let count: Int
    init(count: Int) {
        self.count = count
        gradient = .allocate(capacity: count)
        gradient.initialize(repeating: 0, count: count)
        hessian = .allocate(capacity: count * count)
        hessian.initialize(repeating: 0, count: count * count)
    }
    func deallocate() {
        gradient.deallocate()
        hessian.deallocate()
    }
    @usableFromInline func derivative(_ i: Int) -> Double { gradient[i] }
    @usableFromInline func secondDerivative(_ i: Int, _ j: Int) -> Double { hessian[i * count + j] }
    @inline(__always) func set(_ i: Int, _ j: Int, _ v: Double) {
        hessian[i * count + j] = v
        hessian[j * count + i] = v
    }
    @inline(__always) func add(_ i: Int, _ j: Int, _ v: Double) {
        hessian[i * count + j] += v
        if i != j { hessian[j * count + i] += v }
    }
}

/// The bonds of a bead-spring network with hand-written derivatives: the same energy as
/// `AutoDiffGroup<BeadBond>` over the same connectivity (dofs xᵢ, yᵢ, xⱼ, yⱼ per bond).
public struct HandWrittenBondGroup: EnergyGroup {
    public let name: String
    public let connectivity: Connectivity
    /// Model parameters (k, r₀).
    public let parameterIndices: [Int]

    public init(name: String, connectivity: Connectivity, parameterIndices: [Int]) throws {
        guard connectivity.indices.count == 4 * connectivity.termCount, parameterIndices.count == 2 else {
            throw PhysicsError.invalidModel("\(name): bonds read 4 dofs and 2 parameters (k, r0)")
        }
        self.name = name
        self.connectivity = connectivity
        self.parameterIndices = parameterIndices
    }

    public func evaluate(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?) throws {
        let k = e.parameters[parameterIndices[0]], r0 = e.parameters[parameterIndices[1]]
        var local = ScratchLocalDerivatives(count: 6)
        defer { local.deallocate() }
        var sum = 0.0
        try connectivity.indices.withUnsafeBufferPointer { dofs in
          try unknowns.indices.withUnsafeBufferPointer { unknownIndices in
            for t in 0 ..< connectivity.termCount {
                let d = dofs.baseAddress! + 4 * t
                let dx = e.positions[Int(d[2])] - e.positions[Int(d[0])]
                let dy = e.positions[Int(d[3])] - e.positions[Int(d[1])]
                let r = (dx * dx + dy * dy).squareRoot(), s = r - r0
                guard r > 0, r.isFinite else { throw nonFinite(t, d) }
                if e.needs == .energy {
                    sum += 0.5 * k * s * s
                    continue
                }
                let n2 = SIMD2(dx / r, dy / r)
                local.value = 0.5 * k * s * s
                for c in 0 ..< 2 {
                    local.gradient[2 + c] = k * s * n2[c]
                    local.gradient[c] = -k * s * n2[c]
                }
                local.gradient[4] = 0.5 * s * s
                local.gradient[5] = -k * s
                for a in 0 ..< 2 {
                    for b in a ..< 2 {
                        let kab = k * n2[a] * n2[b] + k * s / r * ((a == b ? 1 : 0) - n2[a] * n2[b])
                        local.set(a, b, kab)
                        local.set(2 + a, 2 + b, kab)
                        local.set(a, 2 + b, -kab)
                        local.set(b, 2 + a, -kab)
                    }
                    local.set(2 + a, 4, s * n2[a])
                    local.set(a, 4, -s * n2[a])
                    local.set(2 + a, 5, -k * n2[a])
                    local.set(a, 5, k * n2[a])
                }
                local.set(4, 4, 0)
                local.set(4, 5, -s)
                local.set(5, 5, k)
                e.accumulate(local, term: t, dofCount: 4, historyCount: 0, dofs: d,
                             unknowns: unknownIndices.baseAddress! + 4 * t, parameterIndices: parameterIndices,
                             scatter: scatter)
            }
          }
        }
        e.energy += sum
    }

    func nonFinite(_ t: Int, _ d: UnsafePointer<Int32>) -> PhysicsError {
        .nonFinite(group: name, term: t, detail: "the beads of dofs \(d[0]) and \(d[2]) coincide or are not finite; check the loading")
    }
}

/// The angles of a bead-spring network with hand-written derivatives: the same energy as
/// `AutoDiffGroup<BeadAngle>` (dofs xᵢ, yᵢ, xⱼ, yⱼ, xₖ, yₖ per angle, centre j).
public struct HandWrittenAngleGroup: EnergyGroup {
    public let name: String
    public let connectivity: Connectivity
    public let restAngles: [Double]
    let restCosines: [Double], restSines: [Double]
    /// Model parameter k_θ.
    public let parameterIndices: [Int]

    public init(name: String, connectivity: Connectivity, restAngles: [Double], parameterIndex: Int) throws {
        guard connectivity.indices.count == 6 * connectivity.termCount, restAngles.count == connectivity.termCount else {
            throw PhysicsError.invalidModel("\(name): angles read 6 dofs each and need one rest angle each")
        }
        self.name = name
        self.connectivity = connectivity
        self.restAngles = restAngles
        restCosines = restAngles.map { cos($0) }
        restSines = restAngles.map { sin($0) }
        parameterIndices = [parameterIndex]
    }

    public func evaluate(_ e: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?) throws {
        let stiffness = e.parameters[parameterIndices[0]]
        var local = ScratchLocalDerivatives(count: 7)
        defer { local.deallocate() }
        var sum = 0.0
        try connectivity.indices.withUnsafeBufferPointer { dofs in
          try unknowns.indices.withUnsafeBufferPointer { unknownIndices in
            for t in 0 ..< connectivity.termCount {
                let d = dofs.baseAddress! + 6 * t
                let ax = e.positions[Int(d[0])] - e.positions[Int(d[2])], ay = e.positions[Int(d[1])] - e.positions[Int(d[3])]
                let bx = e.positions[Int(d[4])] - e.positions[Int(d[2])], by = e.positions[Int(d[5])] - e.positions[Int(d[3])]
                let sa = ax * ax + ay * ay, sb = bx * bx + by * by
                guard sa > 0, sb > 0, sa.isFinite, sb.isFinite else {
                    throw PhysicsError.nonFinite(group: name, term: t, detail: "a bond of the angle at dofs \(d[2]), \(d[3]) has zero length; check the loading")
                }
                // b turned back by θ₀ (see `BeadAngle`): the bend θ − θ₀ away from atan2's branch cut.
                let c = restCosines[t], s = restSines[t]
                let rx = c * bx + s * by, ry = c * by - s * bx
                let bend = Double.atan2(ax * ry - ay * rx, ax * rx + ay * ry)
                if e.needs == .energy {
                    sum += 0.5 * stiffness * bend * bend
                    continue
                }
                // ∂θ over (xᵢ, yᵢ, xⱼ, yⱼ, xₖ, yₖ).
                let gax = -ay / sa, gay = ax / sa, gbx = -by / sb, gby = bx / sb
                let g = (-gax, -gay, gax - gbx, gay - gby, gbx, gby)
                func gi(_ a: Int) -> Double {
                    switch a { case 0: g.0; case 1: g.1; case 2: g.2; case 3: g.3; case 4: g.4; default: g.5 }
                }
                // ∇²φ(a), ∇²φ(b) as (xx, xy, yy).
                let ia = 1 / (sa * sa), ib = 1 / (sb * sb)
                let haxx = 2 * ax * ay * ia, haxy = (ay * ay - ax * ax) * ia, hayy = -haxx
                let hbxx = 2 * bx * by * ib, hbxy = (by * by - bx * bx) * ib, hbyy = -hbxx
                let f = stiffness * bend
                local.value = 0.5 * stiffness * bend * bend
                for a in 0 ..< 6 {
                    let ga = gi(a)
                    local.gradient[a] = f * ga
                    local.set(a, 6, bend * ga)
                    for b in a ..< 6 { local.set(a, b, stiffness * ga * gi(b)) }
                }
                local.gradient[6] = 0.5 * bend * bend
                local.set(6, 6, 0)
                // f ∂²θ, block by block (2×2 blocks symmetric in themselves).
                func addBlock(_ p: Int, _ q: Int, _ xx: Double, _ xy: Double, _ yy: Double) {
                    let i = 2 * p, j = 2 * q
                    local.add(i, j, f * xx)
                    local.add(i + 1, j + 1, f * yy)
                    local.add(i, j + 1, f * xy)
                    if p != q { local.add(i + 1, j, f * xy) }
                }
                addBlock(0, 0, -haxx, -haxy, -hayy)
                addBlock(2, 2, hbxx, hbxy, hbyy)
                addBlock(1, 1, hbxx - haxx, hbxy - haxy, hbyy - hayy)
                addBlock(0, 1, haxx, haxy, hayy)
                addBlock(1, 2, -hbxx, -hbxy, -hbyy)
                e.accumulate(local, term: t, dofCount: 6, historyCount: 0, dofs: d,
                             unknowns: unknownIndices.baseAddress! + 6 * t, parameterIndices: parameterIndices,
                             scatter: scatter)
            }
          }
        }
        e.energy += sum
    }
}
