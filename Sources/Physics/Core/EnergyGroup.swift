import AutoDiff
import Sparse

/// What one evaluation of a model's energy computes.
public struct Needs: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Π
    public static let energy = Needs(rawValue: 1)
    /// ∂Π/∂u over the unknowns.
    public static let gradient = Needs(rawValue: 2)
    /// ∂²Π/∂u² assembled into the sparse matrix.
    public static let hessian = Needs(rawValue: 4)
    /// ∂²Π/∂u∂θ, dense, unknowns × parameters, column by column.
    public static let mixed = Needs(rawValue: 8)
    /// ∂Π/∂θ.
    public static let parameterGradient = Needs(rawValue: 16)
    /// Everything the Newton solver needs at an iterate.
    public static let newton: Needs = [.energy, .gradient, .hessian]
    /// Everything the bilevel layer needs at an equilibrium.
    public static let all: Needs = [.energy, .gradient, .hessian, .mixed, .parameterGradient]
    /// Cᵀλ with C = ∂²Π/∂u∂u_prev, the coupling to the previous time step, for a given λ over the
    /// unknowns; the result is over the previous step's dofs. The time-stepped adjoint needs it.
    public static let historyCouplingProduct = Needs(rawValue: 32)
    /// C v for a given v over the previous step's dofs; the result is over the unknowns. Forward
    /// sensitivities through time steps need it.
    public static let historyCouplingForwardProduct = Needs(rawValue: 64)
}

/// Inputs and outputs of one evaluation, handed to every group of a model in turn. Buffers are owned by
/// the `Assembler`; groups only add into them.
public struct EnergyEvaluation {
    public let needs: Needs
    /// Reference plus displacement of every dof.
    public let positions: UnsafeBufferPointer<Double>
    /// The previous time step's positions of every dof (empty for static models).
    public let history: UnsafeBufferPointer<Double>
    /// The time of the step being solved (0 for static models): groups with time-dependent loads read it.
    public let time: Double
    /// The model parameters θ.
    public let parameters: UnsafeBufferPointer<Double>
    public var energy = 0.0
    /// ∂Π/∂u, one entry per unknown.
    public let gradient: UnsafeMutableBufferPointer<Double>
    /// ∂²Π/∂u∂θ, `unknownCount × parameterCount`, column `p` at `p · unknownCount`.
    public let mixed: UnsafeMutableBufferPointer<Double>
    /// ∂Π/∂θ.
    public let parameterGradient: UnsafeMutableBufferPointer<Double>
    /// ∂²Π/∂u², when `needs` contains `.hessian`.
    public let matrix: SymmetricMatrix?
    /// λ over the unknowns, input of `.historyCouplingProduct`.
    public let adjoint: UnsafeBufferPointer<Double>
    /// Cᵀλ over the dofs, output of `.historyCouplingProduct`.
    public let historyProduct: UnsafeMutableBufferPointer<Double>
    /// v over the dofs, input of `.historyCouplingForwardProduct`.
    public let historyDirection: UnsafeBufferPointer<Double>
    /// C v over the unknowns, output of `.historyCouplingForwardProduct`.
    public let historyForwardProduct: UnsafeMutableBufferPointer<Double>
}

