import Foundation
import Testing
@testable import Reports

@Suite("Axis ticks")
struct PlotTickTests {
    @Test("nice steps are 1, 2 or 5 times a power of ten, giving about the target count",
          arguments: [(1.08, 5, 0.2), (1.0, 7, 0.2), (1.0, 10, 0.1), (0.0013, 7, 0.0002), (45.0, 5, 10.0),
                      (3.5e-7, 3, 1e-7), (4500.0, 2, 2000.0)])
    func niceStep(span: Double, target: Int, expected: Double) {
        #expect(abs(TickGenerator.niceStep(span: span, target: target) - expected) <= 1e-12 * expected)
    }

    @Test("a linear axis over 0...1 gets ticks every 0.2 with one decimal")
    func linearUnitRange() {
        let ticks = TickGenerator.linear(dataMin: 0, dataMax: 1, limits: nil, target: 5, integer: false)
        #expect(ticks.major == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        #expect(ticks.labels.map(\.plain) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        // 4 % padding on both sides, so points on the extremes are not drawn on the frame.
        #expect(abs(ticks.lower + 0.04) < 1e-12 && abs(ticks.upper - 1.04) < 1e-12)
    }

    @Test("explicit limits are kept exactly and ticks stay inside them")
    func explicitLimits() {
        let ticks = TickGenerator.linear(dataMin: 3, dataMax: 4, limits: -10 ... 35, target: 5, integer: false)
        #expect(ticks.lower == -10 && ticks.upper == 35)
        #expect(ticks.major == [-10, 0, 10, 20, 30])
        #expect(ticks.labels.map(\.plain) == ["\u{2212}10", "0", "10", "20", "30"])
    }

    @Test("integer axes never get fractional ticks")
    func integerTicks() {
        let ticks = TickGenerator.linear(dataMin: 0, dataMax: 3, limits: nil, target: 10, integer: true)
        #expect(ticks.major == [0, 1, 2, 3])
        #expect(ticks.labels.map(\.plain) == ["0", "1", "2", "3"])
    }

    @Test("very small values are labelled as mantissa times a power of ten")
    func scientificLabels() {
        let ticks = TickGenerator.linear(dataMin: 0, dataMax: 3e-5, limits: 0 ... 3e-5, target: 3, integer: false)
        #expect(ticks.labels.map(\.plain) == ["0", "1×10^\u{2212}5", "2×10^\u{2212}5", "3×10^\u{2212}5"])
    }

    @Test("one distinct value still gives a usable range around it")
    func singleValue() {
        let ticks = TickGenerator.linear(dataMin: 5, dataMax: 5, limits: nil, target: 5, integer: false)
        #expect(ticks.lower < 5 && ticks.upper > 5 && ticks.major.count >= 3)
    }

    @Test("a log axis over several decades is labelled at each decade, with minor ticks between")
    func logDecades() {
        let ticks = TickGenerator.log(dataMin: 1e-3, dataMax: 1e2, limits: nil, target: 8)
        #expect(ticks.major == [1e-3, 1e-2, 1e-1, 1, 1e1, 1e2])
        #expect(ticks.labels.map(\.plain) == ["10^\u{2212}3", "10^\u{2212}2", "10^\u{2212}1", "10^0", "10^1", "10^2"])
        #expect(ticks.minor.contains(2e-3) && ticks.minor.contains(5) && !ticks.minor.contains(10))
    }

    @Test("many decades are thinned to every k-th decade")
    func logManyDecades() {
        let ticks = TickGenerator.log(dataMin: 1e-16, dataMax: 1, limits: nil, target: 5)
        let exponents = ticks.major.map { Int(log10($0).rounded()) }
        #expect(exponents.count <= 5 && exponents.count >= 3)
        let gaps = Set(zip(exponents.dropFirst(), exponents).map { $0 - $1 })
        #expect(gaps.count == 1 && gaps.first! > 1)
    }

    @Test("less than a decade gets 1-2-5 or integer-mantissa ticks")
    func logNarrow() {
        let ticks = TickGenerator.log(dataMin: 1.5, dataMax: 40, limits: nil, target: 6)
        #expect(ticks.major == [2, 5, 10, 20])
        #expect(ticks.labels.map(\.plain) == ["2", "5", "10", "20"])
        let narrow = TickGenerator.log(dataMin: 2.2, dataMax: 8.5, limits: nil, target: 6)
        #expect(narrow.major == [3, 4, 5, 6, 7, 8])
    }

    @Test("fractions map linearly or logarithmically")
    func fractions() {
        let lin = AxisTicks(lower: 0, upper: 10, scale: .linear, major: [], labels: [], minor: [])
        #expect(lin.fraction(2.5) == 0.25)
        let log = AxisTicks(lower: 1, upper: 1000, scale: .log10, major: [], labels: [], minor: [])
        #expect(abs(log.fraction(10) - 1.0 / 3) < 1e-12)
    }
}

@Suite("Number formatting")
struct NumberFormatTests {
    @Test("round-trip printing reads back exactly")
    func roundTrip() {
        for value in [0.1, 1.0 / 3, 1e-300, 6.02214076e23, -2.5, 123456789.125, .pi] {
            #expect(Double(NumberFormat.roundTrip(value)) == value)
        }
        #expect(NumberFormat.roundTrip(.nan) == "nan")
        #expect(NumberFormat.roundTrip(-.infinity) == "-inf")
    }

    @Test("fixed and significant formatting")
    func fixedAndSignificant() {
        #expect(NumberFormat.fixed(-0.001, decimals: 2) == "0.00")
        #expect(NumberFormat.fixed(2.345, decimals: 1) == "2.3")
        #expect(NumberFormat.significant(123456.7, digits: 3) == "1.23e5")
        #expect(NumberFormat.significant(0.000012345, digits: 2) == "1.2e-5")
        #expect(NumberFormat.significant(1.5, digits: 4) == "1.5")
        #expect(NumberFormat.significant(-0.00001, digits: 1) == "-1e-5")
        #expect(NumberFormat.significant(0, digits: 4) == "0")
    }
}
