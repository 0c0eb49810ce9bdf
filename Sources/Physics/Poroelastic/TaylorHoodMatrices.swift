import Synchronization

/// The geometric matrices of Taylor–Hood elements, computed once per element: K_λ and K_G (upper
/// triangles, 78 entries each) and B (3 × 12), the integrals of docs/poroelasticity.md. They depend on
/// the element's geometry only, so every assembly pass reads them instead of repeating the quadrature
/// (which was half the cost of a linear model's pass). 192 numbers (1.5 kB) per element.
///
/// Guarantees: the values are bit for bit those `TaylorHoodKernel` computes itself (the same code, in
/// the same order); immutable after creation, hence safe to share between groups and threads; the
/// storage is freed once, when the object is released.
public final class TaylorHoodMatrices: @unchecked Sendable {
    static let stride = 192
    let storage: UnsafeMutableBufferPointer<Double>
    public var elementCount: Int { storage.count / Self.stride }

    public init(geometries: [TaylorHoodGeometry]) {
        storage = .allocate(capacity: Self.stride * geometries.count)
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 324)
        defer { scratch.deallocate() }
        for (t, geometry) in geometries.enumerated() {
            TaylorHoodKernel.geometricMatrices(geometry, kl: scratch, kg: scratch + 144, b: scratch + 288)
            let out = storage.baseAddress! + Self.stride * t
            var k = 0
            for a in 0 ..< 12 {
                for c in a ..< 12 {
                    out[k] = scratch[a * 12 + c]
                    out[78 + k] = scratch[144 + a * 12 + c]
                    k += 1
                }
            }
            for i in 0 ..< 36 { out[156 + i] = scratch[288 + i] }
        }
    }

    deinit { storage.deallocate() }

    /// Writes element `t`'s full symmetric K_λ, K_G (12 × 12, row-major) and B.
    @inline(__always)
    func unpack(_ t: Int, kl: UnsafeMutablePointer<Double>, kg: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>) {
        let source = UnsafePointer(storage.baseAddress! + Self.stride * t)
        var k = 0
        for a in 0 ..< 12 {
            for c in a ..< 12 {
                let l = source[k], g = source[78 + k]
                kl[a * 12 + c] = l; kl[c * 12 + a] = l
                kg[a * 12 + c] = g; kg[c * 12 + a] = g
                k += 1
            }
        }
        for i in 0 ..< 36 { b[i] = source[156 + i] }
    }
}

/// Each region's `TaylorHoodMatrices`, created on first use and shared by every model made from one
/// `PoroelasticModel` (the undrained and the stepping solver of a consolidation). Thread-safe.
final class TaylorHoodMatrixCache: Sendable {
    private let regions = Mutex<[Int: TaylorHoodMatrices]>([:])

    func matrices(region: Int, geometries: () -> [TaylorHoodGeometry]) -> TaylorHoodMatrices {
        regions.withLock { cache in
            if let m = cache[region] { return m }
            let m = TaylorHoodMatrices(geometries: geometries())
            cache[region] = m
            return m
        }
    }
}
