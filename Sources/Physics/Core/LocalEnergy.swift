import AutoDiff

/// The variables one local term sees, in the scalar type it is evaluated in: its current degrees of
/// freedom, optionally their values at the previous time step, and the model parameters it reads.
///
/// Valid only during the call that receives it (it points into the caller's scratch storage).
public struct LocalVariables<S: Real> {
    @usableFromInline let base: UnsafePointer<S>
    /// Number of current degrees of freedom.
    public let dofCount: Int
    @usableFromInline let historyCount: Int

    /// The variables stored at `base`: `dofCount` current dofs, then `historyCount` previous values,
    /// then the parameters. The storage must outlive the use of this value (tests and hand-written
    /// groups; `LocalEnergy.derivatives(dofs:previous:parameters:)` is the safe way to evaluate a term).
    @inlinable public init(base: UnsafePointer<S>, dofCount: Int, historyCount: Int) {
        self.base = base
        self.dofCount = dofCount
        self.historyCount = historyCount
    }

    /// Current value of local degree of freedom `i` (a coordinate, a displacement, a pressure).
    /// (An addressor: the value is read in place, not copied — jets are a few hundred bytes.)
    @inlinable public subscript(_ i: Int) -> S { unsafeAddress { base + i } }
    /// Value of local degree of freedom `i` at the previous time step (terms with `readsHistory`).
    @inlinable public func previous(_ i: Int) -> S { base[dofCount + i] }
    /// Local parameter `j` (the term kind's own numbering; the group maps it to a model parameter).
    @inlinable public func parameter(_ j: Int) -> S { base[dofCount + historyCount + j] }
}

/// One kind of local energy term: a bond, an element, an on-site potential.
///
/// A model author writes `energy` once, generically over `Real`, as if the scalar were a number; the
/// framework evaluates it in `Hyper` (a `HyperJet` over dofs ⊕ previous dofs ⊕ parameters) and obtains
/// exactly the local gradient, Hessian ∂²Π/∂u², mixed derivative ∂²Π/∂u∂θ and ∂Π/∂θ. Declare
/// `typealias Hyper = HyperJet<K, K(K+1)/2>` with `K = dofCount · (readsHistory ? 2 : 1) + parameterCount`;
/// `AutoDiffGroup` checks it. Newton's iterations need no parameter derivative: declaring also
/// `typealias DofHyper = HyperJet<D, D(D+1)/2>` with `D = dofCount · (readsHistory ? 2 : 1)` lets the group
/// evaluate them over the dofs alone (parameters as constants), which is cheaper and gives the same
/// dof derivatives bit for bit (forward mode computes each entry from the same entries of the operands).
/// A term whose energy depends on its atoms' positions only through their differences (a bond, an
/// angle, a dihedral) may also conform to `TranslationInvariant` and declare `RelativeDofHyper` (and
/// `RelativeHyper`): the group then seeds every atom but the first, which is cheaper still.
/// Constant data of a term (an image shift, element geometry) are stored
/// properties of the conforming value.
public protocol LocalEnergy: Sendable {
    associatedtype Hyper: SecondOrderJet
    /// The jet over the dofs (and previous dofs) alone, for evaluations that need no parameter
    /// derivative; `Hyper` unless declared.
    associatedtype DofHyper: SecondOrderJet = Hyper
    /// For a `TranslationInvariant` term: the jet over the dofs of every atom but the first, then the
    /// parameters (`HyperJet<K−d, …>` for d coordinates per atom), for evaluations with parameter
    /// derivatives; `Hyper` (no reduction) unless declared.
    associatedtype RelativeHyper: SecondOrderJet = Hyper
    /// For a `TranslationInvariant` term: the jet over the dofs of every atom but the first
    /// (`HyperJet<D−d, …>`), for Newton's passes; `DofHyper` (no reduction) unless declared.
    associatedtype RelativeDofHyper: SecondOrderJet = DofHyper
    /// Number of degrees of freedom the term reads.
    static var dofCount: Int { get }
    /// Number of model parameters the term reads.
    static var parameterCount: Int { get }
    /// Whether the term also reads the previous time step's values of its dofs (incremental potentials).
    static var readsHistory: Bool { get }
    /// Coordinates per atom of a `TranslationInvariant` term (its `spatialDimension`), 0 for others:
    /// given by the conformance, not declared.
    static var translationDimension: Int { get }
    /// The term's energy.
    func energy<S: Real>(_ v: LocalVariables<S>) -> S
}

extension LocalEnergy {
    public static var readsHistory: Bool { false }
    /// Size of the local variable vector: dofs, previous dofs, parameters.
    @inlinable public static var localVariableCount: Int {
        dofCount * (readsHistory ? 2 : 1) + parameterCount
    }
    /// Number of dofs and previous dofs: the variables of `DofHyper` when it is declared.
    @inlinable public static var dofVariableCount: Int { dofCount * (readsHistory ? 2 : 1) }
}
