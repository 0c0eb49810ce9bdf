import Foundation
import NetCDF

/// Time coordinates as the CF conventions (and xarray's encodings) write them: numeric offsets
/// whose `units` is a time unit ("seconds", "s", "min", "hours", "days", UDUNITS spellings and
/// plurals), optionally followed by "since DATE" (xarray's datetime64 encoding, e.g.
/// "seconds since 2000-01-01 00:00:00"; its timedelta64 encoding is a bare "seconds").
///
/// Reference: CF Conventions 1.11, §4.4 "Time Coordinate"; UDUNITS-2 time units.
///
/// The model's clock starts at 0 when the load is applied, so an offset "since DATE" is taken as
/// the model time itself and DATE is reported, not used: the file must count from the loading.
/// Months and years are refused: their length depends on the calendar (CF §4.4.1 discourages them).
enum CFTime {
    /// The parts of a CF time `units` text.
    struct Units: Equatable {
        /// The unit of the offsets ("seconds").
        let unit: String
        /// The reference date after "since", if any.
        let reference: String?
    }

    /// Splits "UNIT since DATE"; nil when the text is not of that form or has no unit.
    static func split(_ text: String) -> Units? {
        let words = text.trimmingCharacters(in: .whitespaces)
        guard let range = words.range(of: " since ", options: .caseInsensitive) else {
            return words.isEmpty ? nil : Units(unit: words, reference: nil)
        }
        let unit = words[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let reference = words[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard !unit.isEmpty, isDate(reference) else { return nil }
        return Units(unit: unit, reference: reference)
    }

    /// "2000-01-01", "2000-01-01 00:00:00", "2000-1-1T00:00:00Z", "2000-01-01 00:00:00.0 +01:00".
    static func isDate(_ text: String) -> Bool {
        let pattern = #"^-?\d{1,4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d*)?)?)?( ?(Z|UTC|[+-]\d{1,2}(:?\d{2})?))?$"#
        return text.range(of: pattern, options: .regularExpression) != nil
    }

    /// The factor that converts values in the file's `units` text to `target` (a time unit such
    /// as "s"), or an error sentence in netCDF/xarray terms saying how to fix the file.
    static func factor(from text: String, to target: String, variable: String) -> Result<(factor: Double, reference: String?), DataProblem> {
        let fix = "write the times as numbers with units such as \"s\", \"seconds\", \"minutes\" or \"seconds since 2000-01-01 00:00:00\" "
            + "(in xarray: ds['\(variable)'].encoding['units'] = 'seconds since 2000-01-01')"
        guard let parts = split(text) else {
            return .failure(DataProblem("coordinate variable '\(variable)' has units '\(text)', which is not a CF time unit; \(fix)"))
        }
        let lowered = parts.unit.lowercased()
        if ["month", "months", "year", "years", "yr", "yrs", "common_year", "common_years"].contains(lowered) {
            return .failure(DataProblem("coordinate variable '\(variable)' counts \(parts.unit), whose length depends on the calendar; \(fix)"))
        }
        guard let found = PhysicalUnit.parse(parts.unit), let expected = PhysicalUnit.parse(target) else {
            return .failure(DataProblem("coordinate variable '\(variable)' has the unknown time unit '\(parts.unit)'; \(fix)"))
        }
        guard found.hasSameDimension(as: expected) else {
            return .failure(DataProblem("coordinate variable '\(variable)' has units '\(text)', which is not a time; \(fix)"))
        }
        return .success((found.scale / expected.scale, parts.reference))
    }

    /// Reads the coordinate variable of `dimension` as times in `target` units (any numeric type).
    /// Returns the values and, when the file's units differ from `target`, a note saying how they
    /// were converted.
    static func read(_ dimension: String, file: NetCDFReader, target: String) throws -> (values: [Double], conversion: String?) {
        let values = try NumericVariable.read(dimension, file: file, fill: .requireNoFill)
        guard let units = try file.units(of: dimension) else {
            return (values, nil)
        }
        switch factor(from: units, to: target, variable: dimension) {
        case let .failure(error):
            throw error
        case let .success((factor, reference)):
            let converted = factor == 1 ? values : values.map { $0 * factor }
            let since = reference.map { "; t = 0 is \($0), the moment the load is applied" } ?? ""
            if factor == 1 && reference == nil { return (converted, nil) }
            return (converted, "coordinate variable '\(dimension)' in '\(units)' read as \(target)"
                    + (factor == 1 ? "" : " (× \(formatNumber(factor)))") + since)
        }
    }
}
