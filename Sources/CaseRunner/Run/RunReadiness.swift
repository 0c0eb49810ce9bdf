import Foundation

/// What `run` checks after reading the data, done by `check` too, so that whatever `run` would
/// reject, `check` rejects first: a parameter to calibrate, the calibration problem itself (e.g.
/// a time series with a sensor missing at some time), and — unless `--no-solve` — one forward
/// solve at the initial parameters.
enum RunReadiness {
    /// Adds every problem to `d`; returns a sentence on the forward solve when one was made.
    static func check(_ loaded: LoadedCase, data: [ExperimentData], solve: Bool, diagnostics d: DiagnosticList) -> String? {
        if loaded.space.freeCount == 0 {
            d.error("every parameter of the case is fixed; set \"fixed\": false on at least one parameter to calibrate")
        }
        do {
            _ = try FitProblem(loaded, data: data)
        } catch let error as CaseError {
            d.append(contentsOf: error.diagnostics)
            return nil
        } catch {
            d.error("the calibration problem cannot be set up: \(error)")
            return nil
        }
        guard solve, !d.hasErrors else { return nil }
        let theta = loaded.space.initialPhysical
        do {
            let prediction = try Prediction.compute(loaded, theta: theta)
            let equilibria = loaded.setups.reduce(0) { $0 + $1.stepCount }
            return "solved the \(equilibria) equilibri\(equilibria == 1 ? "um" : "a") at the initial parameters "
                + "(\(prediction.newtonIterations) Newton iterations)"
        } catch let error as CaseError {
            d.append(contentsOf: error.diagnostics)
        } catch {
            d.error("the forward solve at the initial parameters failed: \(error)")
        }
        return nil
    }
}
