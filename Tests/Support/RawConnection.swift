import AccordHTTP
import Foundation
import Glibc

/// One TCP connection to 127.0.0.1 that sends bytes exactly as given — broken HTTP included,
/// which libcurl refuses to send — and reads what comes back, bounded in time. Blocking: use
/// it through `RawConnection.exchange`, which runs on a thread of its own.
public final class RawConnection {
    private let descriptor: Int32

    public init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("failed to create a socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw TestFailure("failed to connect to 127.0.0.1:\(port): errno \(code)")
        }
    }

    deinit { close(descriptor) }

    /// Sends every byte; false when the server closed the connection before taking them all
    /// (a server may stop reading a request it already refused).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// What a read saw: the bytes, and whether the server closed the connection (or reset it)
    /// before `seconds` passed.
    public struct Received: Sendable {
        public var bytes: [UInt8]
        public var closedByServer: Bool
    }

    /// Reads until `isComplete(bytes so far)` holds, the server closes, or `seconds` pass.
    public func receive(seconds: Double, until isComplete: ([UInt8]) -> Bool = { _ in false }) -> Received {
        var bytes: [UInt8] = []
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !isComplete(bytes) {
            let left = deadline - ContinuousClock.now
            let millis = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            guard millis > 0 else { return Received(bytes: bytes, closedByServer: false) }
            var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptorSet, 1, millis)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return Received(bytes: bytes, closedByServer: false) }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return Received(bytes: bytes, closedByServer: true) }  // 0: closed; < 0: reset
            bytes += buffer[0..<count]
        }
        return Received(bytes: bytes, closedByServer: false)
    }

    /// Connects, sends `request` — its first `trickleFrom` bytes at once, the rest in pieces of
    /// `chunk` bytes with `pause` between them — and reads until one whole response arrived
    /// (or, with `untilClosed`, until the server closes), on a thread of its own so no async
    /// executor blocks. Bounded by `seconds`.
    public static func exchange(
        port: Int, _ request: [UInt8], chunk: Int = .max, pause: Duration = .zero, trickleFrom: Int = 0, untilClosed: Bool = false,
        seconds: Double = 20
    ) async throws -> Received {
        try await BlockingHTTP.onThread {
            Result { () throws -> Received in
                let connection = try RawConnection(port: port)
                var offset = min(trickleFrom, request.count)
                guard connection.send(Array(request[..<offset])) else {
                    return connection.receive(seconds: seconds) { _ in false }
                }
                while offset < request.count {
                    let end = min(request.count, offset + max(1, chunk))
                    guard connection.send(Array(request[offset..<end])) else { break }
                    offset = end
                    if pause > .zero && request.count > offset { sleepFor(pause) }
                }
                return connection.receive(seconds: seconds) { bytes in
                    !untilClosed && RawResponse.parseAll(bytes).complete.count >= 1
                }
            }
        }.get()
    }

    private static func sleepFor(_ duration: Duration) {
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

/// One HTTP/1.1 response read off a raw connection.
public struct RawResponse {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The complete responses at the front of `bytes` (framed by Content-Length; a response
    /// without one runs to the end of the bytes only when `atEnd`), and whether unparsable
    /// bytes follow them.
    public static func parseAll(_ bytes: [UInt8], atEnd: Bool = false) -> (complete: [RawResponse], rest: [UInt8]) {
        var responses: [RawResponse] = []
        var rest = bytes[...]
        while let response = parseOne(&rest, atEnd: atEnd) { responses.append(response) }
        return (responses, Array(rest))
    }

    private static func parseOne(_ bytes: inout ArraySlice<UInt8>, atEnd: Bool) -> RawResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = firstRange(of: separator, in: bytes) else { return nil }
        let headText = String(decoding: bytes[bytes.startIndex..<headEnd], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let bodyStart = headEnd + separator.count
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) }
        let bodyEnd: Int
        if let length {
            guard bytes.endIndex - bodyStart >= length else { return nil }
            bodyEnd = bodyStart + length
        } else {
            guard atEnd else { return nil }
            bodyEnd = bytes.endIndex
        }
        let response = RawResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<bodyEnd]))
        bytes = bytes[bodyEnd...]
        return response
    }

    private static func firstRange(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index + needle.count <= haystack.endIndex {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
