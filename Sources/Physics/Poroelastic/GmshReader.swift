import Foundation

/// Reads Gmsh's MSH 4.1 ASCII format (gmsh.info/doc/texinfo/gmsh.html, section "MSH file format").
///
/// What is used: `$MeshFormat` (must be 4.1, ASCII), `$PhysicalNames`, `$Entities` (which physical groups
/// each geometric entity belongs to), `$Nodes` and `$Elements`. Triangles (type 2, or 6-node type 9 with
/// straight edges) make the mesh; a 2D physical group names a region, a 1D physical group a boundary made
/// of the line elements (type 1 or 3-node type 8) of its curves. Points (type 15) are ignored, and so are
/// other sections. A physical group without a name is called by its tag ("7"). When the file defines no
/// 2D physical group at all, every triangle is in region "domain".
///
/// Everything else is an error with the line it was found at: binary files, other versions,
/// quadrilaterals and volume elements, curved 6-node triangles, triangles in no (or two) regions, and
/// the element checks of `TriangleMesh` (inverted, degenerate).
extension TriangleMesh {
    /// The largest .msh file read: 1 GB.
    public static let maximumFileBytes = 1 << 30

    /// Reads an MSH 4.1 ASCII file.
    ///
    /// Only a regular file (or a link to one) of at most `maximumFileBytes` is read: a device or a
    /// pipe named as the mesh would otherwise be read forever.
    public static func readGmsh(path: String) throws(MeshError) -> TriangleMesh {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(path: path, reason: "it is not a regular file; 'gmsh' must name an .msh file")
        }
        guard Int(info.st_size) <= maximumFileBytes else {
            throw .unreadable(path: path, reason: "it has \(info.st_size) bytes, more than the \(maximumFileBytes) this reader accepts "
                              + "(about 10⁷ triangles); this model is 2D: check that it is the intended mesh")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try parseGmsh(text, file: path)
    }

    /// Parses the text of an MSH 4.1 ASCII file; `file` (when given) is named in syntax errors.
    ///
    /// Every count in the file is untrusted: a negative count is a syntax error, and a count larger
    /// than what the rest of the file can hold (each item takes at least one token and a separator) is
    /// refused before anything is reserved for it.
    public static func parseGmsh(_ text: String, file: String? = nil) throws(MeshError) -> TriangleMesh {
        var reader = MSHReader(text, file: file)
        return try reader.read()
    }
}

/// A cursor over the lines and whitespace-separated tokens of an MSH file, remembering line numbers.
struct MSHReader {
    let lines: [Substring]
    /// `remainingBytes[i]`: UTF-8 bytes from the start of line i to the end of the file.
    let remainingBytes: [Int]
    let file: String?
    /// The section being read ("$Nodes"), named in syntax errors.
    var section: String?
    var line = 0
    var tokens: [Substring] = []
    var tokenIndex = 0

    /// Physical tags of each (dimension, entity tag).
    var entityGroups: [Int: [Int]] = [:]
    var physicalNames: [Int: String] = [:]
    var nodes: [Int: SIMD2<Double>] = [:]
    var triangles: [(tag: Int, entity: Int, nodes: [Int])] = []
    var segments: [(entity: Int, nodes: [Int])] = []
    var sawFormat = false

    init(_ text: String, file: String? = nil) {
        lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        var remaining = [Int](repeating: 0, count: lines.count + 1)
        for i in stride(from: lines.count - 1, through: 0, by: -1) { remaining[i] = remaining[i + 1] + lines[i].utf8.count + 1 }
        remainingBytes = remaining
        self.file = file
    }

    /// A syntax error at (1-based) `line`, naming the file and the section being read.
    func syntax(_ line: Int, _ message: String) -> MeshError {
        .syntax(file: file, section: section, line: line, message: message)
    }

    /// The most items of `tokensPerItem` tokens each that the rest of the file can hold: a token is at
    /// least one character followed by a separator.
    func capacity(tokensPerItem: Int) -> Int {
        let tokensLeft = (tokens.count - tokenIndex) + (remainingBytes[min(line, lines.count)] + 1) / 2
        return tokensLeft / max(tokensPerItem, 1)
    }

