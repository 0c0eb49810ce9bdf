import Foundation

/// The commit checked out in the git work tree that contains a path, read from its `.git` files
/// (HEAD, then the branch's ref file or `packed-refs`) without running git. Every file read is small
/// and bounded; anything unexpected gives nil.
enum GitCheckout {
    static func commit(containing path: String) -> String? {
        var directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        for _ in 0 ..< 64 {
            if let gitDirectory = gitDirectory(in: directory.path) { return head(gitDirectory) }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
        return nil
    }

    /// `DIR/.git` as a folder, or the folder a `.git` file points to (`gitdir: …`, worktrees).
    private static func gitDirectory(in directory: String) -> String? {
        let dotGit = directory + "/.git"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return dotGit }
        guard let text = small(dotGit), text.hasPrefix("gitdir: ") else { return nil }
        let target = String(text.dropFirst("gitdir: ".count))
        return target.hasPrefix("/") ? target : directory + "/" + target
    }

    private static func head(_ gitDirectory: String) -> String? {
        guard let head = small(gitDirectory + "/HEAD") else { return nil }
        guard head.hasPrefix("ref: ") else { return isHash(head) ? head : nil }
        let ref = String(head.dropFirst("ref: ".count))
        // A worktree's refs live in the common directory.
        let common = small(gitDirectory + "/commondir").map { $0.hasPrefix("/") ? $0 : gitDirectory + "/" + $0 } ?? gitDirectory
        for root in [gitDirectory, common] {
            if let hash = small(root + "/" + ref), isHash(hash) { return hash }
            if let packed = small(root + "/packed-refs", limit: 1 << 22) {
                for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
                    let hash = String(line.prefix(while: { $0 != " " }))
                    if isHash(hash) { return hash }
                }
            }
        }
        return nil
    }

    private static func isHash(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy { $0.isHexDigit }
    }

    /// The trimmed text of a small regular file.
    private static func small(_ path: String, limit: Int = 4096) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= limit,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
