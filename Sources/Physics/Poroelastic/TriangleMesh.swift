/// A conforming mesh of straight-sided quadratic (6-node) triangles in the plane, with named regions
/// (materials) and named boundaries: the geometry of a Taylor–Hood (P2 displacement, P1 pressure) model.
///
/// Node numbering: the triangle vertices come first (`0 ..< vertexCount`), so a vertex's index is also
/// its pressure node; the edge midpoints (quadratic displacement nodes) follow. Each triangle lists six
/// nodes in Gmsh's order: vertices v₀ v₁ v₂ counter-clockwise, then the midpoints of edges v₀v₁, v₁v₂,
/// v₂v₀. Each boundary edge lists three nodes: its two vertices and its midpoint.
///
/// Guarantees (checked at construction, `MeshError` otherwise): every triangle has positive area, at
/// least 10⁻¹² of its longest edge squared (no inverted or degenerate elements); every boundary edge is
/// an edge of some triangle; midpoints are shared between neighbouring triangles (conformity).
public struct TriangleMesh: Sendable, Equatable {
    /// Coordinates of every node: vertices first, then edge midpoints.
    public let points: [SIMD2<Double>]
    /// Number of vertex nodes (the pressure nodes).
    public let vertexCount: Int
    /// Six node indices per triangle (see the type's documentation).
    public let triangles: [Int32]
    /// Index into `regionNames` of each triangle.
    public let triangleRegions: [Int32]
    /// Region names, in the order regions are numbered.
    public let regionNames: [String]
    /// Named boundaries: three nodes per edge (vertex, vertex, midpoint).
    public let boundaries: [String: [Int32]]

    /// Builds the quadratic mesh from linear triangles: `triangles` holds three vertex indices per
    /// triangle (counter-clockwise), `regions` a region index per triangle, and `boundaries` two vertex
    /// indices per edge. `gmshTags` (optional, one per triangle) only improve error messages.
    public init(vertices: [SIMD2<Double>], triangles corners: [Int32], regions: [Int32], regionNames: [String],
                boundaries boundaryEdges: [String: [Int32]], gmshTags: [Int]? = nil) throws(MeshError) {
        let n = corners.count / 3
        guard n > 0, corners.count == 3 * n else {
            throw .invalid("a mesh needs at least one triangle and three vertices per triangle (got \(corners.count) indices)")
        }
        guard regions.count == n else { throw .invalid("\(n) triangles but \(regions.count) region indices") }
        guard vertices.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { throw .invalid("a vertex coordinate is NaN or infinite") }
        for (t, r) in regions.enumerated() where r < 0 || Int(r) >= regionNames.count {
            throw .invalid("triangle \(t) has region \(r), outside 0..<\(regionNames.count)")
        }
        for v in corners where v < 0 || Int(v) >= vertices.count {
            throw .invalid("a triangle refers to vertex \(v), outside 0..<\(vertices.count)")
        }
        // Orientation and size: the signed area is the Jacobian of the affine map from the reference
        // triangle; negative means inverted, tiny means shape-function gradients blow up.
        for t in 0 ..< n {
            let a = vertices[Int(corners[3 * t])], b = vertices[Int(corners[3 * t + 1])], c = vertices[Int(corners[3 * t + 2])]
            let area = 0.5 * ((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y))
            let longest = max(Self.lengthSquared(b - a), Self.lengthSquared(c - b), Self.lengthSquared(a - c))
            if abs(area) <= 1e-12 * longest || longest == 0 {
                throw .degenerateElement(element: t, gmshTag: gmshTags?[t], area: area)
            }
            if area < 0 { throw .invertedElement(element: t, gmshTag: gmshTags?[t], area: area) }
        }
        // One midpoint per distinct edge, shared by the (at most two) triangles that have it.
        var points = vertices
        var midpoint: [UInt64: Int32] = [:]
        var six = [Int32]()
        six.reserveCapacity(6 * n)
        for t in 0 ..< n {
            let v = (corners[3 * t], corners[3 * t + 1], corners[3 * t + 2])
            six.append(contentsOf: [v.0, v.1, v.2])
            for (i, j) in [(v.0, v.1), (v.1, v.2), (v.2, v.0)] {
                let key = Self.edgeKey(i, j)
                if let m = midpoint[key] {
                    six.append(m)
                } else {
                    let m = Int32(points.count)
                    points.append(0.5 * (vertices[Int(i)] + vertices[Int(j)]))
                    midpoint[key] = m
                    six.append(m)
                }
            }
        }
        var boundaries: [String: [Int32]] = [:]
        for (name, edges) in boundaryEdges {
            guard edges.count % 2 == 0 else { throw .invalid("boundary '\(name)' needs two vertices per edge") }
            var list = [Int32]()
            list.reserveCapacity(3 * edges.count / 2)
            for e in stride(from: 0, to: edges.count, by: 2) {
                let (i, j) = (edges[e], edges[e + 1])
                guard let m = midpoint[Self.edgeKey(i, j)] else {
                    throw .invalid("edge (\(i), \(j)) of boundary '\(name)' is not an edge of any triangle; the boundary and the triangles must share nodes (mesh them together)")
                }
                list.append(contentsOf: [i, j, m])
            }
            boundaries[name] = list
        }
        self.points = points
        vertexCount = vertices.count
        triangles = six
        triangleRegions = regions
        self.regionNames = regionNames
        self.boundaries = boundaries
    }

