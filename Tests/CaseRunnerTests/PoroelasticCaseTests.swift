@testable import CaseRunner
import Foundation
import NetCDF
import Testing

/// The bundled poroelastic cases: their data are what `calibrate synth` makes (bit for bit), and
/// `run` writes every output, with time-series observables along a `time` dimension.
@Suite struct PoroelasticCaseTests {
    struct Bundled: Sendable, CustomStringConvertible {
        let name: String
        let data: String
        let truth: [String]
        let seed: String
        let variables: [String]
        let experiment: String
        var description: String { name }
    }

    static let bundled = [
        Bundled(name: "terzaghi", data: "pressures.nc", truth: ["E=12000000", "k=1.5e-09"], seed: "3",
                variables: ["p_top", "p_middle", "p_bottom"], experiment: "column"),
        Bundled(name: "mandel", data: "sensors.nc", truth: ["E=10000000", "nu=0.2", "k=1e-09"], seed: "5",
                variables: ["p_centre", "settlement", "bulge"], experiment: "squeeze"),
        Bundled(name: "layered-footing", data: "footing.nc",
                truth: ["E_clay=5000000", "nu_clay=0.3", "k_clay=1e-10", "E_sand=40000000", "k_sand=1e-06"], seed: "11",
                variables: ["settlement", "p_clay_upper", "p_clay_lower", "p_sand"], experiment: "footing"),
    ]

