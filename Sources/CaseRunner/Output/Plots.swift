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
                // Scalar observables (a crystal's properties) are one table in report.md, not one-point plots.
                if layout.count == 1 && setup.series == nil { continue }
                try save(try SVGPlot.observedVersusPredicted(observed: present.map { observed.values[$0] },
                                                             predicted: present.map { predicted[$0] },
                                                             sigma: present.map { observed.sigma[$0] },
                                                             title: "\(o.quantity.label.capitalizedFirst): \(name)", unit: units),
                         "\(name)_observed_vs_predicted.svg", "Observed versus predicted \(o.quantity.label) '\(name)' (error bars ±σ)")
                let weighted = present.map { (predicted[$0] - observed.values[$0]) / observed.sigma[$0] }
                if let series = setup.series, let (_, curve) = try s.everyStep(experiment: e, observable: j) {
                    // The model at every time step (a smooth curve), the data with error bars at the observation times.
                    let times = present.map { series.observationTimes[$0] }
                    try save(residualPlot(x: times, weighted: weighted, xAxis: PlotAxis("time", unit: "s"), title: "Weighted residuals over time: \(name)"),
                             "\(name)_residuals.svg", "Weighted residuals (predicted − observed)/σ of '\(name)' over time")
                    let plot = try SVGPlot.timeSeries(times: series.observationTimes, observed: observed.values, sigma: observed.sigma,
                                                      predicted: curve, predictedTimes: series.consolidation.times,
                                                      title: "\(o.quantity.label.capitalizedFirst) over time: \(name)",
                                                      quantity: o.quantity.label, units: units, timeUnits: "s")
                    try save(plot, "\(name)_series.svg", "\(o.quantity.label.capitalizedFirst) '\(name)' over time: data ± σ and the fitted model at every time step")
                    continue
                }
                if let field = setup.field, layout.atoms != nil, setup.configuration.sweep == nil {
                    // Residuals by position: against the atom's reference coordinate along each axis observed.
                    let perAtom = max(layout.shape.last ?? 1, 1)
                    let positions = try atomPositions(field, atoms: layout.atoms!)
                    let axisNames = ["x", "y", "z"]
                    let axis = (0 ..< field.dimension).max { spread(positions, $0) < spread(positions, $1) } ?? 0
                    try save(residualPlot(x: present.map { positions[$0 / perAtom][axis] }, weighted: weighted,
                                          xAxis: PlotAxis("reference \(axisNames[axis])", unit: s.configuration.model.units?.length),
                                          title: "Weighted residuals by position: \(name)"),
                             "\(name)_residuals.svg", "Weighted residuals (predicted − observed)/σ of '\(name)' against the atoms' reference \(axisNames[axis])")
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

extension Plots {
    /// Weighted residuals as points against `x`, with the zero line and ±2 as a guide.
    static func residualPlot(x: [Double], weighted: [Double], xAxis: PlotAxis, title: String) throws -> SVGPlot {
        let low = x.min() ?? 0, high = x.max() ?? 1
        let ends = [low, high == low ? low + 1 : high]
        return SVGPlot(title: title, xAxis: xAxis, yAxis: PlotAxis("(predicted − observed)/σ"),
                       series: [.line("0", x: ends, y: [0, 0], color: .black),
                                .line("±2", x: ends, y: [2, 2], color: PlotColor.palette[1]),
                                .line("", x: ends, y: [-2, -2], color: PlotColor.palette[1]),
                                .scatter("residual", x: x, y: weighted, yError: nil, marker: .circle, color: PlotColor.palette[0])])
    }

    /// Reference positions of the selected atoms (atom ids index the field's atoms).
    static func atomPositions(_ field: FieldGeometry, atoms: [Int]) throws -> [[Double]] {
        let d = field.dimension
        var index: [Int: Int] = [:]
        for (k, id) in field.atomIDs.enumerated() { index[id] = k }
        return atoms.map { id in
            guard let k = index[id] else { return [Double](repeating: .nan, count: d) }
            return Array(field.reference[(k * d) ..< (k * d + d)])
        }
    }

    private static func spread(_ points: [[Double]], _ axis: Int) -> Double {
        let values = points.map { $0[axis] }.filter(\.isFinite)
        return (values.max() ?? 0) - (values.min() ?? 0)
    }
}

extension String {
    /// The string with its first letter upper-cased.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
