import Bilevel
import Foundation

/// Where a case lives: its folder and configuration file, as the user named them.
public struct CaseLocation: Sendable, Equatable {
    /// The case folder as given (without a trailing slash).
    public let directory: String
    /// `directory/case.json`.
    public let configuration: String

    /// Finds the case named on the command line: a folder holding `case.json`, or the path of a
    /// configuration file itself.
    public static func locate(_ argument: String) throws(CaseError) -> CaseLocation {
        var path = argument
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CaseError("case folder '\(path)' does not exist; give the path of a folder that holds \(CaseConfiguration.fileName) "
                            + "(for example cases/morse-lattice)")
        }
        if !isDirectory.boolValue {
            guard path.hasSuffix(".json") else {
                throw CaseError("'\(path)' is a file, not a case folder; give the folder that holds \(CaseConfiguration.fileName)")
            }
            let directory = (path as NSString).deletingLastPathComponent
            return CaseLocation(directory: directory.isEmpty ? "." : directory, configuration: path)
        }
        return CaseLocation(directory: path, configuration: join(path, CaseConfiguration.fileName))
    }

    /// `relative` inside `directory`, unless it is absolute.
    static func join(_ directory: String, _ relative: String) -> String {
        if relative.hasPrefix("/") || directory == "." && !relative.isEmpty { return relative }
        return directory + "/" + relative
    }
}

/// A case whose configuration has been read and whose models are built: everything but the data.
final class LoadedCase {
    let location: CaseLocation
    let configuration: CaseConfiguration
    /// The bytes of the configuration file (part of the checkpoint fingerprint).
    let configurationBytes: Data
    let space: ParameterSpace
    let setups: [ExperimentSetup]
    /// In a distributed run, which rank builds and solves each step (this process built only its own);
    /// nil when this process built everything.
    let plan: WorkPlan?

    private init(location: CaseLocation, configuration: CaseConfiguration, bytes: Data, space: ParameterSpace, setups: [ExperimentSetup],
                 plan: WorkPlan?) {
        self.plan = plan
        self.location = location
        self.configuration = configuration
        self.configurationBytes = bytes
        self.space = space
        self.setups = setups
    }

    /// Reads and checks the configuration and builds the models; nil with the problems in `diagnostics`.
    /// `transform` changes the decoded configuration before the models are built (`check --refine`).
    /// With `rank` of `ranks` (a distributed run), only the steps the `WorkPlan` gives this rank are built.
    static func load(_ location: CaseLocation, diagnostics d: DiagnosticList,
                     transform: ((CaseConfiguration) -> CaseConfiguration)? = nil, rank: (Int, of: Int)? = nil) -> LoadedCase? {
        let path = location.configuration
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            d.error("'\(path)' does not exist: a case folder needs a configuration file named \(CaseConfiguration.fileName) "
                    + "(see docs/configuration.md)")
            return nil
        }
        guard !isDirectory.boolValue else {
            d.error("cannot read '\(path)': it is a directory, not a file")
            return nil
        }
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG || info.st_size > 64 << 20 {
            d.error("cannot read '\(path)': " + ((info.st_mode & S_IFMT) != S_IFREG ? "it is not a regular file" : "it has \(info.st_size) bytes; a configuration is text of a few kB"))
            return nil
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            let reason = access(path, R_OK) != 0 ? String(cString: strerror(errno)) : "it could not be read"
            d.error("cannot read '\(path)': \(reason); check its permissions")
            return nil
        }
        guard let text = String(data: bytes, encoding: .utf8) else {
            d.error("'\(path)' is not UTF-8 text; save the configuration as UTF-8", file: path)
            return nil
        }
        guard var configuration = ConfigurationDecoder.decode(text, file: path, diagnostics: d) else { return nil }
        configuration.model.prepare(&configuration.experiments,
                                    context: ModelBuildContext(directory: location.directory, space: nil, diagnostics: d, configurationFile: path))
        if d.hasErrors { return nil }
        if let transform { configuration = transform(configuration) }
        let space: ParameterSpace
        do {
            space = try ParameterSpace(configuration.parameters.map(\.parameter))
        } catch {
            d.error(error.description, file: path)
            return nil
        }
        // Size before work: a case that cannot fit is refused before anything large is built.
        guard CaseSize.admit(configuration, diagnostics: d) else { return nil }
        let plan = rank.map { WorkPlan(configuration, ranks: $0.of, rank: $0.0) }
        guard let setups = ModelAssembly.build(configuration, directory: location.directory, space: space, diagnostics: d, plan: plan) else {
            return nil
        }
        return LoadedCase(location: location, configuration: configuration, bytes: bytes, space: space, setups: setups, plan: plan)
    }

    /// Reads every experiment's data; nil with the problems in `diagnostics`.
    func readData(diagnostics d: DiagnosticList) -> [ExperimentData]? {
        var all: [ExperimentData] = []
        for setup in setups {
            if let data = ObservationReader.read(setup, directory: location.directory, configFile: location.configuration, diagnostics: d) {
                all.append(data)
            }
        }
        return d.hasErrors ? nil : all
    }

    /// Unknowns of the largest equilibrium solve this process built (in a distributed run, the ranks
    /// agree on the largest over all: `Parallelism.largestSolve`).
    var largestSolve: Int {
        setups.map { setup in
            setup.series.map { $0.model.layout.unknownCount } ?? setup.steps.map(\.model.unknownCount).max() ?? 0
        }.max() ?? 0
    }

    /// The data files of all experiments (each once, in order).
    var dataFiles: [String] {
        var seen = Set<String>()
        return configuration.experiments.map { CaseLocation.join(location.directory, $0.data) }.filter { seen.insert($0).inserted }
    }

    /// Files the model reads besides the data (a Gmsh mesh), in the case folder.
    var modelFiles: [String] { configuration.model.inputFiles.map { CaseLocation.join(location.directory, $0) } }

    /// Every file the case reads besides case.json: the data files and the model's files, each once.
    var inputFiles: [String] {
        dataFiles + modelFiles.filter { !dataFiles.contains($0) }
    }

    /// Full θ at the initial values with `overrides` (name → value) applied; unknown names are errors.
    func parameters(with overrides: [(String, Double)], option: String) throws(CaseError) -> [Double] {
        var theta = space.initialPhysical
        var problems: [Diagnostic] = []
        for (name, value) in overrides {
            guard let k = space.names.firstIndex(of: name) else {
                problems.append(Diagnostic(.error, "\(option) names parameter '\(name)', which the case does not define"
                                           + Suggestion.hint(for: name, among: space.names)))
                continue
            }
            theta[k] = value
        }
        if !problems.isEmpty { throw CaseError(problems) }
        return theta
    }
}
