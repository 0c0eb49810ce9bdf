import Foundation

/// Where everything of an ``SVGPlot`` goes: margins, panel frames and the ticks of each axis.
///
/// SVG cannot measure text, so margins come from estimated label widths (see
/// ``SVGCanvas/estimatedWidth(_:fontSize:)``); the estimate errs wide so labels never collide.
struct PlotLayout {
    static let titleFont = 15.0
    static let labelFont = 13.0
    static let tickFont = 11.5
    static let legendFont = 11.5
    static let noteFont = 10.5
    static let tickLength = 5.0
    static let minorTickLength = 3.0
    static let panelGap = 16.0
    static let noteLineHeight = 15.0

    var size: (width: Double, height: Double)
    var frames: [Rect]
    var xTicks: AxisTicks
    var yTicks: [AxisTicks]
    let title: String?
    let xAxis: PlotAxis
    let yTitles: [String]

    init(plot: SVGPlot, panels: [PreparedPanel], noteCount: Int) {
        title = plot.title.flatMap { $0.isEmpty ? nil : $0 }
        xAxis = plot.xAxis
        yTitles = panels.map { $0.panel.yAxis.title }
        let n = Double(panels.count)
        let top = (title == nil ? 16 : 26 + Self.titleFont).rounded()
        var bottom = Self.tickLength + 6 + Self.tickFont * 1.3 + 8 + Self.labelFont + 12
        bottom += Double(noteCount) * Self.noteLineHeight
        bottom = bottom.rounded()
        var panelHeight = ((plot.height - top - bottom - Self.panelGap * (n - 1)) / n).rounded(.down)

        yTicks = panels.map { panel in
            // Decade labels are short and sit well closer together than linear ones.
            let spacing = panel.panel.yAxis.scale == .log10 ? 38.0 : 50.0
            let target = max(3, min(10, Int(panelHeight / spacing)))
            return Self.ticks(for: panel.panel.yAxis, extent: panel.yExtent, target: target)
        }
        let yLabelWidth = yTicks.flatMap(\.labels)
            .map { SVGCanvas.estimatedWidth($0, fontSize: Self.tickFont) }.max() ?? 0
        let left = (14 + Self.labelFont + 12 + yLabelWidth + Self.tickLength + 4).rounded()

        // The x extent is shared by all panels.
        let extents = panels.compactMap(\.xExtent)
        let xExtent = extents.isEmpty ? nil : (extents.map(\.0).min()!, extents.map(\.1).max()!)
        var right = 24.0
        var plotWidth = (plot.width - left - right).rounded(.down)
        var x = Self.xTicks(for: plot.xAxis, extent: xExtent, plotWidth: plotWidth)
        // Let the last x tick label stick out past the frame without being cut at the edge.
        if let last = x.labels.last, let value = x.major.last {
            let overhang = SVGCanvas.estimatedWidth(last, fontSize: Self.tickFont) / 2
                - (1 - x.fraction(value)) * plotWidth
            if overhang + 8 > right {
                right = (overhang + 8).rounded(.up)
                plotWidth = (plot.width - left - right).rounded(.down)
                x = Self.xTicks(for: plot.xAxis, extent: xExtent, plotWidth: plotWidth)
            }
        }
        xTicks = x

        var totalWidth = plot.width, totalHeight = plot.height
        if plot.squarePlotArea && panels.count == 1 {
            let side = min(plotWidth, panelHeight)
            totalWidth = left + side + right
            totalHeight = top + side + bottom
            plotWidth = side
            panelHeight = side
            xTicks = Self.xTicks(for: plot.xAxis, extent: xExtent, plotWidth: plotWidth)
            // Same range on both axes (observed versus predicted): the same ticks on both, so the
            // grid is made of squares.
            let y = plot.panels[0].yAxis
            if let limits = y.limits, limits == plot.xAxis.limits, y.scale == plot.xAxis.scale {
                yTicks[0] = xTicks
            }
        }
        size = (totalWidth, totalHeight)
        // Frames start on half pixels so that 1-pixel frame, tick and grid lines are sharp.
        frames = (0 ..< panels.count).map { index in
            Rect(x: left + 0.5, y: top + Double(index) * (panelHeight + Self.panelGap) + 0.5,
                 width: plotWidth, height: panelHeight)
        }
    }

    /// Ticks for an axis over `extent` (nil when it has no data: a unit range is shown).
    static func ticks(for axis: PlotAxis, extent: (Double, Double)?, target: Int) -> AxisTicks {
        switch axis.scale {
        case .linear:
            let (low, high) = extent ?? (0, 1)
            return TickGenerator.linear(dataMin: low, dataMax: high, limits: axis.limits, target: target,
                                        integer: axis.integerTicks)
        case .log10:
            let (low, high) = extent ?? (1, 10)
            return TickGenerator.log(dataMin: low, dataMax: high, limits: axis.limits, target: target)
        }
    }

    /// x ticks for a frame `plotWidth` wide: as many as fit without labels touching.
    static func xTicks(for axis: PlotAxis, extent: (Double, Double)?, plotWidth: Double) -> AxisTicks {
        var target = max(2, min(10, Int(plotWidth / 80)))
        while true {
            let ticks = ticks(for: axis, extent: extent, target: target)
            if target <= 2 || !labelsCollide(ticks, plotWidth: plotWidth) { return ticks }
            target -= 1
        }
    }

