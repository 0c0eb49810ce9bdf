import Foundation

/// Drawing of data (series, error bars, the y = x line) and legends.
extension PlotLayout {
    static let markerSize = 3.6
    static let lineWidth = 1.8
    static let errorCap = 3.0
    static let identityColor = "#7f7f7f"

    /// Everything inside the frame of one panel, clipped to it.
    func drawData(into canvas: inout SVGCanvas, panel: PreparedPanel, index: Int) {
        let frame = frames[index]
        let n = SVGCanvas.number
        canvas.open("g", [("id", "data-\(index)"), ("clip-path", "url(#plot-clip-\(index))")])
        if panel.panel.identityLine, let d = identityPath(panel: index) {
            canvas.element("path", [("class", "identity"), ("d", d), ("fill", "none"),
                                    ("stroke", Self.identityColor), ("stroke-width", "1.2"),
                                    ("stroke-dasharray", "6 4")])
        }
        for (s, series) in panel.series.enumerated() {
            let color = series.color.hex
            let pixels = series.points.map { point in
                point.map { (x: px($0.x, in: frame), y: py($0.y, panel: index), point: $0) }
            }
            // Error bars first, so markers sit on top of them.
            var bars = ""
            for case let p? in pixels {
                guard let e = p.point.error, e > 0 else { continue }
                let top = py(p.point.y + e, panel: index)
                let lowValue = p.point.y - e
                let lowOK = yTicks[index].scale == .linear || lowValue > 0
                let bottom = lowOK ? py(lowValue, panel: index) : frame.maxY + 2
                bars += "M\(n(p.x)),\(n(bottom))V\(n(top))"
                bars += "M\(n(p.x - Self.errorCap)),\(n(top))H\(n(p.x + Self.errorCap))"
                if lowOK { bars += "M\(n(p.x - Self.errorCap)),\(n(bottom))H\(n(p.x + Self.errorCap))" }
            }
            if !bars.isEmpty {
                canvas.element("path", [("class", "error-bars"), ("id", "error-bars-\(index)-\(s)"), ("d", bars),
                                        ("fill", "none"), ("stroke", color), ("stroke-width", "1.1")])
            }
            if series.source.style != .markers {
                // Break the line wherever a point was skipped, instead of bridging the gap.
                var d = "", penDown = false
                for p in pixels {
                    guard let p else { penDown = false; continue }
                    d += (penDown ? "L" : "M") + "\(n(p.x)),\(n(p.y))"
                    penDown = true
                }
                if !d.isEmpty {
                    var style = [("class", "series-line"), ("id", "line-\(index)-\(s)"), ("d", d), ("fill", "none"),
                                 ("stroke", color), ("stroke-width", n(Self.lineWidth)),
                                 ("stroke-linejoin", "round"), ("stroke-linecap", "round")]
                    if series.source.dashed { style.append(("stroke-dasharray", "7 4")) }
                    canvas.element("path", style)
                }
            }
            if series.source.style != .line {
                canvas.open("g", [("class", "markers"), ("id", "markers-\(index)-\(s)")]
                                 + markerStyle(series.marker, color: color, hollow: series.source.hollowMarkers))
                for case let p? in pixels {
                    canvas.marker(series.marker, x: p.x, y: p.y, size: Self.markerSize)
                }
                canvas.close("g")
            }
        }
        canvas.close("g")
        canvas.rect(frame, [("fill", "none"), ("stroke", "#4d4d4d"), ("stroke-width", "1")])
    }

    func markerStyle(_ shape: MarkerShape, color: String, hollow: Bool) -> [(String, String)] {
        if shape == .cross { return [("fill", "none"), ("stroke", color), ("stroke-width", "1.6")] }
        if hollow { return [("fill", "#ffffff"), ("stroke", color), ("stroke-width", "1.4")] }
        // A thin white rim keeps overlapping markers distinguishable.
        return [("fill", color), ("stroke", "#ffffff"), ("stroke-width", "0.7")]
    }

    /// The y = x line over the overlap of the x and y ranges, as an SVG path (nil if they do not
    /// overlap). Straight when both axes have the same scale, sampled otherwise.
    func identityPath(panel index: Int) -> String? {
        let y = yTicks[index], frame = frames[index]
        let low = max(xTicks.lower, y.lower), high = min(xTicks.upper, y.upper)
        guard high > low else { return nil }
        let count = xTicks.scale == y.scale ? 2 : 65
        let n = SVGCanvas.number
        var d = ""
        for i in 0 ..< count {
            let t = Double(i) / Double(count - 1)
            let value = xTicks.scale == .log10 ? low * pow(high / low, t) : low + (high - low) * t
            d += (i == 0 ? "M" : "L") + "\(n(px(value, in: frame))),\(n(py(value, panel: index)))"
        }
        return d
    }

    /// Legend entries: named series, then the identity line.
    private func legendEntries(_ panel: PreparedPanel) -> [(name: String, series: PreparedSeries?)] {
        var entries: [(name: String, series: PreparedSeries?)] = panel.series
            .filter { !$0.source.name.isEmpty }.map { ($0.source.name, $0) }
        if panel.panel.identityLine { entries.append(("y = x", nil)) }
        return entries
    }

