// The `calibrate` executable: everything is in the CaseRunner library (CalibrateTool.main), so the
// tests run the same code in-process. See docs/cli.md. Started by mpirun/srun, rank 0 runs the tool
// and the other ranks serve it their experiments (RankWorker, docs/parallel.md).
import CaseRunner
import Foundation
import MessagePassing

let arguments = Array(CommandLine.arguments.dropFirst())
if let world = MPIWorld.shared, world.rank != 0 {
    let status = RankWorker.main(arguments, world: world)
    world.finish()
    exit(status)
}
let status = CalibrateTool.main(arguments, console: .standard(), handleSignals: true)
MPIWorld.shared?.finish()
exit(status)