    /// Number of triangles.
    public var triangleCount: Int { triangles.count / 6 }
    /// Number of nodes (vertices and midpoints).
    public var nodeCount: Int { points.count }
    /// Boundary names, sorted.
    public var boundaryNames: [String] { boundaries.keys.sorted() }

    /// The six nodes of triangle `t`.
    public func nodes(ofTriangle t: Int) -> ArraySlice<Int32> { triangles[6 * t ..< 6 * t + 6] }

    /// The nodes of boundary `name` (vertices and midpoints, each once, sorted), or nil.
    public func nodes(onBoundary name: String) -> [Int32]? {
        boundaries[name].map { Array(Set($0)).sorted() }
    }

    /// The vertices of boundary `name` (each once, sorted), or nil.
    public func vertices(onBoundary name: String) -> [Int32]? {
        boundaries[name].map { edges in
            Array(Set(stride(from: 0, to: edges.count, by: 3).flatMap { [edges[$0], edges[$0 + 1]] })).sorted()
        }
    }

    /// The triangle containing `point` and the point's barycentric coordinates (λ₀, λ₁, λ₂) there, or nil
    /// when the point lies outside the mesh. Points on an edge or within 10⁻¹⁰ (relative to the element
    /// size) outside it count as inside, so sensors on the boundary are found.
    public func locate(_ point: SIMD2<Double>) -> (triangle: Int, barycentric: SIMD3<Double>)? {
        for t in 0 ..< triangleCount {
            let a = points[Int(triangles[6 * t])], b = points[Int(triangles[6 * t + 1])], c = points[Int(triangles[6 * t + 2])]
            let twice = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)
            let l1 = ((point.x - a.x) * (c.y - a.y) - (c.x - a.x) * (point.y - a.y)) / twice
            let l2 = ((b.x - a.x) * (point.y - a.y) - (point.x - a.x) * (b.y - a.y)) / twice
            let l = SIMD3(1 - l1 - l2, l1, l2)
            if min(l.x, l.y, l.z) >= -1e-10 { return (t, l) }
        }
        return nil
    }

    @inline(__always) static func edgeKey(_ i: Int32, _ j: Int32) -> UInt64 {
        UInt64(UInt32(min(i, j))) << 32 | UInt64(UInt32(max(i, j)))
    }

    @inline(__always) static func lengthSquared(_ v: SIMD2<Double>) -> Double { v.x * v.x + v.y * v.y }
}
