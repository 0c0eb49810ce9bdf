/// Every way a parameter definition, or a vector handed to a `ParameterSpace`, can be wrong.
///
/// Each message names the parameter and says what to change.
public enum ParameterError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A parameter has an empty (or all-blank) name.
    case emptyName
    /// Two parameters share a name.
    case duplicateName(String)
    /// A value is NaN, or infinite where only a finite number makes sense.
    case notFinite(parameter: String, field: String, value: Double)
    /// lower > upper, or lower == upper for a free parameter.
    case emptyBounds(parameter: String, lower: Double, upper: Double)
    /// The initial value lies outside [lower, upper].
    case initialOutsideBounds(parameter: String, initial: Double, lower: Double, upper: Double)
    /// A log-transformed parameter must stay positive, so its lower bound must be > 0.
    case logTransformNeedsPositiveLowerBound(parameter: String, lower: Double)
    /// A prior standard deviation that is not a positive finite number.
    case nonPositivePriorDeviation(parameter: String, standardDeviation: Double)
    /// A vector has the wrong length for this space.
    case dimensionMismatch(what: String, expected: Int, found: Int)
    /// A physical value ≤ 0 given for a log-transformed parameter.
    case nonPositiveValueForLog(parameter: String, value: Double)
    /// A name that is not in the space.
    case unknownName(String)

    public var description: String {
        switch self {
        case .emptyName:
            return "a parameter has an empty name; give every parameter a unique, non-blank name"
        case let .duplicateName(name):
            return "parameter '\(name)' is defined more than once; a parameter shared by several models or "
                + "experiments must be defined once and referred to by name"
        case let .notFinite(parameter, field, value):
            return "parameter '\(parameter)': \(field) is \(value); use a finite number "
                + "(only bounds may be infinite: −∞ for lower, +∞ for upper)"
        case let .emptyBounds(parameter, lower, upper):
            return "parameter '\(parameter)': lower bound \(lower) is not below upper bound \(upper); "
                + "swap or widen the bounds, or mark the parameter fixed"
        case let .initialOutsideBounds(parameter, initial, lower, upper):
            return "parameter '\(parameter)': initial value \(initial) lies outside [\(lower), \(upper)]; "
                + "move the initial value inside the bounds or widen them"
        case let .logTransformNeedsPositiveLowerBound(parameter, lower):
            return "parameter '\(parameter)' uses a log transform but its lower bound is \(lower); "
                + "set a positive lower bound (e.g. a small fraction of the initial value) or use the identity transform"
        case let .nonPositivePriorDeviation(parameter, standardDeviation):
            return "parameter '\(parameter)': prior standard deviation \(standardDeviation) must be a positive "
                + "finite number; remove the prior or give a positive standard deviation in physical units"
        case let .dimensionMismatch(what, expected, found):
            return "\(what) has \(found) entries but the parameter space expects \(expected)"
        case let .nonPositiveValueForLog(parameter, value):
            return "parameter '\(parameter)' is log-transformed but has the value \(value); "
                + "log-transformed parameters must be positive"
        case let .unknownName(name):
            return "no parameter named '\(name)' in this space; check the spelling"
        }
    }
}
