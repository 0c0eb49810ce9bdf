import Reports

/// The SVG plots of a run, drawn with the Reports module: convergence, observed versus predicted
/// (one per observable) and, for observables along a sweep, the series with error bars.
enum Plots {
    /// Writes the plots into `folder` and returns their paths relative to it, with a caption each.
    static func write(_ s: RunSummary, folder: String, relativeTo base: String) throws -> [(file: String, caption: String)] {
        var written: [(String, String)] = []
        func save(_ plot: SVGPlot, _ name: String, _ caption: String) throws {
            try plot.write(to: folder + "/" + name)
            written.append((base + name, caption))
        }
        if s.history.count > 1 {
            let rows = s.history
            try save(try SVGPlot.convergencePlot(iterations: rows.map(\.record.iteration), objective: rows.map(\.record.objective),
                                                 gradientNorm: rows.map(\.record.projectedGradientNorm),
                                                 title: "Objective and projected gradient norm"),
                     "convergence.svg", "Objective and projected gradient norm per outer iteration")
        }
        guard let data = s.data else { return written }
        for (e, setup) in s.loaded.setups.enumerated() {
            for (j, layout) in setup.layouts.enumerated() {
                let o = layout.configuration
                let observed = data[e].variables[j]
                let predicted = s.prediction.values[e][j]
                let units = observed.units ?? layout.expectedUnits
                let name = s.prefix(e) + o.variable
                let present = observed.values.indices.filter { !observed.values[$0].isNaN }
                try save(try SVGPlot.observedVersusPredicted(observed: present.map { observed.values[$0] },
                                                             predicted: present.map { predicted[$0] },
                                                             sigma: present.map { observed.sigma[$0] },
                                                             title: "\(o.quantity.label.capitalizedFirst): \(name)", unit: units),
                         "\(name)_observed_vs_predicted.svg", "Observed versus predicted \(o.quantity.label) '\(name)' (error bars ±σ)")
                if let series = setup.series {
                    // The model at every time step (a smooth curve), the data with error bars at the observation times.
                    let modelTheta = try series.modelTheta(s.theta, names: s.space.names)
                    let curve = try s.prediction.displacements[e].map {
                        try series.sensors.evaluate(layout: series.model.layout, displacement: $0, parameters: modelTheta).values[j]
                    }
                    let plot = try SVGPlot.timeSeries(times: series.observationTimes, observed: observed.values, sigma: observed.sigma,
                                                      predicted: curve, predictedTimes: series.consolidation.times,
                                                      title: "\(o.quantity.label.capitalizedFirst) over time: \(name)",
                                                      quantity: o.quantity.label, units: units, timeUnits: "s")
                    try save(plot, "\(name)_series.svg", "\(o.quantity.label.capitalizedFirst) '\(name)' over time: data ± σ and the fitted model at every time step")
                    continue
                }
                guard let sweep = setup.configuration.sweep, layout.perStep <= 4 else { continue }
                for c in 0 ..< layout.perStep {
                    let indices = sweep.values.indices.map { $0 * layout.perStep + c }
                    let suffix = layout.perStep == 1 ? "" : "_\(c)"
                    let plot = SVGPlot(title: "\(o.quantity.label.capitalizedFirst) along \(sweep.dimension): \(name)\(suffix)",
                                       xAxis: PlotAxis(sweep.dimension, unit: sweep.units),
                                       yAxis: PlotAxis(o.quantity.label, unit: units),
                                       series: [.line("model", x: sweep.values, y: indices.map { predicted[$0] }, color: PlotColor.palette[0]),
                                                .scatter("data ± σ", x: sweep.values, y: indices.map { observed.values[$0] },
                                                         yError: indices.map { observed.sigma[$0] }, marker: .circle, color: .black)])
                    try save(plot, "\(name)\(suffix)_series.svg", "\(o.quantity.label.capitalizedFirst) '\(name)\(suffix)' along \(sweep.dimension): data ± σ and the fitted model")
                }
            }
        }
        return written
    }
}

extension String {
    /// The string with its first letter upper-cased.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
