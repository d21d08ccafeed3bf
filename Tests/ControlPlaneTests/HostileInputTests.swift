import AccordTestSupport
import AccordJSON
import ControlPlane
import Foundation
import Testing

/// One request of `fixtures/hostile/` and the answer `manifest.txt` says it must get.
struct HostileCase: Sendable, CustomTestStringConvertible {
    enum Answer: Sendable, Equatable {
        /// Broken HTTP: the server closes the connection, with at most a bare 4xx first.
        case close
        /// Exactly this 4xx (any 4xx when nil), with a JSON `detail`.
        case status(Int?)
        /// Hostile-looking but valid data: 201, stored verbatim.
        case created
    }

    var file: String
    var answer: Answer
    var why: String
    var bytes: [UInt8]

    var testDescription: String { "\(file): \(why)" }

    /// Answers after which the server closes the connection: a body too large, too slow or
    /// broken (`RequestBodyReader`).
    static let closingStatuses: Set<Int> = [400, 408, 413]

    var closesConnection: Bool {
        switch answer {
        case .close: true
        case let .status(code): code.map(Self.closingStatuses.contains) ?? false
        case .created: false
        }
    }
}

/// Reads the corpus: the manifest's lines and each file's bytes, expanded.
enum HostileCorpus {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/hostile")

    static func load() throws -> [HostileCase] {
        let manifest = try String(contentsOf: directory.appendingPathComponent("manifest.txt"), encoding: .utf8)
        return try manifest.split(separator: "\n").compactMap { line -> HostileCase? in
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard let first = fields.first, !first.hasPrefix("#") else { return nil }
            guard fields.count == 3 else { throw TestFailure("manifest.txt: expected 'FILE ANSWER why' in '\(line)'") }
            let answer: HostileCase.Answer
            switch fields[1] {
            case "close": answer = .close
            case "201": answer = .created
            case "4xx": answer = .status(nil)
            default:
                guard let code = Int(fields[1]), (400...499).contains(code) else {
                    throw TestFailure("manifest.txt: unknown answer '\(fields[1])' for \(first)")
                }
                answer = .status(code)
            }
            let raw = try Data(contentsOf: directory.appendingPathComponent(String(first)))
            return HostileCase(
                file: String(first), answer: answer, why: fields[2].trimmingCharacters(in: .whitespaces),
                bytes: try expand([UInt8](raw)))
        }
    }

    /// Line feeds become CRLF; then `{{repeat N "text"}}`, `{{bytes …}}` and `{{length}}`.
    static func expand(_ raw: [UInt8]) throws -> [UInt8] {
        var text: [UInt8] = []
        for byte in raw {
            if byte == 0x0A { text.append(0x0D) }
            text.append(byte)
        }
        var out: [UInt8] = []
        var index = 0
        var lengthAt: [Int] = []
        while index < text.count {
            guard text[index] == UInt8(ascii: "{"), index + 1 < text.count, text[index + 1] == UInt8(ascii: "{") else {
                out.append(text[index])
                index += 1
                continue
            }
            let (token, end) = try readToken(text, from: index + 2)
            index = end
            if token.name == "length" {
                lengthAt.append(out.count)
            } else if token.name == "bytes" {
                for hex in token.arguments {
                    guard let byte = UInt8(hex, radix: 16) else { throw TestFailure("bad byte '\(hex)' in {{bytes}}") }
                    out.append(byte)
                }
            } else if token.name == "repeat", token.arguments.count == 1, let count = token.count {
                for _ in 0..<count { out += token.arguments[0].utf8 }
            } else {
                throw TestFailure("unknown expansion {{\(token.name)}}")
            }
        }
        // {{length}}: the body's length, the body being what follows the first blank line.
        let separator: [UInt8] = [13, 10, 13, 10]
        for position in lengthAt.reversed() {
            let headEnd = (0...max(0, out.count - 4)).first { out[$0..<min(out.count, $0 + 4)].elementsEqual(separator) }
            guard let headEnd else { throw TestFailure("{{length}} in a request without a blank line") }
            let length = out.count - (headEnd + 4)
            out.insert(contentsOf: Array(String(length).utf8), at: position)
        }
        return out
    }

