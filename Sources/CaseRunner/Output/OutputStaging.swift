import Foundation

/// A command's output folder, written in full beside its destination and moved into place only
/// when every file is complete: a failed or interrupted command never leaves a partial folder,
/// and an existing folder is replaced only on success. Holds the folder's `OutputLock` while alive,
/// and removes the leftovers of earlier runs that were killed (`StaleOutputs`).
final class OutputStaging {
    /// The folder the outputs end up in.
    let destination: String
    /// The hidden folder they are written to first.
    let staging: String
    private var finished = false
    /// Held until this object is released (after the command has removed or saved its checkpoint).
    private let lock: OutputLock

    /// Creates the staging folder; a `CaseError` when the destination cannot be written.
    init(destination: String) throws(CaseError) {
        var path = destination
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.destination = path
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let parentShown = parent.isEmpty ? "." : parent
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CaseError("cannot write results to '\(path)': a file of that name is in the way; remove it or choose another folder with --out")
        }
        if !FileManager.default.fileExists(atPath: parentShown, isDirectory: &isDirectory) {
            throw CaseError("cannot write results to '\(path)': the folder '\(parentShown)' does not exist; create it or choose another folder with --out")
        }
        if !isDirectory.boolValue {
            throw CaseError("cannot write results to '\(path)': '\(parentShown)' is not a folder; choose another folder with --out")
        }
        // One writer per output folder; the leftovers of writers that died are removed under the lock.
        lock = try OutputLock(folder: path)
        StaleOutputs.clean(besides: path)
        staging = (parent.isEmpty ? "" : parent + "/") + ".\(name).partial-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        guard mkdir(staging, 0o777) == 0 else {
            let reason = String(cString: strerror(errno))
            throw CaseError("cannot write results to '\(path)': cannot create a folder in '\(parentShown)' (\(reason)); "
                            + "choose a writable folder with --out, or fix the permissions")
        }
    }

    deinit {
        if !finished { discard() }
    }

    /// The path of `name` inside the staging folder (creating intermediate folders).
    func path(_ name: String) throws -> String {
        let full = staging + "/" + name
        let folder = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return full
    }

    /// A sub-folder of the staging folder (created), e.g. "plots".
    func folder(_ name: String) throws -> String {
        let full = staging + "/" + name
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }

    /// Moves the staging folder onto the destination, replacing what was there.
    func commit() throws(CaseError) {
        let fm = FileManager.default
        var old: String?
        if fm.fileExists(atPath: destination) {
            let aside = staging.replacingOccurrences(of: ".partial-", with: ".old-")
            guard rename(destination, aside) == 0 else {
                let reason = String(cString: strerror(errno))
                discard()
                throw CaseError("cannot replace '\(destination)': \(reason); the previous results are untouched")
            }
            old = aside
        }
        guard rename(staging, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            if let old { _ = rename(old, destination) }
            discard()
            throw CaseError("cannot move the results into '\(destination)': \(reason)")
        }
        finished = true
        if let old { try? fm.removeItem(atPath: old) }
    }

    /// Deletes the staging folder and everything in it; the destination is untouched.
    func discard() {
        finished = true
        try? FileManager.default.removeItem(atPath: staging)
    }
}
