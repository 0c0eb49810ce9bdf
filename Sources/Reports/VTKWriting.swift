/// Serialisation of ``VTKUnstructuredGrid`` and the ParaView collection (`.pvd`) that turns a
/// set of `.vtu` files into a time series.
extension VTKUnstructuredGrid {
    /// The `.vtu` document.
    /// - Throws: ``ReportError/lengthMismatch(what:expected:found:)`` if cells were added after a
    ///   cell-data array, so that it no longer has one tuple per cell; ``ReportError/invalidValue(what:index:value:requirement:)``
    ///   for a non-finite ``time``.
    public func xml() throws -> String {
        for (i, array) in cellData.enumerated() {
            try Self.check(array, kind: "cell data", count: cellCount, countName: "cells", existing: Array(cellData[..<i]))
        }
        if let time, !time.isFinite {
            throw ReportError.invalidValue(what: "VTK grid time", index: 0, value: NumberFormat.roundTrip(time),
                                           requirement: "the time must be finite")
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<VTKFile type=\"UnstructuredGrid\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">\n"
        out += "  <UnstructuredGrid>\n"
        if let time {
            out += "    <FieldData>\n"
            out += "      <DataArray type=\"Float64\" Name=\"TimeValue\" NumberOfTuples=\"1\" format=\"ascii\">\n"
            out += "        \(NumberFormat.roundTrip(time))\n"
            out += "      </DataArray>\n"
            out += "    </FieldData>\n"
        }
        out += "    <Piece NumberOfPoints=\"\(pointCount)\" NumberOfCells=\"\(cellCount)\">\n"
        out += Self.section("PointData", pointData)
        out += Self.section("CellData", cellData)
        out += "      <Points>\n"
        out += Self.floatArray(name: "Points", components: 3, values: points.flatMap { [$0.x, $0.y, $0.z] })
        out += "      </Points>\n"
        out += "      <Cells>\n"
        out += Self.integerArray(type: "Int64", name: "connectivity", cellTuples(connectivity))
        out += Self.integerArray(type: "Int64", name: "offsets", offsets.map { [$0] })
        out += Self.integerArray(type: "UInt8", name: "types", cellTypes.map { [Int($0.rawValue)] })
        out += "      </Cells>\n"
        out += "    </Piece>\n"
        out += "  </UnstructuredGrid>\n"
        out += "</VTKFile>\n"
        return out
    }

    /// Writes the `.vtu` file atomically (see ``AtomicFile``).
    public func write(to path: String) throws {
        try AtomicFile.write(try xml(), to: path)
    }

    /// Connectivity split one cell per line, so the file can be read (and diffed) by a person.
    private func cellTuples(_ nodes: [Int]) -> [[Int]] {
        var start = 0
        return offsets.map { end in
            defer { start = end }
            return Array(nodes[start ..< end])
        }
    }

    /// `<PointData>` or `<CellData>`; the first scalar and first 3-vector array are marked active,
    /// so ParaView colours by them without the user picking an array.
    private static func section(_ tag: String, _ arrays: [DataArray]) -> String {
        var attributes = ""
        if let scalar = arrays.first(where: { $0.components == 1 }) {
            attributes += " Scalars=\"\(XMLEscape.escape(scalar.name))\""
        }
        if let vector = arrays.first(where: { $0.components == 3 }) {
            attributes += " Vectors=\"\(XMLEscape.escape(vector.name))\""
        }
        var out = "      <\(tag)\(attributes)>\n"
        for array in arrays {
            out += floatArray(name: array.name, components: array.components, values: array.values)
        }
        return out + "      </\(tag)>\n"
    }

    /// A `Float64` array, one tuple per line (scalars six to a line).
    private static func floatArray(name: String, components: Int, values: [Double]) -> String {
        var out = "        <DataArray type=\"Float64\" Name=\"\(XMLEscape.escape(name))\""
        out += " NumberOfComponents=\"\(components)\" format=\"ascii\">\n"
        let perLine = components == 1 ? 6 : components
        var index = 0
        while index < values.count {
            let end = min(values.count, index + perLine)
            out += "          " + values[index ..< end].map(NumberFormat.roundTrip).joined(separator: " ") + "\n"
            index = end
        }
        return out + "        </DataArray>\n"
    }

    private static func integerArray(type: String, name: String, _ rows: [[Int]]) -> String {
        var out = "        <DataArray type=\"\(type)\" Name=\"\(name)\" format=\"ascii\">\n"
        // Single-value rows (offsets, types) are packed twelve to a line.
        let packed = rows.allSatisfy { $0.count == 1 } ? stride(from: 0, to: rows.count, by: 12).map {
            rows[$0 ..< min(rows.count, $0 + 12)].flatMap { $0 }
        } : rows
        for row in packed { out += "          " + row.map(String.init).joined(separator: " ") + "\n" }
        return out + "        </DataArray>\n"
    }
}

/// A ParaView Data collection (`.pvd`): a list of data set files, each with a time step, which
/// ParaView opens as one time series.
///
/// File names are written as given; make them relative to the directory of the `.pvd` file so
/// that the output directory can be moved. Times must be finite; they are written in the order
/// added (ParaView sorts them itself).
public struct PVDCollection: Sendable, Equatable {
    /// One data set: its time, its file, and its part number (pieces of one time step).
    public struct DataSet: Sendable, Equatable {
        public var time: Double
        public var file: String
        public var part: Int
    }

