import Foundation
import Testing
@testable import Reports

@Suite("SVG plots")
struct SVGPlotTests {
    /// The frame of panel `index`, as written in the clip path.
    private func frame(_ root: XMLNode, panel index: Int = 0) throws -> (x: Double, y: Double, w: Double, h: Double) {
        let rect = try #require(root.element(id: "plot-clip-\(index)")?.first("rect"))
        return (try #require(rect.double("x")), try #require(rect.double("y")),
                try #require(rect.double("width")), try #require(rect.double("height")))
    }

    private func circles(_ root: XMLNode, _ id: String) -> [(Double, Double)] {
        (root.element(id: id)?.all("circle") ?? []).map { ($0.double("cx") ?? .nan, $0.double("cy") ?? .nan) }
    }

    @Test("output is a well-formed, standalone SVG 1.1 document")
    func wellFormed() throws {
        let plot = SVGPlot(title: "t", xAxis: PlotAxis("x"), yAxis: PlotAxis("y"),
                           series: [.line("a", x: [0, 1, 2], y: [1, 3, 2])])
        let text = try plot.render().text
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<svg "))
        let root = try XMLTree.parse(text)
        #expect(root.name == "svg")
        #expect(root.attribute("xmlns") == "http://www.w3.org/2000/svg")
        #expect(root.attribute("version") == "1.1")
        #expect(root.attribute("viewBox") == "0 0 720 460")
        // Self-contained: nothing refers outside the document.
        #expect(!text.contains("href") && !text.contains("<script") && !text.contains("@import"))
    }

    @Test("a known point lands on the expected pixel, on linear and log axes")
    func axisMapping() throws {
        let linear = SVGPlot(xAxis: PlotAxis("x", limits: 0 ... 10), yAxis: PlotAxis("y", limits: 0 ... 100),
                             series: [.scatter("p", x: [2.5], y: [75], marker: .circle)])
        let root = try XMLTree.parse(try linear.render().text)
        let f = try frame(root)
        let point = try #require(circles(root, "markers-0-0").first)
        #expect(abs(point.0 - (f.x + 0.25 * f.w)) <= 0.01)
        #expect(abs(point.1 - (f.y + f.h - 0.75 * f.h)) <= 0.01)

        let log = SVGPlot(xAxis: PlotAxis("x", scale: .log10, limits: 1 ... 1000),
                          yAxis: PlotAxis("y", scale: .log10, limits: 1e-4 ... 1),
                          series: [.scatter("p", x: [10], y: [1e-2], marker: .circle)])
        let logRoot = try XMLTree.parse(try log.render().text)
        let g = try frame(logRoot)
        let logPoint = try #require(circles(logRoot, "markers-0-0").first)
        #expect(abs(logPoint.0 - (g.x + g.w / 3)) <= 0.01)
        #expect(abs(logPoint.1 - (g.y + g.h / 2)) <= 0.01)
    }

    @Test("tick labels are written at the chosen values, with superscript exponents on log axes")
    func tickLabels() throws {
        let plot = SVGPlot(xAxis: PlotAxis("x", limits: 0 ... 1),
                           yAxis: PlotAxis("y", scale: .log10, limits: 1e-3 ... 1e2),
                           series: [.line("", x: [0, 1], y: [1, 10])])
        let root = try XMLTree.parse(try plot.render().text)
        let x = try #require(root.element(id: "x-tick-labels")).all("text").map(\.text)
        #expect(x == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let yLabels = try #require(root.element(id: "y-tick-labels-0")).all("text")
        #expect(yLabels.map(\.text) == ["10\u{2212}3", "10\u{2212}2", "10\u{2212}1", "100", "101", "102"])
        #expect(yLabels.allSatisfy { $0.first("tspan") != nil })
        // Tick label y positions decrease (higher on screen) as values grow.
        let ys = yLabels.compactMap { $0.double("y") }
        #expect(ys == ys.sorted(by: >))
    }

    @Test("error bars are drawn from y - σ to y + σ with caps")
    func errorBars() throws {
        let plot = SVGPlot(xAxis: PlotAxis("t", limits: 0 ... 4), yAxis: PlotAxis("v", limits: 0 ... 10),
                           series: [.scatter("data", x: [1, 3], y: [5, 6], yError: [1, .nan])])
        let root = try XMLTree.parse(try plot.render().text)
        let f = try frame(root)
        let path = try #require(root.element(id: "error-bars-0-0")?.attribute("d"))
        let px = f.x + 0.25 * f.w
        let n = SVGCanvas.number
        // One bar (the NaN σ draws none): vertical from y=4 to y=6, and two caps.
        #expect(path == "M\(n(px)),\(n(f.y + 0.6 * f.h))V\(n(f.y + 0.4 * f.h))"
            + "M\(n(px - 3)),\(n(f.y + 0.4 * f.h))H\(n(px + 3))M\(n(px - 3)),\(n(f.y + 0.6 * f.h))H\(n(px + 3))")
        #expect(circles(root, "markers-0-0").count == 2)
    }

