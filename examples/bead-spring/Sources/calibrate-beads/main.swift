// `calibrate-beads`: the `calibrate` tool with one more model kind. Registering the kind is all it
// takes; every command (run, check, forward, synth, gradcheck, regress) then works for bead-spring
// cases, under mpirun too.
import BeadSpring
import CaseRunner

var registry = ModelRegistry.standard
registry.register(BeadSpringCase.self)
CalibrateTool.executableMain(registry: registry)
