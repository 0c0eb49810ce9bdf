/// Suggestions for misspelt names ("did you mean 'lattice_constant'?").
enum Suggestion {
    /// Levenshtein distance between two strings, compared case-insensitively by character.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0 ... y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1 ... x.count {
            current[0] = i
            for j in 1 ... y.count {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    /// The closest candidate within a distance of about a third of the word's length (at least 2),
    /// or nil. Ties go to the candidate listed first, so suggestions are deterministic.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(word, candidate)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// "; did you mean 'x'?" or "; expected one of a, b, c" (or "" without candidates).
    static func hint(for word: String, among candidates: [String]) -> String {
        if let match = closest(to: word, among: candidates) { return "; did you mean '\(match)'?" }
        return candidates.isEmpty ? "" : "; expected one of: " + candidates.joined(separator: ", ")
    }
}
