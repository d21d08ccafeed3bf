import AccordHTTPTypes
import CCurl

#if canImport(Glibc)
import Glibc
#endif

/// libcurl's process-wide initialisation, done once before the first handle.
package enum CurlGlobal {
    package static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
}

/// Receives what libcurl hands the write and header callbacks of one transfer.
final class TransferSink {
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []

    func reset() {
        body.removeAll(keepingCapacity: true)
        headers.removeAll(keepingCapacity: true)
    }

    func appendHeaderLine(_ line: String) {
        // A status line starts the headers of a (possibly interim, e.g. 100) response.
        if line.hasPrefix("HTTP/") {
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        // "\r\n" is one Character: trim by whitespace property, not by comparing to "\r".
        var trimmed = value
        while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
        headers.append((name: name, value: String(trimmed)))
    }
}

/// One libcurl easy handle, owned: created in `init`, cleaned up in `deinit`, used by one
/// thread at a time. Reusing it for the next request reuses its kept-alive connection.
public final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    let sink = TransferSink()
    private var headerList: CurlHeaderList?
    private var resolveList: CurlHeaderList?
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    public init() throws(HTTPClientError) {
        guard CurlGlobal.initialized, let handle = curl_easy_init() else {
            throw .setup("curl_easy_init failed")
        }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// Sets every option of `request` on the handle (after a reset, which keeps the
    /// connection cache), ready for `curl_easy_perform` or a multi handle.
    func configure(_ request: ClientRequest) throws(HTTPClientError) {
        curl_easy_reset(handle)
        sink.reset()
        headerList = nil
        try set(CURLOPT_URL, string: request.url)
        try set(CURLOPT_NOSIGNAL, long: 1)
        try set(CURLOPT_TIMEOUT_MS, long: request.timeoutMilliseconds)
        try set(CURLOPT_CONNECTTIMEOUT_MS, long: min(request.timeoutMilliseconds, 5_000))
        try set(CURLOPT_TCP_NODELAY, long: 1)
        resolveList = TransportSetup.apply(request.transport, to: handle)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try check(accord_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        try check(accord_curl_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, curlWriteBody))
        try check(accord_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        try check(accord_curl_easy_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        errorBuffer.withUnsafeMutableBufferPointer { buffer in
            buffer[0] = 0
            _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
        }

        let method = request.method.uppercased()
        if let body = request.body {
            try check(accord_curl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies the bytes at once: the array need not outlive this call.
            if body.isEmpty {
                try set(CURLOPT_COPYPOSTFIELDS, string: "")
            } else {
                try body.withUnsafeBufferPointer { buffer throws(HTTPClientError) in
                    try check(accord_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress)))
                }
            }
            if method != "POST" { try set(CURLOPT_CUSTOMREQUEST, string: method) }
        } else if method == "HEAD" {
            try set(CURLOPT_NOBODY, long: 1)
        } else if method != "GET" {
            try set(CURLOPT_CUSTOMREQUEST, string: method)
        }

        // libcurl drops "Name:" with an empty value; "Name;" sends it empty. An empty
        // "Expect:" stops libcurl from waiting for 100-continue on larger bodies, and an empty
        // "Content-Type:" keeps it from labelling a raw body as a form.
        var lines = request.headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        lines.append("Expect:")
        if request.body != nil, !request.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            lines.append("Content-Type:")
        }
        let list = CurlHeaderList(lines)
        try check(accord_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, list.pointer))
        headerList = list
    }

    /// The response after a successful transfer on this handle.
    func response() -> ClientResponse {
        var status = 0
        var code: Int = 0
        if accord_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK { status = code }
        return ClientResponse(status: status, headers: sink.headers, body: sink.body, timing: timing())
    }

    func timing() -> HTTPTiming {
        func info(_ which: CURLINFO) -> Int64 {
            var value: curl_off_t = 0
            return accord_curl_easy_getinfo_off(handle, which, &value) == CURLE_OK ? Int64(value) : 0
        }
        return HTTPTiming(
            dns: info(CURLINFO_NAMELOOKUP_TIME_T), connect: info(CURLINFO_CONNECT_TIME_T),
            tls: info(CURLINFO_APPCONNECT_TIME_T), firstByte: info(CURLINFO_STARTTRANSFER_TIME_T),
            total: info(CURLINFO_TOTAL_TIME_T))
    }

