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
