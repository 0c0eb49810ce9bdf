// `calibrate-beads`: the `calibrate` tool with one more model kind. Registering the kind is all it
// takes; every command (run, check, forward, synth, gradcheck, regress) then works for bead-spring cases.
import BeadSpring
import CaseRunner
import Foundation

var registry = ModelRegistry.standard
registry.register(BeadSpringCase.self)
exit(CalibrateTool.main(Array(CommandLine.arguments.dropFirst()), registry: registry, handleSignals: true))