    public private(set) var dataSets: [DataSet] = []

    public init() {}

    /// Adds a data set.
    /// - Throws: ``ReportError/invalidValue(what:index:value:requirement:)`` for a non-finite time,
    ///   ``ReportError/invalidArgument(what:reason:)`` for an empty file name.
    public mutating func append(time: Double, file: String, part: Int = 0) throws {
        guard time.isFinite else {
            throw ReportError.invalidValue(what: "PVD collection time step", index: dataSets.count,
                                           value: NumberFormat.roundTrip(time), requirement: "times must be finite")
        }
        guard !file.isEmpty else {
            throw ReportError.invalidArgument(what: "PVD collection entry \(dataSets.count)", reason: "the file name is empty")
        }
        dataSets.append(DataSet(time: time, file: file, part: part))
    }

    /// The `.pvd` document.
    public func xml() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n"
        out += "  <Collection>\n"
        for set in dataSets {
            out += "    <DataSet timestep=\"\(NumberFormat.roundTrip(set.time))\" group=\"\" part=\"\(set.part)\""
            out += " file=\"\(XMLEscape.escape(set.file))\"/>\n"
        }
        out += "  </Collection>\n"
        out += "</VTKFile>\n"
        return out
    }

    /// Writes the `.pvd` file atomically (see ``AtomicFile``).
    public func write(to path: String) throws {
        try AtomicFile.write(xml(), to: path)
    }

    /// The file of frame `index` of a series of `count` named `baseName` in `writeTimeSeries`:
    /// `<baseName>_<index>.vtu`, the index zero-padded to at least 4 digits (to the digits of count − 1),
    /// so that frames written separately (by several processes) are named as `writeTimeSeries` names them.
    public static func frameFile(baseName: String, index: Int, count: Int) -> String {
        let width = max(4, String(max(0, count - 1)).count)
        let digits = String(index)
        return "\(baseName)_\(String(repeating: "0", count: max(0, width - digits.count)))\(digits).vtu"
    }

    /// Writes each grid as `<baseName>_<k>.vtu` (k zero-padded to at least 4 digits) in
    /// `directory`, with its time, then `<baseName>.pvd` referring to them — last, so that the
    /// collection never names a file that is not complete.
    /// - Returns: the path of the `.pvd` file.
    @discardableResult
    public static func writeTimeSeries(_ frames: [(time: Double, grid: VTKUnstructuredGrid)], directory: String,
                                       baseName: String) throws -> String {
        guard !baseName.isEmpty, !baseName.contains("/") else {
            throw ReportError.invalidArgument(what: "VTK time series base name '\(baseName)'",
                                              reason: "use a non-empty file name without '/'")
        }
        var collection = PVDCollection()
        for (k, frame) in frames.enumerated() {
            let file = frameFile(baseName: baseName, index: k, count: frames.count)
            try collection.append(time: frame.time, file: file)
            var grid = frame.grid
            grid.time = frame.time
            try grid.write(to: directory + "/" + file)
        }
        let path = directory + "/" + baseName + ".pvd"
        try collection.write(to: path)
        return path
    }
}