    /// Reads a count of items (`what`, named in errors) of at least `tokensPerItem` tokens each, and
    /// refuses it when negative or larger than what the rest of the file can hold.
    mutating func count(_ what: String, tokensPerItem: Int) throws(MeshError) -> Int {
        let n = try int()
        guard n >= 0 else { throw syntax(line, "the number of \(what) is \(n); a count cannot be negative") }
        let most = capacity(tokensPerItem: tokensPerItem)
        guard n <= most else {
            throw syntax(line, "the file declares \(n) \(what), but the rest of the file can hold at most \(most); the file is truncated or the count is wrong")
        }
        return n
    }

    static func key(_ dim: Int, _ tag: Int) -> Int { dim << 40 | (tag & 0xFF_FFFF_FFFF) }

    mutating func read() throws(MeshError) -> TriangleMesh {
        while line < lines.count {
            let header = lines[line].trimmingCharacters(in: .whitespaces)
            line += 1
            tokens = []
            tokenIndex = 0
            section = header.hasPrefix("$") ? header : nil
            switch header {
            case "": continue
            case "$MeshFormat": try readFormat()
            case "$PhysicalNames": try readPhysicalNames()
            case "$Entities": try readEntities()
            case "$Nodes": try readNodes()
            case "$Elements": try readElements()
            default:
                guard header.hasPrefix("$") else { throw syntax(line, "expected a section header such as $Nodes, found '\(header)'") }
                try skipSection(String(header.dropFirst()))
                continue
            }
            try expectEnd(header)
        }
        guard sawFormat else { throw syntax(1, "no $MeshFormat section: this is not an MSH file") }
        return try assemble()
    }

    mutating func nextToken() throws(MeshError) -> Substring {
        while tokenIndex >= tokens.count {
            guard line < lines.count else { throw syntax(line, "unexpected end of file") }
            if lines[line].hasPrefix("$") { throw syntax(line + 1, "section ended early, at '\(lines[line])'") }
            tokens = lines[line].split(whereSeparator: { $0 == " " || $0 == "\t" })
            tokenIndex = 0
            line += 1
        }
        tokenIndex += 1
        return tokens[tokenIndex - 1]
    }

    mutating func int() throws(MeshError) -> Int {
        let t = try nextToken()
        guard let v = Int(t) else { throw syntax(line, "expected an integer, found '\(t)'") }
        return v
    }

    mutating func double() throws(MeshError) -> Double {
        let t = try nextToken()
        guard let v = Double(t) else { throw syntax(line, "expected a number, found '\(t)'") }
        return v
    }

    mutating func expectEnd(_ header: String) throws(MeshError) {
        guard tokenIndex >= tokens.count else {
            throw syntax(line, "unexpected '\(tokens[tokenIndex])' before the end of \(header)")
        }
        while line < lines.count && lines[line].trimmingCharacters(in: .whitespaces).isEmpty { line += 1 }
        let end = "$End" + header.dropFirst()
        guard line < lines.count, lines[line].trimmingCharacters(in: .whitespaces) == end else {
            throw syntax(line + 1, "expected \(end)")
        }
        line += 1
    }

    mutating func skipSection(_ name: String) throws(MeshError) {
        while line < lines.count {
            defer { line += 1 }
            if lines[line].trimmingCharacters(in: .whitespaces) == "$End" + name { return }
        }
        throw syntax(line, "section $\(name) has no $End\(name)")
    }

    mutating func readFormat() throws(MeshError) {
        let version = try nextToken(), fileType = try int(), _ = try int()
        guard version == "4.1" else {
            throw .unsupported("MSH version \(version); export as version 4.1 ASCII (gmsh -format msh41, or Mesh.MshFileVersion = 4.1)")
        }
        guard fileType == 0 else { throw .unsupported("binary MSH file; save it as ASCII (Mesh.Binary = 0)") }
        sawFormat = true
    }

