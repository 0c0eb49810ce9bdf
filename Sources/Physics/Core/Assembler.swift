import Sparse

/// Evaluates a `Model` over and over without allocating: the Hessian's sparsity pattern, the scatter
/// map of every group and all input and output buffers are built once, at creation, and owned here
/// (stable addresses, freed exactly once).
///
/// Evaluation order is fixed (groups in order, terms in order), so results are bitwise reproducible.
/// Not thread-safe: one assembler serves one thread.
public final class Assembler {
    public let model: Model
    public let pattern: SparsityPattern
    /// The Hessian ∂²Π/∂u² of the latest evaluation that requested it.
    public let hessian: SymmetricMatrix
    private let unknownConnectivities: [Connectivity]
    private let scatterMaps: [ScatterMap]
    /// Π of the latest evaluation.
    public private(set) var energy = 0.0
    /// Time of the step being solved, passed to every group (time-dependent loads). Default 0.
    public var time = 0.0

    private let positionBuffer: UnsafeMutableBufferPointer<Double>
    private let historyBuffer: UnsafeMutableBufferPointer<Double>
    private let parameterBuffer: UnsafeMutableBufferPointer<Double>
    private let gradientBuffer: UnsafeMutableBufferPointer<Double>
    private let mixedBuffer: UnsafeMutableBufferPointer<Double>
    private let parameterGradientBuffer: UnsafeMutableBufferPointer<Double>
    private let adjointBuffer: UnsafeMutableBufferPointer<Double>
    private let historyProductBuffer: UnsafeMutableBufferPointer<Double>
    private let historyDirectionBuffer: UnsafeMutableBufferPointer<Double>
    private let historyForwardBuffer: UnsafeMutableBufferPointer<Double>
    private var hasHistory: Bool

    public init(model: Model) throws {
        self.model = model
        let n = model.unknownCount, dofs = model.layout.dofCount, p = model.parameterCount
        if !model.history.isEmpty && model.history.count != dofs {
            throw PhysicsError.sizeMismatch(what: "the model's history", expected: dofs, found: model.history.count)
        }
        let connectivities = model.groups.map { model.layout.unknowns(of: $0.connectivity) }
        let pattern = try SparsityPattern(dimension: n, connectivities: connectivities)
        unknownConnectivities = connectivities
        self.pattern = pattern
        scatterMaps = connectivities.map { ScatterMap(pattern: pattern, connectivity: $0) }
        hessian = SymmetricMatrix(pattern: pattern)
        func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Double> {
            let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
            b.initialize(repeating: 0)
            return b
        }
        positionBuffer = buffer(dofs)
        historyBuffer = buffer(dofs)
        parameterBuffer = buffer(p)
        gradientBuffer = buffer(n)
        mixedBuffer = buffer(n * p)
        parameterGradientBuffer = buffer(p)
        adjointBuffer = buffer(n)
        historyProductBuffer = buffer(dofs)
        historyDirectionBuffer = buffer(dofs)
        historyForwardBuffer = buffer(n)
        hasHistory = !model.history.isEmpty
        if hasHistory { _ = historyBuffer.update(fromContentsOf: model.history) }
    }

    deinit {
        for b in [positionBuffer, historyBuffer, parameterBuffer, gradientBuffer, mixedBuffer,
                  parameterGradientBuffer, adjointBuffer, historyProductBuffer, historyDirectionBuffer,
                  historyForwardBuffer] { b.deallocate() }
    }

    public var unknownCount: Int { model.unknownCount }

    /// ∂Π/∂u of the latest evaluation that requested it.
    public var gradient: [Double] { Array(gradientBuffer) }
    /// ∂²Π/∂u∂θ of the latest evaluation, unknowns × parameters, column by column.
    public var mixed: [Double] { Array(mixedBuffer) }
    /// ∂Π/∂θ of the latest evaluation.
    public var parameterGradient: [Double] { Array(parameterGradientBuffer) }
    /// Cᵀλ over the dofs, from the latest `historyCouplingProduct` call.
    public var historyProduct: [Double] { Array(historyProductBuffer) }