    struct Token {
        var name: String
        var count: Int?
        var arguments: [String]
    }

    /// Reads `name [N] ["quoted"|word]… }}` starting at `start`; returns the token and the index after `}}`.
    static func readToken(_ text: [UInt8], from start: Int) throws -> (Token, Int) {
        var words: [String] = []
        var quoted: [String] = []
        var index = start
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "}"), index + 1 < text.count, text[index + 1] == UInt8(ascii: "}") {
                guard let name = words.first else { throw TestFailure("empty {{}}") }
                let rest = Array(words.dropFirst())
                if name == "repeat" {
                    return (Token(name: name, count: rest.first.flatMap { Int($0) }, arguments: quoted), index + 2)
                }
                return (Token(name: name, count: nil, arguments: rest + quoted), index + 2)
            } else if byte == UInt8(ascii: " ") {
                index += 1
            } else if byte == UInt8(ascii: "\"") {
                var value: [UInt8] = []
                index += 1
                while index < text.count, text[index] != UInt8(ascii: "\"") {
                    if text[index] == UInt8(ascii: "\\"), index + 1 < text.count {
                        index += 1
                        switch text[index] {
                        case UInt8(ascii: "r"): value.append(13)
                        case UInt8(ascii: "n"): value.append(10)
                        default: value.append(text[index])
                        }
                    } else {
                        value.append(text[index])
                    }
                    index += 1
                }
                quoted.append(String(decoding: value, as: UTF8.self))
                index += 1
            } else {
                var word: [UInt8] = []
                while index < text.count, text[index] != UInt8(ascii: " "), text[index] != UInt8(ascii: "}") {
                    word.append(text[index])
                    index += 1
                }
                words.append(String(decoding: word, as: UTF8.self))
            }
        }
        throw TestFailure("unterminated {{")
    }

    /// The server configuration of these tests: short timeouts, so slow-client cases end fast.
    static func configure(_ config: ServerConfig) -> ServerConfig {
        var config = config
        config.httpLimits.idleTimeout = .seconds(3)
        config.httpLimits.bodyTimeout = .seconds(1)
        return config
    }
}

/// Hostile input over a plain socket (`fixtures/hostile/`): malformed HTTP, conflicting
/// framing, oversized heads and bodies, invalid UTF-8, NUL bytes, huge numbers, deep nesting,
/// injection strings, traversal in ids, wrong content types, stalled clients. Each gets the
/// manifest's answer, never a 5xx; the server stays healthy; nothing is written on a refusal.
@Suite("Hostile input", .serialized)
struct HostileInputTests {
    static let cases: [HostileCase] = (try? HostileCorpus.load()) ?? []

