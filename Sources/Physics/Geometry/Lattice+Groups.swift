// Tagging groups of atoms and making vacancies: the operations that change which atoms a lattice has
// or what they are called, while keeping every group sorted and every index valid.

extension Lattice {
    /// Adds a group of the atoms whose position satisfies `predicate` (given the atom's coordinates,
    /// `dimension` entries). The group may be empty; a name already in use is an error, so built-in
    /// boundary groups cannot be replaced by accident.
    public mutating func tag(_ name: String, where predicate: ([Double]) -> Bool) throws(GeometryError) {
        guard groups[name] == nil else { throw .groupAlreadyExists(name) }
        let d = dimension
        var members = [Int]()
        var point = [Double](repeating: 0, count: d)
        for atom in 0 ..< atomCount {
            for k in 0 ..< d { point[k] = positions[atom * d + k] }
            if predicate(point) { members.append(atom) }
        }
        groups[name] = members
    }

    /// Adds a group of the given atoms (any order, repeats ignored).
    public mutating func tag(_ name: String, atoms: some Sequence<Int>) throws(GeometryError) {
        guard groups[name] == nil else { throw .groupAlreadyExists(name) }
        var members = [Int]()
        for atom in atoms {
            guard atom >= 0, atom < atomCount else { throw .atomIndexOutOfRange(index: atom, atomCount: atomCount) }
            members.append(atom)
        }
        members.sort()
        groups[name] = members.isEmpty ? [] : Self.uniqued(sorted: members)
    }

    /// The lattice without the given atoms (vacancies). Remaining atoms keep their relative order and
    /// are renumbered `0 ..< atomCount - removed`; every group loses the removed atoms and is renumbered;
    /// `originalIndex` still points into the lattice as first built. Repeats in `indices` are ignored.
    public func removingAtoms(_ indices: some Sequence<Int>) throws(GeometryError) -> Lattice {
        var keep = [Bool](repeating: true, count: atomCount)
        for atom in indices {
            guard atom >= 0, atom < atomCount else { throw .atomIndexOutOfRange(index: atom, atomCount: atomCount) }
            keep[atom] = false
        }
        // newIndex[old] is the new number of a kept atom, -1 for a removed one.
        var newIndex = [Int](repeating: -1, count: atomCount)
        var next = 0
        for atom in 0 ..< atomCount where keep[atom] {
            newIndex[atom] = next
            next += 1
        }
        var result = self
        let d = dimension
        var positions = [Double]()
        positions.reserveCapacity(next * d)
        var original = [Int]()
        original.reserveCapacity(next)
        for atom in 0 ..< atomCount where keep[atom] {
            positions.append(contentsOf: self.positions[atom * d ..< (atom + 1) * d])
            original.append(originalIndex[atom])
        }
        result.positions = positions
        result.originalIndex = original
        // The renumbering is increasing, so mapped groups stay sorted.
        result.groups = groups.mapValues { members in members.compactMap { newIndex[$0] >= 0 ? newIndex[$0] : nil } }
        return result
    }

    private static func uniqued(sorted values: [Int]) -> [Int] {
        var result = [values[0]]
        for v in values.dropFirst() where v != result[result.count - 1] { result.append(v) }
        return result
    }
}
