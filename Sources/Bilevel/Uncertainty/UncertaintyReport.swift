import Sparse

/// How the residual weights 1/σ_i are to be read.
public enum ErrorScale: String, Sendable, Codable, Equatable {
    /// σ_i are the true measurement standard deviations: Cov(z) = (JᵀJ)⁻¹.
    case absolute
    /// σ_i are right only up to a common factor, estimated from the fit: Cov(z) = s² (JᵀJ)⁻¹,
    /// s² = rᵀr/(m − p).
    case relative
}

/// How the identifiability eigen-analysis scales JᵀJ before decomposing it.
public enum IdentifiabilityScaling: String, Sendable, Codable, Equatable {
    /// Decompose S JᵀJ S with S = diag(|θ_k| / (dθ_k/dz_k)): columns become ∂r/∂ln θ_k, the change of the
    /// weighted predictions per relative change of each parameter. Free of units, and — unlike the unit
    /// diagonal — it keeps the absolute size of a sensitivity, so a parameter the data cannot see at all
    /// (a column that is zero up to round-off) stays visible instead of being scaled up to unit size.
    case relativeSensitivity
    /// Decompose S JᵀJ S with S = diag(1/√(JᵀJ)_ii) (unit diagonal): eigenvalues are free of parameter
    /// units, so an identity-transformed modulus in pascals is not flagged merely for its size.
    case unitDiagonal
    /// Decompose JᵀJ itself (in z; meaningful when all parameters are log-transformed or well scaled).
    case none
}

/// Settings of `UncertaintyAnalysis`, with documented defaults.
public struct UncertaintyOptions: Sendable, Codable, Equatable {
    /// Default `.relative`.
    public var errorScale = ErrorScale.relative
    /// Two-sided confidence level of the intervals. Default 0.95.
    public var confidenceLevel = 0.95
    /// Interval quantile: Student t with m − p degrees of freedom (default; exact for linear models with
    /// estimated s², slightly conservative with known σ) or the normal quantile (exact for known σ).
    public var useStudentT = true
    /// Eigenvalues with λ/λ_max below this are "not determined by the data". Default 1e-8.
    public var identifiabilityThreshold = 1e-8
    /// Default `.relativeSensitivity`.
    public var scaling = IdentifiabilityScaling.relativeSensitivity
    /// With `.relativeSensitivity`, eigenvalues below this are also "not determined": changing the
    /// parameters by 100% along that combination moves the weighted predictions by less than
    /// √(1e-12) = 1e-6 standard deviations. Default 1e-12.
    public var absoluteIdentifiabilityThreshold = 1e-12
    /// A parameter whose unit coordinate vector has a component larger than this in the undetermined
    /// eigenspace gets an infinite standard error. Default 1e-6.
    public var involvementThreshold = 1e-6
    /// Add the Gaussian priors of the space to the information matrix (posterior covariance). Default false.
    public var includePrior = false

    public init() {}

    public func validate() throws(UncertaintyError) {
        guard confidenceLevel > 0 && confidenceLevel < 1 else {
            throw .invalidOption("confidenceLevel = \(confidenceLevel) must lie strictly between 0 and 1 (e.g. 0.95)")
        }
        guard identifiabilityThreshold > 0 && identifiabilityThreshold < 1 else {
            throw .invalidOption("identifiabilityThreshold = \(identifiabilityThreshold) must lie strictly between 0 and 1 (e.g. 1e-8)")
        }
        guard involvementThreshold > 0 && involvementThreshold < 1 else {
            throw .invalidOption("involvementThreshold = \(involvementThreshold) must lie strictly between 0 and 1 (e.g. 1e-6)")
        }
    }
}

/// Why an uncertainty analysis could not be made.
public enum UncertaintyError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidOption(String)
    case dimensionMismatch(what: String, expected: Int, found: Int)
    /// m ≤ p: no degrees of freedom are left for a variance estimate or a t quantile.
    case tooFewResiduals(residuals: Int, parameters: Int)
    case notFinite(String)
    case parameter(ParameterError)
    case eigen(SymmetricEigenError)

    public var description: String {
        switch self {
        case let .invalidOption(message): return "invalid uncertainty option: \(message)"
        case let .dimensionMismatch(what, expected, found): return "\(what) has \(found) entries, expected \(expected)"
        case let .tooFewResiduals(m, p):
            return "\(m) residuals for \(p) free parameters: at least \(p + 1) are needed for an uncertainty estimate; "
                + "add data or fix parameters"
        case let .notFinite(what): return "\(what) contains NaN or infinite values; evaluate at a converged optimum"
        case let .parameter(error): return error.description
        case let .eigen(error): return error.description
        }
    }
}

