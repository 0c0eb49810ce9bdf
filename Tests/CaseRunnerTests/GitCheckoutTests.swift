@testable import CaseRunner
import Foundation
import Testing

/// The commit recorded in results.nc comes from the checkout the executable runs from.
@Suite struct GitCheckoutTests {
    let hash = "0123456789abcdef0123456789abcdef01234567"

    @Test func aBranchRefALooseOrPackedRefAndAWorktreeAreRead() throws {
        let folder = TemporaryFolder()
        let git = folder.path + "/repo/.git"
        try FileManager.default.createDirectory(atPath: git + "/refs/heads", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.path + "/repo/.build/release", withIntermediateDirectories: true)
        folder.write("ref: refs/heads/main\n", to: "repo/.git/HEAD")
        folder.write(hash + "\n", to: "repo/.git/refs/heads/main")
        let executable = folder.path + "/repo/.build/release/calibrate"
        #expect(GitCheckout.commit(containing: executable) == hash)
        // Packed: the loose ref removed, the packed one found.
        try FileManager.default.removeItem(atPath: git + "/refs/heads/main")
        folder.write("# pack-refs with: peeled\n\(hash) refs/heads/main\n", to: "repo/.git/packed-refs")
        #expect(GitCheckout.commit(containing: executable) == hash)
        // A worktree: `.git` is a file pointing at its own folder, whose refs live in the common one.
        try FileManager.default.createDirectory(atPath: git + "/worktrees/wt", withIntermediateDirectories: true)
        folder.write("ref: refs/heads/main\n", to: "repo/.git/worktrees/wt/HEAD")
        folder.write("../..\n", to: "repo/.git/worktrees/wt/commondir")
        try FileManager.default.createDirectory(atPath: folder.path + "/wt", withIntermediateDirectories: true)
        folder.write("gitdir: \(git)/worktrees/wt\n", to: "wt/.git")
        #expect(GitCheckout.commit(containing: folder.path + "/wt/calibrate") == hash)
        // Outside any checkout, or with a HEAD that is not a commit: nothing.
        folder.write("garbage\n", to: "repo/.git/HEAD")
        #expect(GitCheckout.commit(containing: executable) == nil)
    }
}
