import Bilevel
import Foundation
import Physics
import Reports
import Sparse

/// The documented example of issue 4: on a small sheared lattice, the gradient of a misfit obtained by
/// unrolling K iterations of damped gradient descent converges to the implicit gradient with error
/// ~ρᴷ, while its memory grows like K. Writes JSON lines and two SVG plots into `directory`.
enum UnrolledExample {
    static func run(directory: String) throws {
        // Two vacancies make the relaxed field depend on the potential (a perfect lattice under affine
        // boundary displacements relaxes to the affine field whatever the parameters).
        let lattice = try Lattice(kind: .triangular, cells: [8, 6], latticeConstant: 1, periodic: [true, false])
            .removingAtoms([2 * 8 * 3 + 8, 2 * 8 * 3 + 9])
        let model = try LatticeModel(lattice: lattice, potential: Morse(), cutoff: try SmoothCutoff(inner: 1.2, outer: 1.6),
                                     constraints: [.fixed("bottom", dimension: 2), GroupConstraint(group: "top", components: [0: 0.2, 1: 0.1])])
        let theta = [1.0, 3.0, 1.0]
        let solver = try Equilibrium(model: try model.makeModel())
        let result = try solver.solve(parameters: theta, initial: model.initialDisplacement(displacementGradient: [0, 0.02, 0, 0.01]))
        let n = model.layout.unknownCount
        // L = ½ Σ (u_i − d_i)² over all unknowns against a made-up target: ∂L/∂u = u − d.
        let u = model.layout.gather(result.displacement)
        let dLdu = u.indices.map { u[$0] - 0.01 * sin(Double($0)) }
        let linearization = try Linearization(solver: solver, result: result, parameters: theta)
        let implicit = try ImplicitGradient.adjoint(linearization, dLdu: dLdu, dLdtheta: [0, 0, 0])
        let eigen = try SymmetricEigen(symmetric: solver.assembler.hessian.dense(), dimension: n)
        let eta = 1 / eigen.eigenvalues.last!, rho = 1 - eta * eigen.eigenvalues.first!
        let norm = implicit.map { $0 * $0 }.reduce(0, +).squareRoot()
        var ks: [Double] = [], errors: [Double] = [], predicted: [Double] = [], memory: [Double] = []
        for k in stride(from: 0, through: 2000, by: 100).map({ max($0, 1) }) {
            let unrolled = try UnrolledGradient.gradient(solver: solver, displacement: result.displacement, parameters: theta,
                                                         steps: k, stepSize: eta, dLdu: dLdu, dLdtheta: [0, 0, 0])
            var squared = 0.0
            for (a, b) in zip(unrolled.gradient, implicit) { squared += (a - b) * (a - b) }
            let error = squared.squareRoot() / norm
            ks.append(Double(k))
            errors.append(error)
            predicted.append(pow(rho, Double(k)))
            memory.append(Double(unrolled.memoryBytes) / 1e6)
            Measurement.emit(["example": "unrolled-gradient", "K": k, "relative_error": error, "rho_to_K": pow(rho, Double(k)),
                              "unrolled_memory_mb": Double(unrolled.memoryBytes) / 1e6,
                              "implicit_memory_mb": Double(n * MemoryLayout<Double>.stride) / 1e6])
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let errorPlot = try SVGPlot.linePlot(
            x: ks, series: [("unrolled vs implicit", errors), ("ρᴷ, ρ = 1 − λmin/λmax", predicted)],
            title: "Unrolled gradient error against iterations K", xAxis: PlotAxis("unrolled iterations K"),
            yAxis: PlotAxis("relative error", scale: .log10), markers: true)
        _ = try errorPlot.write(to: directory + "/unrolled-error.svg")
        let implicitMemory = Double(n * MemoryLayout<Double>.stride) / 1e6
        let memoryPlot = try SVGPlot.linePlot(
            x: ks, series: [("unrolled (stores K states)", memory), ("implicit (one adjoint vector)", ks.map { _ in implicitMemory })],
            title: "Memory of the gradient computation", xAxis: PlotAxis("unrolled iterations K"),
            yAxis: PlotAxis("memory", unit: "MB", scale: .log10), markers: true)
        _ = try memoryPlot.write(to: directory + "/unrolled-memory.svg")
    }
}
