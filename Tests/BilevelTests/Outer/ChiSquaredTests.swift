import Bilevel
import Foundation
import Testing

@Suite("χ² tail probabilities")
struct ChiSquaredTests {
    @Test func closedFormsForEvenAndTwoDegreesOfFreedom() {
        // ν = 2: P(X ≥ x) = e^{−x/2}; ν = 4: (1 + x/2) e^{−x/2}.
        for x in [0.01, 0.5, 1, 3, 10, 40, 200] {
            #expect(abs(ChiSquared.upperTail(x, degreesOfFreedom: 2) - exp(-x / 2)) <= 1e-14 * max(exp(-x / 2), 1e-300) + 1e-300)
            let four = (1 + x / 2) * exp(-x / 2)
            #expect(abs(ChiSquared.upperTail(x, degreesOfFreedom: 4) - four) <= 1e-13 * four)
        }
    }

    @Test func oneDegreeOfFreedomIsTheNormalTail() {
        // ν = 1: P(X ≥ z²) = 2 Φ(−z); at z = 1.959963984540054 that is 0.05.
        let z = 1.959963984540054
        #expect(abs(ChiSquared.upperTail(z * z, degreesOfFreedom: 1) - 0.05) < 1e-13)
    }

    @Test func tablesForManyDegreesOfFreedom() {
        // Upper 5% and 0.1% points (Abramowitz & Stegun, Table 26.8): χ²₀.₀₅(30) = 43.773, χ²₀.₀₀₁(100) = 149.449.
        #expect(abs(ChiSquared.upperTail(43.773, degreesOfFreedom: 30) - 0.05) < 1e-4)
        #expect(abs(ChiSquared.upperTail(149.449, degreesOfFreedom: 100) - 0.001) < 1e-5)
        // The run: χ²/dof = 1.97 at 447 degrees of freedom lies far in the tail.
        #expect(ChiSquared.upperTail(1.97 * 447, degreesOfFreedom: 447) < 1e-25)
        #expect(ChiSquared.upperTail(0, degreesOfFreedom: 3) == 1)
    }
}
