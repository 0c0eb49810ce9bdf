import FuzzDriver
@testable import CaseRunner
import Bilevel
import Foundation

/// Any bytes as a checkpoint file: decoded only when intact, else refused; never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(input(data, size))
    if let checkpoint = Checkpoint.decode(bytes) {
        // What decodes must encode back to the same bytes (the checksum covers all of them).
        precondition(checkpoint.encoded() == bytes, "a decoded checkpoint does not re-encode to its bytes")
    }
    return 0
}

/// A valid checkpoint with every kind of record, for the seed corpus.
func writeSeed(to path: String) {
    let seed = Checkpoint(fingerprint: 0x1234_5678_9ABC_DEF0, threads: 1, iterations: 2, elapsedSeconds: 0.5, records: [
        .residual(z: [0.1, -0.2], jacobian: true, result: .init(residuals: [1, 2, 3], jacobian: DenseMatrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6]),
                                                                innerIterations: 4)),
        .residual(z: [0.1, -0.3], jacobian: false, result: nil),
        .objective(z: [0.5], result: .init(value: 0.25, gradient: [0.5], innerIterations: 3)),
    ])
    try! seed.encoded().write(to: URL(fileURLWithPath: path))
}