    mutating func readPhysicalNames() throws(MeshError) {
        let count = try self.count("physical names", tokensPerItem: 3)
        tokens = []
        for _ in 0 ..< count {
            guard line < lines.count else { throw syntax(line, "unexpected end of file in $PhysicalNames") }
            let text = lines[line]
            line += 1
            let parts = text.split(separator: " ", maxSplits: 2)
            guard parts.count == 3, let dim = Int(parts[0]), let tag = Int(parts[1]),
                  parts[2].hasPrefix("\""), parts[2].hasSuffix("\""), parts[2].count >= 2
            else { throw syntax(line, "expected 'dimension tag \"name\"', found '\(text)'") }
            physicalNames[Self.key(dim, tag)] = String(parts[2].dropFirst().dropLast())
        }
    }

    mutating func readEntities() throws(MeshError) {
        let counts = [try self.count("points", tokensPerItem: 5), try self.count("curves", tokensPerItem: 9),
                      try self.count("surfaces", tokensPerItem: 9), try self.count("volumes", tokensPerItem: 9)]
        for (dim, count) in counts.enumerated() {
            for _ in 0 ..< count {
                let tag = try int()
                for _ in 0 ..< (dim == 0 ? 3 : 6) { _ = try double() }
                let groupCount = try self.count("physical tags of entity \(tag)", tokensPerItem: 1)
                let groups = try (0 ..< groupCount).map { _ throws(MeshError) in try int() }
                entityGroups[Self.key(dim, tag)] = groups
                if dim > 0 {
                    for _ in 0 ..< (try self.count("bounding entities of entity \(tag)", tokensPerItem: 1)) { _ = try int() }
                }
            }
        }
    }

    mutating func readNodes() throws(MeshError) {
        let blocks = try self.count("node blocks", tokensPerItem: 4), _ = try int(), _ = try int(), _ = try int()
        for _ in 0 ..< blocks {
            let dim = try int(), _ = try int(), parametric = try int()
            guard (0 ... 3).contains(dim) else { throw syntax(line, "a node block of dimension \(dim); the dimension is 0, 1, 2 or 3") }
            guard parametric == 0 || parametric == 1 else { throw syntax(line, "parametric flag \(parametric); it is 0 or 1") }
            let count = try self.count("nodes in a block", tokensPerItem: 4 + parametric * dim)
            let tags = try (0 ..< count).map { _ throws(MeshError) in try int() }
            for tag in tags {
                let x = try double(), y = try double(), _ = try double()
                if parametric == 1 { for _ in 0 ..< dim { _ = try double() } }
                nodes[tag] = SIMD2(x, y)
            }
        }
    }

    mutating func readElements() throws(MeshError) {
        let blocks = try self.count("element blocks", tokensPerItem: 4), _ = try int(), _ = try int(), _ = try int()
        let nodeCounts: [Int: Int] = [1: 2, 2: 3, 3: 4, 4: 4, 5: 8, 6: 6, 7: 5, 8: 3, 9: 6, 10: 9, 11: 10, 15: 1, 16: 8, 21: 10, 26: 4]
        for _ in 0 ..< blocks {
            let blockLine = line
            let dim = try int(), entity = try int(), type = try int()
            switch type {
            case 1, 8, 2, 9, 15: break
            case 3, 10, 16: throw .unsupported("quadrilateral elements (type \(type), line \(blockLine + 1)); mesh with triangles only (do not recombine)")
            default:
                if dim == 3 { throw .unsupported("volume elements (type \(type), line \(blockLine + 1)); this is a 2D plane-strain model") }
                throw .unsupported("element type \(type) (line \(blockLine + 1)); use 3- or 6-node triangles and 2- or 3-node lines")
            }
            let k = nodeCounts[type]!
            let count = try self.count("elements in a block", tokensPerItem: 1 + k)
            for _ in 0 ..< count {
                let tag = try int()
                let list = try (0 ..< k).map { _ throws(MeshError) in try int() }
                switch type {
                case 2, 9: triangles.append((tag, entity, list))
                case 1, 8: segments.append((entity, Array(list.prefix(2))))
                default: break
                }
            }
        }
    }

