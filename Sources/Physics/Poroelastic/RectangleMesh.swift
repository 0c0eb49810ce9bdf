import Foundation

extension TriangleMesh {
    /// A structured mesh of the rectangle [x₀, x₀ + width] × [y₀, y₀ + height]: `columns × rows` cells,
    /// each cut into two triangles along a diagonal whose direction alternates like a chessboard (so the
    /// mesh has no preferred diagonal direction).
    ///
    /// Grading: `gradingX` (`gradingY`) is the width (height) of the last column (row) over that of the
    /// first, cell sizes growing geometrically in between (OpenFOAM's expansion ratio). A ratio below 1
    /// refines towards the right (top): for Terzaghi's column, put small cells at the drained top.
    /// Because the ratio is between the end cells, refining the mesh keeps the same smooth mapping and the
    /// finite-element convergence rates.
    ///
    /// Boundaries are named "bottom", "right", "top" and "left"; every triangle is in region `region`.
    public static func rectangle(width: Double, height: Double, columns: Int, rows: Int,
                                 origin: SIMD2<Double> = .zero, gradingX: Double = 1, gradingY: Double = 1,
                                 region: String = "domain") throws(MeshError) -> TriangleMesh {
        guard width > 0, height > 0, width.isFinite, height.isFinite else {
            throw .invalidGenerator("width and height must be positive and finite (got \(width) × \(height))")
        }
        guard columns >= 1, rows >= 1 else {
            throw .invalidGenerator("a rectangle needs at least one column and one row of cells (got \(columns) × \(rows))")
        }
        guard gradingX > 0, gradingY > 0, gradingX.isFinite, gradingY.isFinite else {
            throw .invalidGenerator("gradings are ratios of cell sizes and must be positive and finite (got \(gradingX), \(gradingY))")
        }
        let xs = graded(origin.x, width, columns, gradingX), ys = graded(origin.y, height, rows, gradingY)
        let nx = columns + 1
        var vertices: [SIMD2<Double>] = []
        vertices.reserveCapacity(nx * (rows + 1))
        for j in 0 ... rows { for i in 0 ... columns { vertices.append(SIMD2(xs[i], ys[j])) } }
        func v(_ i: Int, _ j: Int) -> Int32 { Int32(j * nx + i) }
        var triangles: [Int32] = []
        triangles.reserveCapacity(6 * columns * rows)
        for j in 0 ..< rows {
            for i in 0 ..< columns {
                let (a, b, c, d) = (v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1))
                if (i + j) % 2 == 0 {
                    triangles.append(contentsOf: [a, b, c, a, c, d])  // diagonal a–c
                } else {
                    triangles.append(contentsOf: [a, b, d, b, c, d])  // diagonal b–d
                }
            }
        }
        var boundaries: [String: [Int32]] = ["bottom": [], "right": [], "top": [], "left": []]
        for i in 0 ..< columns {
            boundaries["bottom"]!.append(contentsOf: [v(i, 0), v(i + 1, 0)])
            boundaries["top"]!.append(contentsOf: [v(i, rows), v(i + 1, rows)])
        }
        for j in 0 ..< rows {
            boundaries["left"]!.append(contentsOf: [v(0, j), v(0, j + 1)])
            boundaries["right"]!.append(contentsOf: [v(columns, j), v(columns, j + 1)])
        }
        return try TriangleMesh(vertices: vertices, triangles: triangles,
                                regions: [Int32](repeating: 0, count: 2 * columns * rows),
                                regionNames: [region], boundaries: boundaries)
    }

    /// `count + 1` coordinates from `start` to `start + length`, consecutive spacings in geometric
    /// progression with last/first = `ratio`; the end point is exact.
    static func graded(_ start: Double, _ length: Double, _ count: Int, _ ratio: Double) -> [Double] {
        let r = count > 1 ? pow(ratio, 1 / Double(count - 1)) : 1
        var sizes = (0 ..< count).map { pow(r, Double($0)) }
        let total = sizes.reduce(0, +)
        for k in sizes.indices { sizes[k] *= length / total }
        var x = [start]
        for s in sizes { x.append(x.last! + s) }
        x[count] = start + length
        return x
    }
}
