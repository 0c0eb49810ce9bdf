import Foundation

/// Ready-made plots for the outputs of a calibration. Each returns an ``SVGPlot`` that can still
/// be adjusted (title, size, axis limits) before ``SVGPlot/write(to:)``.
extension SVGPlot {
    /// Objective (top panel) and gradient norm (bottom panel) against the outer iteration.
    ///
    /// A panel's y axis is logarithmic when all its finite values are positive (the usual case:
    /// both fall over decades), linear otherwise. Points are marked when there are at most 60
    /// iterations. Pass `gradientNorm: nil` (derivative-free optimizers) for one panel.
    ///
    /// - Throws: ``ReportError/lengthMismatch(what:expected:found:)`` unless `objective` and
    ///   `gradientNorm` have one value per iteration.
    public static func convergencePlot(iterations: [Int], objective: [Double], gradientNorm: [Double]?,
                                       title: String = "Convergence") throws -> SVGPlot {
        try requireCount(objective.count, iterations.count, "convergence plot: objective values (one per iteration)")
        if let gradientNorm {
            try requireCount(gradientNorm.count, iterations.count,
                             "convergence plot: gradient norms (one per iteration)")
        }
        let x = iterations.map(Double.init)
        let markers = iterations.count <= 60
        var panels = [PlotPanel(yAxis: PlotAxis("objective", scale: preferredScale(objective)),
                                series: [.line("", x: x, y: objective, color: PlotColor.palette[0], markers: markers)],
                                legend: .hidden)]
        if let gradientNorm {
            panels.append(PlotPanel(yAxis: PlotAxis("gradient norm", scale: preferredScale(gradientNorm)),
                                    series: [.line("", x: x, y: gradientNorm, color: PlotColor.palette[1],
                                                   markers: markers)],
                                    legend: .hidden))
        }
        return SVGPlot(title: title, xAxis: PlotAxis("iteration", integerTicks: true), panels: panels,
                       width: 720, height: gradientNorm == nil ? 420 : 600)
    }

    /// Observed values (y, with ±`sigma` error bars) against the model's predictions (x), with the
    /// line y = x, on a square frame with equal axis ranges.
    ///
    /// Putting the observations on the vertical axis lets their uncertainty be drawn as vertical
    /// error bars. `names` (one per observation, e.g. the observable each belongs to) groups points
    /// into series with their own colour, marker and legend entry; with more than 8 distinct
    /// names, or none, all points form one series.
    ///
    /// - Throws: ``ReportError/lengthMismatch(what:expected:found:)`` unless `predicted`, `sigma`
    ///   and `names` have one entry per observation.
    public static func observedVersusPredicted(observed: [Double], predicted: [Double], sigma: [Double]? = nil,
                                               names: [String]? = nil,
                                               title: String = "Observed versus predicted",
                                               unit: String? = nil, scale: AxisScale = .linear) throws -> SVGPlot {
        let count = observed.count
        try requireCount(predicted.count, count, "observed versus predicted: predictions (one per observation)")
        if let sigma { try requireCount(sigma.count, count, "observed versus predicted: sigma (one per observation)") }
        if let names { try requireCount(names.count, count, "observed versus predicted: names (one per observation)") }

        // Groups in order of first appearance, so the legend order follows the data order.
        var groups: [(name: String, indices: [Int])] = []
        var seen = Set<String>()
        let distinct = (names ?? []).filter { seen.insert($0).inserted }
        if let names, !distinct.isEmpty, distinct.count <= 8 {
            for name in distinct { groups.append((name, names.indices.filter { names[$0] == name })) }
        } else {
            groups = [(sigma == nil ? "observations" : "observations ± σ", Array(0 ..< count))]
        }
        let series = groups.map { group in
            PlotSeries.scatter(group.name, x: group.indices.map { predicted[$0] }, y: group.indices.map { observed[$0] },
                               yError: sigma.map { s in group.indices.map { s[$0] } })
        }

        // One range for both axes, so that y = x runs corner to corner at 45°.
        var values = predicted + observed
        if let sigma {
            for i in 0 ..< count where sigma[i].isFinite && sigma[i] > 0 {
                values += [observed[i] - sigma[i], observed[i] + sigma[i]]
            }
        }
        values = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        var limits: ClosedRange<Double>?
        if let low = values.min(), let high = values.max() {
            let ticks = scale == .linear
                ? TickGenerator.linear(dataMin: low, dataMax: high, limits: nil, target: 6, integer: false)
                : TickGenerator.log(dataMin: low, dataMax: high, limits: nil, target: 6)
            limits = ticks.lower ... ticks.upper
        }
        var plot = SVGPlot(title: title,
                           xAxis: PlotAxis("predicted", unit: unit, scale: scale, limits: limits),
                           yAxis: PlotAxis("observed", unit: unit, scale: scale, limits: limits),
                           series: series, identityLine: true, width: 600, height: 600)
        plot.squarePlotArea = true
        return plot
    }

    /// An observable against time: the data as markers with ±`sigma` error bars and, if given, the
    /// model's prediction as a line (at `predictedTimes`, default `times`).
    ///
    /// - Throws: ``ReportError/lengthMismatch(what:expected:found:)`` when lengths disagree.
    public static func timeSeries(times: [Double], observed: [Double], sigma: [Double]? = nil,
                                  predicted: [Double]? = nil, predictedTimes: [Double]? = nil,
                                  title: String, quantity: String = "value", units: String? = nil,
                                  timeUnits: String? = "s", scale: AxisScale = .linear) throws -> SVGPlot {
        try requireCount(observed.count, times.count, "time series '\(title)': observed values (one per time)")
        if let sigma { try requireCount(sigma.count, times.count, "time series '\(title)': sigma (one per time)") }
        var series = [PlotSeries.scatter(sigma == nil ? "data" : "data ± σ", x: times, y: observed, yError: sigma,
                                         marker: .circle, color: .black)]
        if let predicted {
            let modelTimes = predictedTimes ?? times
            try requireCount(predicted.count, modelTimes.count,
                             "time series '\(title)': predicted values (one per prediction time)")
            series.insert(.line("model", x: modelTimes, y: predicted, color: PlotColor.palette[0]), at: 0)
        }
        return SVGPlot(title: title, xAxis: PlotAxis("time", unit: timeUnits),
                       yAxis: PlotAxis(quantity, unit: units, scale: scale), series: series)
    }

    /// Several curves over one x: one line (optionally with markers) per `(name, y)` pair,
    /// coloured in palette order.
    ///
    /// - Throws: ``ReportError/lengthMismatch(what:expected:found:)`` unless each `y` has one value per x.
    public static func linePlot(x: [Double], series: [(name: String, y: [Double])], title: String? = nil,
                                xAxis: PlotAxis, yAxis: PlotAxis, markers: Bool = false) throws -> SVGPlot {
        for entry in series {
            try requireCount(entry.y.count, x.count, "line plot '\(title ?? "")': series '\(entry.name)' (one y per x)")
        }
        return SVGPlot(title: title, xAxis: xAxis, yAxis: yAxis,
                       series: series.map { .line($0.name, x: x, y: $0.y, markers: markers) })
    }

    /// Log when every finite value is positive (and there is at least one), linear otherwise.
    static func preferredScale(_ values: [Double]) -> AxisScale {
        let finite = values.filter(\.isFinite)
        return !finite.isEmpty && finite.allSatisfy { $0 > 0 } ? .log10 : .linear
    }

    private static func requireCount(_ found: Int, _ expected: Int, _ what: String) throws {
        guard found == expected else { throw ReportError.lengthMismatch(what: what, expected: expected, found: found) }
    }
}
