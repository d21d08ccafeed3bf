import AccordHTTPTypes

/// A load request whose URL, body or headers change with every request sent: `{{uuid}}`,
/// `{{seq}}`, `{{random_int a b}}`, an item of a pool or a column of a feeder's row. Compiled
/// once from a request rendered with a marker in place of each changing value
/// (``init(marked:marker:slots:bodyEscaping:)``), so that every other part of the request —
/// JSON encoding, query encoding, default headers — is rendered exactly as a functional check
/// renders it; each request then only joins bytes (``LoadTemplate/Renderer``).
public final class LoadTemplate: Sendable {
    /// A value that changes per request.
    public enum Slot: Sendable, Hashable {
        /// A new random UUID (version 4) at each occurrence.
        case uuid
        /// The next value of the run's counter at each occurrence.
        case sequence
        case randomInt(Int, Int)
        /// Column `column` of the row drawn from source `source` (``LoadPlan/sources``): one
        /// row per request, whatever number of columns it uses.
        case source(Int, column: Int)
    }

    /// How a value is written where it lands.
    public enum Escaping: Sendable, Hashable {
        /// As it is (headers, raw bodies; CR and LF are dropped in headers).
        case none
        /// Percent-encoded but for RFC 3986's unreserved characters (URLs, form bodies).
        case percent
        /// Inside a JSON string.
        case json
        /// In a header value: as it is, without CR or LF.
        case header
    }

    public enum Piece: Sendable, Hashable {
        case literal([UInt8])
        case value(Slot, Escaping)
    }

    public let url: [Piece]
    /// When only the query changes (the usual case: a target's scheme, host and path are
    /// literal): the query's pieces without the `?`, set alone per request (libcurl then parses
    /// only the query). Nil: the whole URL is rendered.
    public let query: [Piece]?
    public let urlChanges: Bool
    /// Nil: the request's body does not change (or it has none).
    public let body: [Piece]?
    /// Every header when any of them changes; empty when none does.
    public let headers: [(name: String, value: [Piece])]
    /// The sources this template draws rows from.
    public let sources: [Int]

    /// Splits `marked`'s URL, body and header values at each `marker` + number + `marker`
    /// (numbering `slots`); `bodyEscaping` says how values land in the body (JSON for a JSON
    /// body, percent for a form). Nil when nothing in the request changes.
    public init?(marked: ClientRequest, marker: String, slots: [Slot], bodyEscaping: Escaping) {
        let url = Self.split(Array(marked.url.utf8), marker: Array(marker.utf8), slots: slots, escaping: .percent)
        var body: [Piece]?
        if let bytes = marked.body {
            let pieces = Self.split(bytes, marker: Array(marker.utf8), slots: slots, escaping: bodyEscaping)
            if pieces.contains(where: \.isValue) { body = pieces }
        }
        let headers = marked.headers.map { (name: $0.name, value: Self.split(Array($0.value.utf8), marker: Array(marker.utf8), slots: slots, escaping: .header)) }
        let headersChange = headers.contains { $0.value.contains(where: \.isValue) }
        guard url.contains(where: \.isValue) || body != nil || headersChange else { return nil }
        self.url = url
        self.urlChanges = url.contains(where: \.isValue)
        self.query = Self.queryOnly(url)
        self.body = body
        self.headers = headersChange ? headers : []
        var sources = Set<Int>()
        for piece in url + (body ?? []) + headers.flatMap(\.value) {
            if case let .value(.source(source, _), _) = piece { sources.insert(source) }
        }
        self.sources = sources.sorted()
    }

    /// The pieces after the `?` when every value of the URL comes after it.
    static func queryOnly(_ url: [Piece]) -> [Piece]? {
        var before: [Piece] = []
        for (index, piece) in url.enumerated() {
            switch piece {
            case .value: return nil
            case let .literal(bytes):
                guard let mark = bytes.firstIndex(of: UInt8(ascii: "?")) else {
                    before.append(piece)
                    continue
                }
                var rest = Array(url[(index + 1)...])
                let tail = Array(bytes[(mark + 1)...])
                if !tail.isEmpty { rest.insert(.literal(tail), at: 0) }
                return rest.contains(where: \.isValue) ? rest : nil
            }
        }
        return nil
    }

    /// `bytes` cut at every `marker` N `marker`, where N numbers a slot.
    static func split(_ bytes: [UInt8], marker: [UInt8], slots: [Slot], escaping: Escaping) -> [Piece] {
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if let (slot, next) = Self.slot(in: bytes, at: index, marker: marker), slots.indices.contains(slot) {
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = []
                pieces.append(.value(slots[slot], escaping))
                index = next
            } else {
                literal.append(bytes[index])
                index += 1
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }

    /// The slot number of a `marker` digits `marker` run at `index`, and the index after it.
    private static func slot(in bytes: [UInt8], at index: Int, marker: [UInt8]) -> (Int, Int)? {
        guard !marker.isEmpty, bytes.count - index > marker.count * 2, bytes[index..<index + marker.count].elementsEqual(marker) else { return nil }
        var cursor = index + marker.count
        var number = 0
        let digitsStart = cursor
        while cursor < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[cursor]), cursor - digitsStart < 6 {
            number = number * 10 + Int(bytes[cursor] - UInt8(ascii: "0"))
            cursor += 1
        }
        guard cursor > digitsStart, bytes.count - cursor >= marker.count, bytes[cursor..<cursor + marker.count].elementsEqual(marker) else { return nil }
        return (number, cursor + marker.count)
    }
}

extension LoadTemplate.Piece {
    var isValue: Bool {
        if case .value = self { return true }
        return false
    }
}
