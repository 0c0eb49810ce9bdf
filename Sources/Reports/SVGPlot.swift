import Foundation

/// A small, dependency-free chart: one or more panels stacked vertically that share an x axis,
/// written as a standalone SVG 1.1 document.
///
/// Guarantees:
/// - The output is well-formed XML (all text escaped) and self-contained (no scripts, no external
///   fonts, images or style sheets); it opens in browsers, Inkscape and `rsvg-convert`.
/// - Rendering is deterministic: the same plot gives the same bytes (fixed number formatting, no
///   dates, no random identifiers).
/// - NaN and infinite points are never written; points with a non-positive coordinate on a log
///   axis are left out and listed in ``SVGDocument/notes`` (and under the plot).
/// - Panels share the x range and are aligned; only the bottom panel labels the x ticks.
///
/// Two quantities with different units over the same x (objective and gradient norm per
/// iteration) are drawn as two panels rather than with a second y axis on the right: each panel
/// gets its own scale and label, and no reader has to work out which curve belongs to which axis.
public struct SVGPlot: Sendable, Equatable {
    /// Printed above the top panel; nil or empty for none.
    public var title: String?
    public var xAxis: PlotAxis
    public var panels: [PlotPanel]
    /// Size of the whole drawing in pixels (SVG user units).
    public var width: Double
    public var height: Double
    /// Make the plot frame square (for observed-versus-predicted plots, where y = x should run at
    /// 45°); the drawing then shrinks to fit around the square.
    public var squarePlotArea: Bool

    /// A plot with a single panel.
    public init(title: String? = nil, xAxis: PlotAxis, yAxis: PlotAxis, series: [PlotSeries],
                identityLine: Bool = false, legend: LegendPosition = .automatic,
                width: Double = 720, height: Double = 460) {
        self.init(title: title, xAxis: xAxis,
                  panels: [PlotPanel(yAxis: yAxis, series: series, identityLine: identityLine, legend: legend)],
                  width: width, height: height)
    }

    /// A plot with panels stacked from top to bottom; `height` defaults to 460 for one panel and
    /// grows by 240 for each further one.
    public init(title: String? = nil, xAxis: PlotAxis, panels: [PlotPanel], width: Double = 720,
                height: Double? = nil) {
        self.title = title
        self.xAxis = xAxis
        self.panels = panels
        self.width = width
        self.height = height ?? (460 + 240 * Double(max(0, panels.count - 1)))
        self.squarePlotArea = false
    }

    /// Renders the plot.
    ///
    /// - Throws: ``ReportError/lengthMismatch(what:expected:found:)`` when a series' `x`, `y` and
    ///   `yError` differ in length; ``ReportError/invalidArgument(what:reason:)`` for no panels,
    ///   a non-positive size, or unusable axis limits (empty, non-finite, or not positive on a log axis).
    public func render() throws -> SVGDocument {
        try validate()
        var notes: [String] = []
        let prepared = panels.enumerated().map { index, panel in
            PreparedPanel(panel: panel, xScale: xAxis.scale, panelIndex: index, panelCount: panels.count,
                          notes: &notes)
        }
        if prepared.allSatisfy({ $0.isEmpty }) {
            notes.append("No finite data to plot.")
        }
        let layout = PlotLayout(plot: self, panels: prepared, noteCount: notes.count)
        guard layout.frames.allSatisfy({ $0.width >= 60 && $0.height >= 40 }) else {
            throw ReportError.invalidArgument(what: "plot '\(title ?? "")'",
                                              reason: "size \(width) × \(height) leaves no room for \(panels.count) "
                                                + "panel(s) and their labels; make the plot larger")
        }
        var canvas = SVGCanvas()
        layout.draw(into: &canvas, panels: prepared, notes: notes)
        let text = SVGCanvas.document(width: layout.size.width, height: layout.size.height,
                                      title: title, body: canvas.lines)
        return SVGDocument(text: text, notes: notes)
    }

    /// Renders the plot and writes it to `path` atomically (see ``AtomicFile``).
    /// - Returns: the notes about points that could not be shown (see ``SVGDocument/notes``).
    @discardableResult
    public func write(to path: String) throws -> [String] {
        let document = try render()
        try AtomicFile.write(document.text, to: path)
        return document.notes
    }

