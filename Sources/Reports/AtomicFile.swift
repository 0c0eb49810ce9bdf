import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole files so that a reader never sees a half-written one.
///
/// Guarantees: the bytes go to a new temporary file in the *same directory* as the target (so the
/// final `rename(2)` never crosses a file system and is atomic), the temporary file is flushed
/// with `fsync(2)` before the rename, and then the directory is synced (best effort) so the new
/// name survives a crash. After a successful call the target holds exactly the new bytes and no
/// temporary file remains. After a failed call the target is untouched — the old file, if there
/// was one, is still there in full — and the temporary file has been removed.
///
/// A replaced file keeps its permission bits; a new file gets `0666` less the process umask, as
/// with any ordinary file creation. Symbolic links at the target are replaced, not followed.
public enum AtomicFile {
    /// Writes `text` encoded as UTF-8 (no byte-order mark) to `path`. See ``AtomicFile``.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Writes `data` to `path` through a temporary file and a rename. See ``AtomicFile``.
    ///
    /// - Throws: ``ReportError/directoryMissing(path:directory:)``,
    ///   ``ReportError/notADirectory(path:directory:)``,
    ///   ``ReportError/directoryNotWritable(path:directory:reason:)`` before anything is written;
    ///   ``ReportError/writeFailed(path:reason:)`` when writing, syncing or renaming fails.
    public static func write(_ data: Data, to path: String) throws {
        let directory = directoryOf(path)
        try checkDirectory(directory, for: path)
        // A directory at `path` is not checked for here: the rename fails on it (EISDIR) and that
        // error is reported, after the temporary file has been removed.
        var targetStatus = stat()
        let targetExists = lstat(path, &targetStatus) == 0

        let (descriptor, temporaryPath) = try createTemporary(in: directory, for: path)
        var renamed = false
        defer {
            // Whatever went wrong after the temporary file was created, do not leave it behind.
            if !renamed { unlink(temporaryPath) }
        }
        do {
            defer { close(descriptor) }
            if targetExists && (targetStatus.st_mode & S_IFMT) == S_IFREG {
                // Keep the permissions the user gave the old file (e.g. group-readable reports).
                _ = fchmod(descriptor, targetStatus.st_mode & 0o7777)
            }
            try writeAll(data, to: descriptor, path: path)
            // Without fsync a crash after the rename could leave an empty or partial file under the
            // final name on file systems that delay data writes (ext4 with delalloc, XFS).
            guard fsync(descriptor) == 0 else {
                throw ReportError.writeFailed(path: path, reason: "fsync failed: \(errnoText())")
            }
        }
        guard rename(temporaryPath, path) == 0 else {
            throw ReportError.writeFailed(path: path, reason: "rename from temporary file failed: \(errnoText())")
        }
        renamed = true
        syncDirectory(directory)
    }

    /// The directory part of `path` as the caller spelled it (for messages), `"."` for a bare
    /// file name. Not normalised: `deletingLastPathComponent` would also collapse `//` and `./`,
    /// and the error would then name a path the user never wrote.
    static func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = path[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    private static func checkDirectory(_ directory: String, for path: String) throws {
        var status = stat()
        guard stat(directory, &status) == 0 else {
            if errno == ENOENT || errno == ENOTDIR {
                throw ReportError.directoryMissing(path: path, directory: directory)
            }
            throw ReportError.directoryNotWritable(path: path, directory: directory, reason: errnoText())
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw ReportError.notADirectory(path: path, directory: directory)
        }
    }

    /// Creates a new, exclusive temporary file next to the target. The name starts with a dot so
    /// that directory listings and globbing (`*.csv`) do not pick up an unfinished file.
    private static func createTemporary(in directory: String, for path: String) throws -> (Int32, String) {
        let base = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        for _ in 0 ..< 16 {
            let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
            let candidate = directory + "/." + base + ".tmp." + String(getpid()) + "." + suffix
            let descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if descriptor >= 0 { return (descriptor, candidate) }
            let code = errno
            if code == EEXIST { continue }
            let reason = String(cString: strerror(code))
            if code == EACCES || code == EPERM || code == EROFS {
                throw ReportError.directoryNotWritable(path: path, directory: directory, reason: reason)
            }
            throw ReportError.writeFailed(path: path, reason: "cannot create temporary file: \(reason)")
        }
        throw ReportError.writeFailed(path: path, reason: "cannot find an unused temporary file name")
    }

    private static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard var pointer = buffer.baseAddress else { return }  // empty data: nothing to write
            var remaining = buffer.count
            while remaining > 0 {
                let written = Foundation.write(descriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ReportError.writeFailed(path: path, reason: errnoText())
                }
                remaining -= written
                pointer += written
            }
        }
    }

    /// Makes the rename itself durable. Failure here is not reported: the file is complete and in
    /// place, and some file systems do not support syncing directories at all.
    private static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
