import Foundation

/// The commands of the `calibrate` tool.
public enum Command: String, Sendable, CaseIterable {
    case run, check, forward, synth, gradcheck, regress
}

/// A parsed command line.
public struct Invocation: Sendable, Equatable {
    public var command: Command?
    /// Case folders (one for every command but `regress`, which takes any number).
    public var cases: [String] = []
    public var help = false
    public var version = false
    public var quiet = false
    public var threads: Int?
    /// run, regress, forward, synth: workers solving experiments in one process (`--jobs`).
    public var jobs: Int?
    public var output: String?
    public var optimizer: String?
    public var maximumIterations: Int?
    public var resume = false
    /// --set (forward, gradcheck) or --truth (synth) NAME=VALUE texts.
    public var assignments: [String] = []
    public var noise: Double?
    public var seed: UInt64 = 0
    public var update = false
    /// check: skip the forward solve at the initial parameters.
    public var noSolve = false
    /// check: also solve with the discretization refined once and compare with σ.
    public var refine = false
    /// run, check: try a case even when its size estimate exceeds the machine's memory.
    public var force = false
    /// synth: use the initial values of parameters without --truth, even over existing data.
    public var atInitial = false
}

/// Parses `calibrate` arguments: `calibrate [COMMAND] CASE [OPTIONS]`, options as `--name value`
/// or `--name=value`, `--` ends the options. A first argument that is not a command is a case
/// folder for `run`.
public enum CommandLineParser {
    /// Options each command accepts (besides --help, --quiet and --threads).
    static func options(for command: Command) -> [String] {
        switch command {
        case .run: return ["--out", "--optimizer", "--resume", "--max-iterations", "--force", "--jobs"]
        case .check: return ["--no-solve", "--force", "--refine", "--set"]
        case .forward: return ["--set", "--out", "--jobs"]
        case .synth: return ["--truth", "--noise", "--seed", "--out", "--at-initial", "--jobs"]
        case .gradcheck: return ["--set"]
        case .regress: return ["--update", "--jobs"]
        }
    }

    static let common = ["--help", "--quiet", "--threads"]
    static let flags: Set<String> = ["--help", "--quiet", "--resume", "--update", "--version", "--no-solve", "--at-initial", "--force",
                                     "--refine"]

    public static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var invocation = Invocation()
        var rest = arguments[...]
        if let first = rest.first {
            if first == "help" {
                rest = rest.dropFirst()
                invocation.help = true
                if let name = rest.first {
                    guard let command = Command(rawValue: name) else {
                        throw UsageError("'\(name)' is not a command" + Suggestion.hint(for: name, among: Command.allCases.map(\.rawValue)))
                    }
                    invocation.command = command
                }
                return invocation
            }
            if let command = Command(rawValue: first) {
                invocation.command = command
                rest = rest.dropFirst()
            } else if !first.hasPrefix("-"), !FileManager.default.fileExists(atPath: first),
                      let command = Suggestion.closest(to: first, among: Command.allCases.map(\.rawValue)) {
                // A misspelt command, not a case folder (there is no such folder).
                throw UsageError("'\(first)' is not a command and not a case folder; did you mean '\(CalibrateTool.toolName) \(command)'?")
            }
        }
        let commandName = invocation.command?.rawValue
        var optionsEnded = false
        while let argument = rest.first {
            rest = rest.dropFirst()
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                invocation.cases.append(argument)
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            var name = argument
            var inlineValue: String?
            if let eq = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<eq])
                inlineValue = String(argument[argument.index(after: eq)...])
            }
            switch name {
            case "-h": name = "--help"
            case "-q": name = "--quiet"
            case "-V": name = "--version"
            case "-o": name = "--out"
            default: break
            }
            let allowed = common + ["--version"] + (invocation.command.map(options(for:)) ?? options(for: .run))
            guard allowed.contains(name) else {
                let context = commandName.map { " for '\(CalibrateTool.toolName) \($0)'" } ?? ""
                let known = allowed.filter { $0 != "--version" || invocation.command == nil }
                throw UsageError("unknown option '\(name)'\(context)" + (Suggestion.closest(to: name, among: known).map { "; did you mean '\($0)'?" } ?? ""),
                                 command: commandName)
            }
            func value() throws(UsageError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = rest.first, !next.hasPrefix("--") else {
                    throw UsageError("option \(name) needs a value", command: commandName)
                }
                rest = rest.dropFirst()
                return next
            }
            if flags.contains(name), inlineValue != nil {
                throw UsageError("option \(name) takes no value", command: commandName)
            }
            switch name {
            case "--help": invocation.help = true
            case "--version": invocation.version = true
            case "--quiet": invocation.quiet = true
            case "--resume": invocation.resume = true
            case "--update": invocation.update = true
            case "--no-solve": invocation.noSolve = true
            case "--at-initial": invocation.atInitial = true
            case "--force": invocation.force = true
            case "--refine": invocation.refine = true
            case "--threads":
                let text = try value()
                guard let n = Int(text), n > 0 else { throw UsageError("--threads expects a positive whole number, found '\(text)'", command: commandName) }
                invocation.threads = n
            case "--jobs":
                let text = try value()
                guard let n = Int(text), (1 ... 1024).contains(n) else {
                    throw UsageError("--jobs expects a whole number of workers from 1 to 1024, found '\(text)'", command: commandName)
                }
                invocation.jobs = n
            case "--out": invocation.output = try value()
            case "--optimizer": invocation.optimizer = try value()
            case "--max-iterations":
                let text = try value()
                guard let n = Int(text), n > 0 else { throw UsageError("--max-iterations expects a positive whole number, found '\(text)'", command: commandName) }
                invocation.maximumIterations = n
            case "--set", "--truth": invocation.assignments.append(try value())
            case "--noise":
                let text = try value()
                guard let x = Double(text), x >= 0, x.isFinite else { throw UsageError("--noise expects a number ≥ 0 (relative noise), found '\(text)'", command: commandName) }
                invocation.noise = x
            case "--seed":
                let text = try value()
                guard let n = UInt64(text) else { throw UsageError("--seed expects a whole number ≥ 0, found '\(text)'", command: commandName) }
                invocation.seed = n
            default: break
            }
        }
        if invocation.help || invocation.version { return invocation }
        if invocation.command == nil {
            guard !invocation.cases.isEmpty else {
                throw UsageError("no case folder given; usage: \(CalibrateTool.toolName) [COMMAND] CASE [OPTIONS]")
            }
            invocation.command = .run
        }
        let command = invocation.command!
        if command != .regress {
            if invocation.cases.isEmpty { throw UsageError("'\(CalibrateTool.toolName) \(command.rawValue)' needs a case folder", command: command.rawValue) }
            if invocation.cases.count > 1 {
                throw UsageError("'\(CalibrateTool.toolName) \(command.rawValue)' takes one case folder, found \(invocation.cases.count): "
                                 + invocation.cases.joined(separator: ", "), command: command.rawValue)
            }
        }
        if command == .synth {
            if invocation.noise == nil { throw UsageError("'\(CalibrateTool.toolName) synth' needs --noise REL (0 for exact data)", command: "synth") }
        }
        return invocation
    }
}
