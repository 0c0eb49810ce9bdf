import Physics

/// Exact derivatives through an equilibrium by the implicit function theorem.
///
/// For a stationary point g(u*, θ) = ∂Π/∂u = 0, differentiating gives H du*/dθ = −M with
/// H = ∂²Π/∂u², M = ∂²Π/∂u∂θ. Hence, for a scalar L(u*(θ), θ):
///   dL/dθ = ∂L/∂θ − Mᵀλ,  H λ = ∂L/∂u   (adjoint: one solve, any number of parameters),
/// and for every observable, the sensitivities S = du*/dθ = −H⁻¹M (forward: one solve per parameter,
/// all with the same factor). See Blondel et al., "Efficient and modular implicit differentiation",
/// NeurIPS 2022, and the project's background article.
public enum ImplicitGradient {
    /// dL/dθ from the partial derivatives of L over unknowns (`dLdu`) and parameters (`dLdtheta`).
    public static func adjoint(_ linearization: Linearization, dLdu: [Double], dLdtheta: [Double]) throws -> [Double] {
        let lambda = try linearization.solve(dLdu)
        let correction = linearization.mixedTransposeProduct(lambda)
        return zip(dLdtheta, correction).map { $0 - $1 }
    }

    /// du*/dθ: unknowns × parameters, column by column.
    public static func sensitivities(_ linearization: Linearization) throws -> [Double] {
        let s = try linearization.solve(linearization.mixed, columns: linearization.parameterCount)
        return s.map { -$0 }
    }
}