/// A two-sided confidence interval (bounds may be infinite for undetermined parameters).
public struct ConfidenceInterval: Sendable, Codable, Equatable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    public func contains(_ x: Double) -> Bool { x >= lower && x <= upper }
}

/// A direction in the free transformed parameters along which the data do not constrain the fit.
public struct ParameterCombination: Sendable, Codable, Equatable {
    /// Eigenvalue of the (scaled) JᵀJ for this direction.
    public var eigenvalue: Double
    /// eigenvalue / largest eigenvalue.
    public var relativeEigenvalue: Double
    /// Unit coefficients c over z (first entry with |c_k| ≥ 0.05 positive): cᵀz is not determined.
    public var coefficients: [Double]
    /// Names of the parameters with |c_k| ≥ 0.05, in z order.
    public var parameters: [String]
    /// E.g. "D and alpha: 0.71·log D − 0.70·log alpha is not determined by the data".
    public var description: String
}

/// Eigen-analysis of JᵀJ (data only) at the optimum.
public struct IdentifiabilityDiagnostic: Sendable, Codable, Equatable {
    public var scaling: IdentifiabilityScaling
    /// Scale factors S_kk applied before decomposing (all 1 for `.none`).
    public var scaleFactors: [Double]
    /// Ascending eigenvalues of S JᵀJ S.
    public var eigenvalues: [Double]
    /// Column k is the eigenvector of `eigenvalues[k]` (in scaled coordinates).
    public var eigenvectors: DenseMatrix
    /// λ_max/λ_min (+∞ when λ_min ≤ 0).
    public var conditionNumber: Double
    /// The relative threshold used.
    public var threshold: Double
    /// Directions with λ/λ_max below the threshold.
    public var unidentifiable: [ParameterCombination]
}

/// Uncertainty of a weighted least-squares estimate from the Gauss–Newton approximation at the optimum.
///
/// Guarantees: every array is in z order of the free parameters; covariances are symmetric;
/// `standardErrors*` are +∞ and intervals unbounded exactly for the parameters listed in `undetermined`
/// (whose covariance rows then hold the pseudo-inverse, and whose correlations are NaN, printed as
/// "undetermined" in reports). Non-finite numbers therefore appear only with that meaning; encode to JSON
/// with a `nonConformingFloatEncodingStrategy`.
public struct UncertaintyReport: Sendable, Codable, Equatable {
    public var names: [String]
    /// "log D" for log-transformed parameters.
    public var transformedNames: [String]
    public var transforms: [ParameterTransform]
    public var estimateTransformed: [Double]
    public var estimatePhysical: [Double]
    public var errorScale: ErrorScale
    public var includesPrior: Bool
    /// m (data residuals only).
    public var residualCount: Int
    /// p.
    public var parameterCount: Int
    /// m − p.
    public var degreesOfFreedom: Int
    /// χ² = rᵀr.
    public var chiSquared: Double
    /// s² = χ²/(m − p), the residual variance estimate (equal to `reducedChiSquared` for weighted residuals).
    public var residualVariance: Double
    /// χ²/(m − p); ≈ 1 when the σ_i are right and the model fits.
    public var reducedChiSquared: Double
    /// √(χ²/m).
    public var weightedRMS: Double
    /// Cov(z), p × p.
    public var covarianceTransformed: DenseMatrix
    /// Cov(θ_free) = D Cov(z) D (delta method), p × p.
    public var covariancePhysical: DenseMatrix
    /// True when the information matrix was singular and a pseudo-inverse was used.
    public var isPseudoInverse: Bool
    public var standardErrorsTransformed: [Double]
    /// Delta-method standard errors in physical units.
    public var standardErrorsPhysical: [Double]
    public var confidenceLevel: Double
    /// The quantile multiplying the standard errors (t or normal).
    public var quantile: Double
    /// z ± quantile·se.
    public var intervalsTransformed: [ConfidenceInterval]
    /// The z-intervals mapped through the transform (asymmetric for log parameters).
    public var intervalsPhysical: [ConfidenceInterval]
    /// Correlation matrix of z (NaN in rows and columns of undetermined parameters).
    public var correlation: DenseMatrix
    /// Parameters with infinite standard error.
    public var undetermined: [String]
    public var identifiability: IdentifiabilityDiagnostic

    /// The combinations the data cannot determine.
    public var unidentifiable: [ParameterCombination] { identifiability.unidentifiable }

    /// P(χ²_ν ≥ χ²) with ν = m − p: the probability of a misfit at least this large if the model is right
    /// and the σ are the data's standard deviations (nil without degrees of freedom, or for relative σ,
    /// whose scale is estimated from the misfit itself).
    public var chiSquaredPValue: Double? {
        guard degreesOfFreedom > 0, errorScale == .absolute else { return nil }
        return ChiSquared.upperTail(chiSquared, degreesOfFreedom: Double(degreesOfFreedom))
    }
}
