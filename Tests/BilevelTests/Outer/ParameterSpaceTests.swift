import Bilevel
import Foundation
import Testing

@Suite("Parameter space")
struct ParameterSpaceTests {
    static func space() throws -> ParameterSpace {
        try ParameterSpace([
            Parameter(name: "D", initial: 2.0, lower: 0.1, upper: 10, transform: .log),
            Parameter.fixed("r0", value: 1.5),
            Parameter(name: "alpha", initial: -0.5, lower: -1, upper: 1),
            Parameter(name: "E", initial: 3e9, lower: 1e8, upper: .infinity, transform: .log,
                      prior: GaussianPrior(mean: 2.5e9, standardDeviation: 5e8)),
        ])
    }

    @Test func freeParametersAndTransformedBounds() throws {
        let s = try Self.space()
        #expect(s.count == 4 && s.freeCount == 3)
        #expect(s.freeNames == ["D", "alpha", "E"])
        #expect(s.freeIndices == [0, 2, 3])
        #expect(s.transformedName(ofFree: 0) == "log D" && s.transformedName(ofFree: 1) == "alpha")
        #expect(s.lowerTransformed == [log(0.1), -1, log(1e8)])
        #expect(s.upperTransformed == [log(10), 1, .infinity])
        #expect(s.initialTransformed == [log(2.0), -0.5, log(3e9)])
        #expect(try s.index(of: "alpha") == 2)
    }