    func drawLegend(into canvas: inout SVGCanvas, panel: PreparedPanel, index: Int) {
        let entries = legendEntries(panel)
        guard panel.panel.legend != .hidden, !entries.isEmpty else { return }
        let rowHeight = Self.legendFont * 1.6, sample = 26.0, pad = 8.0
        let textWidth = entries.map { SVGCanvas.estimatedWidth($0.name, fontSize: Self.legendFont) }.max() ?? 0
        let box = (width: (pad + sample + 7 + textWidth + pad).rounded(.up),
                   height: (Double(entries.count) * rowHeight + pad).rounded(.up))
        let origin = legendOrigin(panel: panel, index: index, box: box)
        let n = SVGCanvas.number

        canvas.open("g", [("id", "legend-\(index)"), ("font-size", n(Self.legendFont))])
        canvas.rect(Rect(x: origin.x, y: origin.y, width: box.width, height: box.height),
                    [("fill", "#ffffff"), ("fill-opacity", "0.9"), ("stroke", "#bfbfbf"), ("stroke-width", "1")])
        for (row, entry) in entries.enumerated() {
            let y = origin.y + pad / 2 + (Double(row) + 0.5) * rowHeight
            let x0 = origin.x + pad, x1 = x0 + sample
            if let series = entry.series {
                let color = series.color.hex
                if series.source.style != .markers {
                    var style = [("stroke", color), ("stroke-width", n(Self.lineWidth))]
                    if series.source.dashed { style.append(("stroke-dasharray", "7 4")) }
                    canvas.element("line", [("x1", n(x0)), ("y1", n(y)), ("x2", n(x1)), ("y2", n(y))] + style)
                }
                if series.shown.contains(where: { ($0.error ?? 0) > 0 }) {
                    let (mid, h) = ((x0 + x1) / 2, Self.markerSize * 1.7)
                    let d = "M\(n(mid)),\(n(y - h))V\(n(y + h))M\(n(mid - Self.errorCap)),\(n(y - h))H\(n(mid + Self.errorCap))"
                        + "M\(n(mid - Self.errorCap)),\(n(y + h))H\(n(mid + Self.errorCap))"
                    canvas.element("path", [("d", d), ("fill", "none"), ("stroke", color), ("stroke-width", "1.1")])
                }
                if series.source.style != .line {
                    canvas.open("g", markerStyle(series.marker, color: color, hollow: series.source.hollowMarkers))
                    canvas.marker(series.marker, x: (x0 + x1) / 2, y: y, size: Self.markerSize)
                    canvas.close("g")
                }
            } else {
                canvas.element("line", [("x1", n(x0)), ("y1", n(y)), ("x2", n(x1)), ("y2", n(y)),
                                        ("stroke", Self.identityColor), ("stroke-width", "1.2"),
                                        ("stroke-dasharray", "6 4")])
            }
            canvas.text(entry.name, x: x1 + 7, y: y + Self.legendFont * 0.36, [("fill", "#222222")])
        }
        canvas.close("g")
    }

    /// The top-left corner of the legend box: the requested corner, or the one covering the least data.
    private func legendOrigin(panel: PreparedPanel, index: Int, box: (width: Double, height: Double))
        -> (x: Double, y: Double) {
        let frame = frames[index], inset = 8.0
        let corners: [(LegendPosition, Double, Double)] = [
            (.topRight, frame.maxX - inset - box.width, frame.y + inset),
            (.topLeft, frame.x + inset, frame.y + inset),
            (.bottomRight, frame.maxX - inset - box.width, frame.maxY - inset - box.height),
            (.bottomLeft, frame.x + inset, frame.maxY - inset - box.height),
        ]
        if let fixed = corners.first(where: { $0.0 == panel.panel.legend }) { return (fixed.1, fixed.2) }
        let samples = obstacleSamples(panel: panel, index: index)
        var best = corners[0], bestScore = Int.max
        for corner in corners {
            let area = Rect(x: corner.1 - 4, y: corner.2 - 4, width: box.width + 8, height: box.height + 8)
            let score = samples.reduce(0) { $0 + (area.contains($1.0, $1.1) ? 1 : 0) }
            if score < bestScore { (best, bestScore) = (corner, score) }
        }
        return (best.1, best.2)
    }

    /// Pixel positions the legend should avoid: markers, error-bar ends, and points every few
    /// pixels along lines (including the identity line).
    private func obstacleSamples(panel: PreparedPanel, index: Int) -> [(Double, Double)] {
        let frame = frames[index]
        var samples: [(Double, Double)] = []
        func addSegment(_ a: (Double, Double), _ b: (Double, Double)) {
            let length = hypot(b.0 - a.0, b.1 - a.1)
            let steps = min(400, max(1, Int(length / 4)))
            for k in 0 ... steps {
                let t = Double(k) / Double(steps)
                samples.append((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t))
            }
        }
        for series in panel.series {
            var previous: (Double, Double)?
            for point in series.points {
                guard let point else { previous = nil; continue }
                let p = (px(point.x, in: frame), py(point.y, panel: index))
                samples.append(p)
                if let e = point.error, e > 0 {
                    samples.append((p.0, py(point.y + e, panel: index)))
                    if point.y - e > 0 || yTicks[index].scale == .linear {
                        addSegment(p, (p.0, py(point.y - e, panel: index)))
                    }
                }
                if series.source.style != .markers, let previous { addSegment(previous, p) }
                previous = p
            }
        }
        if panel.panel.identityLine {
            let low = max(xTicks.lower, yTicks[index].lower), high = min(xTicks.upper, yTicks[index].upper)
            if high > low {
                addSegment((px(low, in: frame), py(low, panel: index)), (px(high, in: frame), py(high, panel: index)))
            }
        }
        return samples
    }
}
