import AutoDiff
import Sparse

// Translation invariance: derivatives over every atom but the first.
//
// A term of A atoms with d coordinates each (dofs x₀ … x_{A−1}, atom by atom) is translation invariant
// when E(x₀ + c, …, x_{A−1} + c) = E(x₀, …, x_{A−1}) for every vector c. Then E(x) = F(x₁ − x₀, …,
// x_{A−1} − x₀), and with x₀ held constant the derivatives over the other atoms are F's:
//   ∂E/∂x_m = F_m,   ∂²E/∂x_m∂x_n = F_mn,   ∂²E/∂x_m∂θ = F_mθ                  (m, n ≥ 1),
// while those over the first atom follow from them by the chain rule through d_m = x_m − x₀:
//   ∂E/∂x₀ = −Σ_m F_m,   ∂²E/∂x₀∂x_n = −Σ_m F_mn,   ∂²E/∂x₀∂θ = −Σ_m F_mθ,
//   ∂²E/∂x₀∂x₀ = Σ_m Σ_n F_mn = −Σ_n ∂²E/∂x₀∂x_n
// (coordinate by coordinate: the chain rule through the intermediate variables d_m, e.g. Griewank &
// Walther, *Evaluating Derivatives*, 2nd ed., 2008, ch. 3; physically, Newton's third law — a term's
// forces on its atoms sum to zero). So the term is evaluated in a jet over A − 1 atoms instead of A — `HyperJet<4, 10>` instead
// of `HyperJet<6, 21>` for a planar angle, `HyperJet<2, 3>` instead of `HyperJet<4, 10>` for a bond —
// with the positions themselves as values (the first atom's as constants), so the term's code is
// unchanged. The entries over atoms m, n ≥ 1 are those of the full jet bit for bit (forward mode
// computes each entry from the same entries of its operands); those of the first atom are sums of
// them, equal to the full jet's to round-off, not bit for bit.

/// Declares a `LocalEnergy` translation invariant: its energy depends on its atoms' positions only
/// through their differences (bonds, angles, dihedrals, pair terms; not on-site or external-field
/// terms, not terms with positions of fixed points among their constants), its dofs are its atoms'
/// `spatialDimension` coordinates, atom by atom, and it does not read the previous time step.
/// `AutoDiffGroup` then evaluates it in `RelativeDofHyper` / `RelativeHyper` (over every atom but the
/// first), when declared, and checks the declaration at every derivative pass on its first term (the
/// gradient and Hessian summed over the atoms must vanish), throwing `PhysicsError.invalidModel` if not.
public protocol TranslationInvariant: LocalEnergy {
    /// Coordinates per atom (2 in the plane, 3 in space); `dofCount` is a multiple of it.
    static var spatialDimension: Int { get }
}

extension TranslationInvariant {
    @inlinable public static var translationDimension: Int { spatialDimension }
}

/// The derivatives of a translation-invariant term over all its local variables, read from its jet
/// over every atom but the first. Per term, `expand` computes the first atom's entries — its gradient,
/// its rows of the packed upper triangle over the dofs, its mixed derivatives — into a few doubles of
/// scratch; the others are read in place from the jet. When the jet is over the dofs alone, the rows of
/// atoms 1 … are the jet's own packed Hessian, in order, so assembly scatters the triangle in two
/// linear pieces (`packedHessian(over:)`) without making it. The scratch belongs to the caller.
@frozen public struct TranslationExpansion<J: SecondOrderJet>: LocalDerivatives {
    /// The jet over atoms 1 … A−1 (and possibly the parameters).
    public let pointer: UnsafePointer<J>
    /// d, coordinates per atom; k, the term's dof count; n, all its local variables.
    public let dimension: Int, dofCount: Int, variableCount: Int
    /// ∂E/∂x₀ (d entries), the packed upper triangle over the dofs (the first atom's d rows; the
    /// others' only when parameters are seeded too, copied from the jet, whose rows then interleave
    /// the parameters' columns), then ∂²E/∂x₀∂θ (d rows of the seeded parameters).
    public let scratch: UnsafeMutablePointer<Double>

    /// Scratch of `scratchCount(dimension:dofCount:variableCount:)` doubles.
    @inlinable public init(_ pointer: UnsafePointer<J>, dimension: Int, dofCount: Int, variableCount: Int,
                           scratch: UnsafeMutablePointer<Double>) {
        self.pointer = pointer
        self.dimension = dimension
        self.dofCount = dofCount
        self.variableCount = variableCount
        self.scratch = scratch
    }

    @inlinable public static func scratchCount(dimension d: Int, dofCount k: Int, variableCount n: Int) -> Int {
        d + k * (k + 1) / 2 + d * (n - k)
    }

