import Foundation
import Testing
@testable import Reports

@Suite("VTK output")
struct VTKTests {
    private func array(_ root: XMLNode, _ name: String) throws -> XMLNode {
        try #require(root.all("DataArray").first { $0.attribute("Name") == name })
    }

    /// Two Taylor–Hood P2 triangles sharing the edge 1–2 of the unit square
    /// (corners 0..3, then edge midpoints 4..8), with P1 pressure and P2 displacement.
    private func mesh() throws -> VTKUnstructuredGrid {
        let points: [SIMD2<Double>] = [
            [0, 0], [1, 0], [0, 1], [1, 1],           // corners
            [0.5, 0], [0.5, 0.5], [0, 0.5],           // midpoints of triangle A: 0-1, 1-2, 2-0
            [1, 0.5], [0.5, 1],                       // midpoints of triangle B: 1-3, 3-2
        ]
        var grid = try VTKUnstructuredGrid(points2D: points)
        try grid.addCells(.quadraticTriangle, [[0, 1, 2, 4, 5, 6], [1, 3, 2, 7, 8, 5]])
        try grid.addPointData(.scalars("pressure", (0 ..< 9).map { Double($0) * 0.5 }))
        try grid.addPointData(.vectors("displacement", xy: (0 ..< 18).map { Double($0) / 100 }))
        try grid.addCellData(.scalars("region", [1, 2]))
        return grid
    }

    @Test("a P2 triangle mesh: counts, connectivity, offsets, types and padded vectors")
    func triangleMesh() throws {
        let root = try XMLTree.parse(try mesh().xml())
        #expect(root.name == "VTKFile" && root.attribute("type") == "UnstructuredGrid")
        let piece = try #require(root.first("Piece"))
        #expect(piece.attribute("NumberOfPoints") == "9" && piece.attribute("NumberOfCells") == "2")
        #expect(numbers(try array(root, "connectivity").text) == [0, 1, 2, 4, 5, 6, 1, 3, 2, 7, 8, 5])
        #expect(numbers(try array(root, "offsets").text) == [6, 12])
        #expect(numbers(try array(root, "types").text) == [22, 22])
        #expect(try array(root, "types").attribute("type") == "UInt8")
        #expect(try array(root, "connectivity").attribute("type") == "Int64")

        let points = try array(root, "Points")
        #expect(points.attribute("NumberOfComponents") == "3")
        #expect(Array(numbers(points.text).prefix(6)) == [0, 0, 0, 1, 0, 0])

        let displacement = try array(root, "displacement")
        #expect(displacement.attribute("NumberOfComponents") == "3" && displacement.attribute("type") == "Float64")
        #expect(Array(numbers(displacement.text).prefix(6)) == [0, 0.01, 0, 0.02, 0.03, 0])
        #expect(numbers(try array(root, "pressure").text).count == 9)
        #expect(numbers(try array(root, "region").text) == [1, 2])
        #expect(root.first("PointData")?.attribute("Scalars") == "pressure")
        #expect(root.first("PointData")?.attribute("Vectors") == "displacement")
        #expect(try array(root, "region").attribute("NumberOfComponents") == "1")
    }

    @Test("values are written so that they read back exactly")
    func exactValues() throws {
        let values = [0.1, 1.0 / 3, -2.5e-17, 6.02214076e23]
        var grid = try VTKUnstructuredGrid(points: values.map { SIMD3($0, 0, 0) })
        try grid.addPointData(.scalars("v", values))
        #expect(numbers(try array(try XMLTree.parse(try grid.xml()), "v").text) == values)
    }

    @Test("a lattice as vertices, with displacements and a time value")
    func lattice() throws {
        var positions: [SIMD3<Double>] = []
        for i in 0 ..< 2 { for j in 0 ..< 2 { for k in 0 ..< 2 { positions.append(SIMD3(Double(i), Double(j), Double(k)) * 3.52) } } }
        var grid = try VTKUnstructuredGrid.atoms(positions: positions,
                                                 displacements: positions.map { $0 * 0.01 })
        grid.time = 2.5
        let root = try XMLTree.parse(try grid.xml())
        #expect(root.first("Piece")?.attribute("NumberOfCells") == "8")
        #expect(numbers(try array(root, "connectivity").text) == (0 ..< 8).map(Double.init))
        #expect(numbers(try array(root, "offsets").text) == (1 ... 8).map(Double.init))
        #expect(numbers(try array(root, "types").text) == Array(repeating: 1, count: 8))
        #expect(numbers(try array(root, "TimeValue").text) == [2.5])
        #expect(numbers(try array(root, "Points").text).suffix(3) == [3.52, 3.52, 3.52])
    }

