/// Why an outer optimization could not start or had to be abandoned (as opposed to a run that ended
/// without converging, which is reported by `OptimizationStatus`).
public enum OptimizerError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An option value makes no sense; found by `validate()` before any work is done.
    case invalidOption(name: String, value: String, requirement: String)
    /// A vector has the wrong length.
    case dimensionMismatch(what: String, expected: Int, found: Int)
    /// A bound pair is NaN, empty or points the wrong way.
    case invalidBounds(index: Int, lower: Double, upper: Double)
    /// There is nothing to optimize.
    case noFreeParameters
    /// The starting point (after projection into the box) is not finite.
    case nonFiniteStart(index: Int)
    /// The evaluation at the starting point returned nil (inner solve failed) or non-finite numbers.
    case initialEvaluationFailed
    /// An evaluation returned vectors of the wrong size, or a Jacobian although asked for one it returned none.
    case malformedEvaluation(String)
    /// An NLopt call failed while setting up the optimizer.
    case nlopt(operation: String, code: Int, message: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, requirement):
            return "optimizer option \(name) = \(value) is invalid: it must be \(requirement)"
        case let .dimensionMismatch(what, expected, found):
            return "\(what) has \(found) entries, expected \(expected)"
        case let .invalidBounds(index, lower, upper):
            return "bounds of variable \(index) are [\(lower), \(upper)]; lower must not exceed upper, and neither may be NaN"
        case .noFreeParameters:
            return "every parameter is fixed; free at least one parameter to optimize"
        case let .nonFiniteStart(index):
            return "the starting point has a non-finite entry at \(index); check the initial parameter values"
        case .initialEvaluationFailed:
            return "the model could not be evaluated at the starting point (the inner equilibrium failed or "
                + "returned non-finite values); choose initial parameter values for which the model solves"
        case let .malformedEvaluation(message):
            return "the evaluation callback returned malformed data: \(message)"
        case let .nlopt(operation, code, message):
            return "NLopt \(operation) failed with code \(code)\(message.isEmpty ? "" : ": \(message)")"
        }
    }
}