    /// Positions of every dof at the previous time step, read by terms with `readsHistory` (empty for
    /// static models). Time-stepping drivers set it before each step's solve.
    public var history: [Double] {
        get { hasHistory ? Array(historyBuffer) : [] }
        set {
            precondition(newValue.isEmpty || newValue.count == historyBuffer.count, "history needs one value per dof")
            hasHistory = !newValue.isEmpty
            if hasHistory { _ = historyBuffer.update(fromContentsOf: newValue) }
        }
    }

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
        for d in 0 ..< layout.dofCount { positionBuffer[d] = layout.reference[d] + displacement[d] }
        _ = parameterBuffer.update(fromContentsOf: theta)
        if needs.contains(.gradient) { gradientBuffer.update(repeating: 0) }
        if needs.contains(.mixed) { mixedBuffer.update(repeating: 0) }
        if needs.contains(.parameterGradient) { parameterGradientBuffer.update(repeating: 0) }
        if needs.contains(.historyCouplingProduct) { historyProductBuffer.update(repeating: 0) }
        if needs.contains(.historyCouplingForwardProduct) { historyForwardBuffer.update(repeating: 0) }
        if needs.contains(.hessian) { hessian.zero() }
        var e = EnergyEvaluation(needs: needs, positions: UnsafeBufferPointer(positionBuffer),
                                 history: UnsafeBufferPointer(hasHistory ? historyBuffer : UnsafeMutableBufferPointer(start: historyBuffer.baseAddress, count: 0)),
                                 time: time,
                                 parameters: UnsafeBufferPointer(parameterBuffer), gradient: gradientBuffer,
                                 mixed: mixedBuffer, parameterGradient: parameterGradientBuffer,
                                 matrix: needs.contains(.hessian) ? hessian : nil,
                                 adjoint: UnsafeBufferPointer(adjointBuffer), historyProduct: historyProductBuffer,
                                 historyDirection: UnsafeBufferPointer(historyDirectionBuffer),
                                 historyForwardProduct: historyForwardBuffer)
        for (i, group) in model.groups.enumerated() {
            try group.evaluate(&e, unknowns: unknownConnectivities[i],
                               scatter: needs.contains(.hessian) ? scatterMaps[i] : nil)
        }
        energy = e.energy
    }

    /// Prepares a time step: the history becomes the positions of `previous` (a full displacement, the
    /// state after the previous step) and the time `time`.
    public func setPreviousState(_ previous: [Double], time: Double) {
        history = zip(model.layout.reference, previous).map { $0 + $1 }
        self.time = time
    }

    /// Mᵀy with M = ∂²Π/∂u∂θ of the latest evaluation that requested `.mixed`: one entry per parameter.
    public func mixedTransposeProduct(_ y: [Double]) -> [Double] {
        let n = unknownCount
        precondition(y.count == n, "the vector needs one entry per unknown")
        return (0 ..< model.parameterCount).map { p in
            var s = 0.0
            for i in 0 ..< n { s += mixedBuffer[p * n + i] * y[i] }
            return s
        }
    }

    /// Cᵀλ, C = ∂²Π/∂u∂u_prev at this state, over the previous step's dofs (then in `historyProduct`),
    /// and in the same pass whatever else `also` asks for (the adjoint's mixed derivative).
    public func historyCouplingProduct(displacement: [Double], parameters theta: [Double], adjoint lambda: [Double],
                                       also: Needs = []) throws {
        guard lambda.count == unknownCount else {
            throw PhysicsError.sizeMismatch(what: "the adjoint vector", expected: unknownCount, found: lambda.count)
        }
        _ = adjointBuffer.update(fromContentsOf: lambda)
        try evaluate(displacement: displacement, parameters: theta, needs: also.union(.historyCouplingProduct))
    }

    /// C v, C = ∂²Π/∂u∂u_prev at this state, for v over the previous step's dofs; the result is over the
    /// unknowns.
    public func historyCouplingForwardProduct(displacement: [Double], parameters theta: [Double],
                                              direction v: [Double]) throws -> [Double] {
        guard v.count == historyDirectionBuffer.count else {
            throw PhysicsError.sizeMismatch(what: "the history direction", expected: historyDirectionBuffer.count, found: v.count)
        }
        _ = historyDirectionBuffer.update(fromContentsOf: v)
        try evaluate(displacement: displacement, parameters: theta, needs: .historyCouplingForwardProduct)
        return Array(historyForwardBuffer)
    }

    /// Column `p` of the mixed derivative ∂²Π/∂u∂θₚ.
    public func mixedColumn(_ p: Int) -> [Double] {
        Array(mixedBuffer[p * unknownCount ..< (p + 1) * unknownCount])
    }
}
