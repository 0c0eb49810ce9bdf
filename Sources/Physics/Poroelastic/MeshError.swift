/// Every failure of building or reading a triangle mesh: a file that is not MSH 4.1 ASCII, elements
/// this model cannot use, inverted or degenerate triangles, inconsistent boundaries.
///
/// Messages say what is wrong, where (file line, element, node, group) and what to do about it.
/// Element and node numbers are 0-based positions in the mesh, except `gmshTag`s, which are the tags
/// written in the file.
public enum MeshError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(path: String, reason: String)
    /// The text does not follow the MSH 4.1 ASCII grammar at this (1-based) line of `file` (nil when
    /// parsing text), in `section` ("$Nodes") when inside one. Counts that are negative or larger than
    /// the rest of the file can hold are syntax errors too.
    case syntax(file: String?, section: String?, line: Int, message: String)
    /// A valid file that uses something this reader does not support (binary, another version,
    /// quadrilaterals, curved elements).
    case unsupported(String)
    /// A triangle whose vertices run clockwise: its Jacobian is negative.
    case invertedElement(element: Int, gmshTag: Int?, area: Double)
    /// A triangle of (numerically) zero area: its shape functions are undefined.
    case degenerateElement(element: Int, gmshTag: Int?, area: Double)
    /// Inconsistent mesh data (index out of range, a boundary edge that bounds no triangle, no triangles).
    case invalid(String)
    /// Sizes or counts that make no mesh (a rectangle of zero width, zero cells, a grading ≤ 0).
    case invalidGenerator(String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read the mesh file '\(path)': \(reason)"
        case let .syntax(file, section, line, message):
            let place = (file.map { "'\($0)' " } ?? "") + "line \(line)" + (section.map { " (in \($0))" } ?? "")
            return "MSH syntax error at \(place): \(message)"
        case let .unsupported(message):
            return "unsupported mesh: \(message)"
        case let .invertedElement(element, tag, area):
            return "triangle \(element)\(tag.map { " (Gmsh element \($0))" } ?? "") is inverted (signed area \(area) < 0: "
                + "its vertices run clockwise); fix the node order, or in Gmsh reverse the surface orientation "
                + "(ReverseMesh Surface{...}) so every triangle is counter-clockwise in the x–y plane"
        case let .degenerateElement(element, tag, area):
            return "triangle \(element)\(tag.map { " (Gmsh element \($0))" } ?? "") is degenerate (area \(area), "
                + "numerically zero compared with its edges); remove sliver elements or remesh with a better quality setting"
        case let .invalid(message):
            return "invalid mesh: \(message)"
        case let .invalidGenerator(message):
            return "cannot generate the mesh: \(message)"
        }
    }
}