    /// Sends one case and checks its answer; returns the created job id for `.created`.
    @discardableResult
    static func expectAnswer(_ input: HostileCase, port: Int) async throws -> String? {
        let received = try await RawConnection.exchange(port: port, input.bytes, untilClosed: input.closesConnection)
        let (responses, rest) = RawResponse.parseAll(received.bytes, atEnd: received.closedByServer)
        let statuses = responses.map(\.status)
        #expect(statuses.allSatisfy { $0 < 500 }, "\(input.file): a 5xx: \(statuses)")
        switch input.answer {
        case .close:
            #expect(received.closedByServer, "\(input.file): the server kept the connection open")
            #expect(responses.count <= 1 && statuses.allSatisfy { (400...499).contains($0) }, "\(input.file): answered \(statuses)")
            #expect(rest.isEmpty, "\(input.file): bytes that are not a response: \(String(decoding: rest.prefix(200), as: UTF8.self))")
            return nil
        case let .status(code):
            let response = try #require(responses.first, "\(input.file): no response (closed: \(received.closedByServer))")
            if let code, HostileCase.closingStatuses.contains(code) {
                // Answered, then closed: the rest of the request is never parsed as another.
                #expect(received.closedByServer, "\(input.file): still open after a \(code)")
                #expect(responses.count == 1 && rest.isEmpty, "\(input.file): more than one answer: \(statuses)")
            }
            #expect(
                code.map { response.status == $0 } ?? (400...499).contains(response.status),
                "\(input.file): \(response.status), expected \(code.map(String.init) ?? "4xx"): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true, "\(input.file): not JSON")
            let detail = try? JSON.parse(bytes: response.body)["detail"]
            #expect(detail != nil && detail != .null, "\(input.file): no detail in \(String(decoding: response.body.prefix(300), as: UTF8.self))")
            return nil
        case .created:
            let response = try #require(responses.first, "\(input.file): no response")
            #expect(response.status == 201, "\(input.file): \(response.status)")
            return try JSON.parse(bytes: response.body)["job_id"]?.stringValue
        }
    }

    static func expectHealthy(port: Int, after input: HostileCase) async throws {
        let request = Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        let received = try await RawConnection.exchange(port: port, request)
        #expect(RawResponse.parseAll(received.bytes).complete.first?.status == 200, "GET /health after \(input.file)")
    }

