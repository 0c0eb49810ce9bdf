import FuzzDriver
import Physics

/// Any bytes as an MSH file: a mesh or a `MeshError`, never a trap or a runaway reservation.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? TriangleMesh.parseGmsh(text, file: "fuzz.msh")
    return 0
}
