import AutoDiff
import Physics
import Sparse
import Testing

/// A bond whose `DofHyper` is declared over the wrong number of variables (it has 4 dofs).
private struct MisdeclaredBond: LocalEnergy {
    typealias Hyper = HyperJet<6, 21>
    typealias DofHyper = HyperJet<3, 6>
    static let dofCount = 4
    static let parameterCount = 2
    func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let dx = v[2] - v[0], dy = v[3] - v[1]
        let stretch = S.sqrt(dx * dx + dy * dy) - v.parameter(1)
        return 0.5 * v.parameter(0) * stretch * stretch
    }
}

/// `AutoDiffGroup` evaluates Newton's passes (no parameter derivative) in the term's `DofHyper`, over
/// the dofs alone, and the others in `Hyper`, over dofs and parameters.
@Suite struct DofHyperTests {
    let theta = [2.0, 1.0, 0.3]

    /// A sheared, perturbed bead-spring network (bonds: DofHyper<4, 10> against Hyper<6, 21>; angles:
    /// DofHyper<6, 21> against Hyper<7, 28>).
    func displacedNetwork() throws -> (BeadSpringNetwork, [Double]) {
        let net = try BeadSpringNetwork(columns: 7, rows: 5)
        var u = net.initialDisplacement(top: SIMD2(0.25, -0.1))
        for d in u.indices { u[d] += 0.05 * Double((d * 37) % 11 - 5) / 5 }
        return (net, u)
    }

    @Test func newtonPassOverTheDofsEqualsTheFullPassBitForBit() throws {
        // Forward mode computes each dof entry from the same dof entries of its operands whether or not
        // parameters are variables too: the same IEEE operations, so the results must be identical.
        let (net, u) = try displacedNetwork()
        let model = try net.model(automatic: true)
        let dofsAlone = try Assembler(model: model), full = try Assembler(model: model)
        try dofsAlone.evaluate(displacement: u, parameters: theta, needs: .newton)
        try full.evaluate(displacement: u, parameters: theta, needs: .all)
        #expect(dofsAlone.energy == full.energy)
        #expect(dofsAlone.gradient == full.gradient)
        #expect(Array(dofsAlone.hessian.values) == Array(full.hessian.values))
        // Not a trivial agreement: the state is loaded, and the .all pass also has parameter derivatives.
        #expect(dofsAlone.energy > 1e-3)
        #expect(full.parameterGradient.allSatisfy { $0 != 0 })
    }

    @Test func newtonPassAgreesWithTheHandWrittenGroups() throws {
        let (net, u) = try displacedNetwork()
        let automatic = try Assembler(model: try net.model(automatic: true))
        let handWritten = try Assembler(model: try net.model(automatic: false))
        try automatic.evaluate(displacement: u, parameters: theta, needs: .newton)
        try handWritten.evaluate(displacement: u, parameters: theta, needs: .newton)
        let scale = automatic.hessian.values.map(abs).max() ?? 0
        let difference = zip(automatic.hessian.values, handWritten.hessian.values).map { abs($0 - $1) }.max() ?? 0
        #expect(scale > 1 && difference <= 1e-13 * scale)
        let gradientScale = automatic.gradient.map(abs).max() ?? 0
        #expect(zip(automatic.gradient, handWritten.gradient).allSatisfy { abs($0 - $1) <= 1e-13 * gradientScale })
    }

    @Test func aMisdeclaredDofHyperIsRefusedNamingTheRightDeclaration() throws {
        let connectivity = Connectivity(uniformTermSize: 4, indices: [0, 1, 2, 3])
        do {
            _ = try AutoDiffGroup(name: "bonds", terms: [MisdeclaredBond()], connectivity: connectivity, parameterIndices: [0, 1])
            Issue.record("the group was made")
        } catch let error as PhysicsError {
            #expect("\(error)".contains("HyperJet<4, 10>"))
            #expect("\(error)".contains("DofHyper"))
        }
    }
}
