@testable import CaseRunner
import Foundation
import NetCDF
import Testing

/// synth → check → run → outputs, on a 24-atom version of the bundled lattice case.
@Suite struct EndToEndTests {
    @Test func synthCheckRunWritesEveryOutput() throws {
        let folder = preparedSmallCase()
        let check = calibrate("check", folder.path)
        #expect(check.status == 0, "\(check.out)")
        #expect(check.out.contains("is valid: 1 experiment(s), 1 equilibrium per evaluation, 3 free and 0 fixed parameter(s), 34 observations"), "\(check.out)")
        let run = calibrate("run", folder.path)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.err.contains("  iter/max       objective   |gradient|        step   inner   elapsed   at most left"))
        // Every iteration stays a line of its own, numbered against the iteration limit.
        #expect(run.err.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("1/100 ") }, "\(run.err)")
        for file in ["results.nc", "report.md", "history.csv", "plots/convergence.svg", "plots/u_observed_vs_predicted.svg",
                     "plots/reaction_force_observed_vs_predicted.svg", "plots/u_residuals.svg", "fields/pull.vtu"] {
            #expect(folder.exists("results/" + file), "missing \(file)")
        }
        #expect(!folder.contents.contains { $0.hasPrefix(".") }, "leftover hidden files: \(folder.contents)")
        // results.nc: fitted parameters near the truth, observed/predicted/residual on the input's dimensions.
        let results = try NetCDFReader(path: folder.path + "/results/results.nc")
        let fitted = try results.readDoubles("parameter_value").values
        for (value, truth) in zip(fitted, [0.35, 1.4, 2.5]) { #expect(abs(value / truth - 1) < 0.05, "\(fitted)") }
        #expect(try results.variable("u_observed").dimensions == ["atom", "component"])
        #expect(try results.units(of: "u_residual") == "angstrom")
        let se = try results.readDoubles("parameter_standard_error").values
        #expect(se.allSatisfy { $0 > 0 && $0.isFinite })
        #expect(try results.textAttribute("Conventions") == "CF-1.8")
        let report = String(decoding: folder.read("results/report.md")!, as: UTF8.self)
        for section in ["## Parameters", "## Correlation matrix", "## Identifiability", "## Fit quality", "## Solver statistics", "## Plots"] {
            #expect(report.contains(section), "report.md lacks \(section)")
        }
        let history = String(decoding: folder.read("results/history.csv")!, as: UTF8.self).split(separator: "\n")
        #expect(history.first == "iteration,objective,gradient_norm,step_norm,accepted,damping,evaluations,newton_iterations,D,alpha,r0")
        #expect(history.count == (try results.dimension("iteration").length) + 1)
    }

    @Test func theSameInputsGiveTheSameOutputsBitForBit() throws {
        let folder = preparedSmallCase()
        // The same command line twice (it is part of the provenance in results.nc and report.md).
        #expect(calibrate("run", folder.path, "-q").status == 0)
        try FileManager.default.moveItem(atPath: folder.path + "/results", toPath: folder.path + "/a")
        #expect(calibrate("run", folder.path, "-q").status == 0)
        try FileManager.default.moveItem(atPath: folder.path + "/results", toPath: folder.path + "/b")
        for file in ["results.nc", "history.csv", "plots/convergence.svg", "plots/u_observed_vs_predicted.svg", "fields/pull.vtu"] {
            #expect(folder.read("a/" + file) == folder.read("b/" + file), "\(file) differs")
        }
        func withoutTime(_ name: String) -> String {
            String(decoding: folder.read(name)!, as: UTF8.self).split(separator: "\n").filter { !$0.contains("wall-clock time") }.joined(separator: "\n")
        }
        #expect(withoutTime("a/report.md") == withoutTime("b/report.md"))
        // synth: the same seed gives the same file; another seed, other noise.
        let first = folder.read("observations.nc")
        _ = calibrate("synth", folder.path, "--truth", "D=0.35", "--truth", "alpha=1.4", "--truth", "r0=2.5", "--noise", "0.01", "--seed", "4", "-q")
        #expect(folder.read("observations.nc") == first)
        _ = calibrate("synth", folder.path, "--truth", "D=0.35", "--truth", "alpha=1.4", "--truth", "r0=2.5", "--noise", "0.01", "--seed", "5", "-q")
        #expect(folder.read("observations.nc") != first)
    }

    @Test(arguments: ["levenberg-marquardt", "lbfgs"])
    func anInterruptedRunResumesToTheSameResultBitForBit(optimizer: String) throws {
        let folder = preparedSmallCase(optimizer: optimizer)
        #expect(calibrate("run", folder.path, "--out", folder.path + "/reference", "-q").status == 0)
        var options = RunOptions()
        options.stopAfterIterations = 2
        let (console, captured) = Console.capturing()
        let stopped = try RunCommand.execute(folder.path, options: options, console: console)
        #expect(stopped == 130)
        #expect(captured.standardError.contains("Continue with: calibrate run \(folder.path) --resume"), "\(captured.standardError)")
        #expect(folder.exists(".results.checkpoint"))
        #expect(!folder.exists("results"))
        let resumed = calibrate("run", folder.path, "--resume", "-q")
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(try sameResultsApartFromTheCommandLine(folder.path + "/results/results.nc", folder.path + "/reference/results.nc"))
        #expect(folder.read("results/history.csv") == folder.read("reference/history.csv"))
        #expect(!folder.exists(".results.checkpoint"), "the checkpoint is removed after success")
    }

