internal import CNLopt

// The only file that calls NLopt (Johnson, "The NLopt nonlinear-optimization package",
// https://github.com/stevengj/nlopt). Algorithm NLOPT_LD_LBFGS: Lukšan's limited-memory variable metric
// method with simple bounds (Lukšan & Vlček, "PLIS", Tech. Rep. V-767, ICS Prague 1999; Nocedal 1980).
//
// Ownership: one `nlopt_opt` per `NLoptLBFGS` instance, created in init and destroyed exactly once in
// deinit. Every NLopt setter's return code is checked and turned into `OptimizerError.nlopt`.
// The objective reaches Swift through the `f_data` context pointer (an unretained pointer to a box that
// lives for the duration of `nlopt_optimize`): no global state, so independent optimizers may run on
// different threads.

/// What `nlopt_optimize` returned, as a Swift value.
enum NLoptOutcome: Equatable {
    case success, stopValueReached, objectiveToleranceReached, stepToleranceReached
    case maximumEvaluationsReached, maximumTimeReached
    case failure, invalidArguments, outOfMemory, roundoffLimited, forcedStop
    case unknown(Int)

    init(code: Int) {
        switch code {
        case 1: self = .success
        case 2: self = .stopValueReached
        case 3: self = .objectiveToleranceReached
        case 4: self = .stepToleranceReached
        case 5: self = .maximumEvaluationsReached
        case 6: self = .maximumTimeReached
        case -1: self = .failure
        case -2: self = .invalidArguments
        case -3: self = .outOfMemory
        case -4: self = .roundoffLimited
        case -5: self = .forcedStop
        default: self = .unknown(code)
        }
    }

    /// NLopt's own name for the code (e.g. "ROUNDOFF_LIMITED").
    static func name(of code: Int) -> String {
        guard let text = nlopt_result_to_string(nlopt_result(rawValue: Int32(code))) else { return "unknown" }
        return String(cString: text)
    }
}

/// The objective as the NLopt callback sees it: x (read-only), gradient storage (nil if NLopt does not
/// want it). Returns the value to hand to NLopt and whether to force a stop after this evaluation.
typealias NLoptObjective = (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>?) -> (value: Double, stop: Bool)

/// Owner of one NLopt L-BFGS optimizer.
final class NLoptLBFGS {
    private let handle: OpaquePointer
    let dimension: Int

    init(dimension: Int, memory: Int) throws(OptimizerError) {
        guard let h = nlopt_create(NLOPT_LD_LBFGS, UInt32(dimension)) else {
            throw .nlopt(operation: "nlopt_create", code: -3, message: "could not create an LD_LBFGS optimizer")
        }
        handle = h
        self.dimension = dimension
        if memory > 0 { try check(nlopt_set_vector_storage(handle, UInt32(memory)), "nlopt_set_vector_storage") }
    }

    deinit { nlopt_destroy(handle) }

    func setBounds(_ bounds: BoxBounds) throws(OptimizerError) {
        try check(bounds.lower.withUnsafeBufferPointer { nlopt_set_lower_bounds(handle, $0.baseAddress) }, "nlopt_set_lower_bounds")
        try check(bounds.upper.withUnsafeBufferPointer { nlopt_set_upper_bounds(handle, $0.baseAddress) }, "nlopt_set_upper_bounds")
    }

    func setRelativeObjectiveTolerance(_ tolerance: Double) throws(OptimizerError) {
        try check(nlopt_set_ftol_rel(handle, tolerance), "nlopt_set_ftol_rel")
    }

    /// NLopt counts evaluations per `nlopt_optimize` call; `count` ≤ 0 would mean "no limit", so it is clamped to 1.
    func setMaximumEvaluations(_ count: Int) throws(OptimizerError) {
        try check(nlopt_set_maxeval(handle, Int32(clamping: max(1, count))), "nlopt_set_maxeval")
    }

    /// Runs NLopt from `x` (overwritten with NLopt's final point). Returns the outcome code and NLopt's
    /// final value. Errors only for invalid arguments or memory exhaustion; every other code is an outcome
    /// for the caller to interpret.
    func minimize(from x: inout [Double], objective: NLoptObjective) throws(OptimizerError) -> (outcome: NLoptOutcome, code: Int, value: Double) {
        precondition(x.count == dimension, "NLopt optimizer of dimension \(dimension) given \(x.count) values")
        return try withoutActuallyEscaping(objective) { (escapable) throws(OptimizerError) in
            let context = CallbackContext(handle: handle, objective: escapable)
            let pointer = Unmanaged.passUnretained(context).toOpaque()
            try check(nlopt_set_min_objective(handle, nloptTrampoline, pointer), "nlopt_set_min_objective")
            var value = 0.0
            let code = Int(nlopt_optimize(handle, &x, &value).rawValue)
            // Detach the context before it dies: the handle must never hold a dangling pointer.
            _ = nlopt_set_min_objective(handle, nloptTrampoline, nil)
            return try withExtendedLifetime(context) { () throws(OptimizerError) in
                let outcome = NLoptOutcome(code: code)
                switch outcome {
                case .invalidArguments, .outOfMemory:
                    throw .nlopt(operation: "nlopt_optimize", code: code, message: errorMessage())
                default:
                    return (outcome, code, value)
                }
            }
        }
    }

    private func errorMessage() -> String {
        guard let text = nlopt_get_errmsg(handle) else { return NLoptOutcome.name(of: -2) }
        return String(cString: text)
    }

    private func check(_ result: nlopt_result, _ operation: String) throws(OptimizerError) {
        if result.rawValue < 0 {
            throw .nlopt(operation: operation, code: Int(result.rawValue), message: errorMessage())
        }
    }
}

/// What the trampoline needs: the user's objective and the handle to force-stop.
private final class CallbackContext {
    let handle: OpaquePointer
    let objective: NLoptObjective
    init(handle: OpaquePointer, objective: @escaping NLoptObjective) {
        self.handle = handle
        self.objective = objective
    }
}

/// C-callable entry point: unpacks the context and calls the Swift objective. Swift errors cannot cross
/// this boundary; the objective closure records them and asks for a stop instead.
private func nloptTrampoline(_ n: UInt32, _ x: UnsafePointer<Double>?, _ gradient: UnsafeMutablePointer<Double>?,
                             _ data: UnsafeMutableRawPointer?) -> Double {
    guard let data, let x else { return .infinity }
    let context = Unmanaged<CallbackContext>.fromOpaque(data).takeUnretainedValue()
    let count = Int(n)
    let g = gradient.map { UnsafeMutableBufferPointer(start: $0, count: count) }
    let (value, stop) = context.objective(UnsafeBufferPointer(start: x, count: count), g)
    if stop { _ = nlopt_force_stop(context.handle) }
    return value
}
