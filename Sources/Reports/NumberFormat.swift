import Foundation

/// Locale-independent, deterministic number formatting shared by every writer in this module.
///
/// Every function gives the same string for the same `Double` on every machine and run: they use
/// Swift's shortest round-trip printing or C `printf` conversions without a locale (so the decimal
/// separator is always "."), never `NumberFormatter`, whose output follows the user's locale.
public enum NumberFormat {
    /// The shortest decimal string that reads back as exactly `x` (Swift's `description`):
    /// `0.1`, `1.0`, `1e-05`, `-0.0`, `6.02214076e+23`; non-finite values are `nan`, `inf`, `-inf`
    /// (which Python, NumPy and pandas read back).
    public static func roundTrip(_ x: Double) -> String {
        if x.isNaN { return "nan" }  // Swift may print a payload or sign ("-nan"); readers want "nan".
        return x.description
    }

    /// `x` with exactly `decimals` digits after the point, as `printf("%.*f")`; negative zero after
    /// rounding is written without its sign (`-0.001` with 2 decimals is `0.00`, not `-0.00`).
    public static func fixed(_ x: Double, decimals: Int) -> String {
        guard x.isFinite else { return roundTrip(x) }
        let text = String(format: "%.\(max(0, decimals))f", x)
        return isNegativeZero(text) ? String(text.dropFirst()) : text
    }

    /// `x` rounded to `digits` significant digits, trailing zeros removed, in plain notation when
    /// the decimal exponent is in -4...(digits - 1) and otherwise in compact scientific notation
    /// (`1.23e6`, `4.5e-7`: no "+" and no leading zeros in the exponent).
    public static func significant(_ x: Double, digits: Int) -> String {
        guard x.isFinite else { return roundTrip(x) }
        if x == 0 { return "0" }
        let text = String(format: "%.\(max(1, digits))g", x)
        let cleaned = compactExponent(text)
        return isNegativeZero(cleaned) ? String(cleaned.dropFirst()) : cleaned
    }

    /// Rewrites C exponents `e+06` / `e-07` as `e6` / `e-7`.
    static func compactExponent(_ text: String) -> String {
        guard let eIndex = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        let mantissa = text[..<eIndex]
        var exponent = text[text.index(after: eIndex)...]
        var negative = false
        if exponent.first == "+" || exponent.first == "-" {
            negative = exponent.first == "-"
            exponent = exponent.dropFirst()
        }
        let digits = exponent.drop(while: { $0 == "0" })
        return mantissa + "e" + (negative ? "-" : "") + (digits.isEmpty ? "0" : String(digits))
    }

    private static func isNegativeZero(_ text: String) -> Bool {
        text.hasPrefix("-") && text.dropFirst().allSatisfy { $0 == "0" || $0 == "." }
    }
}
