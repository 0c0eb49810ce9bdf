/// A field on a mesh or lattice, written as a VTK XML UnstructuredGrid file (`.vtu`) that
/// ParaView and VisIt open.
///
/// Guarantees: the file is ASCII VTK XML (version 1.0, `Float64` data, `Int64` connectivity and
/// offsets, `UInt8` cell types), deterministic (values printed as shortest round-trip decimals, so
/// the file reads back the exact `Double`s), and consistent — every check below is made before
/// anything is written:
/// - points and data values are finite (VTK's ASCII reader cannot read `nan`/`inf`);
/// - each cell has the node count of its type and refers only to existing points;
/// - each point-data array has one tuple per point, each cell-data array one tuple per cell;
/// - array names are non-empty and unique within point data and within cell data.
///
/// 2D points are padded with z = 0. Use ``DataArray/vectors(_:xy:)`` for 2D vectors: ParaView's
/// glyphs and "Warp By Vector" need three components, so they are padded with a zero z component.
public struct VTKUnstructuredGrid: Sendable, Equatable {
    /// VTK cell types (the numbers are VTK's `VTK_*` constants) with their node counts.
    ///
    /// Node order is VTK's: for ``quadraticTriangle`` the three corners first, then the midpoints
    /// of edges 0–1, 1–2 and 2–0 — the Taylor–Hood P2 triangle. Reorder nodes from a mesh that
    /// numbers them differently before adding the cells.
    public enum CellType: UInt8, Sendable, CaseIterable {
        case vertex = 1
        case line = 3
        case triangle = 5
        case quad = 9
        case tetra = 10
        case hexahedron = 12
        case quadraticEdge = 21
        case quadraticTriangle = 22
        case quadraticQuad = 23
        case quadraticTetra = 24

        /// Nodes per cell.
        public var nodeCount: Int {
            switch self {
            case .vertex: return 1
            case .line: return 2
            case .triangle, .quadraticEdge: return 3
            case .quad, .tetra: return 4
            case .quadraticTriangle: return 6
            case .hexahedron, .quadraticQuad: return 8
            case .quadraticTetra: return 10
            }
        }
    }

    /// A named array of `Float64` tuples: `values` holds the tuples one after another
    /// (x0, y0, z0, x1, ...), `components` values each.
    public struct DataArray: Sendable, Equatable {
        public var name: String
        public var components: Int
        public var values: [Double]

        public init(name: String, components: Int, values: [Double]) {
            self.name = name
            self.components = components
            self.values = values
        }

        /// One value per point or cell (pressure, energy, ...).
        public static func scalars(_ name: String, _ values: [Double]) -> DataArray {
            DataArray(name: name, components: 1, values: values)
        }

        /// One 3-vector per point or cell (displacement, force, ...).
        public static func vectors(_ name: String, _ vectors: [SIMD3<Double>]) -> DataArray {
            DataArray(name: name, components: 3, values: vectors.flatMap { [$0.x, $0.y, $0.z] })
        }

        /// 2D vectors given as interleaved (x, y) pairs, stored with z = 0.
        public static func vectors(_ name: String, xy interleaved: [Double]) -> DataArray {
            // An odd count cannot be (x, y) pairs. Keep the values as 2-component tuples so that
            // adding the array reports the wrong length, rather than silently dropping a value.
            guard interleaved.count % 2 == 0 else { return DataArray(name: name, components: 2, values: interleaved) }
            var values: [Double] = []
            values.reserveCapacity(interleaved.count / 2 * 3)
            for i in Swift.stride(from: 0, to: interleaved.count, by: 2) {
                values += [interleaved[i], interleaved[i + 1], 0]
            }
            return DataArray(name: name, components: 3, values: values)
        }

        var tupleCount: Int { components > 0 ? values.count / components : 0 }
    }

    public private(set) var points: [SIMD3<Double>]
    /// The type of each cell, in order.
    public private(set) var cellTypes: [CellType] = []
    /// The nodes of all cells, one cell after another.
    public private(set) var connectivity: [Int] = []
    /// For each cell, the index in `connectivity` one past its last node (VTK's convention).
    public private(set) var offsets: [Int] = []
    public private(set) var pointData: [DataArray] = []
    public private(set) var cellData: [DataArray] = []
    /// Written as the `TimeValue` field, which ParaView shows as the data set's time.
    public var time: Double?

    public var pointCount: Int { points.count }
    public var cellCount: Int { cellTypes.count }

    /// A grid of 3D points and no cells yet.
    /// - Throws: ``ReportError/invalidValue(what:index:value:requirement:)`` for a non-finite coordinate.
    public init(points: [SIMD3<Double>]) throws {
        for (i, p) in points.enumerated() where !(p.x.isFinite && p.y.isFinite && p.z.isFinite) {
            throw ReportError.invalidValue(what: "VTK grid points", index: i, value: "\(p)",
                                           requirement: "coordinates must be finite")
        }
        self.points = points
    }

    /// A grid of 2D points (stored with z = 0) and no cells yet.
    public init(points2D: [SIMD2<Double>]) throws {
        try self.init(points: points2D.map { SIMD3($0.x, $0.y, 0) })
    }

