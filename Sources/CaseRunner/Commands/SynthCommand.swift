import Bilevel
import Foundation
import NetCDF

/// `calibrate synth CASE --truth NAME=VALUE … --noise REL [--seed N]`: writes the observation
/// files the configuration names, from the model at the true parameters plus Gaussian noise —
/// exactly the variables, dimensions, coordinates and units that `run` will read back.
enum SynthCommand {
    ///
    /// Existing data are precious: unless `atInitial` says the initial values are meant, an existing
    /// data file is only replaced when every free parameter has a `--truth`. All files are written to
    /// temporaries first and replace the old ones only when every one of them is complete.
    static func execute(_ caseArgument: String, truth: [(String, Double)], noise: Double, seed: UInt64, output: String?,
                        atInitial: Bool = false, jobs: Int? = nil, console: Console) throws -> Int32 {
        let (loaded, _) = try CommandSupport.load(caseArgument, console: console, readData: false)
        let theta = try loaded.parameters(with: truth, option: "--truth")
        let given = Set(truth.map(\.0))
        let defaulted = loaded.space.names.filter { !given.contains($0) }
        let freeWithoutTruth = loaded.space.freeNames.filter { !given.contains($0) }
        let needsSigma = loaded.setups.contains { $0.layouts.contains { if case .variable = $0.configuration.sigma { return true } else { return false } } }
        if needsSigma && noise == 0 {
            throw UsageError("the configuration reads σ from the data file, and σ must be > 0: give --noise > 0", command: "synth")
        }
        let directory = output ?? loaded.location.directory
        var isDirectory: ObjCBool = false
        if output != nil, !FileManager.default.fileExists(atPath: directory) {
            // As run and forward do with --out: the folder is made.
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw CaseError("cannot create the folder '\(directory)' for the data: \(error.localizedDescription)")
            }
        }
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CaseError("cannot write the data into '\(directory)': it is not a folder")
        }
        let targets = Set(loaded.setups.map { CaseLocation.join(directory, $0.configuration.data) })
        let existing = targets.filter { FileManager.default.fileExists(atPath: $0) }.sorted()
        if !freeWithoutTruth.isEmpty, !atInitial, !existing.isEmpty {
            throw UsageError("this would replace \(existing.joined(separator: ", ")) with data made at the initial value(s) of "
                             + freeWithoutTruth.joined(separator: ", ") + ", which have no --truth; give "
                             + freeWithoutTruth.map { "--truth \($0)=VALUE" }.joined(separator: " ")
                             + ", or --at-initial to use the initial values of case.json", command: "synth")
        }
        if !defaulted.isEmpty { console.info("at their initial values: " + defaulted.joined(separator: ", ")) }
        let prediction = try Prediction.compute(loaded, theta: theta, jobs: jobs ?? loaded.configuration.optimizer.jobs)
        var rng = SplitMix64(seed: seed)

        // Group experiments by data file: one file may hold several experiments' variables.
        var files: [(path: String, experiments: [Int])] = []
        for (e, setup) in loaded.setups.enumerated() {
            let path = CaseLocation.join(directory, setup.configuration.data)
            if let k = files.firstIndex(where: { $0.path == path }) { files[k].experiments.append(e) } else { files.append((path, [e])) }
        }
        // Every file complete (in its temporary) before any replaces its predecessor; a writer that is
        // released without commit removes its temporary, so a failure leaves every old file as it was.
        var writers: [NetCDFWriter] = []
        defer { for writer in writers { writer.discard() } }
        for file in files {
            let writer: NetCDFWriter
            do { writer = try NetCDFWriter(path: file.path, format: .classic) } catch { throw CaseError(error.description) }
            writers.append(writer)
            do {
                try writeFile(writer, loaded: loaded, experiments: file.experiments, prediction: prediction, theta: theta, noise: noise,
                              seed: seed, rng: &rng)
            } catch let error as CaseError {
                throw error
            } catch {
                throw CaseError("cannot write '\(file.path)': \(error)")
            }
        }
        for (file, writer) in zip(files, writers) {
            do { try writer.commit() } catch { throw CaseError("cannot write '\(file.path)': \(error)") }
            let count = file.experiments.reduce(0) { $0 + loaded.setups[$1].layouts.reduce(0) { $0 + $1.count } }
            console.print("wrote \(file.path): \(count) values at " + Prediction.describe(theta, loaded.space.names)
                          + ", relative noise \(formatNumber(noise)), seed \(seed)")
        }
        return ExitStatus.success
    }

    private static func writeFile(_ out: NetCDFWriter, loaded: LoadedCase, experiments: [Int], prediction: Prediction, theta: [Double],
                                  noise: Double, seed: UInt64, rng: inout SplitMix64) throws {
        try out.setAttribute("Conventions", .text("CF-1.8"))
        try out.setAttribute("title", .text(loaded.configuration.title + " (synthetic data)"))
        try out.setAttribute("source", .text("\(CalibrateTool.toolName) \(CalibrateTool.version) synth"))
        try out.setAttribute("history", .text("\(CalibrateTool.toolName) synth \(loaded.location.directory) "
            + zip(loaded.space.names, theta).map { "--truth \($0)=\(formatNumber($1))" }.joined(separator: " ")
            + " --noise \(formatNumber(noise)) --seed \(seed)"))
        try out.setAttribute("truth", .text(Prediction.describe(theta, loaded.space.names)))
        try out.setAttribute("relative_noise", .doubles([noise]))
        try out.setAttribute("seed", .text(String(seed)))
        var dimensions: [String: (length: Int, owner: String)] = [:]
        for e in experiments {
            let setup = loaded.setups[e]
            for (j, layout) in setup.layouts.enumerated() {
                let o = layout.configuration
                for (k, name) in layout.dimensions.enumerated() {
                    if let existing = dimensions[name] {
                        guard existing.length == layout.shape[k] else {
                            throw CaseError("dimension '\(name)' would have length \(existing.length) for '\(existing.owner)' and \(layout.shape[k]) "
                                            + "for '\(o.variable)' in the same file; give one of them another name in 'dimensions'",
                                            file: loaded.location.configuration)
                        }
                        continue
                    }
                    dimensions[name] = (layout.shape[k], o.variable)
                    try out.addDimension(name, length: layout.shape[k])
                    if k == 0, let sweep = setup.configuration.sweep, name == sweep.dimension {
                        try out.addVariable(name, type: .double, dimensions: [name], units: sweep.units)
                        try out.write(sweep.values, to: name)
                    } else if let atoms = layout.atoms, k == layout.dimensions.count - 2 {
                        try out.addVariable(name, type: .int, dimensions: [name], longName: "atom index in the lattice as built")
                        try out.write(atoms.map(Int32.init), to: name)
                    }
                }
                let exact = prediction.values[e][j]
                let scale = exact.map(abs).max() ?? 0
                let sd = noise * (scale > 0 ? scale : 1)
                let values = exact.map { $0 + sd * rng.nextNormal() }
                try out.addVariable(o.variable, type: .double, dimensions: layout.dimensions, units: layout.expectedUnits,
                                    longName: "synthetic \(o.quantity.label)")
                try out.write(values, to: o.variable)
                if case let .variable(name) = o.sigma {
                    try out.addVariable(name, type: .double, dimensions: layout.dimensions, units: layout.expectedUnits,
                                        longName: "standard deviation of \(o.variable)")
                    try out.write([Double](repeating: sd, count: values.count), to: name)
                }
            }
        }
    }
}
