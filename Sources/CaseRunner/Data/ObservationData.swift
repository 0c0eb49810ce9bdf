import Foundation
import NetCDF

/// The data of one observable as read from its netCDF variable, checked against the configuration.
struct ObservedVariable {
    /// The netCDF variable the values were read from.
    let name: String
    /// Row-major over the variable's dimensions; NaN where a value is missing (fill value).
    let values: [Double]
    /// Standard deviations, one per value (NaN where the value is missing).
    let sigma: [Double]
    /// The `units` attribute of the variable, if it has one.
    let fileUnits: String?
    /// The units of `values` and `sigma`: the configuration's when the file's were converted to them.
    let units: String?
    /// How the values were converted on reading ("GPa → eV/angstrom^3, × 0.00624151"), if they were.
    let conversion: String?
    let longName: String?
    /// Values of the coordinate variables of the variable's dimensions, where the file has them.
    let coordinates: [String: (values: [Double], units: String?)]

    var isPresent: [Bool] { values.map { !$0.isNaN } }
    var missingCount: Int { values.reduce(0) { $1.isNaN ? $0 + 1 : $0 } }
}

/// The observations of one experiment.
struct ExperimentData {
    /// Path of the data file as displayed.
    let file: String
    /// One per observable layout, in order.
    let variables: [ObservedVariable]
}

/// Reads and checks the observations of each experiment.
enum ObservationReader {
    /// Reads every observable of `setup` from its data file (relative to `directory`), reporting
    /// every problem. Returns nil when any was an error.
    static func read(_ setup: ExperimentSetup, directory: String, configFile: String, diagnostics d: DiagnosticList) -> ExperimentData? {
        let e = setup.configuration
        let path = CaseLocation.join(directory, e.data)
        guard FileManager.default.fileExists(atPath: path) else {
            d.error("experiment '\(e.name)': data file '\(path)' does not exist; correct 'data', or make the file with "
                    + "'\(CalibrateTool.toolName) synth \(directory) --truth NAME=VALUE … --noise REL'", at: e.dataPosition, file: configFile)
            return nil
        }
        let file: NetCDFReader
        do {
            file = try NetCDFReader(path: path)
        } catch {
            d.error(error.description, file: path)
            return nil
        }
        let before = d.errors.count
        var variables: [ObservedVariable] = []
        for layout in setup.layouts {
            if let v = readVariable(layout, file: file, experiment: e, diagnostics: d) { variables.append(v) }
        }
        checkSweepCoordinate(setup, file: file, diagnostics: d)
        return d.errors.count == before && variables.count == setup.layouts.count ? ExperimentData(file: path, variables: variables) : nil
    }

