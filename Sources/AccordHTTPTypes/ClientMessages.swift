/// One HTTP request as the checker and the load engine send it.
public struct ClientRequest: Sendable, Equatable {
    public var method: String
    /// Absolute URL, already carrying its query string.
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// The whole exchange must finish within this many milliseconds.
    public var timeoutMilliseconds: Int

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeoutMilliseconds: Int = 10_000
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public static func == (lhs: ClientRequest, rhs: ClientRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.timeoutMilliseconds == rhs.timeoutMilliseconds
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
