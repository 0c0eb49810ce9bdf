/// How values are placed along an axis.
public enum AxisScale: Sendable, Equatable {
    /// Equal distances for equal differences.
    case linear
    /// Equal distances for equal ratios (decades). Only positive values can be shown: points with a
    /// non-positive coordinate on a log axis are left out of the plot and counted in a note (see
    /// ``SVGDocument/notes``); they are never an error, so that e.g. an objective reaching exactly
    /// zero does not stop a report.
    case log10
}

/// One axis of a plot: its label, unit, scale and (optionally) fixed limits.
///
/// Without `limits` the axis covers all finite data of the panels that share it (including error
/// bars), padded by 4 % of the span on each side, with ticks at "nice" values: 1, 2 or 5 × 10ᵏ
/// steps on linear axes and decades (or 1-2-5 within a decade when the data span less than about
/// two decades) on log axes. With `limits` exactly that range is shown and data outside it are
/// clipped at the plot frame.
public struct PlotAxis: Sendable, Equatable {
    /// The quantity, e.g. "pressure" or "iteration".
    public var label: String
    /// The unit, shown in parentheses after the label ("pressure (Pa)"); nil or empty for none.
    public var unit: String?
    public var scale: AxisScale
    /// A fixed range in data units; for a log axis both ends must be positive.
    public var limits: ClosedRange<Double>?
    /// Ticks only at whole numbers (iteration counts, indices).
    public var integerTicks: Bool

    public init(_ label: String, unit: String? = nil, scale: AxisScale = .linear,
                limits: ClosedRange<Double>? = nil, integerTicks: Bool = false) {
        self.label = label
        self.unit = unit
        self.scale = scale
        self.limits = limits
        self.integerTicks = integerTicks
    }

    /// The text written along the axis: label and unit.
    public var title: String {
        guard let unit, !unit.isEmpty else { return label }
        return label.isEmpty ? "(\(unit))" : "\(label) (\(unit))"
    }
}

/// A colour as 8-bit sRGB components, written into SVG as `#rrggbb`.
public struct PlotColor: Sendable, Equatable {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// `#rrggbb`, lower-case.
    public var hex: String {
        "#" + [red, green, blue].map { value in
            let digits = String(value, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// The Okabe–Ito palette (without its yellow, which is unreadable on white), distinguishable
    /// by readers with the common colour-vision deficiencies; series without a colour take these
    /// in order.
    public static let palette: [PlotColor] = [
        PlotColor(red: 0x00, green: 0x72, blue: 0xB2),  // blue
        PlotColor(red: 0xD5, green: 0x5E, blue: 0x00),  // vermillion
        PlotColor(red: 0x00, green: 0x9E, blue: 0x73),  // bluish green
        PlotColor(red: 0xCC, green: 0x79, blue: 0xA7),  // reddish purple
        PlotColor(red: 0xE6, green: 0x9F, blue: 0x00),  // orange
        PlotColor(red: 0x56, green: 0xB4, blue: 0xE9),  // sky blue
        PlotColor(red: 0x00, green: 0x00, blue: 0x00),  // black
    ]
    public static let black = PlotColor(red: 0, green: 0, blue: 0)
    public static let gray = PlotColor(red: 0x80, green: 0x80, blue: 0x80)
}

/// The symbol drawn at each point of a series with markers.
public enum MarkerShape: Sendable, Equatable, CaseIterable {
    case circle, square, triangle, diamond, cross
}

/// One set of (x, y) points drawn as a line, as markers, or both, optionally with vertical error
/// bars.
///
/// Points whose x or y is NaN or infinite are skipped (a line is broken there rather than joined
/// across the gap); so are points with a non-positive coordinate on a log axis (counted in a note).
/// `x`, `y` and `yError` must have equal lengths, checked when the plot is rendered.
public struct PlotSeries: Sendable, Equatable {
    /// How the points are drawn.
    public enum Style: Sendable, Equatable {
        case line, markers, lineAndMarkers
    }

    /// The legend text; series with an empty name are not listed in the legend.
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// Half-lengths of vertical error bars (e.g. one standard deviation): the bar spans
    /// y − e ... y + e. A NaN, infinite or negative entry draws no bar for that point. On a log axis
    /// a bar whose lower end is not positive is cut at the bottom of the plot.
    public var yError: [Double]?
    public var style: Style
    /// The marker for `.markers` and `.lineAndMarkers`; nil takes the next shape in
    /// ``MarkerShape/allCases`` order (by the series' position in its panel).
    public var marker: MarkerShape?
    /// Nil takes the next colour of ``PlotColor/palette`` (by the series' position in its panel).
    public var color: PlotColor?
    /// Draw the line dashed (e.g. for an analytic reference or a prior).
    public var dashed: Bool
    /// Markers drawn as outlines instead of filled shapes (tells "computed" from "measured").
    public var hollowMarkers: Bool

    public init(name: String, x: [Double], y: [Double], yError: [Double]? = nil, style: Style = .line,
                marker: MarkerShape? = nil, color: PlotColor? = nil, dashed: Bool = false,
                hollowMarkers: Bool = false) {
        self.name = name
        self.x = x
        self.y = y
        self.yError = yError
        self.style = style
        self.marker = marker
        self.color = color
        self.dashed = dashed
        self.hollowMarkers = hollowMarkers
    }

    /// A series drawn as a line through the points, in order.
    public static func line(_ name: String, x: [Double], y: [Double], color: PlotColor? = nil,
                            dashed: Bool = false, markers: Bool = false) -> PlotSeries {
        PlotSeries(name: name, x: x, y: y, style: markers ? .lineAndMarkers : .line, color: color,
                   dashed: dashed)
    }

    /// A series drawn as markers only, with optional vertical error bars.
    public static func scatter(_ name: String, x: [Double], y: [Double], yError: [Double]? = nil,
                               marker: MarkerShape? = nil, color: PlotColor? = nil,
                               hollow: Bool = false) -> PlotSeries {
        PlotSeries(name: name, x: x, y: y, yError: yError, style: .markers, marker: marker, color: color,
                   hollowMarkers: hollow)
    }
}

/// Where a panel's legend goes: inside the plot frame, in a corner.
public enum LegendPosition: Sendable, Equatable {
    /// The corner whose legend box covers the fewest data points and line samples (ties go in the
    /// order top right, top left, bottom right, bottom left).
    case automatic
    case topLeft, topRight, bottomLeft, bottomRight
    /// No legend.
    case hidden
}

/// One plot frame with its own y axis; the panels of an ``SVGPlot`` share its x axis.
public struct PlotPanel: Sendable, Equatable {
    public var yAxis: PlotAxis
    public var series: [PlotSeries]
    /// Draw the line y = x (dashed grey, listed in the legend as "y = x") over the range where the
    /// x and y axes overlap — for observed-versus-predicted plots.
    public var identityLine: Bool
    public var legend: LegendPosition

    public init(yAxis: PlotAxis, series: [PlotSeries], identityLine: Bool = false,
                legend: LegendPosition = .automatic) {
        self.yAxis = yAxis
        self.series = series
        self.identityLine = identityLine
        self.legend = legend
    }
}

/// The result of rendering a plot: the SVG text and notes about data that could not be shown.
public struct SVGDocument: Sendable, Equatable {
    /// A complete, standalone SVG 1.1 document (UTF-8 XML).
    public let text: String
    /// Sentences about points left out (non-positive values on a log axis) or empty plots; each
    /// note is also printed in small grey type under the plot. Empty when everything was shown.
    public let notes: [String]
}