    private static func readVariable(_ layout: ObservableLayout, file: NetCDFReader, experiment e: ExperimentConfiguration,
                                     diagnostics d: DiagnosticList) -> ObservedVariable? {
        let o = layout.configuration
        let path = file.path
        let context = " (observable '\(o.variable)' of experiment '\(e.name)')"
        guard let header = checkHeader(o.variable, layout: layout, file: file, role: "", context: context, diagnostics: d) else { return nil }
        var ok = true
        let fileUnits = (try? file.units(of: o.variable)) ?? nil
        var factor = 1.0
        var conversion: String?
        if let expected = layout.expectedUnits, let found = fileUnits {
            switch UnitCheck.compare(expected: expected, found: found) {
            case .same: break
            case let .convertible(f):
                factor = f
                conversion = "'\(found)' → '\(expected)', × \(String(format: "%.9g", f))"
                d.note("variable '\(o.variable)': values in '\(found)' converted to the model's '\(expected)' on reading "
                       + "(1 \(found) = \(String(format: "%.9g", f)) \(expected))\(context)", file: path)
            case let comparison:
                d.error("variable '\(o.variable)': \(UnitCheck.mismatchMessage(expected: expected, found: found, comparison: comparison) ?? "")\(context)",
                        file: path)
                ok = false
            }
        }
        if fileUnits == nil {
            d.note("variable '\(o.variable)' has no 'units' attribute, so its units were not checked\(context)", file: path)
        }
        guard let read = readValues(o.variable, header: header, file: file, context: context, diagnostics: d) else { return nil }
        let values = factor == 1 ? read : read.map { $0 * factor }
        // Standard deviations.
        var sigma = [Double](repeating: .nan, count: values.count)
        switch o.sigma {
        case let .absolute(s):
            for i in values.indices where !values[i].isNaN { sigma[i] = s }
        case let .relative(fraction, ofMaximum):
            let largest = values.filter { !$0.isNaN }.map(abs).max() ?? 0
            for i in values.indices where !values[i].isNaN {
                sigma[i] = fraction * (ofMaximum ? largest : abs(values[i]))
                if !(sigma[i] > 0) {
                    d.error("variable '\(o.variable)': the relative σ of the value \(values[i]) at index \(multiIndex(i, header.shape)) is 0; "
                            + "use {\"relative\": \(fraction), \"of\": \"maximum\"} or an absolute sigma\(context)", file: path)
                    ok = false
                    break
                }
            }
        case let .variable(name):
            let sigmaContext = " (σ of observable '\(o.variable)' of experiment '\(e.name)')"
            guard let sigmaHeader = checkHeader(name, layout: layout, file: file, role: "σ ", context: sigmaContext, diagnostics: d),
                  var stored = readValues(name, header: sigmaHeader, file: file, context: sigmaContext, diagnostics: d) else { return nil }
            // σ is in its own units if it states them, else in those of the data; either way converted like the data.
            var sigmaFactor = factor
            if let found = (try? file.units(of: name)) ?? nil, let expected = layout.expectedUnits ?? fileUnits {
                switch UnitCheck.compare(expected: expected, found: found) {
                case .same: sigmaFactor = 1
                case let .convertible(f): sigmaFactor = f
                case let comparison:
                    d.error("σ variable '\(name)': \(UnitCheck.mismatchMessage(expected: expected, found: found, comparison: comparison) ?? "")"
                            + sigmaContext, file: path)
                    ok = false
                }
            }
            if sigmaFactor != 1 { stored = stored.map { $0 * sigmaFactor } }
            for i in values.indices where !values[i].isNaN {
                guard stored[i] > 0 else {
                    d.error("σ variable '\(name)' holds \(stored[i].isNaN ? "a missing value" : "\(stored[i])") at index \(multiIndex(i, header.shape)), "
                            + "where '\(o.variable)' has data; standard deviations must be > 0\(sigmaContext)", file: path)
                    ok = false
                    break
                }
                sigma[i] = stored[i]
            }
        }
        // Coordinates of the dimensions, and the atom indices they must match.
        var coordinates: [String: (values: [Double], units: String?)] = [:]
        for dimension in header.dimensions {
            // Text coordinates (atom or sensor labels) are names, not numbers to check.
            guard let variable = (try? file.coordinateVariable(for: dimension)) ?? nil, !NumericVariable.isText(variable.type) else { continue }
            do {
                let values = try NumericVariable.read(dimension, file: file, fill: .allowFill)
                coordinates[dimension] = (values, (try? file.units(of: dimension)) ?? nil)
            } catch {
                d.error("coordinate variable '\(dimension)': \(error)\(context)", file: path)
                ok = false
            }
        }
        if let atoms = layout.atoms, layout.dimensions.count >= 2 {
            let atomDimension = layout.dimensions[layout.dimensions.count - 2]
            if let listed = coordinates[atomDimension]?.values, listed != atoms.map(Double.init) {
                let k = zip(listed, atoms).enumerated().first { $0.element.0 != Double($0.element.1) }?.offset ?? 0
                d.error("coordinate variable '\(atomDimension)' lists atom \(listed.indices.contains(k) ? String(format: "%g", listed[k]) : "?") at position \(k), "
                        + "but the configuration selects atom \(atoms.indices.contains(k) ? String(atoms[k]) : "?") there\(context); "
                        + "the data were made for another atom selection or lattice", file: path)
                ok = false
            }
        }
        guard ok else { return nil }
        return ObservedVariable(name: o.variable, values: values, sigma: sigma, fileUnits: fileUnits,
                                units: conversion != nil ? layout.expectedUnits : (fileUnits ?? layout.expectedUnits), conversion: conversion,
                                longName: (try? file.longName(of: o.variable)) ?? nil, coordinates: coordinates)
    }

    /// Existence, type, dimension names and lengths; the header when all agree.
    private static func checkHeader(_ name: String, layout: ObservableLayout, file: NetCDFReader, role: String, context: String,
                                    diagnostics d: DiagnosticList) -> NetCDFVariable? {
        let path = file.path
        let header: NetCDFVariable
        do { header = try file.variable(name) } catch {
            d.error("\(role)variable '\(name)' is not in the file\(context); available variables: "
                    + file.variables.map(\.name).joined(separator: ", "), file: path)
            return nil
        }
        guard NumericVariable.types.contains(header.type) else {
            d.error("\(role)variable '\(name)' has the netCDF type \(header.type); observations must be numbers (double, float or an integer type)"
                    + "\(context)", file: path)
            return nil
        }
        guard header.dimensions == layout.dimensions else {
            let expected = layout.dimensions.joined(separator: ", ")
            let advice = header.dimensions.sorted() == layout.dimensions.sorted()
                ? "the order differs: transpose the variable in the file (in xarray: ds['\(name)'].transpose(\(layout.dimensions.map { "'\($0)'" }.joined(separator: ", "))))"
                : "rename the dimensions in the file (in xarray: ds.rename_dims(...)), or name the file's dimensions in the observable's "
                    + "'dimensions'" + (layout.atoms != nil ? " (the atom dimension stays second-to-last, the component dimension last)" : "")
            d.error("\(role)variable '\(name)' has dimensions (\(header.dimensions.joined(separator: ", "))), but the configuration "
                    + "expects (\(expected))\(context); \(advice)", file: path)
            return nil
        }
        for (k, dimension) in header.dimensions.enumerated() where header.shape[k] != layout.shape[k] {
            d.error("dimension '\(dimension)' of \(role)variable '\(name)' has length \(header.shape[k]), but the configuration implies "
                    + "\(layout.shape[k]) (\(meaning(of: k, layout)))\(context)", file: path)
            return nil
        }
        return header
    }

