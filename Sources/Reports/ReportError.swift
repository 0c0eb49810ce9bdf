/// Every failure the Reports module reports.
///
/// Cases about files carry the path as the caller spelled it; cases about inconsistent input name
/// the thing (`what`, e.g. "series 'model' y values" or "point data 'pressure'") and carry the
/// expected and found sizes. `description` is a complete sentence for the person running the
/// program: what went wrong, where, and what to do about it.
public enum ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The directory that should hold `path` does not exist.
    case directoryMissing(path: String, directory: String)
    /// Something other than a directory sits where the directory of `path` should be.
    case notADirectory(path: String, directory: String)
    /// The directory of `path` exists but the process may not create files in it
    /// (permissions, read-only file system).
    case directoryNotWritable(path: String, directory: String, reason: String)
    /// Writing, flushing or renaming the temporary file failed (disk full, I/O error, ...).
    /// The previous contents of `path`, if any, are untouched.
    case writeFailed(path: String, reason: String)

    /// Two sizes that must agree do not (e.g. x and y of a series, a data array and the point count).
    case lengthMismatch(what: String, expected: Int, found: Int)
    /// An index refers past the end of what it indexes (e.g. a cell's node number).
    case indexOutOfRange(what: String, index: Int, count: Int)
    /// A value that must be finite (or otherwise valid) is not; `index` is its position.
    case invalidValue(what: String, index: Int, value: String, requirement: String)
    /// Two arrays, columns or series share a name that must be unique.
    case duplicateName(what: String, name: String)
    /// A parameter is unusable for a reason that needs no more structure (empty name, ...).
    case invalidArgument(what: String, reason: String)

    public var description: String {
        switch self {
        case let .directoryMissing(path, directory):
            return "cannot write '\(path)': directory '\(directory)' does not exist. "
                + "Create it first (e.g. `mkdir -p \(directory)`) or choose another output directory."
        case let .notADirectory(path, directory):
            return "cannot write '\(path)': '\(directory)' exists but is not a directory. "
                + "Remove or rename it, or choose another output directory."
        case let .directoryNotWritable(path, directory, reason):
            return "cannot write '\(path)': cannot create files in directory '\(directory)' (\(reason)). "
                + "Check the directory's permissions and that its file system is not read-only."
        case let .writeFailed(path, reason):
            return "cannot write '\(path)': \(reason). Nothing was replaced: any previous file is intact. "
                + "Check the free disk space and the directory's permissions."
        case let .lengthMismatch(what, expected, found):
            return "\(what): expected \(expected) value(s), found \(found). "
                + "Pass arrays whose lengths agree."
        case let .indexOutOfRange(what, index, count):
            return "\(what): index \(index) is out of range (valid: 0..<\(count)). "
                + "Check the connectivity or indices against the number of items."
        case let .invalidValue(what, index, value, requirement):
            return "\(what): value \(value) at index \(index) is invalid; \(requirement)."
        case let .duplicateName(what, name):
            return "\(what): the name '\(name)' is used twice. Give each one a distinct name."
        case let .invalidArgument(what, reason):
            return "\(what): \(reason)."
        }
    }
}
