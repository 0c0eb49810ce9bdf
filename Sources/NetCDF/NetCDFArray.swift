/// An n-dimensional array read from a netCDF variable: shape, dimension names and the values
/// flattened in row-major (C, CDL) order, the last dimension varying fastest.
///
/// Guarantees `dimensions.count == shape.count` and `values.count == shape.reduce(1, *)`;
/// a rank-0 (scalar) array has shape `[]` and exactly one value.
public struct NetCDFArray<Element: Sendable>: Sendable {
    public let dimensions: [String]
    public let shape: [Int]
    public let values: [Element]

    /// Builds an array, checking that the names, shape and value count agree.
    public init(dimensions: [String], shape: [Int], values: [Element]) throws(NetCDFError) {
        guard dimensions.count == shape.count, shape.allSatisfy({ $0 >= 0 }),
              values.count == shape.reduce(1, *) else {
            throw .inconsistentArray(shape: shape, dimensions: dimensions, valueCount: values.count)
        }
        self.init(unchecked: dimensions, shape: shape, values: values)
    }

    init(unchecked dimensions: [String], shape: [Int], values: [Element]) {
        self.dimensions = dimensions
        self.shape = shape
        self.values = values
    }

    public var rank: Int { shape.count }
    public var count: Int { values.count }

    /// The single value of a rank-0 array; nil for any other rank.
    public var scalar: Element? { rank == 0 ? values.first : nil }

    /// Position in `values` of a multi-index, or nil if it has the wrong rank or is out of bounds.
    public func flatIndex(_ index: [Int]) -> Int? {
        guard index.count == rank else { return nil }
        var flat = 0
        for (i, extent) in zip(index, shape) {
            guard i >= 0, i < extent else { return nil }
            flat = flat * extent + i
        }
        return flat
    }

    /// The element at a multi-index; like `Array`, an out-of-bounds index is a programming error.
    public subscript(_ index: Int...) -> Element {
        guard let flat = flatIndex(index) else {
            preconditionFailure("index \(index) is out of bounds for NetCDFArray of shape \(shape)")
        }
        return values[flat]
    }

    /// The multi-index of a position in `values` (inverse of `flatIndex`).
    func multiIndex(ofFlat flat: Int) -> [Int] {
        var rest = flat
        var index = [Int](repeating: 0, count: rank)
        for axis in stride(from: rank - 1, through: 0, by: -1) where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }
}

extension NetCDFArray: Equatable where Element: Equatable {}