    @Test("NaN and infinite points are skipped and lines break at them")
    func skipsNonFinite() throws {
        let plot = SVGPlot(xAxis: PlotAxis("x"), yAxis: PlotAxis("y"),
                           series: [.line("a", x: [0, 1, 2, 3, 4], y: [1, 2, .nan, 4, .infinity])])
        let document = try plot.render()
        #expect(!document.text.lowercased().contains("nan") && !document.text.contains("inf"))
        let d = try #require(XMLTree.parse(document.text).element(id: "line-0-0")?.attribute("d"))
        #expect(d.filter { $0 == "M" }.count == 2 && d.filter { $0 == "L" }.count == 1)
        #expect(document.notes.isEmpty)
    }

    @Test("non-positive values on a log axis are dropped with a note")
    func logDropsNonPositive() throws {
        let plot = SVGPlot(xAxis: PlotAxis("iteration"), yAxis: PlotAxis("objective", scale: .log10),
                           series: [.line("objective", x: [0, 1, 2, 3], y: [10, 1, 0, -1], markers: true)])
        let document = try plot.render()
        #expect(document.notes == ["Series 'objective': 2 point(s) with y ≤ 0 not shown on the log y axis."])
        let root = try XMLTree.parse(document.text)
        #expect(circles(root, "markers-0-0").count == 2)
        #expect(root.all("text").contains { $0.text == document.notes[0] })
    }

    @Test("text is escaped")
    func escaping() throws {
        let title = "Fit <K> & \"c'\" \u{07}"
        let plot = SVGPlot(title: title, xAxis: PlotAxis("a<b", unit: "m&s"), yAxis: PlotAxis("y"),
                           series: [.line("x > 0 & \"y\"", x: [0, 1], y: [0, 1])])
        let text = try plot.render().text
        #expect(text.contains("Fit &lt;K&gt; &amp; &quot;c&apos;&quot; \u{FFFD}"))
        let root = try XMLTree.parse(text)
        #expect(root.first("title")?.text == "Fit <K> & \"c'\" \u{FFFD}")
        #expect(root.all("text").contains { $0.text == "a<b (m&s)" })
        #expect(root.element(id: "legend-0")?.all("text").map(\.text) == ["x > 0 & \"y\""])
    }

    @Test("rendering is deterministic, and write(to:) writes the rendered bytes")
    func deterministic() throws {
        let make = {
            try SVGPlot.convergencePlot(iterations: Array(0 ..< 30),
                                        objective: (0 ..< 30).map { exp(-Double($0) / 3) },
                                        gradientNorm: (0 ..< 30).map { exp(-Double($0) / 2) })
        }
        let directory = try makeTemporaryDirectory()
        try make().write(to: directory + "/a.svg")
        try make().write(to: directory + "/b.svg")
        let a = try Data(contentsOf: URL(fileURLWithPath: directory + "/a.svg"))
        let b = try Data(contentsOf: URL(fileURLWithPath: directory + "/b.svg"))
        #expect(a == b)
        #expect(a == Data(try make().render().text.utf8))
    }

    @Test("panels share the x axis and are aligned; only the bottom one labels x")
    func panels() throws {
        let plot = SVGPlot(xAxis: PlotAxis("x"), panels: [
            PlotPanel(yAxis: PlotAxis("top"), series: [.line("", x: [0, 5], y: [0, 1])]),
            PlotPanel(yAxis: PlotAxis("bottom"), series: [.line("", x: [0, 10], y: [5, 6])]),
        ])
        let root = try XMLTree.parse(try plot.render().text)
        let top = try frame(root, panel: 0), bottom = try frame(root, panel: 1)
        #expect(top.x == bottom.x && top.w == bottom.w && top.y + top.h < bottom.y)
        #expect(root.element(id: "x-tick-labels") != nil)
        #expect(root.all("g").filter { $0.attribute("id") == "x-tick-labels" }.count == 1)
        // The top series ends at x = 5: half-way along the shared x range 0...10 (with padding).
        let d = try #require(root.element(id: "line-0-0")?.attribute("d"))
        let end = try #require(Double(d.split(separator: "L")[1].split(separator: ",")[0]))
        let lower = -0.4, upper = 10.4
        #expect(abs(end - (top.x + (5 - lower) / (upper - lower) * top.w)) <= 0.01)
    }

