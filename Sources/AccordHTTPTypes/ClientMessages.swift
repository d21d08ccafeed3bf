/// One HTTP request as the checker and the load engine send it.
public struct ClientRequest: Sendable, Equatable {
    public var method: String
    /// Absolute URL, already carrying its query string.
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// The whole exchange must finish within this many milliseconds.
    public var timeoutMilliseconds: Int
    /// TLS trust and identity, names resolved ahead of DNS: the run's, the same for every request.
    public var transport: Transport

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeoutMilliseconds: Int = 10_000, transport: Transport = Transport()
    ) {
        self.transport = transport
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public static func == (lhs: ClientRequest, rhs: ClientRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.timeoutMilliseconds == rhs.timeoutMilliseconds && lhs.transport == rhs.transport
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Where the time of one exchange went, each phase measured from the start of the request
/// (libcurl's `*_TIME_T` infos), in microseconds.
public struct HTTPTiming: Sendable, Equatable {
    public var dns: Int64
    public var connect: Int64
    public var tls: Int64
    public var firstByte: Int64
    public var total: Int64

    public init(dns: Int64 = 0, connect: Int64 = 0, tls: Int64 = 0, firstByte: Int64 = 0, total: Int64 = 0) {
        self.dns = dns
        self.connect = connect
        self.tls = tls
        self.firstByte = firstByte
        self.total = total
    }
}

/// A response as received: status, headers in order, the raw body, and its timing.
public struct ClientResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var timing: HTTPTiming

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8], timing: HTTPTiming) {
        self.status = status
        self.headers = headers
        self.body = body
        self.timing = timing
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public static func == (lhs: ClientResponse, rhs: ClientResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.timing == rhs.timing
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Why an exchange produced no response.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing listens there, or the host is unknown: the target is unreachable.
    case connect(String)
    case timeout(milliseconds: Int)
    /// Any other transfer failure, with libcurl's code and words.
    case transfer(code: Int, message: String)
    /// libcurl refused a setting or could not allocate a handle.
    case setup(String)

    public var description: String {
        switch self {
        case let .connect(message): return "could not connect: \(message)"
        case let .timeout(milliseconds): return "no complete response within \(milliseconds) ms"
        case let .transfer(code, message): return "transfer failed (curl \(code)): \(message)"
        case let .setup(message): return "could not set up the request: \(message)"
        }
    }
}

/// How requests reach a deployment beyond the request itself, with curl's option names:
/// `--cacert`, `--cert`/`--key`, `--insecure`, `--resolve`. One value for a whole run, set on
/// functional checks and the load engine alike.
public struct Transport: Sendable, Equatable, Hashable {
    /// PEM file of the certificate authorities to trust (`--cacert`); nil: the system's.
    public var caCertificate: String?
    /// Client certificate (PEM) and its key (`--cert`, `--key`; the key may be in the
    /// certificate's file).
    public var clientCertificate: String?
    public var clientKey: String?
    /// Do not verify the server's certificate or name (`--insecure`): every report says so.
    public var insecure: Bool
    /// `HOST:PORT:ADDRESS` entries: reach HOST:PORT at ADDRESS, TLS still checked for HOST.
    public var resolve: [String]
    /// The proxy every request goes through (`--proxy`, or the environment curl reads, resolved
    /// once for the run: `http_proxy`, `HTTPS_PROXY`/`https_proxy`); nil: none.
    public var proxy: String?
    /// Hosts reached without the proxy (`NO_PROXY`/`no_proxy`).
    public var noProxy: String?
    /// The HTTP version asked for: HTTP/1.1 unless `--http2` (negotiated by ALPN over TLS) or
    /// `--http2-prior-knowledge` (cleartext HTTP/2 from the first byte).
    public var http: HTTPVersion = .http1_1
    /// Whether the run chose the version (`--http1.1`, `--http2`, …): then a spec's
    /// `defaults: {http: …}` does not change it.
    public var httpChosen = false
    /// HTTP/2 load: requests multiplexed on each connection at most (`--max-streams`); the
    /// engine opens one connection per this many of its concurrent requests.
    public var maxStreams: Int = 100

    public enum HTTPVersion: String, Sendable, Hashable, CaseIterable {
        case http1_1 = "1.1"
        case http2 = "2"
        case http2PriorKnowledge = "2-prior-knowledge"
    }

    /// Whether requests may share a connection as HTTP/2 streams.
    public var multiplexes: Bool { http != .http1_1 }

    public init(
        caCertificate: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil, insecure: Bool = false, resolve: [String] = [],
        proxy: String? = nil, noProxy: String? = nil
    ) {
        self.proxy = proxy
        self.noProxy = noProxy
        self.caCertificate = caCertificate
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecure = insecure
        self.resolve = resolve
    }

    /// What every report of a run with this transport must say first.
    public var warnings: [String] {
        var notes: [String] = []
        if insecure {
            notes.append("TLS NOT VERIFIED: --insecure was given, so the deployment's certificate and name were not checked")
        }
        if let proxy {
            // A proxy URL may carry credentials: only its scheme, host and port are shown.
            notes.append("every request went through the proxy \(Self.withoutCredentials(proxy))")
        }
        return notes
    }

    /// `scheme://user:secret@host:port` → `scheme://host:port`.
    static func withoutCredentials(_ url: String) -> String {
        let parts = url.split(separator: "://", maxSplits: 1).map(String.init)
        let (scheme, rest) = parts.count == 2 ? (parts[0] + "://", parts[1]) : ("", url)
        let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? rest
        guard let at = authority.lastIndex(of: "@") else { return url }
        return scheme + rest[rest.index(after: at)...]
    }

    /// Why a `--resolve` entry is not HOST:PORT:ADDRESS, or nil when it is.
    public static func problem(resolve entry: String) -> String? {
        let parts = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[2].isEmpty else { return "--resolve takes HOST:PORT:ADDRESS, not '\(entry)'" }
        guard let port = Int(parts[1]), (1...65535).contains(port) else { return "--resolve '\(entry)': the port must be 1 to 65535" }
        return nil
    }
}
