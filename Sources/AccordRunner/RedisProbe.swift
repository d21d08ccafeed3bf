import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One inline Redis command over a plain TCP connection to 127.0.0.1: readiness checks for
/// ``ThrowawayRedis`` without a Redis client library.
enum RedisProbe {
    /// Whether a server on `port` answers `PING` with `+PONG`.
    static func pong(port: Int) -> Bool {
        exchange(port: port, request: "PING\r\n") { $0.contains("\r\n") }?.hasPrefix("+PONG") ?? false
    }

    /// The pid the server on `port` reports in `INFO server`: tells our server apart from one
    /// that took the port first.
    static func processID(port: Int) -> pid_t? {
        let reply = exchange(port: port, request: "INFO server\r\n") { reply in
            guard let field = reply.range(of: "process_id:") else { return false }
            return reply[field.upperBound...].contains("\r\n")
        }
        guard let reply, let field = reply.range(of: "process_id:") else { return nil }
        return pid_t(reply[field.upperBound...].prefix { $0.isNumber })
    }

    /// Sends `request`, then reads until `complete` accepts the reply so far. `nil` when the
    /// connection fails, closes or stays silent for half a second.
    static func exchange(port: Int, request: String, complete: (String) -> Bool) -> String? {
        let descriptor = LoopbackSocket.open()
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
        #if canImport(Darwin)
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        let sendFlags: Int32 = 0
        #else
        let sendFlags = Int32(MSG_NOSIGNAL)
        #endif

        var address = LoopbackSocket.address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }

        let bytes = Array(request.utf8)
        let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, sendFlags) }
        guard sent == bytes.count else { return nil }

        var reply = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while reply.count < 65_536 {
            let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { return nil }
            reply.append(contentsOf: chunk[0..<received])
            let text = String(decoding: reply, as: UTF8.self)
            if complete(text) { return text }
        }
        return nil
    }
}
