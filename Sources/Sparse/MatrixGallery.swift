/// Standard model problems for verification and benchmarking, each given as a sum of local terms
/// (connectivity and one dense block per term), exactly as the physics models produce them.
///
/// - `laplacian2D`: the 5-point Laplacian on an `nx × ny` grid of interior nodes with homogeneous
///   Dirichlet boundaries, as a sum of edge terms `[[1, −1], [−1, 1]]` (boundary nodes eliminated).
/// - `elasticity2D`: plane-strain linear elasticity on an `nx × ny` grid of unit bilinear (Q1) squares,
///   2×2 Gauss quadrature, left edge clamped (eliminated); `2·nx·(ny + 1)` unknowns.
public struct ModelProblem: Sendable {
    public let dimension: Int
    public let connectivity: Connectivity
    /// The local `k × k` row-major blocks: either one per term, concatenated, or a single block shared by
    /// every term (`k` is the uniform term size).
    public let blocks: [Double]
    public let termSize: Int

    /// Assembles the problem's matrix on a pattern built from its connectivity.
    public func assemble() throws -> SymmetricMatrix {
        let pattern = try SparsityPattern(dimension: dimension, connectivities: [connectivity])
        let matrix = SymmetricMatrix(pattern: pattern)
        assemble(into: matrix, map: ScatterMap(pattern: pattern, connectivity: connectivity))
        return matrix
    }

    /// Re-assembles into an existing matrix of the same pattern (the benchmark's timed path).
    public func assemble(into matrix: SymmetricMatrix, map: ScatterMap) {
        matrix.zero()
        let k = termSize
        blocks.withUnsafeBufferPointer { b in
            for t in 0 ..< connectivity.termCount {
                matrix.add(term: t, of: map, block: b.baseAddress! + (blocks.count == k * k ? 0 : t * k * k), size: k)
            }
        }
    }

    public static func laplacian2D(nx: Int, ny: Int) -> ModelProblem {
        func node(_ i: Int, _ j: Int) -> Int32 {
            (i < 0 || j < 0 || i >= nx || j >= ny) ? -1 : Int32(j * nx + i)
        }
        var indices: [Int32] = []
        for j in -1 ..< ny {
            for i in -1 ..< nx {
                if j >= 0 { indices += [node(i, j), node(i + 1, j)] }
                if i >= 0 { indices += [node(i, j), node(i, j + 1)] }
            }
        }
        return ModelProblem(dimension: nx * ny, connectivity: Connectivity(uniformTermSize: 2, indices: indices),
                            blocks: [1, -1, -1, 1], termSize: 2)
    }

    public static func elasticity2D(nx: Int, ny: Int, youngsModulus e: Double = 1, poissonRatio nu: Double = 0.3)
        -> ModelProblem
    {
        // Node (i, j), i = 0 ... nx, j = 0 ... ny; nodes with i = 0 are clamped.
        func dof(_ i: Int, _ j: Int, _ c: Int) -> Int32 {
            i == 0 ? -1 : Int32(2 * ((i - 1) * (ny + 1) + j) + c)
        }
        var indices: [Int32] = []
        indices.reserveCapacity(nx * ny * 8)
        for i in 0 ..< nx {
            for j in 0 ..< ny {
                for (a, b) in [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)] {
                    indices += [dof(a, b, 0), dof(a, b, 1)]
                }
            }
        }
        return ModelProblem(dimension: 2 * nx * (ny + 1),
                            connectivity: Connectivity(uniformTermSize: 8, indices: indices),
                            blocks: q1PlaneStrainStiffness(e: e, nu: nu), termSize: 8)
    }

    /// Stiffness of a unit square Q1 element, plane strain, 2×2 Gauss points; dofs (x₀,y₀,x₁,y₁,...)
    /// at corners (0,0), (1,0), (1,1), (0,1).
    static func q1PlaneStrainStiffness(e: Double, nu: Double) -> [Double] {
        let lambda = e * nu / ((1 + nu) * (1 - 2 * nu)), mu = e / (2 * (1 + nu))
        let corners: [(Double, Double)] = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        let g = 1 / 3.0.squareRoot()
        var k = [Double](repeating: 0, count: 64)
        for (xi, eta) in [(-g, -g), (g, -g), (g, g), (-g, g)] {
            // Unit square: x = (1 + ξ)/2, so ∂N/∂x = 2 ∂N/∂ξ, and det J = 1/4 (Gauss weights are 1).
            let dN = corners.map { (cx, cy) in (cx * (1 + eta * cy) / 2, cy * (1 + xi * cx) / 2) }
            for a in 0 ..< 4 {
                for b in 0 ..< 4 {
                    let (ax, ay) = dN[a], (bx, by) = dN[b]
                    let w = 0.25
                    k[(2 * a) * 8 + 2 * b] += w * ((lambda + 2 * mu) * ax * bx + mu * ay * by)
                    k[(2 * a) * 8 + 2 * b + 1] += w * (lambda * ax * by + mu * ay * bx)
                    k[(2 * a + 1) * 8 + 2 * b] += w * (lambda * ay * bx + mu * ax * by)
                    k[(2 * a + 1) * 8 + 2 * b + 1] += w * ((lambda + 2 * mu) * ay * by + mu * ax * bx)
                }
            }
        }
        return k
    }
}