    static func labelsCollide(_ ticks: AxisTicks, plotWidth: Double) -> Bool {
        let centres = ticks.major.map { ticks.fraction($0) * plotWidth }
        let widths = ticks.labels.map { SVGCanvas.estimatedWidth($0, fontSize: tickFont) }
        for i in centres.indices.dropFirst() where centres[i] - centres[i - 1] < (widths[i] + widths[i - 1]) / 2 + 12 {
            return true
        }
        return false
    }

    func px(_ x: Double, in frame: Rect) -> Double { frame.x + xTicks.fraction(x) * frame.width }

    func py(_ y: Double, panel: Int) -> Double {
        let frame = frames[panel]
        return frame.maxY - yTicks[panel].fraction(y) * frame.height
    }

    // MARK: Drawing

    func draw(into canvas: inout SVGCanvas, panels: [PreparedPanel], notes: [String]) {
        canvas.open("defs")
        for (index, frame) in frames.enumerated() {
            canvas.open("clipPath", [("id", "plot-clip-\(index)")])
            canvas.rect(frame)
            canvas.close("clipPath")
        }
        canvas.close("defs")

        if let title {
            let centre = frames[0].x + frames[0].width / 2
            canvas.text(title, x: centre, y: 12 + Self.titleFont,
                        [("font-size", SVGCanvas.number(Self.titleFont)), ("font-weight", "bold"),
                         ("text-anchor", "middle"), ("fill", "#222222")])
        }
        for (index, panel) in panels.enumerated() {
            drawAxes(into: &canvas, panel: index, labelX: index == panels.count - 1)
            drawData(into: &canvas, panel: panel, index: index)
            drawLegend(into: &canvas, panel: panel, index: index)
        }
        let bottomFrame = frames[frames.count - 1]
        let xLabelY = bottomFrame.maxY + Self.tickLength + 6 + Self.tickFont * 1.3 + 8 + Self.labelFont * 0.8
        canvas.text(xAxis.title, x: bottomFrame.x + bottomFrame.width / 2, y: xLabelY,
                    [("font-size", SVGCanvas.number(Self.labelFont)), ("text-anchor", "middle"), ("fill", "#222222")])
        for (index, note) in notes.enumerated() {
            let y = size.height - 10 - Double(notes.count - 1 - index) * Self.noteLineHeight
            canvas.text(note, x: 12, y: y, [("font-size", SVGCanvas.number(Self.noteFont)),
                                            ("font-style", "italic"), ("fill", "#666666")])
        }
    }

    /// Grid, frame, tick marks, tick labels and the y label of one panel.
    private func drawAxes(into canvas: inout SVGCanvas, panel index: Int, labelX: Bool) {
        let frame = frames[index]
        let ticks = yTicks[index]
        let n = SVGCanvas.number
        // Grid lines at the labelled ticks, light enough to stay behind the data.
        canvas.rect(frame, [("fill", "#ffffff")])
        canvas.open("g", [("id", "grid-\(index)"), ("stroke", "#e6e6e6"), ("stroke-width", "1")])
        for x in xTicks.major { canvas.line(snap(px(x, in: frame)), frame.y, snap(px(x, in: frame)), frame.maxY) }
        for y in ticks.major { canvas.line(frame.x, snap(py(y, panel: index)), frame.maxX, snap(py(y, panel: index))) }
        canvas.close("g")

        canvas.open("g", [("id", "ticks-\(index)"), ("stroke", "#4d4d4d"), ("stroke-width", "1")])
        for x in xTicks.major { canvas.line(snap(px(x, in: frame)), frame.maxY, snap(px(x, in: frame)), frame.maxY + Self.tickLength) }
        for x in xTicks.minor { canvas.line(snap(px(x, in: frame)), frame.maxY, snap(px(x, in: frame)), frame.maxY + Self.minorTickLength) }
        for y in ticks.major { canvas.line(frame.x - Self.tickLength, snap(py(y, panel: index)), frame.x, snap(py(y, panel: index))) }
        for y in ticks.minor { canvas.line(frame.x - Self.minorTickLength, snap(py(y, panel: index)), frame.x, snap(py(y, panel: index))) }
        canvas.close("g")

        let labelStyle = [("font-size", n(Self.tickFont)), ("fill", "#333333")]
        canvas.open("g", [("id", "y-tick-labels-\(index)"), ("text-anchor", "end")] + labelStyle)
        for (y, label) in zip(ticks.major, ticks.labels) {
            canvas.label(label, x: frame.x - Self.tickLength - 4, y: py(y, panel: index) + Self.tickFont * 0.36,
                         fontSize: Self.tickFont, [])
        }
        canvas.close("g")
        if labelX {
            canvas.open("g", [("id", "x-tick-labels"), ("text-anchor", "middle")] + labelStyle)
            for (x, label) in zip(xTicks.major, xTicks.labels) {
                canvas.label(label, x: px(x, in: frame), y: frame.maxY + Self.tickLength + 4 + Self.tickFont,
                             fontSize: Self.tickFont, [])
            }
            canvas.close("g")
        }
        // The y label, rotated, centred on the panel.
        let labelX = 14 + Self.labelFont * 0.8, labelY = frame.y + frame.height / 2
        canvas.text(yTitles[index], x: labelX, y: labelY,
                    [("font-size", n(Self.labelFont)), ("text-anchor", "middle"), ("fill", "#222222"),
                     ("transform", "rotate(-90 \(n(labelX)) \(n(labelY)))")])
    }

    /// Pixel-snapped coordinate for 1-pixel lines: the nearest half pixel.
    func snap(_ value: Double) -> Double { (value - 0.5).rounded() + 0.5 }
}
