/// A physical model: an energy Π(u; θ) that is a sum of groups of local terms over a dof layout.
///
/// A value description, cheap to copy; the `Assembler` turns it into allocated buffers, a sparsity
/// pattern and scatter maps once, and evaluates it many times. `history` holds the previous time step's
/// positions for incremental (time-stepped) potentials and is empty otherwise.
public struct Model: Sendable {
    public var layout: DofLayout
    public var groups: [any EnergyGroup]
    /// Names of the model parameters θ, in order.
    public var parameterNames: [String]
    /// Previous time step's positions of every dof (empty for static models).
    public var history: [Double]
    /// For models whose terms depend on the configuration (pairs within a cutoff): given a full
    /// displacement, the model with its terms rebuilt there, or nil while the current terms still hold.
    /// `Equilibrium` asks before evaluating every new state. Nil (the default) for fixed terms.
    public var refresh: (@Sendable (_ displacement: [Double]) throws -> Model?)?

    public init(layout: DofLayout, groups: [any EnergyGroup], parameterNames: [String], history: [Double] = []) {
        self.layout = layout
        self.groups = groups
        self.parameterNames = parameterNames
        self.history = history
    }

    public var parameterCount: Int { parameterNames.count }
    public var unknownCount: Int { layout.unknownCount }

    /// The index of the parameter called `name`.
    public func parameterIndex(_ name: String) throws -> Int {
        guard let i = parameterNames.firstIndex(of: name) else {
            throw PhysicsError.invalidModel("no parameter named '\(name)'; the model has \(parameterNames)")
        }
        return i
    }
}
