import Bilevel
import Foundation

/// The outer optimization of `calibrate run`: the configured optimizer from the initial values and, with
/// `optimizer.starts` > 1, from that many − 1 further Latin-hypercube points within the bounds (fixed
/// seed, so runs and resumes repeat). The reported result is the converged one with the lowest misfit;
/// the distinct minima found go into the report.
enum OptimizerRun {
    /// Seed of the Latin hypercube: fixed, so that a case's starts are the same in every run.
    static let seed: UInt64 = 0x5EED_0001

    static func perform(fit: FitProblem, optimizer: OptimizerConfiguration, journal: EvaluationJournal, monitor: RunMonitor,
                        console: Console) throws -> (result: OptimizationResult, minima: [LocalMinimum]) {
        let space = fit.space
        var starts = [space.initialTransformed]
        if optimizer.starts > 1 {
            do {
                starts += try LatinHypercube.points(count: optimizer.starts - 1, in: space.transformedBounds, seed: seed)
            } catch {
                throw CaseError("optimizer.starts = \(optimizer.starts) needs finite \"lower\" and \"upper\" bounds on every free parameter "
                                + "(the starts are spread between them); add the missing bounds or set \"starts\": 1",
                                file: fit.loaded.location.configuration)
            }
        }
        var results: [OptimizationResult] = [], startOfResult: [Int] = []
        for (k, start) in starts.enumerated() {
            if starts.count > 1 {
                console.info("start \(k + 1) of \(starts.count): " + Prediction.describe(try space.physical(from: start), space.names))
            }
            let result: OptimizationResult
            do {
                result = try minimize(fit: fit, optimizer: optimizer, journal: journal, monitor: monitor, from: start)
            } catch OptimizerError.initialEvaluationFailed where k > 0 {
                console.info("start \(k + 1): the model could not be solved there; start skipped")
                continue
            }
            if result.status == .stoppedByCallback { return (result, []) }
            results.append(result)
            startOfResult.append(k)
        }
        guard let best = Multistart.best(results) else { throw OptimizerError.initialEvaluationFailed }
        let minima = starts.count > 1 ? Multistart.distinctMinima(results, starts: startOfResult, scales: space.optimalityScales) : []
        return (results[best], minima)
    }

    private static func minimize(fit: FitProblem, optimizer: OptimizerConfiguration, journal: EvaluationJournal, monitor: RunMonitor,
                                 from start: [Double]) throws -> OptimizationResult {
        let space = fit.space
        switch optimizer.method {
        case .levenbergMarquardt:
            return try LevenbergMarquardt(options: optimizer.levenbergMarquardt)
                .minimize(journal.wrap(fit.residualFunction), from: start, bounds: space.transformedBounds,
                          scales: space.optimalityScales, progress: monitor.handler)
        case .lbfgs:
            return try BoundedLBFGS(options: optimizer.lbfgs)
                .minimize(journal.wrap(fit.objectiveFunction), from: start, bounds: space.transformedBounds,
                          // JᵀJ through the journal like every other evaluation: a resumed run then sees the
                          // same values, and continuation the same sequence of solves.
                          scales: space.optimalityScales, curvature: gaussNewtonCurvature(of: journal.wrap(fit.residualFunction)),
                          progress: monitor.handler)
        }
    }
}
