import FuzzDriver
import CaseRunner

/// Any bytes as case.json text: the decoder must return a configuration or diagnostics, never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    let diagnostics = DiagnosticList(file: "case.json")
    _ = ConfigurationDecoder.decode(text, file: "case.json", diagnostics: diagnostics)
    return 0
}
