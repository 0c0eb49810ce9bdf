@testable import CaseRunner
import Foundation
import Testing

/// One writer per output folder; leftovers of killed runs are cleaned by the next run.
@Suite struct OutputLockTests {
    /// A process id that no running process has.
    func deadPID() -> Int32 {
        var pid: Int32 = 4_000_000
        while StaleOutputs.isAlive(pid) { pid -= 1 }
        return pid
    }

    @Test func aSecondRunOnTheSameFolderExitsTwoNamingTheFirst() throws {
        let folder = preparedSmallCase()
        let held = try OutputLock(folder: folder.path + "/results")
        let r = calibrate("run", folder.path, "-q")
        #expect(r.status == 2, "\(r.err) \(r.out)")
        #expect(r.err.contains("another calibrate (process \(getpid())) is writing '\(folder.path)/results'"), "\(r.err)")
        #expect(!folder.exists("results"))
        held.release()
        #expect(!folder.exists(".results.lock"))
        #expect(calibrate("run", folder.path, "-q").status == 0)
        #expect(!folder.contents.contains { $0.hasPrefix(".") }, "\(folder.contents)")
    }

    @Test func leftoversOfDeadProcessesAreRemovedAndThoseOfLiveOnesKept() throws {
        let folder = preparedSmallCase()
        let dead = deadPID(), alive = getppid()
        for entry in [".results.partial-\(dead)-12", ".results.old-\(dead)-7", ".results.partial-\(alive)-3"] {
            try FileManager.default.createDirectory(atPath: folder.path + "/" + entry, withIntermediateDirectories: false)
            folder.write("x", to: entry + "/report.md")
        }
        folder.write("x", to: "..results.checkpoint.tmp.\(dead).1f")
        folder.write("x", to: ".other.partial-\(dead)-1")  // another folder's: not ours to remove
        #expect(StaleOutputs.ownerPID(of: ".results.partial-\(dead)-12", name: "results") == dead)
        #expect(StaleOutputs.ownerPID(of: ".results.checkpoint", name: "results") == nil)
        #expect(calibrate("run", folder.path, "-q").status == 0)
        #expect(folder.contents.filter { $0.hasPrefix(".") }.sorted() == [".other.partial-\(dead)-1", ".results.partial-\(alive)-3"])
    }
}
