// The `calibrate` executable: everything is in the CaseRunner library (CalibrateTool.main), so the
// tests run the same code in-process. See docs/cli.md.
import CaseRunner
import Foundation

exit(CalibrateTool.main(Array(CommandLine.arguments.dropFirst()), console: .standard(), handleSignals: true))
