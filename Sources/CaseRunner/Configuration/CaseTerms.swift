import Foundation

/// Advice written by the library layers in Swift terms, rewritten in the terms of case.json.
///
/// Physics and Bilevel are Swift libraries, so their messages name Swift API (`.roller("bottom",
/// component: 1)`, `maximumIterations`); a person running `calibrate` writes case.json and needs the
/// fields there. Only exact, known phrases are rewritten.
enum CaseTerms {
    static let rewrites: [(String, String)] = [
        (#".roller("bottom", component: 1) and .roller("left", component: 0), or .fixed(boundary: "bottom")"#,
         #"{"boundary": "bottom", "type": "roller", "component": "y"} and {"boundary": "left", "type": "roller", "component": "x"} in "#
            + #"'boundary_conditions', or {"boundary": "bottom", "type": "fixed"}"#),
        ("maximumIterations", "maximum_iterations"),
        ("maximumEvaluations", "maximum_evaluations"),
        ("relativeObjectiveTolerance", "relative_objective_tolerance"),
        ("projectedGradientTolerance", "projected_gradient_tolerance"),
        ("stepTolerance", "step_tolerance"),
        ("initialDamping", "initial_damping"),
        ("relativeTolerance", "relative_tolerance"),
        ("absoluteTolerance", "absolute_tolerance"),
    ]

    static func translate(_ message: String) -> String {
        rewrites.reduce(message) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}
