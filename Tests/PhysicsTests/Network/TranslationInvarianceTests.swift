import AutoDiff
import Foundation
import Physics
import Sparse
import Testing

/// The same term without the `TranslationInvariant` declaration: `AutoDiffGroup` evaluates it over all
/// its dofs (the full path), the reference for the reduced one.
private struct FullPath<Term: LocalEnergy>: LocalEnergy {
    typealias Hyper = Term.Hyper
    typealias DofHyper = Term.DofHyper
    static var dofCount: Int { Term.dofCount }
    static var parameterCount: Int { Term.parameterCount }
    let term: Term
    func energy<S: Real>(_ v: LocalVariables<S>) -> S { term.energy(v) }
}

/// A bond-angle term in space, ½k(cos θ − c₀)² with cos θ = a·b/(|a||b|), a = x₀ − x₁, b = x₂ − x₁:
/// three atoms of three coordinates, reduced from 9 to 6 dof variables.
private struct CosineAngle3D: TranslationInvariant {
    typealias Hyper = HyperJet<10, 55>
    typealias DofHyper = HyperJet<9, 45>
    typealias RelativeHyper = HyperJet<7, 28>
    typealias RelativeDofHyper = HyperJet<6, 21>
    static let spatialDimension = 3
    static let dofCount = 9
    static let parameterCount = 1
    let restCosine: Double
    func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let ax = v[0] - v[3], ay = v[1] - v[4], az = v[2] - v[5]
        let bx = v[6] - v[3], by = v[7] - v[4], bz = v[8] - v[5]
        let c = (ax * bx + ay * by + az * bz) / S.sqrt((ax * ax + ay * ay + az * az) * (bx * bx + by * by + bz * bz))
        return 0.5 * v.parameter(0) * S.square(c - restCosine)
    }
}

/// Declared invariant but tied to the origin: a bond plus a spring pulling its first atom to (0, 0).
private struct AnchoredBond: TranslationInvariant {
    typealias Hyper = HyperJet<5, 15>
    typealias DofHyper = HyperJet<4, 10>
    typealias RelativeDofHyper = HyperJet<2, 3>
    static let spatialDimension = 2
    static let dofCount = 4
    static let parameterCount = 1
    func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let dx = v[2] - v[0], dy = v[3] - v[1]
        return 0.5 * v.parameter(0) * (dx * dx + dy * dy + v[0] * v[0] + v[1] * v[1])
    }
}

/// Declared over the wrong number of variables: the relative jet of a 4-dof planar bond has 2.
private struct MisdeclaredRelativeBond: TranslationInvariant {
    typealias Hyper = HyperJet<5, 15>
    typealias RelativeDofHyper = HyperJet<3, 6>
    static let spatialDimension = 2
    static let dofCount = 4
    static let parameterCount = 1
    func energy<S: Real>(_ v: LocalVariables<S>) -> S { v.parameter(0) * S.sqrt(S.square(v[2] - v[0]) + S.square(v[3] - v[1])) }
}