    @Test func roundTripsBetweenPhysicalAndTransformed() throws {
        let s = try Self.space()
        let theta = [3.0, 99.0, 0.25, 4e9]
        let z = try s.transformed(from: theta)
        let back = try s.physical(from: z)
        #expect(abs(back[0] - 3) < 1e-15 * 3 && back[2] == 0.25 && abs(back[3] - 4e9) < 1e-15 * 4e9)
        #expect(back[1] == 1.5, "a fixed parameter keeps its initial value, whatever θ said")
        let z2 = [0.3, -0.7, 21.0]
        let again = try s.transformed(from: try s.physical(from: z2))
        for k in 0 ..< 3 { #expect(abs(again[k] - z2[k]) <= 1e-15 * max(1, abs(z2[k]))) }
    }

    @Test func chainRuleForGradientsJacobiansAndCovariance() throws {
        let s = try Self.space()
        let z = [log(2.0), 0.1, log(3e9)]
        // L(θ) = D² + 3 α r0 + log E; compare ∇_z with central differences of L(θ(z)).
        func loss(_ theta: [Double]) -> Double { theta[0] * theta[0] + 3 * theta[2] * theta[1] + log(theta[3]) }
        let gTheta: [Double] = { let t = try! s.physical(from: z); return [2 * t[0], 3 * t[2], 3 * t[1], 1 / t[3]] }()
        let gz = try s.gradientInTransformed(gTheta, at: z)
        let fd = FiniteDifference.gradient(of: { loss(try! s.physical(from: $0)) }, at: z)
        for k in 0 ..< 3 { #expect(abs(gz[k] - fd[k]) <= 1e-7 * max(1, abs(fd[k]))) }

        let jTheta = DenseMatrix(rowArrays: [[1, 2, 3, 4], [5, 6, 7, 8]])
        let jz = try s.jacobianInTransformed(jTheta, at: z)
        #expect(jz.rows == 2 && jz.columns == 3)
        #expect(abs(jz[1, 0] - 5 * 2.0) < 1e-12 && jz[1, 1] == 7 && abs(jz[0, 2] - 4 * 3e9) < 1e-3)

        let sigmaZ = DenseMatrix(rowArrays: [[0.04, 0.01, 0], [0.01, 0.09, 0], [0, 0, 0.01]])
        let sigmaTheta = try s.covarianceInPhysical(sigmaZ, at: z)
        #expect(abs(sigmaTheta[0, 0] - 0.04 * 4) < 1e-14 && abs(sigmaTheta[0, 1] - 0.01 * 2) < 1e-15)
        #expect(sigmaTheta[1, 1] == 0.09 && abs(sigmaTheta[2, 2] - 0.01 * 9e18) < 1e3)
    }

    @Test func everyValidationErrorNamesTheParameterAndTheRemedy() throws {
        let cases: [(Parameter, ParameterError, [String])] = [
            (Parameter(name: " ", initial: 1), .emptyName, ["empty name", "unique"]),
            (Parameter(name: "k", initial: .nan), .notFinite(parameter: "k", field: "initial value", value: .nan), ["'k'", "finite"]),
            (Parameter(name: "k", initial: .infinity), .notFinite(parameter: "k", field: "initial value", value: .infinity), ["'k'"]),
            (Parameter(name: "k", initial: 1, lower: .infinity), .notFinite(parameter: "k", field: "lower bound", value: .infinity), ["lower bound"]),
            (Parameter(name: "k", initial: 1, lower: 2, upper: 1), .emptyBounds(parameter: "k", lower: 2, upper: 1), ["'k'", "swap or widen"]),
            (Parameter(name: "k", initial: 1, lower: 1, upper: 1), .emptyBounds(parameter: "k", lower: 1, upper: 1), ["mark the parameter fixed"]),
            (Parameter(name: "k", initial: 5, lower: 0, upper: 1), .initialOutsideBounds(parameter: "k", initial: 5, lower: 0, upper: 1),
             ["'k'", "move the initial value"]),
            (Parameter(name: "k", initial: 1, lower: 0, upper: 2, transform: .log),
             .logTransformNeedsPositiveLowerBound(parameter: "k", lower: 0), ["'k'", "positive lower bound"]),
            (Parameter(name: "k", initial: 1, prior: GaussianPrior(mean: 1, standardDeviation: 0)),
             .nonPositivePriorDeviation(parameter: "k", standardDeviation: 0), ["'k'", "positive"]),
            (Parameter(name: "k", initial: 1, prior: GaussianPrior(mean: 1, standardDeviation: -2)),
             .nonPositivePriorDeviation(parameter: "k", standardDeviation: -2), ["remove the prior"]),
        ]
        for (parameter, expected, phrases) in cases {
            let error = #expect(throws: ParameterError.self) { try ParameterSpace([parameter]) }
            if case .notFinite = expected { } else { #expect(error == expected) }
            for phrase in phrases { #expect(error?.description.contains(phrase) == true, "\(error?.description ?? "") lacks \(phrase)") }
        }
        let duplicate = #expect(throws: ParameterError.self) {
            try ParameterSpace([Parameter(name: "D", initial: 1), Parameter(name: "D", initial: 2)])
        }
        #expect(duplicate == .duplicateName("D"))
        #expect(duplicate?.description.contains("defined more than once") == true)
        #expect(Parameter.fixed("r0", value: 1).validationError() == nil, "fixed parameters may have lower == upper")
    }

    @Test func vectorErrorsAreTyped() throws {
        let s = try Self.space()
        #expect(throws: ParameterError.dimensionMismatch(what: "transformed vector z", expected: 3, found: 2)) { try s.physical(from: [0, 0]) }
        let negative = #expect(throws: ParameterError.self) { try s.transformed(from: [-1, 1.5, 0, 1e9]) }
        #expect(negative == .nonPositiveValueForLog(parameter: "D", value: -1))
        #expect(negative?.description.contains("must be positive") == true)
        #expect(throws: ParameterError.unknownName("Q")) { try s.index(of: "Q") }
        #expect(ParameterError.unknownName("Q").description.contains("check the spelling"))
    }

    @Test func codableRoundTripValidatesOnDecode() throws {
        let s = try Self.space()
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(s)
        #expect(try decoder.decode(ParameterSpace.self, from: data) == s)
        let bad = Data(#"{"parameters":[{"name":"k","initial":5,"lower":0,"upper":1,"transform":"identity","isFixed":false}]}"#.utf8)
        #expect(throws: ParameterError.self) { try decoder.decode(ParameterSpace.self, from: bad) }
    }

    @Test func priorResidualsAndTheirJacobianRows() throws {
        let s = try Self.space()
        let z = [log(2.0), 0.2, log(3.5e9)]
        let prior = try s.priorResiduals(at: z)
        #expect(s.priorCount == 1 && prior.names == ["E"])
        #expect(abs(prior.residuals[0] - (3.5e9 - 2.5e9) / 5e8) < 1e-12)
        let fd = FiniteDifference.jacobian(of: { try! s.priorResiduals(at: $0).residuals }, at: z)
        for k in 0 ..< 3 { #expect(abs(prior.jacobian[0, k] - fd[0, k]) <= 1e-6 * max(1, abs(fd[0, k]))) }

        let data: ResidualFunction = { z, _ in
            ResidualEvaluation(residuals: [z[1]], jacobian: DenseMatrix(rowArrays: [[0, 1, 0]]))
        }
        let augmented = s.withPrior(data)
        let e = try #require(try augmented(z, true))
        #expect(e.residuals.count == 2 && e.residuals[1] == prior.residuals[0])
        #expect(e.jacobian?.rows == 2 && e.jacobian?.row(1) == prior.jacobian.row(0))
        let failing = s.withPrior { _, _ in nil }
        #expect(try failing(z, true) == nil, "a failed inner solve stays a failure")
    }
}
