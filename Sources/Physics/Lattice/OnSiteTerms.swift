import AutoDiff

/// A constant external force on one atom in the plane: Π = −f·(x − X). Linear, so its Hessian is zero.
public struct ExternalForce2D: LocalEnergy {
    public typealias Hyper = HyperJet<2, 3>
    public static let dofCount = 2
    public static let parameterCount = 0
    public let force: SIMD2<Double>
    public let reference: SIMD2<Double>
    public init(force: SIMD2<Double>, reference: SIMD2<Double>) {
        self.force = force
        self.reference = reference
    }
    @inlinable public func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        -(force.x * (v[0] - reference.x) + force.y * (v[1] - reference.y))
    }
}

/// A constant external force on one atom in space: Π = −f·(x − X).
public struct ExternalForce3D: LocalEnergy {
    public typealias Hyper = HyperJet<3, 6>
    public static let dofCount = 3
    public static let parameterCount = 0
    public let force: SIMD3<Double>
    public let reference: SIMD3<Double>
    public init(force: SIMD3<Double>, reference: SIMD3<Double>) {
        self.force = force
        self.reference = reference
    }
    @inlinable public func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        -(force.x * (v[0] - reference.x) + force.y * (v[1] - reference.y) + force.z * (v[2] - reference.z))
    }
}

/// A rigid spherical (circular in 2D) indenter acting on one atom through the repulsive potential of
/// Kelchner, Plimpton & Hamilton (Phys. Rev. B 58, 11085, 1998): Π = K/3 (R − r)³ for r < R, else 0,
/// with r the distance from the indenter's centre. The centre sits at `surface + R − depth` along the
/// last axis, above `lateral`; the stiffness K and the depth are model parameters, so one model serves
/// every depth of a force–depth curve. Π is C², as Newton's method needs.
public struct IndenterContact2D: LocalEnergy {
    public typealias Hyper = HyperJet<4, 10>
    public static let dofCount = 2
    /// (K, depth).
    public static let parameterCount = 2
    public let radius: Double
    public let lateral: Double
    public let surface: Double
    public init(radius: Double, lateral: Double, surface: Double) {
        self.radius = radius
        self.lateral = lateral
        self.surface = surface
    }
    @inlinable public func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let dx = v[0] - lateral
        let dy = v[1] - (surface + radius - v.parameter(1))
        let r = S.sqrt(dx * dx + dy * dy)
        if r.value >= radius { return 0 }
        let gap = radius - r
        return (1.0 / 3.0) * v.parameter(0) * gap * gap * gap
    }
}

/// The three-dimensional spherical indenter, moving along −z; see `IndenterContact2D`.
public struct IndenterContact3D: LocalEnergy {
    public typealias Hyper = HyperJet<5, 15>
    public static let dofCount = 3
    public static let parameterCount = 2
    public let radius: Double
    public let lateral: SIMD2<Double>
    public let surface: Double
    public init(radius: Double, lateral: SIMD2<Double>, surface: Double) {
        self.radius = radius
        self.lateral = lateral
        self.surface = surface
    }
    @inlinable public func energy<S: Real>(_ v: LocalVariables<S>) -> S {
        let dx = v[0] - lateral.x, dy = v[1] - lateral.y
        let dz = v[2] - (surface + radius - v.parameter(1))
        let r = S.sqrt(dx * dx + dy * dy + dz * dz)
        if r.value >= radius { return 0 }
        let gap = radius - r
        return (1.0 / 3.0) * v.parameter(0) * gap * gap * gap
    }
}
