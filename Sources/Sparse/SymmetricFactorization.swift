/// A factorization of symmetric matrices on one `SparsityPattern`, analysed once and refactored
/// numerically as values change: what Newton's method, the adjoint and the benchmarks need of it.
///
/// `SparseCholesky` (CHOLMOD: supernodal LLᵀ, simplicial LDLᵀ) and `MumpsLDLT` (MUMPS multifrontal
/// LDLᵀ) conform; `SparseFactorization` holds either, chosen by `FactorizationOptions.kind`. Generic
/// code (`<F: SymmetricFactorization>`) is specialized, so no existential sits in a hot loop. Because
/// the matrices are symmetric, a solve with Aᵀ (the adjoint) is the same solve.
public protocol SymmetricFactorization: AnyObject {
    var pattern: SparsityPattern { get }
    /// True once a `factorize` call has succeeded and no later one has failed.
    var isFactorized: Bool { get }
    /// Number of successful numeric factorizations so far.
    var factorizationCount: Int { get }
    /// The diagonal shift of the current factorization: the factor is of A + shift·I.
    var shift: Double { get }
    /// Bytes the library holds for the factorization.
    var memoryInUse: Int { get }
    /// Factors `matrix + shift·I` numerically, reusing the analysis.
    func factorize(_ matrix: SymmetricMatrix, shift: Double) throws
    /// Solves (A + shift·I) X = B for `columns` right-hand sides stored column by column.
    func solve(_ b: UnsafeBufferPointer<Double>, into x: UnsafeMutableBufferPointer<Double>, columns: Int) throws
}

extension SymmetricFactorization {
    /// Number of unknowns.
    public var dimension: Int { pattern.dimension }

    /// Factors `matrix` itself.
    public func factorize(_ matrix: SymmetricMatrix) throws { try factorize(matrix, shift: 0) }

    /// The checks every `solve` makes before calling its library: factorized, and `columns` right-hand
    /// sides and solutions of `dimension` entries each.
    func checkSolveArguments(_ b: UnsafeBufferPointer<Double>, _ x: UnsafeMutableBufferPointer<Double>, columns: Int) throws {
        guard isFactorized else {
            throw SparseError.invalidOption("solve called before a successful factorize")
        }
        let n = dimension
        guard columns >= 1, b.count == n * columns else {
            throw SparseError.dimensionMismatch(expected: n * max(columns, 1), found: b.count, what: "the right-hand side")
        }
        guard x.count == n * columns else {
            throw SparseError.dimensionMismatch(expected: n * columns, found: x.count, what: "the solution buffer")
        }
    }

    /// Solves for one right-hand side.
    public func solve(_ b: UnsafeBufferPointer<Double>, into x: UnsafeMutableBufferPointer<Double>) throws {
        try solve(b, into: x, columns: 1)
    }

    /// Solves (A + shift·I) x = b for one right-hand side.
    public func solve(_ b: [Double]) throws -> [Double] {
        guard b.count == dimension else {
            throw SparseError.dimensionMismatch(expected: dimension, found: b.count, what: "the right-hand side")
        }
        var x = [Double](repeating: 0, count: b.count)
        try b.withUnsafeBufferPointer { bb in
            try x.withUnsafeMutableBufferPointer { try solve(bb, into: $0, columns: 1) }
        }
        return x
    }
}

/// The factorization `FactorizationOptions.kind` asks for: CHOLMOD for `.cholesky` and `.ldlt`, MUMPS
/// for `.multifrontalLDLT`. Forwards every call with a two-way switch (no existential, no allocation).
///
/// Guarantees those of the library it holds (see `SparseCholesky` and `MumpsLDLT`).
public final class SparseFactorization: SymmetricFactorization {
    private enum Backend {
        case cholmod(SparseCholesky)
        case mumps(MumpsLDLT)
    }
    private let backend: Backend
    public let options: FactorizationOptions

    /// Analyses `pattern` for the factorization `options.kind` names.
    public init(pattern: SparsityPattern, options: FactorizationOptions = FactorizationOptions()) throws {
        self.options = options
        backend = options.kind == .multifrontalLDLT
            ? .mumps(try MumpsLDLT(pattern: pattern, options: options))
            : .cholmod(try SparseCholesky(pattern: pattern, options: options))
    }

    /// The CHOLMOD factorization, when that is the library in use.
    public var cholmod: SparseCholesky? { if case let .cholmod(c) = backend { c } else { nil } }
    /// The MUMPS factorization, when that is the library in use.
    public var mumps: MumpsLDLT? { if case let .mumps(m) = backend { m } else { nil } }

    public var pattern: SparsityPattern {
        switch backend { case let .cholmod(c): c.pattern; case let .mumps(m): m.pattern }
    }
    public var isFactorized: Bool {
        switch backend { case let .cholmod(c): c.isFactorized; case let .mumps(m): m.isFactorized }
    }
    public var factorizationCount: Int {
        switch backend { case let .cholmod(c): c.factorizationCount; case let .mumps(m): m.factorizationCount }
    }
    public var shift: Double {
        switch backend { case let .cholmod(c): c.shift; case let .mumps(m): m.shift }
    }
    public var memoryInUse: Int {
        switch backend { case let .cholmod(c): c.memoryInUse; case let .mumps(m): m.memoryInUse }
    }

    public func factorize(_ matrix: SymmetricMatrix, shift: Double) throws {
        switch backend {
        case let .cholmod(c): try c.factorize(matrix, shift: shift)
        case let .mumps(m): try m.factorize(matrix, shift: shift)
        }
    }

    public func solve(_ b: UnsafeBufferPointer<Double>, into x: UnsafeMutableBufferPointer<Double>, columns: Int) throws {
        switch backend {
        case let .cholmod(c): try c.solve(b, into: x, columns: columns)
        case let .mumps(m): try m.solve(b, into: x, columns: columns)
        }
    }
}
