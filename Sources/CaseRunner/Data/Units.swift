import Foundation

/// A physical unit as a scale factor to SI and exponents of length, mass and time — enough to
/// check the units of mechanics data (lengths, energies, forces, stresses) written the usual ways:
/// "nm", "eV", "eV/Å^3", "kg m-1 s-2", "GPa", "N", "1".
///
/// Products are written with spaces, '*', '·' or '.'; a '/' divides by the factor after it;
/// exponents as "^2", "**2", "2", "-2" or "²"/"³". Unknown symbols make `parse` return nil (the
/// caller then compares the texts).
public struct PhysicalUnit: Sendable, Equatable, CustomStringConvertible {
    /// Multiply a value in this unit by `scale` to get SI.
    public var scale: Double
    /// Exponents of metre, kilogram, second.
    public var exponents: [Int]

    public static let one = PhysicalUnit(scale: 1, exponents: [0, 0, 0])

    static func * (a: PhysicalUnit, b: PhysicalUnit) -> PhysicalUnit {
        PhysicalUnit(scale: a.scale * b.scale, exponents: zip(a.exponents, b.exponents).map { $0 + $1 })
    }

    func power(_ n: Int) -> PhysicalUnit {
        PhysicalUnit(scale: Foundation.pow(scale, Double(n)), exponents: exponents.map { $0 * n })
    }

    /// Same dimension and the same scale to 1e-9.
    public func isEquivalent(to other: PhysicalUnit) -> Bool {
        exponents == other.exponents && abs(scale / other.scale - 1) <= 1e-9
    }

    public func hasSameDimension(as other: PhysicalUnit) -> Bool { exponents == other.exponents }

    public var description: String {
        let names = ["m", "kg", "s"]
        let parts = zip(names, exponents).filter { $0.1 != 0 }.map { $0.1 == 1 ? $0.0 : "\($0.0)^\($0.1)" }
        return "\(scale) " + (parts.isEmpty ? "1" : parts.joined(separator: " "))
    }

    private static let metre = PhysicalUnit(scale: 1, exponents: [1, 0, 0])
    private static let kilogram = PhysicalUnit(scale: 1, exponents: [0, 1, 0])
    private static let second = PhysicalUnit(scale: 1, exponents: [0, 0, 1])
    private static let joule = kilogram * metre.power(2) * second.power(-2)
    private static let newton = kilogram * metre * second.power(-2)
    private static let pascal = newton * metre.power(-2)
    private static let electronvolt = PhysicalUnit(scale: 1.602176634e-19, exponents: joule.exponents)

    private static func scaled(_ u: PhysicalUnit, _ factor: Double) -> PhysicalUnit {
        PhysicalUnit(scale: u.scale * factor, exponents: u.exponents)
    }

    /// Known symbols.
    static let symbols: [String: PhysicalUnit] = [
        "1": one, "dimensionless": one,
        "m": metre, "km": scaled(metre, 1e3), "cm": scaled(metre, 1e-2), "mm": scaled(metre, 1e-3),
        "um": scaled(metre, 1e-6), "µm": scaled(metre, 1e-6), "μm": scaled(metre, 1e-6),
        "nm": scaled(metre, 1e-9), "pm": scaled(metre, 1e-12),
        "\u{00C5}": scaled(metre, 1e-10), // the Angstrom sign U+212B is canonically equal
        "angstrom": scaled(metre, 1e-10), "Angstrom": scaled(metre, 1e-10),
        "kg": kilogram, "g": scaled(kilogram, 1e-3),
        "s": second, "ms": scaled(second, 1e-3), "us": scaled(second, 1e-6), "µs": scaled(second, 1e-6),
        "ns": scaled(second, 1e-9), "ps": scaled(second, 1e-12), "fs": scaled(second, 1e-15),
        "min": scaled(second, 60), "h": scaled(second, 3600),
        // UDUNITS-2 spellings and plurals of time units, as CF time coordinates write them.
        "sec": second, "secs": second, "second": second, "seconds": second,
        "msec": scaled(second, 1e-3), "millisecond": scaled(second, 1e-3), "milliseconds": scaled(second, 1e-3),
        "mins": scaled(second, 60), "minute": scaled(second, 60), "minutes": scaled(second, 60),
        "hr": scaled(second, 3600), "hrs": scaled(second, 3600), "hour": scaled(second, 3600), "hours": scaled(second, 3600),
        "d": scaled(second, 86400), "day": scaled(second, 86400), "days": scaled(second, 86400),
        "metre": metre, "metres": metre, "meter": metre, "meters": metre,
        "J": joule, "kJ": scaled(joule, 1e3), "mJ": scaled(joule, 1e-3),
        "eV": electronvolt, "meV": scaled(electronvolt, 1e-3), "keV": scaled(electronvolt, 1e3),
        "N": newton, "kN": scaled(newton, 1e3), "mN": scaled(newton, 1e-3), "uN": scaled(newton, 1e-6),
        "µN": scaled(newton, 1e-6), "μN": scaled(newton, 1e-6), "nN": scaled(newton, 1e-9), "pN": scaled(newton, 1e-12),
        "Pa": pascal, "kPa": scaled(pascal, 1e3), "MPa": scaled(pascal, 1e6), "GPa": scaled(pascal, 1e9),
    ]