    /// Entries of the first atom's rows of the packed triangle: rows 0 … d−1 of k, d(2k − d + 1)/2.
    @inline(__always) @inlinable var headCount: Int { dimension * (2 * dofCount - dimension + 1) / 2 }
    /// The seeded parameters (0 in Newton's passes).
    @inline(__always) @inlinable var seededParameterCount: Int { J.variableCount - (dofCount - dimension) }

    /// Computes the first atom's entries from the jet's current contents (after each term's energy).
    @inline(__always) @inlinable public func expand() {
        let d = dimension, k = dofCount, q = seededParameterCount
        let rows = scratch + d, mixed = scratch + d + k * (k + 1) / 2
        for c in 0 ..< d {
            let row = rows + (c * (2 * k - c + 1) / 2 - c)    // row[b] is (c, b)
            var g = 0.0
            for m in stride(from: c, to: k - d, by: d) { g -= J.derivative(at: pointer, m) }
            scratch[c] = g
            // Over atoms 1 … and the seeded parameters: −Σ_m F_(m,c),b.
            for b in d ..< k + q {
                var h = 0.0
                for m in stride(from: c, to: k - d, by: d) { h -= J.secondDerivative(at: pointer, m, b - d) }
                if b < k { row[b] = h } else { mixed[c * q + b - k] = h }
            }
            // The first atom's own block: −Σ_n of the row's entries over atom n's coordinate c2.
            for c2 in c ..< d {
                var h = 0.0
                for b in stride(from: d + c2, to: k, by: d) { h -= row[b] }
                row[c2] = h
            }
        }
        if q > 0 {
            var p = headCount
            for a in d ..< k {
                for b in a ..< k {
                    rows[p] = J.secondDerivative(at: pointer, a - d, b - d)
                    p += 1
                }
            }
        }
    }

    @inline(__always) @inlinable public var value: Double { J.value(at: pointer) }

    @inline(__always) @inlinable public func derivative(_ i: Int) -> Double {
        i < dimension ? scratch[i] : J.derivative(at: pointer, i - dimension)
    }

    @inline(__always) @inlinable public func secondDerivative(_ i: Int, _ j: Int) -> Double {
        let a = min(i, j), b = max(i, j), d = dimension, k = dofCount
        if a >= d { return J.secondDerivative(at: pointer, a - d, b - d) }
        if b < k { return scratch[d + a * (2 * k - a + 1) / 2 + (b - a)] }
        return scratch[d + k * (k + 1) / 2 + a * seededParameterCount + (b - k)]
    }

    /// The first atom's rows, then the jet's own triangle when it is over the dofs alone; else the
    /// whole triangle from scratch.
    @inline(__always) @inlinable public func packedHessian(over k: Int) -> PackedHessian? {
        guard k == dofCount else { return nil }
        let triangle = UnsafePointer(scratch + dimension)
        guard seededParameterCount == 0 else { return PackedHessian(head: triangle, headCount: k * (k + 1) / 2, tail: triangle) }
        guard let jet = J.packedHessian(at: pointer) else { return nil }
        return PackedHessian(head: triangle, headCount: headCount, tail: jet)
    }
}

extension TranslationInvariant {
    /// The term's energy and exact derivatives at the same arguments as `derivatives(dofs:previous:
    /// parameters:)`, evaluated as `AutoDiffGroup` does with parameter derivatives: in `RelativeHyper`,
    /// over every atom but the first and the parameters, the first atom's entries from translation
    /// invariance. Equal to `derivatives` to round-off (the entries over atoms 1 … bit for bit).
    @inlinable
    public func relativeDerivatives(dofs: [Double], parameters: [Double]) throws -> LocalTermDerivatives {
        try Self.validateTranslationInvariance()
        let d = Self.spatialDimension, count = Self.localVariableCount
        guard RelativeHyper.variableCount == count - d, RelativeHyper.hasConsistentSizes else {
            throw PhysicsError.invalidModel("\(Self.self) does not declare RelativeHyper; declare \(hyperJetDeclaration(variables: count - d))")
        }
        let values = try Self.localValues(dofs: dofs, previous: [], parameters: parameters)
        let jets = values.enumerated().map { $0.offset < d ? RelativeHyper($0.element) : RelativeHyper($0.element, variable: $0.offset - d) }
        let result = UnsafeMutablePointer<RelativeHyper>.allocate(capacity: 1)
        let scratch = UnsafeMutablePointer<Double>.allocate(
            capacity: TranslationExpansion<RelativeHyper>.scratchCount(dimension: d, dofCount: Self.dofCount, variableCount: count))
        defer {
            result.deallocate()
            scratch.deallocate()
        }
        result.initialize(to: jets.withUnsafeBufferPointer {
            energy(LocalVariables(base: $0.baseAddress!, dofCount: Self.dofCount, historyCount: 0))
        })
        let expansion = TranslationExpansion(UnsafePointer(result), dimension: d, dofCount: Self.dofCount, variableCount: count,
                                             scratch: scratch)
        expansion.expand()
        return LocalTermDerivatives(expansion, dofCount: Self.dofCount, historyCount: 0, parameterCount: Self.parameterCount)
    }
}

