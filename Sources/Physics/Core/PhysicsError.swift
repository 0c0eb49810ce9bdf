/// Failures of the physics layer: invalid models and parameters, and evaluations that produced
/// non-finite values. Messages say what, where (group, term, dofs, parameter) and what to do.
public enum PhysicsError: Error, Equatable, CustomStringConvertible {
    /// The model's description is inconsistent (sizes, indices, declarations).
    case invalidModel(String)
    /// A parameter value is outside its physical range.
    case invalidParameter(name: String, value: Double, requirement: String)
    /// A term evaluated to NaN or infinity (overlapping atoms, inverted elements, parameters out of range).
    case nonFinite(group: String, term: Int, detail: String)
    /// The unknowns are not determined by the energy: rigid-body modes or unconstrained dofs.
    case underConstrained(String)
    /// Two vectors that must match in size do not.
    case sizeMismatch(what: String, expected: Int, found: Int)
    /// The lattice or neighbour search was given impossible geometry.
    case geometry(GeometryError)

    public var description: String {
        switch self {
        case let .invalidModel(message):
            return "invalid model: \(message)"
        case let .invalidParameter(name, value, requirement):
            return "parameter \(name) = \(value) is not physical: it must be \(requirement)"
        case let .nonFinite(group, term, detail):
            return "\(group) term \(term) evaluated to a non-finite value: \(detail)"
        case let .underConstrained(message):
            return "the equilibrium is not determined: \(message)"
        case let .sizeMismatch(what, expected, found):
            return "\(what) has \(found) entries, expected \(expected)"
        case let .geometry(error):
            return error.description
        }
    }
}
