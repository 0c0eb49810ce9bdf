import FuzzDriver
@testable import CaseRunner
import Foundation

/// The bytes as case.json in a folder holding every bundled case's data and mesh files: the whole
/// case is loaded (configuration, models, data) as `calibrate check` does; never a crash.
/// `CALIBRATE_FUZZ_CASES` names the repository's cases/ folder (scripts/fuzz.sh sets it).
/// Cases estimated above 200 MB are not built: the size guard (`CaseSize`) refuses only what cannot
/// fit in the machine, and a fuzzer must not spend its memory limit on legitimately large models.
let folder: String = {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("calibrate-fuzz-case-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    if let cases = ProcessInfo.processInfo.environment["CALIBRATE_FUZZ_CASES"],
       let names = try? FileManager.default.contentsOfDirectory(atPath: cases) {
        for name in names {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: cases + "/" + name)) ?? []
            where file.hasSuffix(".nc") || file.hasSuffix(".msh") {
                try? FileManager.default.copyItem(atPath: cases + "/" + name + "/" + file, toPath: path + "/" + file)
            }
        }
    }
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(input(data, size))
    guard FileManager.default.createFile(atPath: folder + "/case.json", contents: bytes) else { return 0 }
    let diagnostics = DiagnosticList(file: folder + "/case.json")
    guard let text = String(data: bytes, encoding: .utf8),
          let configuration = ConfigurationDecoder.decode(text, file: "case.json", diagnostics: diagnostics) else { return 0 }
    if let size = CaseSize.estimate(configuration), size.bytes > 200 * 1_048_576 { return -1 }
    guard let location = try? CaseLocation.locate(folder), let loaded = LoadedCase.load(location, diagnostics: diagnostics) else { return 0 }
    _ = loaded.readData(diagnostics: diagnostics)
    return 0
}