    /// Maps a finished transfer's code to a response or a typed error.
    func outcome(_ code: CURLcode, timeoutMilliseconds: Int) -> Result<ClientResponse, HTTPClientError> {
        switch code {
        case CURLE_OK:
            return .success(response())
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .failure(.connect(message(for: code)))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timeout(milliseconds: timeoutMilliseconds))
        default:
            return .failure(.transfer(code: Int(code.rawValue), message: message(for: code)))
        }
    }

    /// Performs `request` and blocks until the response is complete.
    public func perform(_ request: ClientRequest) -> Result<ClientResponse, HTTPClientError> {
        do throws(HTTPClientError) {
            try configure(request)
        } catch {
            return .failure(error)
        }
        return outcome(curl_easy_perform(handle), timeoutMilliseconds: request.timeoutMilliseconds)
    }

    private func message(for code: CURLcode) -> String {
        let detail = errorBuffer.withUnsafeBufferPointer { buffer in
            String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    private func set(_ option: CURLoption, long value: Int) throws(HTTPClientError) {
        try check(accord_curl_easy_setopt_long(handle, option, value))
    }

    private func set(_ option: CURLoption, string value: String) throws(HTTPClientError) {
        try check(accord_curl_easy_setopt_string(handle, option, value))
    }

    private func check(_ code: CURLcode) throws(HTTPClientError) {
        guard code == CURLE_OK else { throw .setup(String(cString: curl_easy_strerror(code))) }
    }
}

/// libcurl's body callback: appends the bytes to the transfer's sink.
private let curlWriteBody: accord_curl_write_callback = { data, size, count, context in
    let length = size * count
    guard let data, let context else { return length }
    let sink = Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue()
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        sink.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

/// libcurl's header callback: one header line per call.
private let curlWriteHeader: accord_curl_write_callback = { data, size, count, context in
    let length = size * count
    guard let data, let context else { return length }
    let sink = Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue()
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
    sink.appendHeaderLine(line)
    return length
}

/// A `curl_slist` of request headers, owned and freed with this object.
package final class CurlHeaderList {
    package private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    package init(_ lines: [String]) {
        for line in lines {
            pointer = curl_slist_append(pointer, line)
        }
    }

    deinit {
        curl_slist_free_all(pointer)
    }
}

/// A run's `Transport` on an easy handle: the same for functional checks and the load engine.
package enum TransportSetup {
    /// Sets the options; the returned list (the `--resolve` entries) must outlive the handle's
    /// use of it. Without a proxy, none is used whatever the environment says (the run resolved
    /// the environment's proxy into `transport` already, once), and libcurl looks up nothing
    /// per transfer.
    package static func apply(_ transport: Transport, to handle: UnsafeMutableRawPointer) -> CurlHeaderList? {
        if let file = transport.caCertificate { _ = accord_curl_easy_setopt_string(handle, CURLOPT_CAINFO, file) }
        if let file = transport.clientCertificate { _ = accord_curl_easy_setopt_string(handle, CURLOPT_SSLCERT, file) }
        if let file = transport.clientKey { _ = accord_curl_easy_setopt_string(handle, CURLOPT_SSLKEY, file) }
        let version: Int = switch transport.http {
        case .http1_1: CURL_HTTP_VERSION_1_1
        case .http2: CURL_HTTP_VERSION_2TLS
        case .http2PriorKnowledge: CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
        }
        _ = accord_curl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, version)
        // HTTP/2: wait for a connection that can multiplex rather than open another.
        _ = accord_curl_easy_setopt_long(handle, CURLOPT_PIPEWAIT, transport.multiplexes ? 1 : 0)
        if transport.insecure {
            _ = accord_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            _ = accord_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let proxy = transport.proxy {
            _ = accord_curl_easy_setopt_string(handle, CURLOPT_PROXY, proxy)
            _ = accord_curl_easy_setopt_string(handle, CURLOPT_NOPROXY, transport.noProxy ?? "")
        } else {
            _ = accord_curl_easy_setopt_string(handle, CURLOPT_PROXY, "")
            _ = accord_curl_easy_setopt_string(handle, CURLOPT_NOPROXY, "*")
        }
        guard !transport.resolve.isEmpty else { return nil }
        let list = CurlHeaderList(transport.resolve)
        _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_RESOLVE, list.pointer)
        return list
    }

    /// What a TLS failure means for the person running the kit, and the option that fixes it;
    /// nil for failures that are not TLS's.
    package static func advice(code: Int) -> String? {
        switch UInt32(code) {
        case CURLE_PEER_FAILED_VERIFICATION.rawValue:
            return "certificate not trusted: pass --cacert FILE (the CA that signed the deployment's certificate), or --insecure"
        case CURLE_SSL_CERTPROBLEM.rawValue:
            return "the client certificate could not be used: check --cert FILE and --key FILE"
        case CURLE_SSL_CACERT_BADFILE.rawValue:
            return "the --cacert file could not be read as PEM certificates"
        case CURLE_SSL_CONNECT_ERROR.rawValue:
            return "the TLS handshake failed: does the deployment require a client certificate (--cert FILE --key FILE), or speak TLS at all on this port?"
        default:
            return nil
        }
    }
}

/// The libcurl this process runs on.
public enum CurlVersion {
    /// 0xXXYYZZ (7.88.1 is 0x075801), and the text ("7.88.1").
    public static let number: Int = curl_version_info(CURLVERSION_FIRST).map { Int($0.pointee.version_num) } ?? 0
    public static let text: String = curl_version_info(CURLVERSION_FIRST).flatMap { $0.pointee.version.map { String(cString: $0) } } ?? "?"

    /// Why this libcurl cannot run `--http2-prior-knowledge` loads, or nil when it can:
    /// libcurl before 7.89.0 fails every request that reuses a cleartext HTTP/2 connection
    /// ("Error in the HTTP2 framing layer", curl issue #10634).
    public static var priorKnowledgeProblem: String? {
        number >= 0x075900 ? nil
            : "--http2-prior-knowledge needs libcurl 7.89.0 or later: this machine has \(text), whose reuse of a cleartext HTTP/2 "
                + "connection fails every request after the first (curl issue #10634); use --http2 over TLS"
    }
}
