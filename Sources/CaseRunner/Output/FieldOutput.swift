import Physics
import Reports

/// Field output ParaView opens, written with the Reports module: for lattices, the atoms at their
/// reference positions with their displacements ("displacement", warp by vector to see the
/// deformed lattice) and indices ("atom"); one `.vtu` per experiment, or per sweep step with a
/// `.pvd` collection whose times are the sweep values.
///
/// The files of a step (its `.vtu` frame) or of a time-stepped run (its frames and `.pvd`) are written
/// by the process that solved it (`writeFrames`: in a distributed run, the rank that owns it); the
/// collection of a swept experiment, which only names its frames, by rank 0 (`writeCollections`). The
/// files are the same, byte for byte, whoever writes them.
enum FieldOutput {
    /// Whether the case writes fields (`output.fields`, and a model with a spatial field).
    static func wanted(_ loaded: LoadedCase) -> Bool {
        loaded.configuration.output.fields && loaded.setups.contains { $0.field != nil || $0.series != nil }
    }

    /// Writes every field file of a prediction solved in this process into `folder`; returns the
    /// files relative to `base`.
    static func write(_ s: RunSummary, folder: String, relativeTo base: String) throws -> [String] {
        try writeFrames(s.loaded, units: s.prediction.units, folder: folder)
        return try writeCollections(s.loaded, folder: folder, relativeTo: base)
    }

    /// The files of `units` (solved here, with their states): a step's frame (or the single `.vtu` of
    /// an experiment without a sweep), a time-stepped run's frames and collection.
    static func writeFrames(_ loaded: LoadedCase, units: [UnitPrediction], folder: String) throws {
        for unit in units {
            let setup = loaded.setups[unit.experiment]
            let name = setup.configuration.name
            if let series = setup.series {
                let frames = try zip(series.consolidation.times, unit.states).map { t, state in
                    (time: t, grid: try poroGrid(series.model, state: state))
                }
                try PVDCollection.writeTimeSeries(frames, directory: folder, baseName: name)
                continue
            }
            guard let geometry = setup.field, let state = unit.states.first else { continue }
            var grid = try VTKUnstructuredGrid(coordinates: geometry.reference, dimension: geometry.dimension)
            grid.addVertexCells()
            if geometry.dimension == 2 {
                try grid.addPointData(.vectors("displacement", xy: state))
            } else {
                try grid.addPointData(.init(name: "displacement", components: 3, values: state))
            }
            try grid.addPointData(.scalars("atom", geometry.atomIDs.map(Double.init)))
            guard let sweep = setup.configuration.sweep else {
                try grid.write(to: folder + "/" + name + ".vtu")
                continue
            }
            grid.time = sweep.values[unit.step]
            try grid.write(to: folder + "/" + PVDCollection.frameFile(baseName: name, index: unit.step, count: setup.stepCount))
        }
    }

    /// The `.pvd` collections of the swept experiments (their frames are written by `writeFrames`,
    /// here or on other ranks); returns every field file of the case relative to `base`, in order.
    static func writeCollections(_ loaded: LoadedCase, folder: String, relativeTo base: String) throws -> [String] {
        var written: [String] = []
        for setup in loaded.setups {
            let name = setup.configuration.name
            if setup.series != nil {
                written.append(base + name + ".pvd")
                continue
            }
            guard setup.field != nil else { continue }
            guard let sweep = setup.configuration.sweep else {
                written.append(base + name + ".vtu")
                continue
            }
            var collection = PVDCollection()
            for k in 0 ..< setup.stepCount {
                try collection.append(time: sweep.values[k], file: PVDCollection.frameFile(baseName: name, index: k, count: setup.stepCount))
            }
            try collection.write(to: folder + "/" + name + ".pvd")
            written.append(base + name + ".pvd")
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
