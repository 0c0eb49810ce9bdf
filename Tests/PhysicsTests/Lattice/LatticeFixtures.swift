import Foundation
import Physics

/// Independent reference formulas written directly in the tests (not through the library's kernels).
enum DirectSum {
    static func morse(_ r: Double, _ d: Double, _ alpha: Double, _ r0: Double) -> Double {
        let e = exp(-alpha * (r - r0))
        return d * (e * e - 2 * e)
    }

    static func morseSlope(_ r: Double, _ d: Double, _ alpha: Double, _ r0: Double) -> Double {
        let e = exp(-alpha * (r - r0))
        return d * (-2 * alpha * e * e + 2 * alpha * e)
    }

    static func switchValue(_ r: Double, _ inner: Double, _ outer: Double) -> Double {
        if r <= inner { return 1 }
        if r >= outer { return 0 }
        let x = (r - inner) / (outer - inner)
        return 1 - 10 * pow(x, 3) + 15 * pow(x, 4) - 6 * pow(x, 5)
    }

    static func switchSlope(_ r: Double, _ inner: Double, _ outer: Double) -> Double {
        if r <= inner || r >= outer { return 0 }
        let x = (r - inner) / (outer - inner)
        return (-30 * x * x + 60 * pow(x, 3) - 30 * pow(x, 4)) / (outer - inner)
    }

    /// Energy and gradient by a direct double sum over all pairs with minimum image (periodic axes).
    static func morseEnergyAndGradient(positions x: [Double], dimension d: Int, box: [Double], periodic: [Bool],
                                       theta: [Double], inner: Double, outer: Double) -> (Double, [Double]) {
        let n = x.count / d
        var energy = 0.0
        var gradient = [Double](repeating: 0, count: x.count)
        for i in 0 ..< n {
            for j in i + 1 ..< n {
                var delta = (0 ..< d).map { x[j * d + $0] - x[i * d + $0] }
                for k in 0 ..< d where periodic[k] { delta[k] -= box[k] * (delta[k] / box[k]).rounded() }
                let r = delta.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard r < outer else { continue }
                let phi = morse(r, theta[0], theta[1], theta[2]), s = switchValue(r, inner, outer)
                energy += phi * s
                let slope = morseSlope(r, theta[0], theta[1], theta[2]) * s + phi * switchSlope(r, inner, outer)
                for k in 0 ..< d {
                    gradient[j * d + k] += slope * delta[k] / r
                    gradient[i * d + k] -= slope * delta[k] / r
                }
            }
        }
        return (energy, gradient)
    }
}

/// A triangular Morse lattice, periodic along x, bottom row fixed, top row sheared by `shear` along x.
func shearedTriangularLattice(cells: [Int], shear: Double, periodicX: Bool = true) throws -> LatticeModel<Morse> {
    let lattice = try Lattice(kind: .triangular, cells: cells, latticeConstant: 1, periodic: [periodicX, false])
    return try LatticeModel(lattice: lattice, potential: Morse(), cutoff: try SmoothCutoff(inner: 1.5, outer: 1.9),
                            skin: 0.3, constraints: [.fixed("bottom", dimension: 2),
                                                     GroupConstraint(group: "top", components: [0: shear, 1: 0])])
}

let morseTheta = [1.0, 3.0, 1.0]

func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