    @Test func resumingWithAChangedConfigurationIsRefused() throws {
        let folder = preparedSmallCase()
        var options = RunOptions()
        options.stopAfterIterations = 1
        let (console, _) = Console.capturing()
        _ = try RunCommand.execute(folder.path, options: options, console: console)
        folder.write(smallLatticeCase().replacingOccurrences(of: "\"initial\": 0.28", with: "\"initial\": 0.29"), to: "case.json")
        let r = calibrate("run", folder.path, "--resume")
        #expect(r.status == 2)
        #expect(r.err == "error: the checkpoint '\(folder.path)/.results.checkpoint' was written for a different configuration, data or optimizer "
                + "setting; run again without --resume to start over\n")
    }

    @Test func checkpointsRoundTripExactly() {
        let record = EvaluationJournal.Record.residual(z: [0.1, -.pi], jacobian: true, result: .init(
            residuals: [1, .ulpOfOne, -0.0, .greatestFiniteMagnitude], jacobian: nil, innerIterations: 7))
        let checkpoint = Checkpoint(fingerprint: 42, threads: 2, iterations: 3, elapsedSeconds: 1.5,
                                    records: [record, .objective(z: [1], result: nil)])
        #expect(Checkpoint.decode(checkpoint.encoded()) == checkpoint)
        #expect(Checkpoint.decode(checkpoint.encoded().dropLast()) == nil)
        #expect(Checkpoint.path(forOutput: "cases/x/results") == "cases/x/.results.checkpoint")
    }

    @Test func withoutForceDataTheEnergyScaleIsReportedUnidentifiable() {
        let folder = preparedSmallCase(forces: false)
        let r = calibrate("run", folder.path, "-q")
        #expect(r.status == 0, "\(r.err)")
        let note = "displacements alone cannot fix the energy scale D of a pair potential under prescribed displacements: scaling D scales "
            + "the whole energy, so the equilibrium — every displacement — is the same for any D. Add force data (a reaction_force or "
            + "indenter_force observable), or fix D"
        #expect(r.out.contains("  D = ") && r.out.contains("(not determined by the data)"), "\(r.out)")
        #expect(r.out.contains("  note: " + note), "\(r.out)")
        let report = String(decoding: folder.read("results/report.md")!, as: UTF8.self)
        #expect(report.contains("- D" + note.dropFirst() + "."), "\(report)")
        // With the reaction force the same case determines every parameter.
        let withForces = preparedSmallCase(forces: true)
        let f = calibrate("run", withForces.path, "-q")
        #expect(!f.out.contains("not determined") && !f.out.contains("energy scale"), "\(f.out)")
    }

    @Test func resultsNameTheToolThatWroteThem() throws {
        // A user's tool built on the framework (examples/bead-spring's calibrate-beads) signs its results.
        let folder = preparedSmallCase()
        let (console, _) = Console.capturing()
        #expect(CalibrateTool.main(["run", folder.path, "-q"], toolName: "calibrate-beads", console: console) == 0)
        let source = try NetCDFReader(path: folder.path + "/results/results.nc").textAttribute("source")
        #expect(source.hasPrefix("calibrate-beads (calibrate \(CalibrateTool.version), commit "), "\(source)")
    }

    @Test func stoppingShortOfTheToleranceExitsWithOne() throws {
        let folder = preparedSmallCase()
        let r = calibrate("run", folder.path, "--max-iterations", "1", "-q")
        #expect(r.status == 1)
        #expect(r.out.hasPrefix("Levenberg–Marquardt: stopped: iteration limit reached after 1 outer iteration(s)"), "\(r.out)")
        let results = try NetCDFReader(path: folder.path + "/results/results.nc")
        #expect(try results.textAttribute("status") == "stopped: iteration limit reached")
    }

    @Test func forwardAndGradcheck() throws {
        let folder = preparedSmallCase()
        let forward = calibrate("forward", folder.path, "--set", "D=0.35", "--set", "alpha=1.4", "--set", "r0=2.5")
        #expect(forward.status == 0, "\(forward.err)")
        #expect(forward.out.contains("misfit: χ² = "), "\(forward.out)")
        #expect(folder.exists("forward/predictions.nc") && folder.exists("forward/fields/pull.vtu"))
        let predictions = try NetCDFReader(path: folder.path + "/forward/predictions.nc")
        #expect(try predictions.readDoubles("parameter_value").values == [0.35, 1.4, 2.5, ])
        let unknown = calibrate("forward", folder.path, "--set", "alpah=1")
        #expect(unknown.status == 2)
        #expect(unknown.err == "error: --set names parameter 'alpah', which the case does not define; did you mean 'alpha'?\n")
        let check = calibrate("gradcheck", folder.path)
        #expect(check.status == 0, "\(check.out)\(check.err)")
        #expect(check.out.contains("Taylor test: PASS") && check.out.hasSuffix("gradient check passed\n"), "\(check.out)")
        // At the fitted point too, where a gradient component is a cancelling sum Jᵀr (log D here: 7·10⁻⁴ at
        // f = 22, the check used to call its 4·10⁻⁷ gap a mismatch) and a stiff parameter's plain central
        // difference loses digits (r₀'s was off by 1.7% at the bundled lattice case's fit).
        #expect(calibrate("run", folder.path, "-q").status == 0)
        let fitted = try NetCDFReader(path: folder.path + "/results/results.nc").readDoubles("parameter_value").values
        let atFit = calibrate("gradcheck", folder.path, "--set", "D=\(fitted[0])", "--set", "alpha=\(fitted[1])", "--set", "r0=\(fitted[2])")
        #expect(atFit.status == 0 && atFit.out.hasSuffix("gradient check passed\n"), "\(atFit.out)")
    }
}

