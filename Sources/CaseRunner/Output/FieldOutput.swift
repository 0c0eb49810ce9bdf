import Physics
import Reports

/// Field output ParaView opens, written with the Reports module: for lattices, the atoms at their
/// reference positions with their displacements ("displacement", warp by vector to see the
/// deformed lattice) and indices ("atom"); one `.vtu` per experiment, or per sweep step with a
/// `.pvd` collection whose times are the sweep values.
enum FieldOutput {
    /// Writes the fields into `folder`; returns the written files relative to `base`.
    static func write(_ s: RunSummary, folder: String, relativeTo base: String) throws -> [String] {
        var written: [String] = []
        for (e, setup) in s.loaded.setups.enumerated() {
            if let series = setup.series {
                let name = setup.configuration.name
                let frames = try zip(series.consolidation.times, s.prediction.displacements[e]).map { t, state in
                    (time: t, grid: try poroGrid(series.model, state: state))
                }
                try PVDCollection.writeTimeSeries(frames, directory: folder, baseName: name)
                written.append(base + name + ".pvd")
                continue
            }
            guard let geometry = setup.steps.first?.field else { continue }
            let name = setup.configuration.name
            var frames: [(time: Double, grid: VTKUnstructuredGrid)] = []
            for (k, state) in s.prediction.displacements[e].enumerated() {
                var grid = try VTKUnstructuredGrid(coordinates: geometry.reference, dimension: geometry.dimension)
                grid.addVertexCells()
                if geometry.dimension == 2 {
                    try grid.addPointData(.vectors("displacement", xy: state))
                } else {
                    try grid.addPointData(.init(name: "displacement", components: 3, values: state))
                }
                try grid.addPointData(.scalars("atom", geometry.atomIDs.map(Double.init)))
                frames.append((setup.configuration.sweep?.values[k] ?? Double(k), grid))
            }
            if setup.configuration.sweep == nil, let frame = frames.first {
                try frame.grid.write(to: folder + "/" + name + ".vtu")
                written.append(base + name + ".vtu")
            } else {
                try PVDCollection.writeTimeSeries(frames, directory: folder, baseName: name)
                written.append(base + name + ".pvd")
            }
        }
        return written
    }
}

extension FieldOutput {
    /// The quadratic-triangle mesh with nodal "displacement" (m) and "pressure" (Pa, linear between
    /// vertices: midside nodes get the mean of their edge's vertices), the cell "region" index (into the
    /// mesh's region names, in order) and a 0/1 cell array "region_NAME" per region.
    static func poroGrid(_ model: PoroelasticModel, state: [Double]) throws -> VTKUnstructuredGrid {
        let mesh = model.mesh
        var grid = try VTKUnstructuredGrid(points2D: mesh.points)
        try grid.addCells(.quadraticTriangle, flatConnectivity: mesh.triangles.map(Int.init))
        var u = [Double](repeating: 0, count: 2 * mesh.nodeCount)
        for n in 0 ..< mesh.nodeCount {
            for c in 0 ..< 2 { u[2 * n + c] = state[model.displacementDof(node: n, component: c)] }
        }
        var p = [Double](repeating: 0, count: mesh.nodeCount)
        for v in 0 ..< mesh.vertexCount { p[v] = state[model.pressureDof(vertex: v)] }
        for t in 0 ..< mesh.triangleCount {
            let nodes = mesh.nodes(ofTriangle: t).map(Int.init)
            for (k, (a, b)) in [(0, 1), (1, 2), (2, 0)].enumerated() { p[nodes[3 + k]] = (p[nodes[a]] + p[nodes[b]]) / 2 }
        }
        try grid.addPointData(.vectors("displacement", xy: u))
        try grid.addPointData(.scalars("pressure", p))
        try grid.addCellData(.scalars("region", mesh.triangleRegions.map(Double.init)))
        // VTK cell data are numbers; the names are carried by one 0/1 indicator per region ("region_sand"),
        // so that ParaView's and pyvista's threshold can select a region by its name.
        for (k, region) in mesh.regionNames.enumerated() {
            try grid.addCellData(.scalars("region_" + region, mesh.triangleRegions.map { Int($0) == k ? 1 : 0 }))
        }
        return grid
    }
}
