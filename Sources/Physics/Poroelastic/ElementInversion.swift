// Inverted elements of a deformed mesh.
//
// A state of the material maps every element to a region of positive area. For a straight-sided
// 6-node triangle the deformed element is tested on its four sub-triangles (v₀ m₀₁ m₂₀, m₀₁ v₁ m₁₂,
// m₂₀ m₁₂ v₂, m₀₁ m₁₂ m₂₀), the standard split of a P2 triangle into P1 pieces: a fold of the element
// turns at least one of them over. The signed area of the deformed sub-triangle abc is
// ½ ((b − a) × (c − a)), counter-clockwise positive like the mesh.

extension PoroelasticModel {
    /// The first element whose deformed shape under `displacement` (full dof vector) has a sub-triangle
    /// of zero or negative area, or nil when every element keeps its orientation.
    public func firstInvertedTriangle(displacement u: [Double]) -> Int? {
        func position(_ node: Int32) -> SIMD2<Double> {
            let n = Int(node)
            return mesh.points[n] + SIMD2(u[displacementDof(node: n, component: 0)], u[displacementDof(node: n, component: 1)])
        }
        func area(_ a: SIMD2<Double>, _ b: SIMD2<Double>, _ c: SIMD2<Double>) -> Double {
            let e = b - a, f = c - a
            return 0.5 * (e.x * f.y - e.y * f.x)
        }
        // No allocation per element: it runs on every state of every evaluation.
        for t in 0 ..< mesh.triangleCount {
            let base = 6 * t
            let v0 = position(mesh.triangles[base]), v1 = position(mesh.triangles[base + 1]), v2 = position(mesh.triangles[base + 2])
            let m01 = position(mesh.triangles[base + 3]), m12 = position(mesh.triangles[base + 4]), m20 = position(mesh.triangles[base + 5])
            if area(v0, m01, m20) <= 0 || area(m01, v1, m12) <= 0 || area(m20, m12, v2) <= 0 || area(m01, m12, m20) <= 0 { return t }
        }
        return nil
    }
}
