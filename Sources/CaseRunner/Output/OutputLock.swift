import Foundation

/// An advisory lock (flock(2)) on an output folder, held from before the first file is written until
/// the command ends, so two runs never write the same results or checkpoint.
///
/// The lock is a hidden file beside the folder, `.<name>.lock`, holding the owner's process id (so a
/// refused run can say which process holds it); it is removed when released. Because the file is
/// removed while others may have it open, a lock is only taken on a file that is still the one at
/// the path (same inode after locking); otherwise the attempt starts over. The kernel releases the
/// lock when the process dies, even by SIGKILL, so a lock never outlives its owner.
final class OutputLock {
    let path: String
    private var descriptor: Int32

    /// Takes the lock of output folder `folder` (as given), or throws naming the process holding it.
    init(folder: String) throws(CaseError) {
        let parent = (folder as NSString).deletingLastPathComponent
        let name = (folder as NSString).lastPathComponent
        path = (parent.isEmpty ? "" : parent + "/") + "." + name + ".lock"
        for _ in 0 ..< 100 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
            guard fd >= 0 else {
                throw CaseError("cannot lock the output folder '\(folder)': cannot create '\(path)' (\(String(cString: strerror(errno)))); "
                                + "choose a writable folder with --out")
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let owner = Self.owner(fd)
                close(fd)
                throw CaseError("another calibrate\(owner.map { " (process \($0))" } ?? "") is writing '\(folder)'; wait for it to finish, "
                                + "or write elsewhere with --out")
            }
            var opened = stat(), current = stat()
            if fstat(fd, &opened) == 0, stat(path, &current) == 0, opened.st_ino == current.st_ino, opened.st_dev == current.st_dev {
                let text = Array("\(getpid())\n".utf8)
                _ = ftruncate(fd, 0)
                _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                descriptor = fd
                return
            }
            close(fd)  // the owner removed the file between our open and our lock: try again
        }
        throw CaseError("cannot lock the output folder '\(folder)': '\(path)' keeps being replaced; try again")
    }

    /// The process id written in a lock file, if any.
    private static func owner(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Removes the lock file and releases the lock (idempotent).
    func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

/// Leftovers of processes that died before they could clean up (SIGKILL, power loss): the hidden
/// staging folders `.<name>.partial-PID-N`, set-aside folders `.<name>.old-PID-N`, and temporaries of
/// the checkpoint `..<name>.checkpoint.tmp.PID.N` beside output folder `<name>`. Only entries whose
/// process is gone are removed, and only while holding the folder's `OutputLock`.
enum StaleOutputs {
    /// Removes the leftovers of dead processes; returns the paths removed.
    @discardableResult
    static func clean(besides folder: String) -> [String] {
        let parent = (folder as NSString).deletingLastPathComponent
        let name = (folder as NSString).lastPathComponent
        let directory = parent.isEmpty ? "." : parent
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for entry in entries {
            guard let pid = ownerPID(of: entry, name: name), pid != getpid(), !isAlive(pid) else { continue }
            let path = (parent.isEmpty ? "" : parent + "/") + entry
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed.sorted()
    }

    /// The process id in a leftover's name, or nil when `entry` is not a leftover of folder `name`.
    static func ownerPID(of entry: String, name: String) -> Int32? {
        for prefix in ["." + name + ".partial-", "." + name + ".old-"] where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count).split(separator: "-")
            guard rest.count == 2, UInt32(rest[1]) != nil else { return nil }
            return Int32(rest[0])
        }
        let temporary = "." + "." + name + ".checkpoint.tmp."
        if entry.hasPrefix(temporary) {
            let rest = entry.dropFirst(temporary.count).split(separator: ".")
            guard rest.count == 2 else { return nil }
            return Int32(rest[0])
        }
        return nil
    }

    /// Whether a process with this id exists (EPERM: it exists but belongs to someone else).
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
