import Bilevel
import Foundation
import MessagePassing
import Physics
import Testing

/// Experiments evaluated serially, on threads and over 1, 2 and 3 ranks (an in-process group standing
/// in for MPI) give the same numbers bit for bit; the assignment is deterministic and balanced; a
/// failed solve or an error on any rank reaches rank 0 as it would in one process.
@Suite struct ExecutorTests {
    /// Residuals with Jacobian and objective with gradient at two points, evaluated by `problem`.
    static func fingerprint(_ problem: CalibrationProblem) throws -> [[Double]] {
        var out: [[Double]] = []
        for start in [[0.9, 3.2, 0.98], [0.95, 3.1, 0.99]] {
            let z = try problem.space.transformed(from: start)
            let r = try #require(try problem.residualFunction(z, true), "solved at \(start)")
            let f = try #require(try problem.objectiveFunction(z), "solved at \(start)")
            out += [r.residuals, r.jacobian!.values, [f.value], f.gradient]
        }
        return out
    }

    @Test func threadsGiveTheSerialNumbersBitForBit() throws {
        let serial = try CalibrationProblem(space: ExecutorTestProblems.space(), experiments: ExecutorTestProblems.lattices(5, continuation: true))
        let expected = try Self.fingerprint(serial)
        for jobs in [2, 3] {
            let threaded = try CalibrationProblem(space: ExecutorTestProblems.space(), experiments: ExecutorTestProblems.lattices(5, continuation: true))
            threaded.executor = ThreadExecutor(jobs: jobs)
            #expect(try Self.fingerprint(threaded) == expected, "\(jobs) jobs")
            // The continuation state is the same too: the next evaluations start from the same anchors.
            #expect(threaded.anchors == serial.anchors)
            #expect(threaded.continuationStatistics == serial.continuationStatistics)
        }
    }

    @Test(arguments: [1, 2, 3])
    func ranksGiveTheSerialNumbersBitForBit(ranks: Int) throws {
        let serial = try CalibrationProblem(space: ExecutorTestProblems.space(), experiments: ExecutorTestProblems.lattices(5, continuation: true))
        let expected = try Self.fingerprint(serial)
        let anchors = serial.anchors, serialStatistics = serial.continuationStatistics
        let results = InProcessGroup.run(size: ranks) { world -> [[Double]]? in
            do {
                let problem = try CalibrationProblem(space: ExecutorTestProblems.space(),
                                                     experiments: ExecutorTestProblems.lattices(5, continuation: true))
                let executor = DistributedExecutor(communicator: world, experiments: problem.experiments, jobs: ranks == 2 ? 2 : 1)
                problem.executor = executor
                guard world.rank == 0 else {
                    _ = try executor.serve(problem.experiments, names: problem.space.names)
                    return nil
                }
                let numbers = try Self.fingerprint(problem)
                // Anchors and statistics are gathered from the ranks that own them, in experiment order.
                let gathered = problem.anchors
                problem.anchors = gathered
                let statistics = problem.continuationStatistics
                executor.finish()
                return gathered == anchors && statistics == serialStatistics ? numbers : []
            } catch {
                return [[Double.nan]]
            }
        }
        #expect(results[0] == expected)
        #expect(results.dropFirst().allSatisfy { $0 == nil })
    }

    @Test(arguments: [1, 2, 3])
    func assignmentIsDeterministicAndBalanced(ranks: Int) {
        let costs: [Double] = [190, 190, 190, 400, 190, 190, 400, 190, 50, 190, 190]
        let a = ExperimentAssignment(costs: costs, ranks: ranks)
        #expect(a == ExperimentAssignment(costs: costs, ranks: ranks))
        #expect(a.owners.allSatisfy { (0 ..< ranks).contains($0) })
        #expect((0 ..< ranks).flatMap(a.experiments(of:)).sorted() == Array(costs.indices))
        // Longest processing time first: no rank exceeds the average load by more than the largest cost.
        let average = costs.reduce(0, +) / Double(ranks)
        #expect(a.loads.max()! <= average + costs.max()!)
        #expect(abs(a.loads.reduce(0, +) - costs.reduce(0, +)) < 1e-9)
        // Equal costs: the counts differ by at most one.
        let even = ExperimentAssignment(costs: [Double](repeating: 1, count: 18), ranks: ranks)
        let counts = (0 ..< ranks).map { even.experiments(of: $0).count }
        #expect(counts.max()! - counts.min()! <= 1)
    }

    @Test(arguments: [1, 2, 3])
    func gatherReturnsEveryRankInRankOrder(ranks: Int) {
        let results = InProcessGroup.run(size: ranks) { world -> [[Double]] in
            let mine = (0 ... world.rank).map { Double(world.rank) + 0.1 * Double($0) }
            let theta = world.broadcast(world.rank == 0 ? [1.5, -2] : [], root: 0)
            return world.gather(mine + theta, root: 0)
        }
        let expected = (0 ..< ranks).map { r in (0 ... r).map { Double(r) + 0.1 * Double($0) } + [1.5, -2] }
        #expect(results[0] == expected)
        #expect(results.dropFirst().allSatisfy { $0.isEmpty })
    }

