import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starting a service on a port another process may take first: between finding a free port
/// and the service binding it, or while a stopped service is down, anyone can bind it. Every
/// start of PostgreSQL, Redis and the reference server goes through here, so the rule is one:
/// a start that failed with ``EnvironmentError/Kind/addressInUse`` is tried again, at most
/// ``limit`` attempts in all, and the last failure says how many attempts there were.
///
/// ```swift
/// let port = try PortAttempts.onFreshPorts(FreePort.find, service: "redis-server", logger: logger) { port in
///     try launch(port: port)          // throws .addressInUse when it lost the port
/// }
/// try PortAttempts.onPinnedPort(port, service: "redis-server", logger: logger) { try launch(port: $0) }
/// ```
public enum PortAttempts {
    public static let limit = 5

    /// A first start: each attempt on a new port from `ports`.
    public static func onFreshPorts<T>(
        _ ports: () throws -> Int, service: String, logger: Logger, _ start: (Int) throws -> T
    ) throws -> T {
        var attempt = 1
        while true {
            let port = try ports()
            do {
                return try start(port)
            } catch let error as EnvironmentError where error.kind == .addressInUse {
                guard attempt < limit else { throw error.adding("\n(the port was taken on all \(limit) attempts)") }
                logger.debug("\(service) lost port \(port) to another process; retrying on a new port")
                attempt += 1
            }
        }
    }

    /// A restart after a stop or a crash: the port cannot change (clients hold the URL), so
    /// each attempt waits a little longer (200 ms × attempt) for whoever holds it.
    public static func onPinnedPort<T>(
        _ port: Int, service: String, logger: Logger, _ start: (Int) throws -> T
    ) throws -> T {
        var attempt = 1
        while true {
            do {
                return try start(port)
            } catch let error as EnvironmentError where error.kind == .addressInUse {
                guard attempt < limit else {
                    throw error.adding("\n(another process held the port through \(limit) attempts; a restart cannot move to a new port)")
                }
                logger.debug("\(service) found its port \(port) taken; waiting to restart on it")
                usleep(useconds_t(200_000 * attempt))
                attempt += 1
            }
        }
    }
}
