import Sparse

// A plane body's rigid motions are u(x) = (t_x − ω(y − y_c), t_y + ω(x − x_c)): two translations and a
// rotation. A displacement condition on node n along x removes the combinations with
// t_x − ω(y_n − y_c) = 0; a rigid plate ties components together, removing those that move its nodes
// differently. The step matrix is singular exactly when some rigid motion survives every condition,
// i.e. when the 3 × 3 Gram matrix of the condition rows has a (numerically) zero eigenvalue; its
// eigenvector says which motion is free. Coordinates are centred and scaled by the mesh size so the
// three columns are commensurate.

extension PoroelasticModel {
    /// Throws `PhysicsError.underConstrained` when the displacement conditions (`held` node components,
    /// slot 2n + c) and rigid-plate ties (`tie`, plate index per slot or −1) leave a rigid-body mode.
    static func checkRigidModes(mesh: TriangleMesh, held: Set<Int>, tie: [Int]) throws {
        guard !held.isEmpty else {
            throw PhysicsError.underConstrained(
                "no displacement is prescribed on any boundary, so the body can translate and rotate freely and every time step's matrix is singular; "
                    + "hold at least one boundary, for example .roller(\"bottom\", component: 1) and .roller(\"left\", component: 0), or .fixed(boundary: \"bottom\")")
        }
        let lo = mesh.points.reduce(SIMD2(repeating: Double.infinity)) { pointwiseMin($0, $1) }
        let hi = mesh.points.reduce(SIMD2(repeating: -Double.infinity)) { pointwiseMax($0, $1) }
        let centre = 0.5 * (lo + hi), size = max(hi.x - lo.x, hi.y - lo.y)
        func row(_ slot: Int) -> SIMD3<Double> {
            let p = (mesh.points[slot / 2] - centre) / size
            return slot % 2 == 0 ? SIMD3(1, 0, -p.y) : SIMD3(0, 1, p.x)
        }
        var gram = [Double](repeating: 0, count: 9)
        func add(_ r: SIMD3<Double>) {
            for i in 0 ..< 3 { for j in 0 ..< 3 { gram[3 * i + j] += r[i] * r[j] } }
        }
        for slot in held { add(row(slot)) }
        var first: [Int: Int] = [:]
        for (slot, plate) in tie.enumerated() where plate >= 0 {
            let key = 2 * plate + slot % 2
            if let f = first[key] { add(row(slot) - row(f)) } else { first[key] = slot }
        }
        let trace = gram[0] + gram[4] + gram[8]
        let eigen = try SymmetricEigen(symmetric: gram, dimension: 3)
        guard eigen.eigenvalues[0] <= 1e-10 * trace else { return }
        let v = eigen.eigenvector(0)
        if abs(v[2]) < 1e-6 {
            let direction = abs(v[0]) > 0.999 ? "x" : abs(v[1]) > 0.999 ? "y" : "(\(v[0]), \(v[1]))"
            throw PhysicsError.underConstrained(
                "no boundary holds the displacement along \(direction), so the body can translate freely in that direction and the step matrix is singular; "
                    + "add a displacement condition along \(direction) (a roller) on some boundary")
        }
        let x0 = centre.x - size * v[1] / v[2], y0 = centre.y + size * v[0] / v[2]
        throw PhysicsError.underConstrained(
            "the displacement conditions do not prevent a rigid rotation about (\(x0), \(y0)), so the step matrix is singular; "
                + "hold a second boundary, or a component that such a rotation would move (for example rollers on two perpendicular boundaries)")
    }
}
