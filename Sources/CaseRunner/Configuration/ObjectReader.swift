/// Reads the members of one JSON object of the configuration, reporting into a `DiagnosticList`
/// rather than throwing, so that every problem of a file is found in one pass.
///
/// Each reader knows the fields its object may have; `finish()` reports the others as unknown,
/// with the closest known name as a suggestion. Accessors return nil when a field is absent or
/// has the wrong type (after reporting the latter, and the former when it is required).
public final class ObjectReader {
    public let node: JSONNode
    /// How messages name the object: "model", "parameter 'D'", "experiment 'shear'".
    public let context: String
    public let diagnostics: DiagnosticList
    private let members: [JSONMember]
    private let known: [String]

    /// nil (after reporting) when `node` is not an object.
    public init?(_ node: JSONNode, context: String, known: [String], diagnostics: DiagnosticList) {
        guard case let .object(members) = node.value else {
            diagnostics.error("\(context) must be an object { … }, found \(node.kindDescription)", at: node.position)
            return nil
        }
        self.node = node
        self.context = context
        self.known = known
        self.members = members
        self.diagnostics = diagnostics
    }

    public var position: TextPosition { node.position }

    public func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    /// The member, or nil (reporting it when `required`).
    public func member(_ key: String, required: Bool = false, hint: String = "") -> JSONMember? {
        assert(known.contains(key), "field '\(key)' is read but not declared as known in \(context)")
        guard let m = members.first(where: { $0.key == key }) else {
            if required { diagnostics.error("\(context) has no '\(key)'\(hint.isEmpty ? "" : "; \(hint)")", at: position) }
            return nil
        }
        return m
    }

    /// Where a member's value starts (the object itself when the member is absent).
    public func position(of key: String) -> TextPosition {
        members.first { $0.key == key }?.value.position ?? position
    }

    private func wrongType(_ m: JSONMember, _ expected: String) {
        diagnostics.error("'\(m.key)' in \(context) must be \(expected), found \(m.value.kindDescription)", at: m.value.position)
    }

    public func string(_ key: String, required: Bool = false, hint: String = "") -> String? {
        guard let m = member(key, required: required, hint: hint) else { return nil }
        guard case let .string(s) = m.value.value else { wrongType(m, "a string"); return nil }
        return s
    }

    public func number(_ key: String, required: Bool = false, hint: String = "") -> Double? {
        guard let m = member(key, required: required, hint: hint) else { return nil }
        guard case let .number(x, _) = m.value.value else { wrongType(m, "a number"); return nil }
        return x
    }

    /// A number, or null (returned as `.some(nil)`), for optional bounds.
    public func numberOrNull(_ key: String) -> Double?? {
        guard let m = member(key) else { return nil }
        if case .null = m.value.value { return .some(nil) }
        guard case let .number(x, _) = m.value.value else { wrongType(m, "a number or null"); return nil }
        return .some(x)
    }

    public func integer(_ key: String, required: Bool = false, hint: String = "") -> Int? {
        guard let m = member(key, required: required, hint: hint) else { return nil }
        guard case let .number(x, _) = m.value.value, let n = Int(exactly: x) else { wrongType(m, "a whole number"); return nil }
        return n
    }

    public func bool(_ key: String, required: Bool = false) -> Bool? {
        guard let m = member(key, required: required) else { return nil }
        guard case let .bool(b) = m.value.value else { wrongType(m, "true or false"); return nil }
        return b
    }

    public func array(_ key: String, required: Bool = false, hint: String = "") -> [JSONNode]? {
        guard let m = member(key, required: required, hint: hint) else { return nil }
        guard case let .array(items) = m.value.value else { wrongType(m, "a list [ … ]"); return nil }
        return items
    }

    public func numbers(_ key: String, required: Bool = false, hint: String = "") -> [Double]? {
        guard let items = array(key, required: required, hint: hint) else { return nil }
        var out: [Double] = []
        for item in items {
            guard case let .number(x, _) = item.value else {
                diagnostics.error("'\(key)' in \(context) must be a list of numbers, found \(item.kindDescription) in it", at: item.position)
                return nil
            }
            out.append(x)
        }
        return out
    }

    public func integers(_ key: String, required: Bool = false, hint: String = "") -> [Int]? {
        guard let items = array(key, required: required, hint: hint) else { return nil }
        var out: [Int] = []
        for item in items {
            guard case let .number(x, _) = item.value, let n = Int(exactly: x) else {
                diagnostics.error("'\(key)' in \(context) must be a list of whole numbers, found \(item.kindDescription == "a number" ? "a fraction" : item.kindDescription) in it", at: item.position)
                return nil
            }
            out.append(n)
        }
        return out
    }

    public func strings(_ key: String, required: Bool = false, hint: String = "") -> [String]? {
        guard let items = array(key, required: required, hint: hint) else { return nil }
        var out: [String] = []
        for item in items {
            guard case let .string(s) = item.value else {
                diagnostics.error("'\(key)' in \(context) must be a list of strings, found \(item.kindDescription) in it", at: item.position)
                return nil
            }
            out.append(s)
        }
        return out
    }

    public func bools(_ key: String) -> [Bool]? {
        guard let items = array(key) else { return nil }
        var out: [Bool] = []
        for item in items {
            guard case let .bool(b) = item.value else {
                diagnostics.error("'\(key)' in \(context) must be a list of true/false, found \(item.kindDescription) in it", at: item.position)
                return nil
            }
            out.append(b)
        }
        return out
    }

    /// A nested object's reader.
    public func object(_ key: String, context nested: String? = nil, known: [String], required: Bool = false,
                hint: String = "") -> ObjectReader? {
        guard let m = member(key, required: required, hint: hint) else { return nil }
        return ObjectReader(m.value, context: nested ?? "'\(key)' in \(context)", known: known, diagnostics: diagnostics)
    }

    /// One of `choices` (reporting anything else with a suggestion).
    public func choice(_ key: String, _ choices: [String], required: Bool = false) -> String? {
        guard let s = string(key, required: required, hint: "one of: " + choices.joined(separator: ", ")) else { return nil }
        guard choices.contains(s) else {
            diagnostics.error("'\(key)' in \(context) is '\(s)', which is not known" + Suggestion.hint(for: s, among: choices),
                              at: position(of: key))
            return nil
        }
        return s
    }

    /// Reports every member whose key is not known.
    public func finish() {
        for m in members where !known.contains(m.key) {
            let suggestion = Suggestion.closest(to: m.key, among: known).map { "; did you mean '\($0)'?" }
                ?? "; known fields are: " + known.joined(separator: ", ")
            diagnostics.error("unknown field '\(m.key)' in \(context)\(suggestion)", at: m.keyPosition)
        }
    }
}
