// When a neighbour list must be rebuilt: a bound on how close two unlisted atoms can have come, from
// their motion relative to a homogeneous deformation (Verlet skin rule, Allen & Tildesley, Computer
// Simulation of Liquids, 2nd ed., OUP 2017, §5.2, made relative).
//
// Write the motion of every atom since the list's anchor (the positions it was last known valid at)
// as a translation, a homogeneous deformation and a residual:
//
//     Δᵢ = c + A Xᵢ + δᵢ,        A fitted by least squares, its columns along periodic axes zero.
//
// Those columns must vanish because the periodic image of an atom moves exactly as the atom does (the
// box does not deform), so along a periodic axis a homogeneous field is no motion at all. A pair (i, j)
// missing from the list was at least r_c + a apart at the anchor under every image shift s (a, the
// allowance, is the skin for a freshly built list). Its separation now is
//
//     r = (I + A)(Xⱼ + s − Xᵢ) + δⱼ − δᵢ          (A s = 0 since s lies along periodic axes),
//
// so |r| ≥ σ_min(I + A)(r_c + a) − |δᵢ| − |δⱼ| ≥ σ_min(I + A)(r_c + a) − δ₍₁₎ − δ₍₂₎, with δ₍₁₎ ≥ δ₍₂₎ the
// two largest residual lengths. While that is at least r_c, no unlisted pair can be within the cutoff.
// The bound holds for any c and A, so the best of three is used: no motion removed (the classic rule,
// made exact with the two largest displacements), the mean translation removed, and the full fit.
// A rigid translation, a prescribed homogeneous stretch or shear of a slab (the affine start of a
// boundary-loaded lattice) and any motion in which neighbours move together pass the test; the plain
// rule (every |Δᵢ| below a/2) flags them all. σ_min of the 2 × 2 or 3 × 3 matrix I + A comes from the
// eigenvalues of (I + A)ᵀ(I + A) in closed form (Smith, Comm. ACM 4 (1961) 168, for 3 × 3).

import Foundation

/// The two largest of a stream of lengths.
private struct LargestTwo {
    var first = 0.0, second = 0.0
    var sum: Double { first + second }
    mutating func insert(_ r: Double) {
        if r > first {
            second = first
            first = r
        } else if r > second {
            second = r
        }
    }
}

/// The largest relative motion allowed by a list's allowance, measured against a fitted translation
/// and homogeneous deformation. O(N·d²) time, no allocation proportional to N.
struct RelativeMotion {
    /// Lower bound of |r| over pairs that were at least `separation` apart at `anchor`, the atoms now
    /// at `reference + displacement` (at `displacement` when `reference` is nil); −∞ for a non-finite position.
    static func closestApproach(anchor: UnsafeBufferPointer<Double>, reference: UnsafeBufferPointer<Double>?,
                                displacement: UnsafeBufferPointer<Double>, dimension d: Int, periodic: [Bool],
                                separation: Double) -> Double {
        @inline(__always) func current(_ index: Int) -> Double {
            if let reference { return reference[index] + displacement[index] }
            return displacement[index]
        }
        let n = anchor.count / d
        guard n > 0 else { return separation }
        let open = (0 ..< d).filter { !periodic[$0] }
        let m = open.count
        // Means of the reference coordinates along open axes and of the motion.
        var meanX = [Double](repeating: 0, count: 3), meanU = [Double](repeating: 0, count: 3)
        for i in 0 ..< n {
            for k in 0 ..< d {
                let x = anchor[i * d + k], u = current(i * d + k) - x
                guard u.isFinite else { return -.infinity }
                meanX[k] += x
                meanU[k] += u
            }
        }
        for k in 0 ..< d {
            meanX[k] /= Double(n)
            meanU[k] /= Double(n)
        }
        // Normal equations of the centred fit: Cxx A_kᵀ = Cxu_k over the open axes.
        var cxx = [Double](repeating: 0, count: 9), cxu = [Double](repeating: 0, count: 9)
        for i in 0 ..< n {
            for a in 0 ..< m {
                let xa = anchor[i * d + open[a]] - meanX[open[a]]
                for b in 0 ..< m { cxx[a * 3 + b] += xa * (anchor[i * d + open[b]] - meanX[open[b]]) }
                for k in 0 ..< d { cxu[a * 3 + k] += xa * (current(i * d + k) - anchor[i * d + k] - meanU[k]) }
            }
        }
        // A (d × d, row-major): column open[a] of row k.
        var gradient = [Double](repeating: 0, count: 9)
        if m > 0, let solved = solveSymmetric(cxx, cxu, size: m, columns: d) {
            for a in 0 ..< m { for k in 0 ..< d { gradient[k * 3 + open[a]] = solved[a * 3 + k] } }
        }
        // The bound holds for any translation and deformation: take the best of the raw motion (c = 0,
        // A = 0: never worse than the classic rule), the motion less its mean (A = 0) and the full fit.
        var raw = LargestTwo(), translated = LargestTwo(), fitted = LargestTwo()
        for i in 0 ..< n {
            var raw2 = 0.0, translated2 = 0.0, fitted2 = 0.0
            for k in 0 ..< d {
                let u = current(i * d + k) - anchor[i * d + k]
                var affine = meanU[k]
                for j in open { affine += gradient[k * 3 + j] * (anchor[i * d + j] - meanX[j]) }
                raw2 += u * u
                translated2 += (u - meanU[k]) * (u - meanU[k])
                fitted2 += (u - affine) * (u - affine)
            }
            raw.insert(raw2.squareRoot())
            translated.insert(translated2.squareRoot())
            fitted.insert(fitted2.squareRoot())
        }
        var deformation = gradient
        for k in 0 ..< d { deformation[k * 3 + k] += 1 }
        return max(separation - raw.sum, separation - translated.sum,
                   smallestSingularValue(deformation, dimension: d) * separation - fitted.sum)
    }