    @Test func theCorpusMatchesItsManifest() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: HostileCorpus.directory.path).filter { $0.hasSuffix(".http") }
        #expect(Set(files) == Set(Self.cases.map(\.file)))
        #expect(Self.cases.count >= 50)
    }

    @Test func expansionsBuildTheBytesTheManifestDescribes() throws {
        let bytes = try HostileCorpus.expand(Array("POST / HTTP/1.1\nContent-Length: {{length}}\n\n{{repeat 3 \"a\\r\"}}{{bytes 00 ff}}".utf8))
        #expect(bytes == Array("POST / HTTP/1.1\r\nContent-Length: 8\r\n\r\na\ra\ra\r".utf8) + [0x00, 0xFF])
    }

    @Test(arguments: cases)
    func getsItsAnswerOnTheMemoryStore(_ input: HostileCase) async throws {
        try await TestServer.with(HostileCorpus.configure(ServerConfig(store: .memory))) { server in
            let port = try #require(Int(server.baseURL.split(separator: ":").last ?? ""))
            try await Self.expectAnswer(input, port: port)
            try await Self.expectHealthy(port: port, after: input)
            let stats = try await server.get("/api/v1/queue/stats").json()
            #expect(stats["jobs"]?["total"]?.intValue == (input.answer == .created ? 1 : 0), "\(input.file): jobs written")
        }
    }

    /// A head trickled a byte at a time for longer than the idle timeout is cut off, or
    /// answered; meanwhile the server answers everyone else.
    @Test func aTrickledHeadIsCutOffWithoutHoldingTheServer() async throws {
        try await TestServer.with(HostileCorpus.configure(ServerConfig(store: .memory))) { server in
            let port = try #require(Int(server.baseURL.split(separator: ":").last ?? ""))
            let head = Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: \(String(repeating: "s", count: 40))\r\n\r\n".utf8)
            async let trickled = RawConnection.exchange(port: port, head, chunk: 1, pause: .milliseconds(100), untilClosed: true)
            for _ in 0..<5 {
                #expect(try await server.get("/health").status == 200)
            }
            let received = try await trickled
            let responses = RawResponse.parseAll(received.bytes, atEnd: true).complete
            #expect(received.closedByServer)
            #expect(responses.allSatisfy { $0.status < 500 })
        }
    }

    /// A create-job body trickled slower than the body timeout allows is answered 408 with a
    /// detail (each byte arrives well within the idle timeout, so only the body deadline ends
    /// it), then the connection closes; nothing is created.
    @Test func aTrickledBodyIsAnswered408AndClosed() async throws {
        try await TestServer.with(HostileCorpus.configure(ServerConfig(store: .memory))) { server in
            let port = try #require(Int(server.baseURL.split(separator: ":").last ?? ""))
            let body = #"{"payload": "trickled one byte at a time"}"#
            let request = Array(
                "POST /api/v1/jobs?domain=example.com&url=https://example.com/&job_type=t HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n".utf8)
            let received = try await RawConnection.exchange(
                port: port, request + Array(body.utf8), chunk: 4, pause: .milliseconds(250), trickleFrom: request.count, untilClosed: true)
            let responses = RawResponse.parseAll(received.bytes, atEnd: true).complete
            #expect(responses.map(\.status) == [408])
            #expect(try responses.first.map { try JSON.parse(bytes: $0.body)["detail"]?.stringValue != nil } == true)
            #expect(received.closedByServer)
            #expect(try await server.get("/api/v1/queue/stats").json()["jobs"]?["total"]?.intValue == 0)
        }
    }

    /// The limits refuse nothing CONTRACT.md accepts: every text parameter at its maximum
    /// length, in 4-byte UTF-8, percent-encoded (a request target of about 31 KB), is a 201.
    @Test func theLargestValidRequestIsAccepted() async throws {
        try await TestServer.with(HostileCorpus.configure(ServerConfig(store: .memory))) { server in
            let port = try #require(Int(server.baseURL.split(separator: ":").last ?? ""))
            func encoded(_ text: String) -> String {
                text.utf8.map { byte in
                    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                        ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
                }.joined()
            }
            let wide = "\u{1D538}"  // 𝔸: alphabetic, 4 bytes in UTF-8
            let url = "https://" + String(repeating: wide, count: 100) + "/" + String(repeating: wide, count: 1939)
            let query = [
                "domain=" + encoded(String(repeating: wide, count: 253)), "url=" + encoded(url),
                "job_type=" + String(repeating: "a", count: 64), "strategy=assault", "priority=0", "timeout_seconds=86400",
                "idempotency_key=" + encoded(String(repeating: wide, count: 255)),
            ].joined(separator: "&")
            let request = "POST /api/v1/jobs?\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
            #expect(request.utf8.count > 30_000)
            let received = try await RawConnection.exchange(port: port, Array(request.utf8))
            let response = try #require(RawResponse.parseAll(received.bytes).complete.first)
            #expect(response.status == 201, "\(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
    }

    @Test func nothingIsWrittenOnPostgresAndRedis() async throws {
        try await Backends.with { backends in
            try await TestServer.with(HostileCorpus.configure(backends.serverConfig)) { server in
                let port = try #require(Int(server.baseURL.split(separator: ":").last ?? ""))
                func written() throws -> (rows: Int, entries: Int) {
                    let count = try backends.rows("SELECT count(*) FROM jobs").first?.first ?? nil
                    let rows = Int(count ?? "") ?? -1
                    let entries = try QueueKeys.allStreams.map { try backends.redisCommand("XLEN", $0).integerValue ?? 0 }.reduce(0, +)
                    return (rows, Int(entries))
                }
                for input in Self.cases {
                    let before = try written()
                    let created = try await Self.expectAnswer(input, port: port)
                    try await Self.expectHealthy(port: port, after: input)
                    if input.answer == .created {
                        let id = try #require(created, "\(input.file): no job id")
                        let stored = try backends.rows("SELECT domain, idempotency_key FROM jobs WHERE id = $1", [id])
                        #expect(stored == [["x'); DELETE FROM jobs; --", "' OR '1'='1"]], "\(input.file): stored \(stored)")
                        #expect(try written().rows == before.rows + 1)
                        #expect(try await eventually { try backends.entries(for: id).count == 1 }, "\(input.file): not enqueued once")
                    } else {
                        let after = try written()
                        #expect(after.rows == before.rows && after.entries == before.entries, "\(input.file): wrote \(before) → \(after)")
                    }
                }
            }
        }
    }
}