private func maxAbs(_ a: [Double]) -> Double { a.map(abs).max() ?? 0 }
private func maxDifference(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

/// Translation-invariant terms are evaluated over every atom but the first; the first atom's derivatives
/// follow from the others'. Everything must agree with the full evaluation to round-off.
@Suite struct TranslationInvarianceTests {
    let theta = [2.0, 1.0, 0.3]

    /// The reduced and the full derivatives of one term: entries over atoms 1 … are the same IEEE
    /// operations in both (bit for bit); the first atom's are sums, equal to round-off.
    func expectAgreement(_ reduced: LocalTermDerivatives, _ full: LocalTermDerivatives, firstAtom d: Int) {
        let n = full.variableCount
        #expect(reduced.value == full.value)
        #expect(maxDifference(reduced.gradient, full.gradient) <= 1e-13 * maxAbs(full.gradient))
        #expect(maxDifference(reduced.hessianEntries, full.hessianEntries) <= 1e-13 * maxAbs(full.hessianEntries))
        for i in d ..< n {
            #expect(reduced.gradient[i] == full.gradient[i])
            for j in d ..< n { #expect(reduced.hessian(i, j) == full.hessian(i, j)) }
        }
        // Not trivially: the first atom's derivatives are there and not zero.
        #expect((0 ..< d).contains { full.gradient[$0] != 0 } && maxAbs(full.hessianEntries) > 0.01)
    }

    @Test func theDeclarationReachesGenericCode() {
        func dimension<T: LocalEnergy>(_: T.Type) -> Int { T.translationDimension }
        #expect(dimension(BeadAngle.self) == 2 && dimension(BeadBond.self) == 2 && dimension(CosineAngle3D.self) == 3)
        #expect(dimension(FullPath<BeadAngle>.self) == 0)
    }

    @Test func reducedDerivativesOfTheBeadTermsEqualTheFullOnes() throws {
        let angle = BeadAngle(restAngle: Double.pi / 3), x = [1.1, 0.15, 0.05, -0.1, 0.45, 0.95]
        expectAgreement(try angle.relativeDerivatives(dofs: x, parameters: [0.7]), try angle.derivatives(dofs: x, parameters: [0.7]),
                        firstAtom: 2)
        let bond = BeadBond(), y = [0.2, -0.3, 1.4, 0.5]
        expectAgreement(try bond.relativeDerivatives(dofs: y, parameters: [3, 1.1]), try bond.derivatives(dofs: y, parameters: [3, 1.1]),
                        firstAtom: 2)
    }

    @Test func reducedDerivativesInSpaceMatchFiniteDifferences() throws {
        let term = CosineAngle3D(restCosine: -0.3), k = 1.3
        let x = [1.0, 0.2, -0.1, 0.1, -0.05, 0.3, -0.2, 0.9, 0.6]
        let reduced = try term.relativeDerivatives(dofs: x, parameters: [k])
        expectAgreement(reduced, try term.derivatives(dofs: x, parameters: [k]), firstAtom: 3)
        // Central differences of the energy and of the reduced gradient (errors O(h²) ≈ 10⁻¹⁰).
        let h = 1e-5
        for i in 0 ..< 9 {
            var p = x, m = x
            p[i] += h
            m[i] -= h
            let fd = (try term.energy(dofs: p, parameters: [k]) - term.energy(dofs: m, parameters: [k])) / (2 * h)
            #expect(abs(reduced.dofGradient[i] - fd) <= 1e-8)
            let gp = try term.relativeDerivatives(dofs: p, parameters: [k]), gm = try term.relativeDerivatives(dofs: m, parameters: [k])
            for j in 0 ..< 9 { #expect(abs(reduced.dofHessian(i, j) - (gp.gradient[j] - gm.gradient[j]) / (2 * h)) <= 1e-7) }
            #expect(abs(reduced.mixed(dof: i, parameter: 0) - (gp.parameterGradient[0] - gm.parameterGradient[0]) / (2 * h)) <= 1e-8)
        }
        // The first atom's forces balance the others' (translation), and its Hessian rows sum to zero.
        for c in 0 ..< 3 {
            #expect(abs(reduced.gradient[c] + reduced.gradient[3 + c] + reduced.gradient[6 + c]) <= 1e-15)
            for j in 0 ..< 9 { #expect(abs(reduced.hessian(c, j) + reduced.hessian(3 + c, j) + reduced.hessian(6 + c, j)) <= 1e-14) }
        }
    }

    /// A sheared, perturbed bead-spring network, assembled with the reduced terms (as `BeadSpringNetwork`
    /// makes them) and with the same terms on the full path.
    @Test(arguments: [Needs.newton, Needs.all])
    func assemblyOnTheReducedPathEqualsTheFullPath(needs: Needs) throws {
        let net = try BeadSpringNetwork(columns: 7, rows: 5)
        var u = net.initialDisplacement(top: SIMD2(0.25, -0.1))
        for d in u.indices { u[d] += 0.05 * Double((d * 37) % 11 - 5) / 5 }
        let reduced = try net.model(automatic: true)
        let fullGroups: [any EnergyGroup] = [
            try AutoDiffGroup(name: "bonds", terms: [FullPath<BeadBond>](repeating: FullPath(term: BeadBond()), count: net.bonds.count),
                              connectivity: net.bondConnectivity, parameterIndices: [0, 1]),
            try AutoDiffGroup(name: "angles", terms: net.restAngles.map { FullPath(term: BeadAngle(restAngle: $0)) },
                              connectivity: net.angleConnectivity, parameterIndices: [2]),
        ]
        let full = Model(layout: reduced.layout, groups: fullGroups, parameterNames: BeadSpringNetwork.parameterNames)
        let a = try Assembler(model: reduced), b = try Assembler(model: full)
        try a.evaluate(displacement: u, parameters: theta, needs: needs)
        try b.evaluate(displacement: u, parameters: theta, needs: needs)
        #expect(abs(a.energy - b.energy) <= 1e-14 * b.energy && b.energy > 1e-3)
        #expect(maxDifference(a.gradient, b.gradient) <= 1e-13 * maxAbs(b.gradient) && maxAbs(b.gradient) > 1e-3)
        let matrixScale = maxAbs(Array(b.hessian.values))
        #expect(maxDifference(Array(a.hessian.values), Array(b.hessian.values)) <= 1e-13 * matrixScale && matrixScale > 1)
        if needs == .all {
            #expect(maxDifference(a.mixed, b.mixed) <= 1e-13 * maxAbs(b.mixed) && maxAbs(b.mixed) > 0.01)
            #expect(maxDifference(a.parameterGradient, b.parameterGradient) <= 1e-13 * maxAbs(b.parameterGradient))
            #expect(b.parameterGradient.allSatisfy { $0 != 0 })
        }
    }

    @Test func aTermThatIsNotInvariantIsRefusedAtItsFirstDerivativePass() throws {
        let connectivity = Connectivity(uniformTermSize: 4, indices: [0, 1, 2, 3])
        let group = try AutoDiffGroup(name: "anchored", terms: [AnchoredBond()], connectivity: connectivity, parameterIndices: [0])
        let model = Model(layout: try DofLayout(reference: [0.5, 0.2, 1.5, 0.2], prescribed: []), groups: [group], parameterNames: ["k"])
        let assembler = try Assembler(model: model)
        // At rest the gradient sums to k·x₀ ≠ 0; the Hessian columns sum to k even where the gradient would not tell.
        do {
            try assembler.evaluate(displacement: [0, 0, 0, 0], parameters: [1], needs: .newton)
            Issue.record("the misdeclared term was evaluated")
        } catch let error as PhysicsError {
            #expect("\(error)".contains("TranslationInvariant") && "\(error)".contains("anchored"))
        }
        // Energy alone needs no derivative and is unaffected.
        try assembler.evaluate(displacement: [0, 0, 0, 0], parameters: [1], needs: .energy)
        #expect(abs(assembler.energy - 0.5 * (1 + 0.29)) <= 1e-15)
    }

    @Test func aMisdeclaredRelativeJetIsRefusedNamingTheRightDeclaration() throws {
        let connectivity = Connectivity(uniformTermSize: 4, indices: [0, 1, 2, 3])
        do {
            _ = try AutoDiffGroup(name: "bonds", terms: [MisdeclaredRelativeBond()], connectivity: connectivity, parameterIndices: [0])
            Issue.record("the group was made")
        } catch let error as PhysicsError {
            #expect("\(error)".contains("RelativeDofHyper") && "\(error)".contains("HyperJet<2, 3>"))
        }
        #expect(throws: PhysicsError.self) { try MisdeclaredRelativeBond().relativeDerivatives(dofs: [0, 0, 1, 0], parameters: [1]) }
    }
}