    private func validate() throws {
        guard !panels.isEmpty else {
            throw ReportError.invalidArgument(what: "plot '\(title ?? "")'", reason: "it has no panels; add at least one")
        }
        guard width.isFinite, height.isFinite, width >= 200, height >= 150 else {
            throw ReportError.invalidArgument(what: "plot '\(title ?? "")'",
                                              reason: "size \(width) × \(height) is too small; use at least 200 × 150")
        }
        try Self.validate(axis: xAxis, role: "x axis")
        for (p, panel) in panels.enumerated() {
            try Self.validate(axis: panel.yAxis, role: "y axis of panel \(p)")
            for (s, series) in panel.series.enumerated() {
                let what = "series \(s) '\(series.name)' of panel \(p)"
                guard series.y.count == series.x.count else {
                    throw ReportError.lengthMismatch(what: "\(what): y values (one per x value)",
                                                     expected: series.x.count, found: series.y.count)
                }
                if let errors = series.yError, errors.count != series.x.count {
                    throw ReportError.lengthMismatch(what: "\(what): y error bars (one per x value)",
                                                     expected: series.x.count, found: errors.count)
                }
            }
        }
    }

    private static func validate(axis: PlotAxis, role: String) throws {
        guard let limits = axis.limits else { return }
        let what = "\(role) '\(axis.title)'"
        guard limits.lowerBound.isFinite, limits.upperBound.isFinite, limits.upperBound > limits.lowerBound else {
            throw ReportError.invalidArgument(what: what, reason: "limits \(limits) must be finite with lower < upper")
        }
        if axis.scale == .log10 && limits.lowerBound <= 0 {
            throw ReportError.invalidArgument(what: what,
                                              reason: "limits \(limits) must be positive on a log axis")
        }
    }
}

/// A point that survived filtering, with its (optional, valid) error half-length.
struct PlotPoint: Equatable {
    var x: Double, y: Double, error: Double?
}

/// A series after filtering: `points` holds nil where the line must break (skipped points).
struct PreparedSeries {
    var source: PlotSeries
    var color: PlotColor
    var marker: MarkerShape
    var points: [PlotPoint?]
    var shown: [PlotPoint] { points.compactMap { $0 } }
}

/// A panel's series after filtering, with the extents of what is shown.
struct PreparedPanel {
    var panel: PlotPanel
    var series: [PreparedSeries]

    init(panel: PlotPanel, xScale: AxisScale, panelIndex: Int, panelCount: Int, notes: inout [String]) {
        self.panel = panel
        let yScale = panel.yAxis.scale
        series = panel.series.enumerated().map { index, source in
            var droppedX = 0, droppedY = 0
            let points: [PlotPoint?] = source.x.indices.map { i in
                let x = source.x[i], y = source.y[i]
                guard x.isFinite, y.isFinite else { return nil }
                if xScale == .log10 && x <= 0 { droppedX += 1; return nil }
                if yScale == .log10 && y <= 0 { droppedY += 1; return nil }
                var error = source.yError?[i]
                if let e = error, !(e.isFinite && e >= 0) { error = nil }
                return PlotPoint(x: x, y: y, error: error)
            }
            let where_ = (source.name.isEmpty ? "Series \(index + 1)" : "Series '\(source.name)'")
                + (panelCount > 1 ? " (panel \(panelIndex + 1))" : "")
            if droppedX > 0 {
                notes.append("\(where_): \(droppedX) point(s) with x ≤ 0 not shown on the log x axis.")
            }
            if droppedY > 0 {
                notes.append("\(where_): \(droppedY) point(s) with y ≤ 0 not shown on the log y axis.")
            }
            return PreparedSeries(source: source,
                                  color: source.color ?? PlotColor.palette[index % PlotColor.palette.count],
                                  marker: source.marker ?? MarkerShape.allCases[index % MarkerShape.allCases.count],
                                  points: points)
        }
    }

    var isEmpty: Bool { series.allSatisfy { $0.shown.isEmpty } }

    var xExtent: (Double, Double)? {
        extent(series.flatMap { $0.shown.map(\.x) })
    }

    /// The y values to cover: the points and the ends of their error bars (positive ends only on a
    /// log axis).
    var yExtent: (Double, Double)? {
        var values: [Double] = []
        for point in series.flatMap(\.shown) {
            values.append(point.y)
            if let e = point.error {
                for end in [point.y - e, point.y + e] where end.isFinite {
                    if panel.yAxis.scale == .linear || end > 0 { values.append(end) }
                }
            }
        }
        return extent(values)
    }

    private func extent(_ values: [Double]) -> (Double, Double)? {
        guard let low = values.min(), let high = values.max() else { return nil }
        return (low, high)
    }
}
