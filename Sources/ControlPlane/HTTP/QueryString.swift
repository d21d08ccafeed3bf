import AccordStorage

/// The decoded parameters of a URL query string, in order (`a=1&b=x+y` → `[("a","1"),("b","x y")]`).
///
/// Decoding is strict: a malformed percent escape or bytes that are not UTF-8 make the
/// parameter invalid, reported under its name rather than silently repaired.
struct QueryString {
    enum Value: Equatable {
        case text(String)
        case invalid
    }

    private(set) var items: [(name: String, value: Value)] = []

    init(_ raw: Substring) {
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = QueryString.decode(parts[0]) else { continue }
            let value = parts.count > 1 ? QueryString.decode(parts[1]) : ""
            items.append((name: name, value: value.map(Value.text) ?? .invalid))
        }
    }

    /// Every value given for `name`.
    func values(_ name: String) -> [Value] {
        items.filter { $0.name == name }.map(\.value)
    }

    /// `+` is a space; `%XX` a byte; the bytes must be UTF-8.
    static func decode(_ encoded: Substring) -> String? {
        PercentDecoding.decode(encoded, plusIsSpace: true)
    }
}
