import Foundation
import Testing
@testable import Reports

@Suite("Plot builders")
struct PlotBuilderTests {
    @Test("convergence plot: two log panels sharing an integer iteration axis")
    func convergence() throws {
        let plot = try SVGPlot.convergencePlot(iterations: [0, 1, 2, 3], objective: [100, 1, 0.01, 1e-4],
                                               gradientNorm: [10, 1, 0.1, 0.01])
        #expect(plot.panels.count == 2)
        #expect(plot.panels.map(\.yAxis.scale) == [.log10, .log10])
        #expect(plot.panels.map(\.yAxis.label) == ["objective", "gradient norm"])
        #expect(plot.xAxis.integerTicks)
        let root = try XMLTree.parse(try plot.render().text)
        #expect(root.element(id: "x-tick-labels")?.all("text").map(\.text) == ["0", "1", "2", "3"])
        #expect(root.element(id: "markers-1-0")?.all("circle").count == 4)

        // An objective that reaches zero, and no gradient: one panel, linear scale, nothing dropped.
        let zero = try SVGPlot.convergencePlot(iterations: [0, 1], objective: [1, 0], gradientNorm: nil)
        #expect(zero.panels.count == 1 && zero.panels[0].yAxis.scale == .linear)
        #expect(try zero.render().notes.isEmpty)

        #expect(throws: ReportError.lengthMismatch(what: "convergence plot: objective values (one per iteration)",
                                                   expected: 2, found: 1)) {
            try SVGPlot.convergencePlot(iterations: [0, 1], objective: [1], gradientNorm: nil)
        }
    }

    @Test("observed versus predicted: observations on y with σ bars, groups by name, equal axes, y = x")
    func observedVersusPredicted() throws {
        let plot = try SVGPlot.observedVersusPredicted(observed: [1, 2, 3, 4], predicted: [1.1, 1.9, 3.2, 3.9],
                                                       sigma: [0.1, 0.2, 0.1, 0.3], names: ["a", "b", "a", "b"],
                                                       unit: "GPa")
        let panel = plot.panels[0]
        #expect(panel.identityLine && plot.squarePlotArea)
        #expect(panel.series.map(\.name) == ["a", "b"])
        #expect(panel.series[0].y == [1, 3] && panel.series[0].x == [1.1, 3.2] && panel.series[0].yError == [0.1, 0.1])
        #expect(plot.xAxis.limits == panel.yAxis.limits)
        #expect(plot.xAxis.title == "predicted (GPa)" && panel.yAxis.title == "observed (GPa)")
        let limits = try #require(plot.xAxis.limits)
        #expect(limits.lowerBound < 0.9 && limits.upperBound > 4.3)

        let document = try plot.render()
        let root = try XMLTree.parse(document.text)
        #expect(root.element(id: "error-bars-0-0") != nil && root.element(id: "error-bars-0-1") != nil)
        #expect(root.element(id: "legend-0")?.all("text").map(\.text) == ["a", "b", "y = x"])
        let width = try #require(root.double("width")), height = try #require(root.double("height"))
        #expect(width < 600 || height < 600)  // shrunk around the square frame

        // Many distinct names: one series.
        let many = try SVGPlot.observedVersusPredicted(observed: Array(repeating: 1, count: 10),
                                                       predicted: Array(repeating: 1, count: 10),
                                                       names: (0 ..< 10).map { "o\($0)" })
        #expect(many.panels[0].series.count == 1)
        #expect(throws: ReportError.self) {
            try SVGPlot.observedVersusPredicted(observed: [1, 2], predicted: [1, 2], names: ["a"])
        }
    }

    @Test("time series: model line under data markers with error bars")
    func timeSeries() throws {
        let plot = try SVGPlot.timeSeries(times: [0, 1, 2], observed: [0, 1, 1.5], sigma: [0.1, 0.1, 0.1],
                                          predicted: [0, 0.5, 1, 1.25, 1.5], predictedTimes: [0, 0.5, 1, 1.5, 2],
                                          title: "Settlement", quantity: "settlement", units: "mm")
        let series = plot.panels[0].series
        #expect(series.map(\.name) == ["model", "data ± σ"])
        #expect(series[0].style == .line && series[1].style == .markers && series[1].yError != nil)
        #expect(plot.xAxis.title == "time (s)" && plot.panels[0].yAxis.title == "settlement (mm)")
        let root = try XMLTree.parse(try plot.render().text)
        #expect(root.element(id: "error-bars-0-1") != nil)
        #expect(root.element(id: "markers-0-1")?.all("circle").count == 3)
        #expect(throws: ReportError.self) {
            try SVGPlot.timeSeries(times: [0, 1], observed: [0, 1], predicted: [0, 1, 2], title: "x")
        }
    }

    @Test("line plot: one line per series, log-log")
    func linePlot() throws {
        let plot = try SVGPlot.linePlot(x: [1, 2, 4, 8], series: [("K", [1, 0.1, 0.01, 0.001]), ("L", [1, 0.5, 0.25, 0.125])],
                                        title: "Unrolled gradient error against K",
                                        xAxis: PlotAxis("K", scale: .log10), yAxis: PlotAxis("error", scale: .log10),
                                        markers: true)
        let root = try XMLTree.parse(try plot.render().text)
        #expect(root.element(id: "line-0-0") != nil && root.element(id: "line-0-1") != nil)
        #expect(root.element(id: "legend-0")?.all("text").map(\.text) == ["K", "L"])
        #expect(throws: ReportError.self) {
            try SVGPlot.linePlot(x: [1, 2], series: [("a", [1])], xAxis: PlotAxis("x"), yAxis: PlotAxis("y"))
        }
    }
}