    @Test("the identity line runs across the overlap of both axes and is in the legend")
    func identityLine() throws {
        let plot = SVGPlot(xAxis: PlotAxis("predicted", limits: 0 ... 10), yAxis: PlotAxis("observed", limits: 0 ... 10),
                           series: [.scatter("", x: [1], y: [1])], identityLine: true)
        let root = try XMLTree.parse(try plot.render().text)
        let f = try frame(root)
        let n = SVGCanvas.number
        let identity = try #require(root.all("path").first { $0.attribute("class") == "identity" })
        #expect(identity.attribute("d") == "M\(n(f.x)),\(n(f.y + f.h))L\(n(f.x + f.w)),\(n(f.y))")
        #expect(root.element(id: "legend-0")?.all("text").map(\.text) == ["y = x"])
    }

    @Test("the legend avoids the data", arguments: [
        ([0.0, 1, 2, 3, 4], [0.0, 1, 2, 3, 4], LegendPosition.topLeft),   // rising: top left is empty
        ([0.0, 1, 2, 3, 4], [4.0, 3, 2, 1, 0], LegendPosition.topRight),  // falling: top right is empty
    ])
    func legendPlacement(x: [Double], y: [Double], expected: LegendPosition) throws {
        let plot = SVGPlot(xAxis: PlotAxis("x"), yAxis: PlotAxis("y"), series: [.line("series", x: x, y: y)])
        let root = try XMLTree.parse(try plot.render().text)
        let f = try frame(root)
        let box = try #require(root.element(id: "legend-0")?.first("rect"))
        let left = try #require(box.double("x")) < f.x + f.w / 2
        let top = try #require(box.double("y")) < f.y + f.h / 2
        #expect((left, top) == (expected == .topLeft, true))
    }

    @Test("inconsistent input is a typed error")
    func validation() throws {
        let bad = SVGPlot(xAxis: PlotAxis("x"), yAxis: PlotAxis("y"), series: [.line("a", x: [0, 1, 2], y: [1, 2])])
        #expect(throws: ReportError.lengthMismatch(what: "series 0 'a' of panel 0: y values (one per x value)",
                                                   expected: 3, found: 2)) { try bad.render() }
        let bars = SVGPlot(xAxis: PlotAxis("x"), yAxis: PlotAxis("y"),
                           series: [.scatter("a", x: [0, 1], y: [1, 2], yError: [1])])
        #expect(throws: ReportError.self) { try bars.render() }
        let logLimits = SVGPlot(xAxis: PlotAxis("x", scale: .log10, limits: 0 ... 10), yAxis: PlotAxis("y"), series: [])
        #expect(throws: ReportError.self) { try logLimits.render() }
        #expect(throws: ReportError.self) { try SVGPlot(xAxis: PlotAxis("x"), panels: []).render() }
    }

    @Test("a plot with no finite data still renders, with a note")
    func emptyPlot() throws {
        let plot = SVGPlot(xAxis: PlotAxis("x"), yAxis: PlotAxis("y", scale: .log10),
                           series: [.line("a", x: [0, 1], y: [.nan, .nan])])
        let document = try plot.render()
        _ = try XMLTree.parse(document.text)
        #expect(document.notes == ["No finite data to plot."])
    }
}

@Suite("SVG plots: extreme values")
struct SVGExtremeValueTests {
    @Test("huge, tiny and nearly equal values render without traps or non-finite coordinates",
          arguments: [[-1e308, 1e308], [1e20, 1e20 + 1e5], [1.0, 1.0 + 1e-15], [.leastNonzeroMagnitude, 1e-300], [0, 0]])
    func extremes(values: [Double]) throws {
        for scale in [AxisScale.linear, .log10] {
            let plot = SVGPlot(xAxis: PlotAxis("x"), yAxis: PlotAxis("y", scale: scale),
                               series: [.line("v", x: [0, 1], y: values, markers: true)])
            let text = try plot.render().text
            _ = try XMLTree.parse(text)
            #expect(!text.contains("nan") && !text.contains("inf"), "scale \(scale), values \(values)")
        }
    }
}

@Suite("SVG plots: sizes")
struct SVGSizeTests {
    @Test("too many panels for the height is a typed error, not a garbled drawing")
    func tooSmall() {
        let panel = PlotPanel(yAxis: PlotAxis("y"), series: [.line("", x: [0, 1], y: [0, 1])])
        let plot = SVGPlot(xAxis: PlotAxis("x"), panels: Array(repeating: panel, count: 4), width: 400, height: 200)
        #expect(throws: ReportError.self) { try plot.render() }
    }
}