extension LocalEnergy {
    /// The declaration's sizes: d ≥ 1, dofs a whole number of atoms (at least two), no history, and
    /// declared relative jets over the dofs of every atom but the first (plus the parameters).
    @usableFromInline
    static func validateTranslationInvariance() throws {
        let declared = (Self.self as? any TranslationInvariant.Type)?.spatialDimension ?? 0
        guard translationDimension == declared else {
            throw PhysicsError.invalidModel("\(Self.self) declares translationDimension \(translationDimension), but its spatialDimension is "
                + "\(declared); do not declare translationDimension: it follows from the TranslationInvariant conformance")
        }
        let d = declared
        guard d != 0 else { return }
        guard d >= 1, dofCount % d == 0, dofCount >= 2 * d, !readsHistory else {
            throw PhysicsError.invalidModel(
                "\(Self.self) is declared TranslationInvariant with spatialDimension \(d), but it has \(dofCount) dofs"
                    + (readsHistory ? " and reads the previous time step" : "")
                    + "; translation invariance needs at least two atoms of d coordinates each and no history: remove the conformance")
        }
        try checkRelativeJet(RelativeDofHyper.self, named: "RelativeDofHyper", over: "the dofs of every atom but the first",
                             reduced: dofCount - d, full: DofHyper.variableCount)
        try checkRelativeJet(RelativeHyper.self, named: "RelativeHyper", over: "the dofs of every atom but the first and the parameters",
                             reduced: localVariableCount - d, full: Hyper.variableCount)
    }

    /// A declared relative jet has the reduced variable count (or is the default full jet: not declared).
    private static func checkRelativeJet<J: SecondOrderJet>(_ jet: J.Type, named name: String, over what: String,
                                                           reduced: Int, full: Int) throws {
        guard J.variableCount == reduced || J.variableCount == full, J.hasConsistentSizes else {
            throw PhysicsError.invalidModel(
                "\(Self.self) declares \(name) with \(J.variableCount) variables; it is over \(what): "
                    + "declare \(hyperJetDeclaration(variables: reduced)), or leave it out")
        }
    }

    /// Not translation invariant unless declared.
    @inlinable public static var translationDimension: Int { 0 }
}

extension AutoDiffGroup {
    /// Checks the `TranslationInvariant` declaration on term `t` at the current positions, in the full
    /// `Hyper`: the gradient and every Hessian column summed over the atoms, coordinate by coordinate,
    /// must vanish, to 10⁻⁸ of the largest gradient or Hessian entry of the term times its atom count
    /// (round-off is far below; a term that is not invariant far above — an on-site spring's Hessian
    /// sums to its stiffness even at rest). One term's jet per pass: a wrong declaration would otherwise
    /// give wrong first-atom derivatives silently.
    @inlinable
    func verifyTranslationInvariance(_ e: EnergyEvaluation, term t: Int, dimension d: Int) throws {
        let count = Term.localVariableCount, k = Term.dofCount
        let local = UnsafeMutablePointer<Term.Hyper>.allocate(capacity: count + 1)
        defer { local.deallocate() }
        gather(t, e, into: local) { value, slot in Term.Hyper(value, variable: slot) }
        (local + count).initialize(to: terms[t].energy(LocalVariables(base: local, dofCount: k, historyCount: 0)))
        let r = JetReference(UnsafePointer(local + count))
        // Scales over the whole term: a column's own entries may cancel to round-off of the others.
        var gradientScale = 0.0, hessianScale = 0.0
        for i in 0 ..< k {
            gradientScale = max(gradientScale, abs(r.derivative(i)))
            for j in 0 ..< count { hessianScale = max(hessianScale, abs(r.secondDerivative(i, j))) }
        }
        for c in 0 ..< d {
            for column in -1 ..< count {
                var sum = 0.0
                for i in stride(from: c, to: k, by: d) { sum += column < 0 ? r.derivative(i) : r.secondDerivative(i, column) }
                // Not finite: left to the pass's own check, which names the term's dofs.
                guard !(abs(sum) > 1e-8 * Double(k / d) * (column < 0 ? gradientScale : hessianScale)) || !sum.isFinite else {
                    throw notTranslationInvariant(term: t, sum: sum, column: column, coordinate: c)
                }
            }
        }
    }

    @usableFromInline
    func notTranslationInvariant(term t: Int, sum: Double, column: Int, coordinate c: Int) -> PhysicsError {
        .invalidModel("\(Term.self) (group \(name)) is declared TranslationInvariant, but its energy changes when all its atoms move "
            + "together: at term \(t) (dofs \(Array(connectivity.term(t)))) the "
            + (column < 0 ? "gradient" : "Hessian column \(column)")
            + " summed over coordinate \(c) of its atoms is \(sum), not 0; write the energy in differences of "
            + "positions, or remove the TranslationInvariant conformance")
    }
}
