import Physics

/// The gradient obtained by differentiating through K iterations of a simple solver (deep unrolling),
/// for checking the implicit gradient and for insight into why it is preferable.
///
/// The iteration is damped gradient descent, uₖ₊₁ = uₖ − η g(uₖ, θ), started at the equilibrium u₀ = u*
/// (held fixed, as unrolling from a converged warm start does). Reverse-mode differentiation through
/// the K steps stores every state (memory K·n, the cost of unrolling), then runs back:
///   ū ← ∂L/∂u,  θ̄ ← ∂L/∂θ;  for k = K−1 … 0:  θ̄ ← θ̄ − η Mₖᵀ ū,  ū ← ū − η Hₖ ū.
/// At the equilibrium Hₖ = H and Mₖ = M, so θ̄ = ∂L/∂θ − η Mᵀ Σⱼ₍ⱼ<K₎ (I − ηH)ʲ ∂L/∂u, a truncated Neumann
/// series for H⁻¹: it converges to the implicit gradient ∂L/∂θ − MᵀH⁻¹∂L/∂u with error falling like
/// ρᴷ, ρ = max|1 − ηλᵢ(H)| (Gilbert 1992; Ablin et al. 2020, "Super-efficiency of automatic
/// differentiation for functions defined as a minimum").
public enum UnrolledGradient {
    public struct Result: Sendable {
        public let gradient: [Double]
        /// Bytes of the states kept for the backward pass.
        public let memoryBytes: Int
    }

    /// The unrolled gradient after `steps` iterations of step size `stepSize` from the equilibrium
    /// `displacement` (all dofs) of `solver` at `theta`.
    public static func gradient(solver: Equilibrium, displacement: [Double], parameters theta: [Double],
                                steps: Int, stepSize eta: Double, dLdu: [Double], dLdtheta: [Double]) throws -> Result {
        let assembler = solver.assembler
        let layout = solver.model.layout
        var u = displacement
        var states: [[Double]] = []
        states.reserveCapacity(steps)
        for _ in 0 ..< steps {
            states.append(u)
            try assembler.evaluate(displacement: u, parameters: theta, needs: .gradient)
            let g = assembler.gradient
            for (k, dof) in layout.dofOfUnknown.enumerated() { u[Int(dof)] -= eta * g[k] }
        }
        var ubar = dLdu, thetaBar = dLdtheta
        let n = layout.unknownCount
        var hu = [Double](repeating: 0, count: n)
        for state in states.reversed() {
            try assembler.evaluate(displacement: state, parameters: theta, needs: [.hessian, .mixed])
            let correction = assembler.mixedTransposeProduct(ubar)
            for p in thetaBar.indices { thetaBar[p] -= eta * correction[p] }
            ubar.withUnsafeBufferPointer { x in hu.withUnsafeMutableBufferPointer { assembler.hessian.multiply(x, into: $0) } }
            for i in 0 ..< n { ubar[i] -= eta * hu[i] }
        }
        return Result(gradient: thetaBar, memoryBytes: states.count * displacement.count * MemoryLayout<Double>.stride)
    }
}