    /// Solves C X = B for a symmetric positive definite `size × size` C (rows of 3) and `columns`
    /// right-hand sides (rows of 3) by Gaussian elimination; nil when C is singular (atoms on a plane).
    static func solveSymmetric(_ c: [Double], _ b: [Double], size m: Int, columns: Int) -> [Double]? {
        var a = c, x = b
        let scale = (0 ..< m).map { a[$0 * 3 + $0] }.max() ?? 0
        for p in 0 ..< m {
            guard a[p * 3 + p] > 1e-12 * scale, scale > 0 else { return nil }
            for r in p + 1 ..< max(m, p + 1) {
                let f = a[r * 3 + p] / a[p * 3 + p]
                for q in p ..< m { a[r * 3 + q] -= f * a[p * 3 + q] }
                for k in 0 ..< columns { x[r * 3 + k] -= f * x[p * 3 + k] }
            }
        }
        for p in stride(from: m - 1, through: 0, by: -1) {
            for k in 0 ..< columns {
                var s = x[p * 3 + k]
                for q in p + 1 ..< max(m, p + 1) { s -= a[p * 3 + q] * x[q * 3 + k] }
                x[p * 3 + k] = s / a[p * 3 + p]
            }
        }
        return x
    }

    /// σ_min of a d × d matrix stored in rows of 3 (d ≤ 3): the square root of the smallest eigenvalue of MᵀM.
    static func smallestSingularValue(_ mat: [Double], dimension d: Int) -> Double {
        if d == 1 { return abs(mat[0]) }
        // G = MᵀM, symmetric d × d.
        var g = [Double](repeating: 0, count: 9)
        for a in 0 ..< d {
            for b in 0 ..< d {
                var s = 0.0
                for k in 0 ..< d { s += mat[k * 3 + a] * mat[k * 3 + b] }
                g[a * 3 + b] = s
            }
        }
        if d == 2 {
            let mean = (g[0] + g[4]) / 2, diff = (g[0] - g[4]) / 2
            let lambda = mean - (diff * diff + g[1] * g[1]).squareRoot()
            return max(lambda, 0).squareRoot()
        }
        // Symmetric 3 × 3 eigenvalues by the trigonometric method.
        let p1 = g[1] * g[1] + g[2] * g[2] + g[5] * g[5]
        let q = (g[0] + g[4] + g[8]) / 3
        if p1 == 0 { return max(min(g[0], g[4], g[8]), 0).squareRoot() }
        let p2 = (g[0] - q) * (g[0] - q) + (g[4] - q) * (g[4] - q) + (g[8] - q) * (g[8] - q) + 2 * p1
        let p = (p2 / 6).squareRoot()
        var b = g
        for k in 0 ..< 3 { b[k * 3 + k] -= q }
        for k in 0 ..< 9 { b[k] /= p }
        let detB = b[0] * (b[4] * b[8] - b[5] * b[7]) - b[1] * (b[3] * b[8] - b[5] * b[6]) + b[2] * (b[3] * b[7] - b[4] * b[6])
        let phi = acos(min(1, max(-1, detB / 2))) / 3
        let lambda = q + 2 * p * cos(phi + 2 * Double.pi / 3)
        return max(lambda, 0).squareRoot()
    }
}