    /// Scripted experiments, one per rank at least, the one named "bad" failing above a = 2.
    static func scripted(_ failure: ScriptedExperiment.Failure) -> [any CalibrationExperiment] {
        [ScriptedExperiment(name: "e0", target: 1), ScriptedExperiment(name: "e1", target: 1.5),
         ScriptedExperiment(name: "bad", target: 2, failure: failure, above: 2), ScriptedExperiment(name: "e3", target: 0.5)]
    }

    static func scriptedSpace() throws -> ParameterSpace {
        try ParameterSpace([Parameter(name: "a", initial: 1, lower: -10, upper: 10)])
    }

    @Test(arguments: [1, 2, 3])
    func aFailedSolveOnAnyRankIsAFailedEvaluation(ranks: Int) throws {
        let outcomes = InProcessGroup.run(size: ranks) { world -> [String] in
            do {
                let problem = try CalibrationProblem(space: Self.scriptedSpace(), experiments: Self.scripted(.failedSolve))
                let executor = DistributedExecutor(communicator: world, experiments: problem.experiments, jobs: 1)
                problem.executor = executor
                guard world.rank == 0 else {
                    _ = try executor.serve(problem.experiments, names: ["a"])
                    return problem.experiments.map { "\(($0 as! ScriptedExperiment).evaluations)" }
                }
                let failed = try problem.objectiveFunction([3])      // 'bad' fails above 2
                let solved = try problem.objectiveFunction([1.25])   // and the run goes on
                executor.finish()
                return [failed == nil ? "failed" : "solved", solved.map { "\($0.value)" } ?? "nil"]
                    + problem.failures.map(\.experiment)
                    + problem.experiments.map { "\(($0 as! ScriptedExperiment).evaluations)" }
            } catch {
                return ["threw \(error)"]
            }
        }
        // ½ Σ (1.25 − tₑ)² for targets 1, 1.5, 2, 0.5.
        let value = 0.5 * [1.0, 1.5, 2, 0.5].reduce(0) { $0 + (1.25 - $1) * (1.25 - $1) }
        #expect(Array(outcomes[0].prefix(3)) == ["failed", "\(value)", "bad"])
        // Every experiment was evaluated at both points by the rank that owns it, and by no other.
        let assignment = ExperimentAssignment(costs: [1, 1, 1, 1], ranks: ranks)
        for e in 0 ..< 4 {
            let counts = (0 ..< ranks).map { r in Int(outcomes[r].suffix(4)[outcomes[r].suffix(4).startIndex + e])! }
            #expect(counts == (0 ..< ranks).map { $0 == assignment.owners[e] ? 2 : 0 }, "experiment \(e)")
        }
    }

    @Test(arguments: [1, 2, 3])
    func anErrorOnAnyRankReachesRankZeroWithItsMessage(ranks: Int) throws {
        for failure in [ScriptedExperiment.Failure.physicsError, .solverError] {
            let outcomes = InProcessGroup.run(size: ranks) { world -> String in
                do {
                    let problem = try CalibrationProblem(space: Self.scriptedSpace(), experiments: Self.scripted(failure))
                    let executor = DistributedExecutor(communicator: world, experiments: problem.experiments, jobs: 1)
                    problem.executor = executor
                    guard world.rank == 0 else { return "served, rank 0 sent \(try executor.serve(problem.experiments, names: ["a"]))" }
                    defer { executor.finish(exitCode: 2) }
                    do {
                        _ = try problem.residualFunction([3], true)
                        return "no error"
                    } catch let error as RemoteEvaluationError {
                        return "remote \(error.experiment) rank \(error.rank) solver \(error.isSolverFailure): \(error.message)"
                    } catch {
                        return "local \(type(of: error)): \(error)"
                    }
                } catch {
                    return "threw \(error)"
                }
            }
            let owner = ExperimentAssignment(costs: [1, 1, 1, 1], ranks: ranks).owners[2]
            if owner == 0 {
                // Rank 0's own experiment: the error itself, as in one process.
                #expect(outcomes[0].hasPrefix(failure == .physicsError ? "local PhysicsError" : "local SparseError"), "\(outcomes[0])")
            } else {
                #expect(outcomes[0].hasPrefix("remote bad rank \(owner) solver \(failure == .solverError)"), "\(outcomes[0])")
                if failure == .physicsError { #expect(outcomes[0].contains("scripted error at a = 3")) }
            }
            #expect(outcomes.dropFirst().allSatisfy { $0 == "served, rank 0 sent 2" })
        }
    }
}
