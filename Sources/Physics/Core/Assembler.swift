import Sparse

/// Evaluates a `Model` over and over without allocating: the Hessian's sparsity pattern, the scatter
/// map of every group and all output buffers are built once, at creation.
///
/// Evaluation order is fixed (groups in order, terms in order), so results are bitwise reproducible.
public final class Assembler {
    public let model: Model
    public let pattern: SparsityPattern
    /// The Hessian ∂²Π/∂u² of the latest evaluation that requested it.
    public let hessian: SymmetricMatrix
    private let unknownConnectivities: [Connectivity]
    private let scatterMaps: [ScatterMap]
    /// ∂Π/∂u of the latest evaluation.
    public private(set) var gradient: [Double]
    /// ∂²Π/∂u∂θ of the latest evaluation, unknowns × parameters, column by column.
    public private(set) var mixed: [Double]
    /// ∂Π/∂θ of the latest evaluation.
    public private(set) var parameterGradient: [Double]
    /// Π of the latest evaluation.
    public private(set) var energy = 0.0
    private var positions: [Double]

    public init(model: Model) throws {
        self.model = model
        let n = model.unknownCount
        if !model.history.isEmpty && model.history.count != model.layout.dofCount {
            throw PhysicsError.sizeMismatch(what: "the model's history", expected: model.layout.dofCount,
                                            found: model.history.count)
        }
        let connectivities = model.groups.map { model.layout.unknowns(of: $0.connectivity) }
        let pattern = try SparsityPattern(dimension: n, connectivities: connectivities)
        unknownConnectivities = connectivities
        self.pattern = pattern
        scatterMaps = connectivities.map { ScatterMap(pattern: pattern, connectivity: $0) }
        hessian = SymmetricMatrix(pattern: pattern)
        gradient = [Double](repeating: 0, count: n)
        mixed = [Double](repeating: 0, count: n * model.parameterCount)
        parameterGradient = [Double](repeating: 0, count: model.parameterCount)
        positions = model.layout.reference
    }

    public var unknownCount: Int { model.unknownCount }

    /// Evaluates what `needs` asks for at the full displacement `displacement` (one entry per dof,
    /// prescribed ones included) and parameters `theta`; results are in this object's properties.
    public func evaluate(displacement: [Double], parameters theta: [Double], needs: Needs) throws {
        let layout = model.layout
        guard displacement.count == layout.dofCount else {
            throw PhysicsError.sizeMismatch(what: "the displacement", expected: layout.dofCount, found: displacement.count)
        }
        guard theta.count == model.parameterCount else {
            throw PhysicsError.sizeMismatch(what: "the parameter vector", expected: model.parameterCount, found: theta.count)
        }
        for d in 0 ..< positions.count { positions[d] = layout.reference[d] + displacement[d] }
        if needs.contains(.gradient) { zero(&gradient) }
        if needs.contains(.mixed) { zero(&mixed) }
        if needs.contains(.parameterGradient) { zero(&parameterGradient) }
        if needs.contains(.hessian) { hessian.zero() }
        var total = 0.0
        try positions.withUnsafeBufferPointer { x in
            try model.history.withUnsafeBufferPointer { h in
                try theta.withUnsafeBufferPointer { p in
                    try gradient.withUnsafeMutableBufferPointer { g in
                        try mixed.withUnsafeMutableBufferPointer { m in
                            try parameterGradient.withUnsafeMutableBufferPointer { pg in
                                var e = EnergyEvaluation(needs: needs, positions: x, history: h, parameters: p,
                                                         gradient: g, mixed: m, parameterGradient: pg,
                                                         matrix: needs.contains(.hessian) ? hessian : nil)
                                for (i, group) in model.groups.enumerated() {
                                    try group.evaluate(&e, unknowns: unknownConnectivities[i],
                                                       scatter: needs.contains(.hessian) ? scatterMaps[i] : nil)
                                }
                                total = e.energy
                            }
                        }
                    }
                }
            }
        }
        energy = total
    }

    /// Column `p` of the mixed derivative ∂²Π/∂u∂θₚ.
    public func mixedColumn(_ p: Int) -> ArraySlice<Double> {
        mixed[p * unknownCount ..< (p + 1) * unknownCount]
    }

    private func zero(_ v: inout [Double]) {
        for i in v.indices { v[i] = 0 }
    }
}