    /// Parses a unit text; nil when a symbol or the syntax is not understood.
    public static func parse(_ text: String) -> PhysicalUnit? {
        var normalized = text.trimmingCharacters(in: .whitespaces)
        if normalized.isEmpty { return nil }
        for (from, to) in [("**", "^"), ("·", " "), ("*", " "), ("²", "^2"), ("³", "^3"), ("/", " / ")] {
            normalized = normalized.replacingOccurrences(of: from, with: to)
        }
        var result = one
        var divide = false
        for token in normalized.split(separator: " ") {
            if token == "/" {
                if divide { return nil }
                divide = true
                continue
            }
            // A symbol followed by an optional exponent ("m^-2", "s-2", "m2").
            let text = String(token)
            var symbol = text, exponent = 1
            if let caret = text.firstIndex(of: "^") {
                symbol = String(text[..<caret])
                guard let e = Int(text[text.index(after: caret)...]) else { return nil }
                exponent = e
            } else if let start = text.firstIndex(where: { $0 == "-" || $0 == "+" || $0.isNumber }), start != text.startIndex {
                symbol = String(text[..<start])
                guard let e = Int(text[start...]) else { return nil }
                exponent = e
            }
            if symbol.hasSuffix(".") { symbol.removeLast() }
            guard let unit = symbols[symbol] else { return nil }
            result = result * unit.power(divide ? -exponent : exponent)
            divide = false
        }
        return divide ? nil : result
    }
}

/// How a configured unit compares with the unit a file states.
enum UnitComparison: Equatable {
    case same
    /// Same dimension, different scale: values in `found` times `factor` are in `expected`.
    case convertible(factor: Double)
    case incompatible
    /// At least one side could not be parsed and the texts differ.
    case unknown
}

enum UnitCheck {
    static func compare(expected: String, found: String) -> UnitComparison {
        if normalizedText(expected) == normalizedText(found) { return .same }
        guard let e = PhysicalUnit.parse(expected), let f = PhysicalUnit.parse(found) else { return .unknown }
        if e.isEquivalent(to: f) { return .same }
        if e.hasSameDimension(as: f) { return .convertible(factor: f.scale / e.scale) }
        return .incompatible
    }

    private static func normalizedText(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "")
    }

    /// The unit text of `quantity` in a model whose lengths are in `length` and energies in `energy`
    /// (nil when the model states no units).
    static func derived(_ kind: UnitKind, length: String, energy: String) -> String {
        func wrap(_ s: String) -> String { s.contains(" ") || s.contains("/") ? "(\(s))" : s }
        switch kind {
        case .length: return length
        case .energy: return energy
        case .force: return "\(energy)/\(wrap(length))"
        case let .stress(dimension): return "\(energy)/\(wrap(length))^\(dimension)"
        case .dimensionless: return "1"
        }
    }

    /// A sentence for a mismatch between what the configuration expects and what a file states.
    static func mismatchMessage(expected: String, found: String, comparison: UnitComparison) -> String? {
        switch comparison {
        case .same: return nil
        case let .convertible(factor):
            return "its units are '\(found)' but '\(expected)' are expected (1 \(found) = \(String(format: "%.6g", factor)) \(expected)); "
                + "convert the data, or change the configured units"
        case .incompatible:
            return "its units are '\(found)', which is not the same kind of quantity as the expected '\(expected)'; "
                + "check that the variable holds what the configuration says"
        case .unknown:
            return "its units are '\(found)' but '\(expected)' are expected; make the two agree"
        }
    }
}

/// The physical kind of an observable, for deriving its units from the model's unit system.
public enum UnitKind: Sendable, Equatable {
    case length, energy, force, dimensionless
    /// Energy per volume (area in 2D): moduli and elastic constants.
    case stress(dimension: Int)
}
