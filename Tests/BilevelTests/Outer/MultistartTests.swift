import Bilevel
import Foundation
import Testing

@Suite("Multistart")
struct MultistartTests {
    @Test func latinHypercubePointsFillEveryStratumOnceAndRepeat() throws {
        let bounds = try BoxBounds(lower: [0, -3, 10], upper: [1, 3, 20])
        let points = try LatinHypercube.points(count: 7, in: bounds, seed: 42)
        #expect(points.count == 7)
        for i in 0 ..< 3 {
            let width = (bounds.upper[i] - bounds.lower[i]) / 7
            let strata = points.map { Int((($0[i] - bounds.lower[i]) / width).rounded(.down)) }
            #expect(Set(strata) == Set(0 ..< 7), "coordinate \(i): strata \(strata)")
        }
        #expect(try LatinHypercube.points(count: 7, in: bounds, seed: 42) == points)
        #expect(try LatinHypercube.points(count: 7, in: bounds, seed: 43) != points)
        #expect(throws: OptimizerError.self) { try LatinHypercube.points(count: 3, in: .unbounded(2), seed: 1) }
    }

    @Test func minimaAreGroupedAndTheLowestConvergedIsBest() throws {
        // f = (z² − 1)² has minima at ±1; starts on either side end there.
        let f: ObjectiveFunction = { z in
            ObjectiveEvaluation(value: (z[0] * z[0] - 1) * (z[0] * z[0] - 1) + 0.1 * z[0], gradient: [4 * z[0] * (z[0] * z[0] - 1) + 0.1])
        }
        let bounds = try BoxBounds(lower: [-2], upper: [2])
        let results = try [-1.5, 1.5, -0.7, 0.8].map { try BoundedLBFGS().minimize(f, from: [$0], bounds: bounds) }
        let minima = Multistart.distinctMinima(results, scales: [1])
        #expect(minima.count == 2)
        // Grouped by where each run ended (a long first step can carry a start into the other basin).
        let left = results.indices.filter { results[$0].z[0] < 0 }, right = results.indices.filter { results[$0].z[0] > 0 }
        #expect(!left.isEmpty && !right.isEmpty, "\(results.map(\.z))")
        #expect(minima[0].z[0] < 0 && minima[0].starts == left, "\(minima)")   // the tilt makes −1 the lower one
        #expect(minima[1].z[0] > 0 && minima[1].starts == right)
        #expect(Multistart.best(results).map { results[$0].z[0] < 0 } == true)
        // Start numbers given explicitly (a skipped start leaves a gap) are the ones reported.
        let numbered = Multistart.distinctMinima(results, starts: [0, 2, 3, 5], scales: [1])
        #expect(numbered[0].starts == left.map { [0, 2, 3, 5][$0] } && numbered[1].starts == right.map { [0, 2, 3, 5][$0] })
    }
}
