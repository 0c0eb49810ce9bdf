@testable import CaseRunner
import Testing

@Suite struct CommandLineTests {
    @Test func versionAndHelp() {
        #expect(calibrate("--version") == (0, "calibrate \(CalibrateTool.version)\n", ""))
        let help = calibrate("--help")
        #expect(help.status == 0 && help.out.hasPrefix("calibrate — fit the parameters"))
        for command in Command.allCases {
            let r = calibrate(command.rawValue, "--help")
            #expect(r.status == 0 && r.out.hasPrefix("Usage: calibrate \(command.rawValue)"), "\(command)")
            #expect(calibrate("help", command.rawValue).out == r.out)
        }
    }

    @Test func aFolderAloneMeansRun() throws {
        let invocation = try CommandLineParser.parse(["cases/x", "--out=/tmp/o", "-q", "--threads", "2"])
        #expect(invocation.command == .run && invocation.cases == ["cases/x"] && invocation.output == "/tmp/o")
        #expect(invocation.quiet && invocation.threads == 2)
        let synth = try CommandLineParser.parse(["synth", "c", "--truth", "D=1", "--truth=alpha=2", "--noise", "0.01", "--seed", "9"])
        #expect(synth.assignments == ["D=1", "alpha=2"] && synth.noise == 0.01 && synth.seed == 9)
    }

    @Test func badUsageExitsWithTwoAndSaysWhatToDo() {
        #expect(calibrate() == (2, "", "error: no case folder given; usage: calibrate [COMMAND] CASE [OPTIONS]\nSee 'calibrate --help'.\n"))
        #expect(calibrate("run", "c", "--outt", "x") == (2, "", "error: unknown option '--outt' for 'calibrate run'; did you mean '--out'?\n"
                                                      + "See 'calibrate run --help'.\n"))
        #expect(calibrate("check", "c", "--out", "x").err.hasPrefix("error: unknown option '--out' for 'calibrate check'"))
        #expect(calibrate("synth", "c", "--truth", "D=1").err == "error: 'calibrate synth' needs --noise REL (0 for exact data)\nSee 'calibrate synth --help'.\n")
        #expect(calibrate("run", "c", "--threads", "zero").err
                == "error: --threads expects a positive whole number, found 'zero'\nSee 'calibrate run --help'.\n")
        #expect(calibrate("run", "a", "b").err == "error: 'calibrate run' takes one case folder, found 2: a, b\nSee 'calibrate run --help'.\n")
        #expect(calibrate("run", "c", "--optimizer", "newton").status == 2)
        #expect(calibrate("forward", "c", "--set", "D").err == "error: --set expects NAME=VALUE with a finite number, found 'D'\nSee 'calibrate forward --help'.\n")
    }

    @Test func messagesNameTheToolThatRuns() {
        // A user's executable (`calibrate-beads`) hands its name over: its advice must name it, not `calibrate`.
        func beads(_ arguments: String...) -> (status: Int32, out: String, err: String) {
            let (console, captured) = Console.capturing()
            let status = CalibrateTool.main(arguments, toolName: "calibrate-beads", console: console)
            return (status, captured.standardOutput, captured.standardError)
        }
        #expect(beads("--version").out == "calibrate-beads \(CalibrateTool.version)\n")
        #expect(beads("synth", "c", "--truth", "D=1").err
                == "error: 'calibrate-beads synth' needs --noise REL (0 for exact data)\nSee 'calibrate-beads synth --help'.\n")
        let help = beads("synth", "--help").out
        #expect(help.contains("Usage: calibrate-beads synth CASE") && !help.contains("Usage: calibrate synth"))
        #expect(beads("--help").out.contains("(calibrate-beads COMMAND --help"))
        // The name is the call's own: the standard tool is unchanged after it.
        #expect(calibrate("--version").out == "calibrate \(CalibrateTool.version)\n")
    }
}
