import Foundation
import FuzzDriver

// CALIBRATE_FUZZ_WRITE_SEED=PATH writes a valid checkpoint to PATH (the seed corpus) and exits.
if let path = ProcessInfo.processInfo.environment["CALIBRATE_FUZZ_WRITE_SEED"] {
    writeSeed(to: path)
    exit(0)
}
runFuzzer { fuzz($0, $1) }