    /// A grid from interleaved coordinates, `dimension` (2 or 3) per point.
    public init(coordinates: [Double], dimension: Int) throws {
        guard dimension == 2 || dimension == 3 else {
            throw ReportError.invalidArgument(what: "VTK grid coordinates", reason: "dimension is \(dimension); use 2 or 3")
        }
        guard coordinates.count % dimension == 0 else {
            throw ReportError.lengthMismatch(what: "VTK grid coordinates (\(dimension) per point)",
                                             expected: coordinates.count / dimension * dimension + dimension,
                                             found: coordinates.count)
        }
        let points = Swift.stride(from: 0, to: coordinates.count, by: dimension).map { i in
            SIMD3(coordinates[i], coordinates[i + 1], dimension == 3 ? coordinates[i + 2] : 0)
        }
        try self.init(points: points)
    }

    /// Atoms as a point cloud: one ``CellType/vertex`` cell per position (so ParaView draws them),
    /// and, if given, their displacements as the point vectors "displacement".
    public static func atoms(positions: [SIMD3<Double>], displacements: [SIMD3<Double>]? = nil) throws -> VTKUnstructuredGrid {
        var grid = try VTKUnstructuredGrid(points: positions)
        grid.addVertexCells()
        if let displacements { try grid.addPointData(.vectors("displacement", displacements)) }
        return grid
    }

    /// Adds cells of one type; each element of `cells` lists one cell's nodes (0-based point indices).
    /// - Throws: ``ReportError/lengthMismatch(what:expected:found:)`` for a wrong node count,
    ///   ``ReportError/indexOutOfRange(what:index:count:)`` for a node that is not a point. Nothing
    ///   is added when it throws.
    public mutating func addCells(_ type: CellType, _ cells: [[Int]]) throws {
        for (c, nodes) in cells.enumerated() {
            try checkCell(type, nodes, number: cellCount + c)
        }
        for nodes in cells {
            connectivity += nodes
            offsets.append(connectivity.count)
            cellTypes.append(type)
        }
    }

    /// Adds cells of one type from a flat list of nodes, `type.nodeCount` per cell.
    public mutating func addCells(_ type: CellType, flatConnectivity: [Int]) throws {
        let k = type.nodeCount
        guard flatConnectivity.count % k == 0 else {
            throw ReportError.lengthMismatch(what: "VTK \(type) connectivity (\(k) nodes per cell)",
                                             expected: (flatConnectivity.count / k + 1) * k, found: flatConnectivity.count)
        }
        try addCells(type, Swift.stride(from: 0, to: flatConnectivity.count, by: k).map {
            Array(flatConnectivity[$0 ..< $0 + k])
        })
    }

    /// Adds one ``CellType/vertex`` cell per point (for atoms and other point clouds).
    public mutating func addVertexCells() {
        for i in points.indices {
            connectivity.append(i)
            offsets.append(connectivity.count)
            cellTypes.append(.vertex)
        }
    }

    /// Adds an array with one tuple per point.
    /// - Throws: for a wrong length, a duplicate or empty name, or a non-finite value.
    public mutating func addPointData(_ array: DataArray) throws {
        try Self.check(array, kind: "point data", count: pointCount, countName: "points", existing: pointData)
        pointData.append(array)
    }

    /// Adds an array with one tuple per cell. Add all cells first: the length is checked against the
    /// cells present now, and checked again when the file is written.
    public mutating func addCellData(_ array: DataArray) throws {
        try Self.check(array, kind: "cell data", count: cellCount, countName: "cells", existing: cellData)
        cellData.append(array)
    }

    private func checkCell(_ type: CellType, _ nodes: [Int], number: Int) throws {
        guard nodes.count == type.nodeCount else {
            throw ReportError.lengthMismatch(what: "VTK cell \(number) (\(type), nodes)", expected: type.nodeCount,
                                             found: nodes.count)
        }
        for node in nodes where node < 0 || node >= pointCount {
            throw ReportError.indexOutOfRange(what: "VTK cell \(number) (\(type)) node", index: node, count: pointCount)
        }
    }

    static func check(_ array: DataArray, kind: String, count: Int, countName: String,
                      existing: [DataArray]) throws {
        let what = "VTK \(kind) '\(array.name)'"
        guard !array.name.isEmpty else {
            throw ReportError.invalidArgument(what: "VTK \(kind)", reason: "an array has an empty name; name every array")
        }
        guard !existing.contains(where: { $0.name == array.name }) else {
            throw ReportError.duplicateName(what: "VTK \(kind)", name: array.name)
        }
        guard array.components >= 1 else {
            throw ReportError.invalidArgument(what: what, reason: "it has \(array.components) components; use at least 1")
        }
        guard array.values.count == count * array.components else {
            throw ReportError.lengthMismatch(
                what: "\(what) (\(array.components) component(s) for each of \(count) \(countName))",
                expected: count * array.components, found: array.values.count)
        }
        if let bad = array.values.firstIndex(where: { !$0.isFinite }) {
            throw ReportError.invalidValue(what: what, index: bad, value: NumberFormat.roundTrip(array.values[bad]),
                                           requirement: "VTK ASCII files can hold finite numbers only")
        }
    }
}