extension EnergyEvaluation {
    /// Adds one term's local derivatives into the global outputs: the single scatter path shared by
    /// automatic and hand-written groups. `dofs` points at the term's dofs and `unknowns` at their
    /// unknown indices (−1 for a prescribed dof). The upper triangle of the local Hessian goes straight
    /// into the matrix's values at the positions `scatter` precomputed for the term (no local block, no
    /// search); entries and order are those of `SymmetricMatrix.add(term:of:block:size:)`.
    @inlinable
    public mutating func accumulate<R: LocalDerivatives>(
        _ r: R, term t: Int, dofCount k: Int, historyCount kh: Int, dofs: UnsafePointer<Int32>,
        unknowns: UnsafePointer<Int32>, parameterIndices: [Int], scatter: ScatterMap?
    ) {
        energy += r.value
        let n = gradient.count
        if needs.contains(.gradient) {
            for a in 0 ..< k where unknowns[a] >= 0 { gradient[Int(unknowns[a])] += r.derivative(a) }
        }
        // Without values no entry can land (every position is then −1).
        if needs.contains(.hessian), let matrix, let scatter, let values = matrix.values.baseAddress {
            scatter.positions.withUnsafeBufferPointer { positions in
                var slot = scatter.termStarts[t]
                // The same entries in the same order, read linearly when stored so.
                if let packed = r.packedHessian(over: k) {
                    @inline(__always) func add(_ piece: UnsafePointer<Double>, _ count: Int, from slot: Int) {
                        for s in 0 ..< count { ScatterMap.add(piece[s], at: positions[slot + s], to: values) }
                    }
                    add(packed.head, packed.headCount, from: slot)
                    add(packed.tail, k * (k + 1) / 2 - packed.headCount, from: slot + packed.headCount)
                    return
                }
                for a in 0 ..< k {
                    for b in a ..< k {
                        ScatterMap.add(r.secondDerivative(a, b), at: positions[slot], to: values)
                        slot += 1
                    }
                }
            }
        }
        let firstParameter = k + kh
        if needs.contains(.mixed) {
            for (j, p) in parameterIndices.enumerated() {
                for a in 0 ..< k where unknowns[a] >= 0 {
                    mixed[p * n + Int(unknowns[a])] += r.secondDerivative(a, firstParameter + j)
                }
            }
        }
        if needs.contains(.parameterGradient) {
            for (j, p) in parameterIndices.enumerated() { parameterGradient[p] += r.derivative(firstParameter + j) }
        }
        if kh > 0 && needs.contains(.historyCouplingProduct) {
            for a in 0 ..< k where unknowns[a] >= 0 {
                let lambda = adjoint[Int(unknowns[a])]
                for b in 0 ..< kh { historyProduct[Int(dofs[b])] += r.secondDerivative(a, k + b) * lambda }
            }
        }
        if kh > 0 && needs.contains(.historyCouplingForwardProduct) {
            for a in 0 ..< k where unknowns[a] >= 0 {
                var sum = 0.0
                for b in 0 ..< kh { sum += r.secondDerivative(a, k + b) * historyDirection[Int(dofs[b])] }
                historyForwardProduct[Int(unknowns[a])] += sum
            }
        }
    }

    /// The same, for callers that still pass a scratch block (no longer needed: the Hessian is
    /// scattered directly).
    @inlinable
    public mutating func accumulate<R: LocalDerivatives>(
        _ r: R, term t: Int, dofCount k: Int, historyCount kh: Int, dofs: UnsafePointer<Int32>,
        unknowns: UnsafePointer<Int32>, parameterIndices: [Int], scatter: ScatterMap?,
        block: UnsafeMutablePointer<Double>
    ) {
        accumulate(r, term: t, dofCount: k, historyCount: kh, dofs: dofs, unknowns: unknowns,
                   parameterIndices: parameterIndices, scatter: scatter)
    }
}

/// A homogeneous collection of local terms of one kind: the unit a model sums over.
///
/// `connectivity` lists, per term, the dofs it reads (its topology); the `Assembler` maps it to
/// unknowns once and builds the sparse pattern and scatter map from it.
public protocol EnergyGroup: Sendable {
    /// A name for messages ("Morse bonds", "Taylor–Hood elements of region clay").
    var name: String { get }
    /// Dofs read by each term.
    var connectivity: Connectivity { get }
    /// Adds this group's contributions to `evaluation`. `unknowns` is `connectivity` mapped to
    /// unknowns; `scatter` is its map into the Hessian's pattern (nil unless a Hessian is requested).
    func evaluate(_ evaluation: inout EnergyEvaluation, unknowns: Connectivity, scatter: ScatterMap?) throws
}