    @Test("inconsistent input is rejected with typed errors")
    func validation() throws {
        var grid = try VTKUnstructuredGrid(points2D: [[0, 0], [1, 0], [0, 1]])
        #expect(throws: ReportError.lengthMismatch(what: "VTK cell 0 (triangle, nodes)", expected: 3, found: 2)) {
            try grid.addCells(.triangle, [[0, 1]])
        }
        #expect(throws: ReportError.indexOutOfRange(what: "VTK cell 0 (triangle) node", index: 3, count: 3)) {
            try grid.addCells(.triangle, [[0, 1, 3]])
        }
        #expect(grid.cellCount == 0)
        #expect(throws: ReportError.lengthMismatch(what: "VTK point data 'p' (1 component(s) for each of 3 points)",
                                                   expected: 3, found: 2)) {
            try grid.addPointData(.scalars("p", [1, 2]))
        }
        #expect(throws: ReportError.self) { try grid.addPointData(.vectors("u", xy: [1, 2, 3, 4, 5])) }
        #expect(throws: ReportError.self) { try grid.addPointData(.scalars("p", [1, .nan, 2])) }
        #expect(throws: ReportError.self) { try VTKUnstructuredGrid(points: [SIMD3(0, .infinity, 0)]) }
        try grid.addPointData(.scalars("p", [1, 2, 3]))
        #expect(throws: ReportError.duplicateName(what: "VTK point data", name: "p")) {
            try grid.addPointData(.scalars("p", [1, 2, 3]))
        }
        try grid.addCells(.triangle, flatConnectivity: [0, 1, 2])
        try grid.addCellData(.scalars("c", [7]))
        try grid.addCells(.vertex, [[0]])
        // The cell data no longer has one value per cell: caught when writing.
        #expect(throws: ReportError.self) { try grid.xml() }
    }

    @Test("a time series: numbered .vtu files with their times, then a .pvd collection")
    func timeSeries() throws {
        let directory = try makeTemporaryDirectory()
        let base = try mesh()
        let path = try PVDCollection.writeTimeSeries([(0, base), (0.5, base), (1.25, base)],
                                                     directory: directory, baseName: "consolidation")
        #expect(path == directory + "/consolidation.pvd")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["consolidation.pvd", "consolidation_0000.vtu", "consolidation_0001.vtu", "consolidation_0002.vtu"])
        let collection = try XMLTree.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(collection.attribute("type") == "Collection")
        let sets = collection.all("DataSet")
        #expect(sets.map { $0.attribute("timestep") } == ["0.0", "0.5", "1.25"])
        #expect(sets.map { $0.attribute("file") } == ["consolidation_0000.vtu", "consolidation_0001.vtu", "consolidation_0002.vtu"])
        let second = try XMLTree.parse(try String(contentsOfFile: directory + "/consolidation_0001.vtu", encoding: .utf8))
        #expect(numbers(try array(second, "TimeValue").text) == [0.5])
    }

    @Test("collection entries are escaped and times must be finite")
    func collection() throws {
        var collection = PVDCollection()
        try collection.append(time: 1, file: "a&b \"1\".vtu")
        #expect(throws: ReportError.self) { try collection.append(time: .nan, file: "x.vtu") }
        let root = try XMLTree.parse(collection.xml())
        #expect(root.first("DataSet")?.attribute("file") == "a&b \"1\".vtu")
        #expect(collection.xml() == collection.xml())
    }

    @Test("cell types carry VTK's numbers and node counts")
    func cellTypes() {
        #expect(VTKUnstructuredGrid.CellType.vertex.rawValue == 1)
        #expect(VTKUnstructuredGrid.CellType.triangle.rawValue == 5)
        #expect(VTKUnstructuredGrid.CellType.quadraticTriangle.rawValue == 22)
        #expect(VTKUnstructuredGrid.CellType.quadraticTriangle.nodeCount == 6)
        #expect(VTKUnstructuredGrid.CellType.quadraticTetra.nodeCount == 10)
    }
}
