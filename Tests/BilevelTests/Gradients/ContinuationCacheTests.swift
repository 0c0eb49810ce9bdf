@testable import Bilevel
import Foundation
import Physics
import Testing

/// The anchors and the first-order predictor of continuation.
@Suite struct ContinuationCacheTests {
    /// Three dofs, the middle one prescribed.
    let layout = try! DofLayout(reference: [0, 1, 2], prescribed: [1])

    @Test func thePredictorMovesTheUnknownsBySΔθAndKeepsThePrescribedValues() {
        // S columns (unknowns × parameters): ∂u/∂θ₀ = (1, 2), ∂u/∂θ₁ = (−1, 0.5).
        let anchor = ContinuationAnchor(theta: [2, 3], displacement: [0.1, 9, 0.2], sensitivities: [1, 2, -1, 0.5])
        let (u, move) = ContinuationCache.predict(from: anchor, theta: [2.5, 2], initial: [0, 0.7, 0], layout: layout)
        // Δθ = (0.5, −1): Δu = (0.5 + 1, 1 − 0.5) = (1.5, 0.5).
        #expect(zip(u, [1.6, 0.7, 0.7]).allSatisfy { abs($0 - $1) < 1e-15 }, "\(u)")
        #expect(move == 1.5)
        let (distance, scale) = ContinuationCache.distance(u, [1.6, 0.7, 0.2], layout: layout)
        #expect(abs(distance - 0.5) < 1e-15 && abs(scale - 2.2) < 1e-15)
    }

    @Test func theNearestAnchorInRelativeDistanceIsChosenAndOldOnesAreDropped() {
        var cache = ContinuationCache()
        for (k, theta) in [[1.0, 100], [1.5, 100], [1.0, 150]].enumerated() {
            cache.insert(ContinuationAnchor(theta: theta, displacement: [Double(k)], sensitivities: []), keeping: 2)
        }
        #expect(cache.anchors.map(\.displacement) == [[2], [1]], "the oldest is dropped, the newest first")
        // θ = (1.4, 148): relative distances 0.4²/1.5²… to (1.5, 100) vs 0.4² + (2/150)² to (1.0, 150).
        #expect(cache.nearest(to: [1.4, 102])?.displacement == [1])
        #expect(cache.nearest(to: [1.05, 149])?.displacement == [2])
    }
}