    /// What the length of dimension `axis` of an observable counts, for messages.
    private static func meaning(of axis: Int, _ layout: ObservableLayout) -> String {
        let hasAxes = layout.configuration.quantity.axes != nil
        var parts: [String] = []
        if layout.shape.count > (layout.atoms != nil ? 1 : 0) + (hasAxes ? 1 : 0) {
            parts.append(layout.configuration.dimensions.first == "time" ? "the number of observation times" : "the number of sweep values")
        }
        if layout.atoms != nil { parts.append("the number of atoms selected") }
        if hasAxes { parts.append("the number of axes observed") }
        return axis < parts.count ? parts[axis] : "'\(layout.dimensions[axis])'"
    }

    /// Reads a whole variable as Double: fill values (and NaN) become NaN when the variable declares
    /// a `_FillValue`; without one, any missing or non-finite value is an error.
    private static func readValues(_ name: String, header: NetCDFVariable, file: NetCDFReader, context: String,
                                   diagnostics d: DiagnosticList) -> [Double]? {
        let hasFill = header.attribute("_FillValue") != nil
        do {
            let values = try NumericVariable.read(name, file: file, fill: hasFill ? .allowFill : .requireNoFill)
            if let k = values.firstIndex(where: { $0.isInfinite }) {
                d.error("variable '\(name)' holds \(values[k]) at index \(multiIndex(k, header.shape)); data must be finite\(context)", file: file.path)
                return nil
            }
            return values
        } catch let NetCDFError.fillValueInRequiredData(_, _, index, found, count) {
            d.error("variable '\(name)' has \(count) missing or non-finite value(s), the first at index \(index) (found \(found)), and no "
                    + "_FillValue attribute; supply the data, or declare a _FillValue so that missing values are left out of the fit\(context)",
                    file: file.path)
            return nil
        } catch {
            d.error("\(error)" + context, file: file.path)
            return nil
        }
    }

    /// The file's coordinate of the sweep dimension, if any, must list the configured values, after
    /// converting its units (CF time units for a time axis) to the sweep's.
    private static func checkSweepCoordinate(_ setup: ExperimentSetup, file: NetCDFReader, diagnostics d: DiagnosticList) {
        let name = setup.configuration.name
        guard let sweep = setup.configuration.sweep,
              let variable = (try? file.coordinateVariable(for: sweep.dimension)) ?? nil, !NumericVariable.isText(variable.type) else { return }
        var values: [Double]
        do {
            if sweep.target == .time {
                let time = try CFTime.read(sweep.dimension, file: file, target: sweep.units ?? "s")
                values = time.values
                // Said once: when the times came from this file, loading the case said it already.
                if let note = time.conversion.map({ "\($0) (experiment '\(name)')" }), !d.items.contains(where: { $0.message == note }) {
                    d.note(note, file: file.path)
                }
            } else {
                values = try NumericVariable.read(sweep.dimension, file: file, fill: .allowFill)
                if let expected = sweep.units, let found = try file.units(of: sweep.dimension) {
                    switch UnitCheck.compare(expected: expected, found: found) {
                    case .same: break
                    case let .convertible(factor):
                        values = values.map { $0 * factor }
                        d.note("coordinate variable '\(sweep.dimension)' in '\(found)' read as '\(expected)' (× \(String(format: "%.9g", factor))) "
                               + "(sweep of experiment '\(name)')", file: file.path)
                    case let comparison:
                        let message = UnitCheck.mismatchMessage(expected: expected, found: found, comparison: comparison) ?? ""
                        d.error("coordinate variable '\(sweep.dimension)': \(message) (sweep of experiment '\(name)')", file: file.path)
                        return
                    }
                }
            }
        } catch {
            d.error("\(error) (experiment '\(name)')", file: file.path)
            return
        }
        for (k, value) in values.enumerated() where k < sweep.values.count {
            if !(abs(value - sweep.values[k]) <= 1e-9 * max(abs(value), abs(sweep.values[k]), 1e-300)) {
                d.error("coordinate variable '\(sweep.dimension)' has \(formatNumber(value))\(sweep.units.map { " " + $0 } ?? "") at index \(k), "
                        + "but experiment '\(name)' lists \(formatNumber(sweep.values[k]))"
                        + (sweep.target == .time ? " in 'times'; make 'times' match the data" : " in its sweep; make the sweep values match the data"),
                        file: file.path)
                return
            }
        }
    }

    static func multiIndex(_ flat: Int, _ shape: [Int]) -> [Int] {
        var rest = flat
        var index = [Int](repeating: 0, count: shape.count)
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }
}