    func point(_ tag: Int) throws(MeshError) -> SIMD2<Double> {
        guard let p = nodes[tag] else { throw .invalid("an element refers to node tag \(tag), which is not in $Nodes") }
        return p
    }

    /// Turns what was read into a `TriangleMesh`: vertices renumbered by tag, regions and boundaries
    /// from the physical groups of each element's entity.
    mutating func assemble() throws(MeshError) -> TriangleMesh {
        guard !triangles.isEmpty else { throw .invalid("the file has no triangles (types 2 or 9); mesh the surfaces (gmsh -2)") }
        var vertexTags = Set<Int>()
        for t in triangles {
            for a in t.nodes.prefix(3) { vertexTags.insert(a) }
            if t.nodes.count == 6 {
                // Straight edges only: the element's geometry is affine, so the midpoint nodes must sit
                // at the middle of their edges.
                for (m, (i, j)) in [(3, (0, 1)), (4, (1, 2)), (5, (2, 0))] {
                    let a = try point(t.nodes[i]), b = try point(t.nodes[j]), c = try point(t.nodes[m])
                    let d = c - 0.5 * (a + b), length = ((b - a) * (b - a)).sum().squareRoot()
                    if (d * d).sum().squareRoot() > 1e-8 * length {
                        throw .unsupported("curved 6-node triangle (Gmsh element \(t.tag)); only straight-sided elements are supported: mesh with order 1, or without curved geometry")
                    }
                }
            }
        }
        let sortedTags = vertexTags.sorted()
        var index: [Int: Int32] = [:]
        for (i, tag) in sortedTags.enumerated() { index[tag] = Int32(i) }
        let vertices = try sortedTags.map { tag throws(MeshError) in try point(tag) }

        let surfaceGroups = Set(physicalNames.keys.filter { $0 >> 40 == 2 }.map { $0 & 0xFF_FFFF_FFFF }
            + entityGroups.filter { $0.key >> 40 == 2 }.flatMap { $0.value })
        var regionNames: [String] = [], regionIndex: [Int: Int32] = [:]
        var corners: [Int32] = [], regions: [Int32] = [], tags: [Int] = []
        for t in triangles {
            let groups = entityGroups[Self.key(2, t.entity)] ?? []
            let region: Int
            if surfaceGroups.isEmpty {
                region = -1
            } else if groups.count == 1 {
                region = groups[0]
            } else if groups.isEmpty {
                throw .invalid("triangles of surface \(t.entity) (Gmsh element \(t.tag)) are in no physical surface group; name every meshed surface (Physical Surface(\"clay\") = {\(t.entity)};) so it has a material")
            } else {
                throw .invalid("surface \(t.entity) is in \(groups.count) physical surface groups \(groups.map { name(2, $0) }); a triangle can have only one material region")
            }
            if regionIndex[region] == nil {
                regionIndex[region] = Int32(regionNames.count)
                regionNames.append(region == -1 ? "domain" : name(2, region))
            }
            regions.append(regionIndex[region]!)
            corners.append(contentsOf: t.nodes.prefix(3).map { index[$0]! })
            tags.append(t.tag)
        }
        var boundaries: [String: [Int32]] = [:]
        for s in segments {
            for group in entityGroups[Self.key(1, s.entity)] ?? [] {
                let boundary = name(1, group)
                for tag in s.nodes {
                    guard let v = index[tag] else {
                        throw .invalid("boundary '\(boundary)' uses node tag \(tag), which is not a vertex of any triangle; mesh the curves and surfaces together")
                    }
                    boundaries[boundary, default: []].append(v)
                }
            }
        }
        return try TriangleMesh(vertices: vertices, triangles: corners, regions: regions, regionNames: regionNames,
                                boundaries: boundaries, gmshTags: tags)
    }

    func name(_ dim: Int, _ tag: Int) -> String { physicalNames[Self.key(dim, tag)] ?? "\(tag)" }
}
