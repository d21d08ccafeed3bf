

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether this process may open enough files for a load of N connections: each connection is
/// a descriptor in the generator and another in the server (a child, with the same limits).
/// When it may not, the run says so up front instead of reporting connect errors that would
/// be the machine's, not the server's.
public enum FileDescriptorBudget {
    /// Descriptors beyond the connections: standard streams, logs, the server's PostgreSQL and
    /// Redis pools, the probes, epoll and libcurl's wake-up sockets.
    public static let headroom = 128

    /// Raises the soft limit to the hard limit (``OpenFiles/raiseToHardLimit()``), then returns
    /// a warning when `connections` do not fit in it, nil when they do.
    public static func check(connections: Int) -> String? {
        let limit = OpenFiles.raiseToHardLimit()
        var hard = rlimit()
        let hardLimit = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &hard) == 0 ? UInt64(hard.rlim_max) : limit
        return check(connections: connections, limit: limit, hardLimit: hardLimit)
    }

    /// The warning for `connections` under a soft `limit` already raised as far as `hardLimit`
    /// allows; nil when they fit.
    public static func check(connections: Int, limit: UInt64, hardLimit: UInt64) -> String? {
        let needed = UInt64(max(0, connections)) + UInt64(headroom)
        guard limit < needed else { return nil }
        let suggestion = max(4096, (needed + 1023) / 1024 * 1024)
        let raise = hardLimit < needed
            ? "raise the hard limit first (`ulimit -Hn \(suggestion)` as root, `LimitNOFILE=\(suggestion)` in a systemd unit, or `nofile` in /etc/security/limits.conf), then `ulimit -n \(suggestion)`"
            : "run `ulimit -n \(suggestion)` in the shell that starts accord"
        return "\(connections) connections need about \(needed) open files (\(headroom) more for logs, pools and probes), "
            + "but this process may open only \(limit) (hard limit \(hardLimit)): \(raise); until then, connect errors "
            + "from about \(limit > UInt64(headroom) ? limit - UInt64(headroom) : 0) connections on may be the machine's, not the server's"
    }
}
