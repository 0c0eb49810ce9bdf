import AutoDiff
import Foundation
@testable import Physics
import Sparse
import Testing

/// A small poroelastic problem with every kind of boundary condition, in units of order one.
func smallPoroelasticProblem(columns: Int = 2, rows: Int = 1, law: PermeabilityLaw = .constant) throws -> PoroelasticModel {
    let mesh = try TriangleMesh.rectangle(width: 2, height: 1, columns: columns, rows: rows, gradingX: 0.7)
    let material = PoroMaterial(youngsModulus: 3, poissonRatio: 0.3, biotCoefficient: 0.8, biotModulus: 5,
                                mobility: 0.7, permeabilityLaw: law)
    return try PoroelasticModel(mesh: mesh, materials: ["domain": material], conditions: [
        .roller("bottom", component: 1), .roller("left", component: 0), .drained(boundary: "top", pressure: 0.1),
        .traction(boundary: "top", traction: SIMD2(0.2, -1), history: .ramp(start: 0, duration: 2)),
        .rigidPlate(boundary: "right", component: 0, force: -0.3, history: .constant),
    ])
}

/// A deterministic, non-trivial vector.
func poroWiggle(_ count: Int, _ seed: Double) -> [Double] {
    (0 ..< count).map { (i: Int) -> Double in
        let x = Double(i)
        let a: Double = 0.1 * sin(1.7 * x + seed)
        return a + 0.05 * cos(0.3 * x * x + seed)
    }
}

@Suite struct TaylorHoodElementTests {
    let theta = [3.0, 0.3, 0.8, 5.0, 0.7]
    let geometry = TaylorHoodGeometry(SIMD2(0.1, -0.2), SIMD2(1.3, 0.1), SIMD2(0.4, 0.9))

    /// Automatic derivatives of `TaylorHoodElement` over all 35 local variables.
    func automatic(_ term: TaylorHoodElement, _ x: [Double]) -> HyperJet<35, 630> {
        let local = UnsafeMutablePointer<HyperJet<35, 630>>.allocate(capacity: 35)
        defer { local.deallocate() }
        for i in 0 ..< 30 { local[i] = HyperJet(x[i], variable: i) }
        for j in 0 ..< 5 { local[30 + j] = HyperJet(theta[j], variable: 30 + j) }
        return term.energy(LocalVariables(base: local, dofCount: 15, historyCount: 15))
    }

    @Test(arguments: [PermeabilityLaw.constant, .kozenyCarman(referencePorosity: 0.3)])
    func handWrittenDerivativesEqualAutomaticOnes(law: PermeabilityLaw) throws {
        var connectivity = Connectivity()
        connectivity.append((0 ..< 15).map { Int32($0) })
        let group = try TaylorHoodGroup(name: "one", connectivity: connectivity, geometries: [geometry],
                                        parameterIndices: Array(0 ..< 5), parameterNames: PoroMaterial.parameterBaseNames,
                                        timeStep: 0.4, permeability: law)
        var x = poroWiggle(30, 0.5)
        for a in 15 ..< 27 { x[a] *= 0.1 }  // previous strains of a few per cent: porosity stays positive
        let hand = group.localDerivatives(element: 0, variables: x, parameters: theta)
        let ad = automatic(TaylorHoodElement(geometry: geometry, timeStep: 0.4, permeability: law), x)
        #expect(abs(hand.value - ad.value) <= 1e-13 * max(1, abs(ad.value)))
        let gScale = (0 ..< 35).map { abs(ad.derivative($0)) }.max()!
        for i in 0 ..< 35 { #expect(abs(hand.gradient[i] - ad.derivative(i)) <= 1e-12 * gScale, "gradient \(i)") }
        var hScale = 0.0
        for i in 0 ..< 35 { for j in 0 ..< 35 { hScale = max(hScale, abs(ad.secondDerivative(i, j))) } }
        var worst = 0.0
        for i in 0 ..< 35 {
            for j in 0 ..< 35 { worst = max(worst, abs(hand.hessian[35 * i + j] - ad.secondDerivative(i, j))) }
        }
        #expect(worst <= 1e-12 * hScale, "largest Hessian difference \(worst) of \(hScale)")
    }

    @Test func linearFieldsAreReproducedExactly() throws {
        // Consistency of the element: a linear displacement and pressure give the exact strain energy
        // and coupling, whatever the triangle (integrands of degree ≤ 2 and the 3-point rule).
        let e = theta[0], nu = theta[1], alpha = theta[2]
        let lambda = e * nu / ((1 + nu) * (1 - 2 * nu)), g = e / (2 * (1 + nu))
        let (exx, eyy, exy, p) = (0.01, -0.02, 0.005, 0.3)
        let a = SIMD2(0.1, -0.2), b = SIMD2(1.3, 0.1), c = SIMD2(0.4, 0.9)
        let nodes = [a, b, c, 0.5 * (a + b), 0.5 * (b + c), 0.5 * (c + a)]
        var x = [Double](repeating: 0, count: 30)
        for (k, n) in nodes.enumerated() { x[2 * k] = exx * n.x + exy * n.y; x[2 * k + 1] = exy * n.x + eyy * n.y }
        for i in 0 ..< 3 { x[12 + i] = p }
        let r = automatic(TaylorHoodElement(geometry: geometry, timeStep: 0.4), x)
        let density = 0.5 * lambda * (exx + eyy) * (exx + eyy) + g * (exx * exx + eyy * eyy + 2 * exy * exy)
            - alpha * p * (exx + eyy) - p * p / (2 * theta[3])
        #expect(abs(r.value - geometry.area * density) <= 1e-14)
    }

    @Test(arguments: [PermeabilityLaw.constant, .kozenyCarman(referencePorosity: 0.3)])
    func handWrittenAndAutomaticModelsAssembleTheSame(law: PermeabilityLaw) throws {
        let problem = try smallPoroelasticProblem(law: law)
        let hand = try Assembler(model: problem.makeModel(timeStep: 0.4))
        let auto = try Assembler(model: problem.makeModel(timeStep: 0.4, differentiation: .automatic))
        let n = hand.unknownCount, dofs = problem.layout.dofCount
        let x = poroWiggle(dofs, 1.1), previous = poroWiggle(dofs, 2.3).map { 0.1 * $0 }
        let lambda = poroWiggle(n, 0.7)
        let theta = problem.initialParameters
        for a in [hand, auto] {
            a.history = previous
            a.time = 1
            try a.evaluate(displacement: x, parameters: theta, needs: .all)
        }
        func close(_ u: [Double], _ v: [Double], _ what: String) {
            let scale = v.map(abs).max() ?? 0
            let worst = zip(u, v).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-12 * max(scale, 1e-300), "\(what): \(worst) of \(scale)")
        }
        #expect(abs(hand.energy - auto.energy) <= 1e-13 * abs(auto.energy))
        close(hand.gradient, auto.gradient, "gradient")
        close(hand.hessian.dense(), auto.hessian.dense(), "Hessian")
        close(hand.mixed, auto.mixed, "mixed derivatives")
        close(hand.parameterGradient, auto.parameterGradient, "parameter gradient")
        try hand.historyCouplingProduct(displacement: x, parameters: theta, adjoint: lambda)
        try auto.historyCouplingProduct(displacement: x, parameters: theta, adjoint: lambda)
        close(hand.historyProduct, auto.historyProduct, "history coupling")
    }

