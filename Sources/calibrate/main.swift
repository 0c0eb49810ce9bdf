// The `calibrate` executable: everything is in the CaseRunner library (CalibrateTool), so the tests
// run the same code in-process. See docs/cli.md; under mpirun/srun, docs/parallel.md.
import CaseRunner

CalibrateTool.executableMain()
