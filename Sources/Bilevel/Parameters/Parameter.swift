import Foundation

/// How a parameter is seen by the optimizer: z = θ (`identity`) or z = log θ (`log`).
///
/// A log transform makes a positive parameter (a modulus, a diffusivity) scale-free: equal steps in z are
/// equal relative changes in θ, confidence intervals become asymmetric and stay positive, and a
/// badly scaled parameter no longer dominates the conditioning of JᵀJ.
public enum ParameterTransform: String, Sendable, Codable, Equatable, CaseIterable {
    /// z = θ.
    case identity
    /// z = ln θ; requires a positive lower bound.
    case log

    /// θ from z.
    public func physical(_ z: Double) -> Double {
        switch self {
        case .identity: return z
        case .log: return exp(z)
        }
    }

    /// z from θ (θ must be positive for `log`).
    public func transformed(_ theta: Double) -> Double {
        switch self {
        case .identity: return theta
        case .log: return Foundation.log(theta)
        }
    }

    /// dθ/dz at z: 1, or θ = eᶻ.
    public func derivative(_ z: Double) -> Double {
        switch self {
        case .identity: return 1
        case .log: return exp(z)
        }
    }
}

/// An independent Gaussian prior θ ~ N(mean, standardDeviation²) on one parameter, in physical units.
///
/// It enters a least-squares fit as one extra weighted residual (θ − mean)/standardDeviation; see
/// `ParameterSpace.priorResiduals(at:)`.
public struct GaussianPrior: Sendable, Codable, Equatable {
    /// Prior mean, in the parameter's physical units.
    public var mean: Double
    /// Prior standard deviation (> 0), in the parameter's physical units.
    public var standardDeviation: Double

    public init(mean: Double, standardDeviation: Double) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }
}

/// One named model parameter: initial value, box bounds, transform, fixed or free, optional prior.
///
/// A plain value; it is checked when placed in a `ParameterSpace` (see `ParameterError`). Bounds may be
/// infinite (−∞ or +∞ means unbounded on that side); every other number must be finite. A fixed
/// parameter keeps its `initial` value and is not seen by optimizers; for it `lower == upper` is allowed.
/// The same parameter (same name) may be used by several models or experiments: the space is the
/// single place where its value lives.
public struct Parameter: Sendable, Codable, Equatable {
    /// Unique name within a space, used in every message and report.
    public var name: String
    /// Starting (or, when fixed, constant) value in physical units.
    public var initial: Double
    /// Lower bound in physical units (may be −∞; must be > 0 with a log transform).
    public var lower: Double
    /// Upper bound in physical units (may be +∞).
    public var upper: Double
    /// How the optimizer sees the parameter.
    public var transform: ParameterTransform
    /// A fixed parameter is held at `initial`.
    public var isFixed: Bool
    /// Optional Gaussian prior in physical units.
    public var prior: GaussianPrior?

    public init(name: String, initial: Double, lower: Double = -.infinity, upper: Double = .infinity,
                transform: ParameterTransform = .identity, isFixed: Bool = false, prior: GaussianPrior? = nil) {
        self.name = name
        self.initial = initial
        self.lower = lower
        self.upper = upper
        self.transform = transform
        self.isFixed = isFixed
        self.prior = prior
    }

    /// A parameter held at `value` (bounds collapse onto it).
    public static func fixed(_ name: String, value: Double, transform: ParameterTransform = .identity) -> Parameter {
        Parameter(name: name, initial: value, lower: value, upper: value, transform: transform, isFixed: true)
    }

    /// The first problem with this parameter on its own, or nil (duplicates are a property of the space).
    public func validationError() -> ParameterError? {
        if name.trimmingWhitespace().isEmpty { return .emptyName }
        for (label, value) in [("initial value", initial), ("lower bound", lower), ("upper bound", upper)]
        where value.isNaN {
            return .notFinite(parameter: name, field: label, value: value)
        }
        if !initial.isFinite { return .notFinite(parameter: name, field: "initial value", value: initial) }
        if lower == .infinity { return .notFinite(parameter: name, field: "lower bound", value: lower) }
        if upper == -.infinity { return .notFinite(parameter: name, field: "upper bound", value: upper) }
        if lower > upper || (lower == upper && !isFixed) {
            return .emptyBounds(parameter: name, lower: lower, upper: upper)
        }
        if transform == .log && lower <= 0 {
            return .logTransformNeedsPositiveLowerBound(parameter: name, lower: lower)
        }
        if initial < lower || initial > upper {
            return .initialOutsideBounds(parameter: name, initial: initial, lower: lower, upper: upper)
        }
        if let prior {
            if !prior.mean.isFinite { return .notFinite(parameter: name, field: "prior mean", value: prior.mean) }
            if !(prior.standardDeviation > 0) || !prior.standardDeviation.isFinite {
                return .nonPositivePriorDeviation(parameter: name, standardDeviation: prior.standardDeviation)
            }
        }
        return nil
    }
}

private extension String {
    func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? endIndex
        return start < end ? self[start ..< end] : ""
    }
}