    @Test func stepMatrixIsSymmetricQuasiDefinite() throws {
        // Inertia: as many negative eigenvalues as pressure unknowns, the rest positive.
        let problem = try smallPoroelasticProblem(columns: 3, rows: 2)
        for dt in [0.0, 0.4] {
            let a = try Assembler(model: problem.makeModel(timeStep: dt))
            try a.evaluate(displacement: problem.prescribedDisplacement(at: 1), parameters: problem.initialParameters, needs: .newton)
            let eigen = try SymmetricEigen(symmetric: a.hessian.dense(), dimension: a.unknownCount)
            let pressures = problem.pressureDofs.filter { !problem.layout.isPrescribed(Int($0)) }.count
            #expect(eigen.eigenvalues.filter { $0 < 0 }.count == pressures)
            #expect(eigen.eigenvalues.allSatisfy { abs($0) > 1e-10 })
        }
    }

    @Test func kozenyCarmanHistoryCouplingMatchesFiniteDifferences() throws {
        // The adjoint of a time-stepped run needs C = ∂²Π/∂x∂x⁻, which for Kozeny–Carman includes the
        // permeability's dependence on the previous strain: (Cᵀλ)_d against λ · (g(x⁻ + h e_d) − g(x⁻ − h e_d))/2h.
        let problem = try smallPoroelasticProblem(law: .kozenyCarman(referencePorosity: 0.3))
        let a = try Assembler(model: problem.makeModel(timeStep: 0.4))
        let dofs = problem.layout.dofCount, theta = problem.initialParameters
        var previous = poroWiggle(dofs, 2.3).map { 0.1 * $0 }
        var x = poroWiggle(dofs, 1.1)
        problem.applyPrescribed(to: &x, at: 1)
        let lambda = poroWiggle(a.unknownCount, 0.4)
        a.history = previous
        try a.historyCouplingProduct(displacement: x, parameters: theta, adjoint: lambda)
        let product = a.historyProduct
        let step = 1e-6
        var worst = 0.0, scale = 0.0
        for d in 0 ..< dofs {
            let saved = previous[d]
            previous[d] = saved + step
            a.history = previous
            try a.evaluate(displacement: x, parameters: theta, needs: .gradient)
            let gp = a.gradient
            previous[d] = saved - step
            a.history = previous
            try a.evaluate(displacement: x, parameters: theta, needs: .gradient)
            previous[d] = saved
            let fd = zip(lambda, zip(gp, a.gradient)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) / (2 * step) }
            worst = max(worst, abs(product[d] - fd))
            scale = max(scale, abs(fd))
        }
        #expect(worst <= 1e-7 * scale, "history coupling differs by \(worst) of \(scale)")
    }
}