    @Test(arguments: bundled)
    func synthReproducesTheBundledDataAndRunWritesEveryOutput(c: Bundled) throws {
        let folder = copiedCase(c.name)
        let original = try NetCDFReader(path: folder.path + "/" + c.data)
        let bundledValues = try (["time"] + c.variables).map { try original.readDoubles($0).values }
        let synth = calibrate(["synth", folder.path] + c.truth.flatMap { ["--truth", $0] } + ["--noise", "0.01", "--seed", c.seed, "-q"])
        #expect(synth.status == 0, "\(synth.err)")
        let made = try NetCDFReader(path: folder.path + "/" + c.data)
        #expect(try (["time"] + c.variables).map { try made.readDoubles($0).values } == bundledValues, "the bundled data are not what synth makes")
        let run = calibrate("run", folder.path, "-q")
        #expect(run.status == 0, "\(run.err)")
        var files = ["results.nc", "report.md", "history.csv", "plots/convergence.svg", "fields/\(c.experiment).pvd", "fields/\(c.experiment)_0000.vtu"]
        for v in c.variables { files += ["plots/\(v)_series.svg", "plots/\(v)_observed_vs_predicted.svg", "plots/\(v)_residuals.svg"] }
        for file in files { #expect(folder.exists("results/" + file), "missing \(file)") }
        let results = try NetCDFReader(path: folder.path + "/results/results.nc")
        for v in c.variables { #expect(try results.variable(v + "_predicted").dimensions == ["time"]) }
        // The model at every time step agrees with the predictions at the observation times that are step times.
        let steps = try results.readDoubles("time_step").values, times = try results.readDoubles("time").values
        var matched = 0
        for v in c.variables {
            let every = try results.readDoubles(v + "_predicted_every_step").values, at = try results.readDoubles(v + "_predicted").values
            for (i, t) in times.enumerated() {
                guard let k = steps.firstIndex(where: { abs($0 - t) <= 1e-12 * max(abs(t), 1) }) else { continue }
                #expect(abs(every[k] - at[i]) <= 1e-9 * max(abs(at[i]), 1), "\(v) at t = \(t)")
                matched += 1
            }
        }
        #expect(matched >= c.variables.count, "some observation times are step times")
        let vtu = String(decoding: folder.read("results/fields/\(c.experiment)_0001.vtu")!, as: UTF8.self)
        #expect(vtu.contains("Name=\"pressure\"") && vtu.contains("Name=\"displacement\""))
        #expect(vtu.contains("Name=\"region_"), "regions by name")
        let check = calibrate("check", folder.path)
        #expect(check.status == 0, "\(check.out)")
    }

    @Test func terzaghiRecoversItsTruthGradcheckPassesAndForwardWritesFields() throws {
        let folder = copiedCase("terzaghi")
        #expect(calibrate("run", folder.path, "-q").status == 0)
        let results = try NetCDFReader(path: folder.path + "/results/results.nc")
        let fitted = try results.readDoubles("parameter_value").values
        #expect(abs(fitted[0] / 1.2e7 - 1) < 0.05 && abs(fitted[4] / 1.5e-9 - 1) < 0.05, "\(fitted)")
        let g = calibrate("gradcheck", folder.path)
        #expect(g.status == 0 && g.out.contains("gradient check passed"), "\(g.out)\(g.err)")
        let f = calibrate("forward", folder.path, "--set", "E=1.2e7")
        #expect(f.status == 0, "\(f.err)")
        #expect(folder.exists("forward/fields/column.pvd"))
    }

    @Test func theLayeredCaseReportsTheSandPermeabilityUnidentifiable() {
        let folder = copiedCase("layered-footing")
        #expect(calibrate("run", folder.path, "-q").status == 0)
        let report = String(decoding: folder.read("results/report.md") ?? Data(), as: UTF8.self)
        #expect(report.contains("The data cannot determine k_sand: region 'sand' drains faster than the first observation (t = 100 s)"), "\(report)")
    }

    @Test func anInterruptedPoroelasticRunResumesBitForBit() throws {
        let folder = copiedCase("mandel")
        #expect(calibrate("run", folder.path, "--out", folder.path + "/reference", "-q").status == 0)
        var options = RunOptions()
        options.stopAfterIterations = 2
        let (console, _) = Console.capturing()
        #expect(try RunCommand.execute(folder.path, options: options, console: console) == 130)
        #expect(calibrate("run", folder.path, "--resume", "-q").status == 0)
        #expect(try sameResultsApartFromTheCommandLine(folder.path + "/results/results.nc", folder.path + "/reference/results.nc"))
        #expect(folder.read("results/history.csv") == folder.read("reference/history.csv"))
    }

    @Test func poroelasticConfigurationProblemsAreListedWithPositions() {
        let folder = copiedCase("terzaghi")
        var text = String(decoding: folder.read("case.json")!, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"grading_y\"", with: "\"grading_yy\"")
            .replacingOccurrences(of: "{\"boundary\": \"bottom\", \"type\": \"fixed\"}", with: "{\"boundary\": \"botom\", \"type\": \"fixed\"}")
            .replacingOccurrences(of: "\"type\": \"drained\"", with: "\"type\": \"drainde\"")
            .replacingOccurrences(of: "{\"name\": \"M\", \"initial\": 5e7, \"fixed\": true, \"units\": \"Pa\", \"description\": \"Biot modulus\"},", with: "")
        folder.write(text, to: "case.json")
        let r0 = calibrate("check", folder.path)
        let r = (status: r0.status, err: r0.out + r0.err)
        #expect(r.status == 2)
        #expect(r.err.contains("unknown field 'grading_yy' in the rectangle mesh; did you mean 'grading_y'?"), "\(r.err)")
        #expect(r.err.contains("'type' in a boundary condition is 'drainde', which is not known; did you mean 'drained'?"), "\(r.err)")
        let fixed = text.replacingOccurrences(of: "\"grading_yy\"", with: "\"grading_y\"").replacingOccurrences(of: "drainde", with: "drained")
        folder.write(fixed, to: "case.json")
        let r1 = calibrate("check", folder.path)
        let r2 = (status: r1.status, err: r1.out + r1.err)
        #expect(r2.err.contains("error: boundary 'botom' is not a boundary of the mesh; did you mean 'bottom'?"), "\(r2.err)")
        #expect(r2.err.contains("error: model parameter 'M' has no value in experiment 'column'"), "\(r2.err)")
        #expect(r2.err.split(separator: "\n").filter { $0.contains("error:") }.allSatisfy { $0.hasPrefix(folder.path + "/case.json:") }, "\(r2.err)")
    }

    @Test func observationTimesComeFromTheDataFileAndItsUnitsAreChecked() throws {
        let folder = copiedCase("terzaghi")
        let text = String(decoding: folder.read("case.json")!, as: UTF8.self)
            .replacingOccurrences(of: "\"times\": [0, 5, 10, 20, 30, 45, 60, 80, 100, 120],", with: "")
        folder.write(text, to: "case.json")
        let ok = calibrate("check", folder.path)
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.out.contains("30 observations"), "\(ok.out)")
        // Times labelled minutes are converted to seconds (and said so): here they then lie beyond the simulated 120 s.
        let reader = try NetCDFReader(path: folder.path + "/pressures.nc")
        let times = try reader.readCoordinate("time", fill: .allowFill).values
        let writer = try NetCDFWriter(path: folder.path + "/pressures.nc", format: .classic)
        try writer.addDimension("time", length: times.count)
        try writer.addVariable("time", type: .double, dimensions: ["time"], units: "min")
        for v in ["p_top", "p_middle", "p_bottom"] { try writer.addVariable(v, type: .double, dimensions: ["time"], units: "Pa") }
        try writer.write(times, to: "time")
        for v in ["p_top", "p_middle", "p_bottom"] { try writer.write(try reader.readDoubles(v).values, to: v) }
        try writer.commit()
        let b = calibrate("check", folder.path)
        let bad = (status: b.status, err: b.out + b.err)
        #expect(bad.status == 2)
        #expect(bad.err.contains("note: coordinate variable 'time' in 'min' read as s (× 60)"), "\(bad.err)")
        #expect(bad.err.contains("error: experiment 'column' observes at t = 300 s, outside the simulated times 0…120 s"), "\(bad.err)")
    }
}
