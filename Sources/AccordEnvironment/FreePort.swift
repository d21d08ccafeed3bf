import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
///
/// The kernel picks it: bind a socket to port 0, read the port back, close the socket. Between
/// that close and the server's own bind another process can take the port — a small race that
/// cannot be closed from outside the server, since PostgreSQL and Redis bind by port number.
/// Callers therefore retry the whole start with a fresh port when the server reports "Address
/// already in use" (``ThrowawayPostgres`` and ``ThrowawayRedis`` try up to five times).
public enum FreePort {
    /// The address every throwaway server listens on.
    public static let host = "127.0.0.1"

    /// Returns a port on 127.0.0.1 that was free when this call returned.
    public static func find() throws -> Int {
        let doing = "finding a free TCP port"
        let subject = "on \(host)"
        let descriptor = LoopbackSocket.open()
        guard descriptor >= 0 else {
            throw EnvironmentError.systemCall("socket", doing: doing, subject: subject, errno: errno)
        }
        defer { close(descriptor) }
        var address = LoopbackSocket.address(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            throw EnvironmentError.systemCall("bind", doing: doing, subject: subject, errno: errno)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else {
            throw EnvironmentError.systemCall("getsockname", doing: doing, subject: subject, errno: errno)
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Plain IPv4 TCP sockets on 127.0.0.1, shared by ``FreePort`` and the Redis readiness probe.
enum LoopbackSocket {
    /// A new TCP socket, or -1 with `errno` set.
    static func open() -> Int32 {
        #if canImport(Glibc)
        return socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        return socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }

    /// 127.0.0.1:`port`, in network byte order.
    static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        #if canImport(Darwin)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        return address
    }
}
