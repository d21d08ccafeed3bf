/// "Did you mean …?" for unknown names: the closest known name, when it is close enough to be
/// a likely typo.
///
/// ```swift
/// Suggestion.closest(to: "statuss", among: ["status", "headers", "body"])   // "status"
/// Suggestion.closest(to: "zzz", among: ["status", "headers", "body"])       // nil
/// ```
public enum Suggestion {
    /// The candidate with the smallest Damerau–Levenshtein distance to `word` (ignoring case;
    /// a swap of two neighbours counts as one edit), if that distance is at most
    /// `max(1, word.count / 3)`. Ties go to the candidate that sorts first, so the answer never
    /// depends on the order of `candidates`. Nil for an empty word or when nothing is close.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let target = Array(word.lowercased())
        guard !target.isEmpty else { return nil }
        let limit = max(1, target.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates where !candidate.isEmpty {
            let other = Array(candidate.lowercased())
            // Lengths alone can rule a candidate out before the quadratic table.
            guard abs(other.count - target.count) <= limit else { continue }
            let distance = editDistance(target, other)
            guard distance <= limit else { continue }
            if let current = best,
                current.distance < distance || (current.distance == distance && current.name <= candidate)
            {
                continue
            }
            best = (candidate, distance)
        }
        return best?.name
    }

    /// The optimal-string-alignment distance: insertions, deletions, substitutions and
    /// transpositions of adjacent characters, each costing 1.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, beforePrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
