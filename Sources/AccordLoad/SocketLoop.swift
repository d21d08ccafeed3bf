import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// libcurl's sockets on an epoll set of our own, for `curl_multi_socket_action`: libcurl says
/// which sockets it wants watched and when it next needs a timeout call; only the sockets that
/// fired are handed back to it (`curl_multi_perform` would walk every transfer on each wake).
///
/// A keep-alive socket stays in the epoll set between transfers: libcurl asks to stop watching
/// it when a transfer ends and to watch it again when the next one starts on the same
/// connection, a pair of `epoll_ctl` calls per request that nothing needs. It is removed only
/// when it fires while unwatched (the server closed an idle connection), and forgotten when
/// libcurl closes it (the close-socket callback), since the kernel drops a closed descriptor
/// from the set by itself and a new socket may reuse the number.
///
/// One per engine, confined to the engine's thread.
final class SocketLoop {
    private let epoll: Int32
    /// By descriptor: the events in the epoll set (0 = not in it) and the ones libcurl wants.
    private var registered: [UInt32] = []
    private var wanted: [UInt32] = []
    /// When libcurl next wants a `CURL_SOCKET_TIMEOUT` call (monotonic ns), nil for never.
    private(set) var timerDeadline: UInt64?
    private let events: UnsafeMutablePointer<epoll_event>
    private static let capacity: Int32 = 256

    init?() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { return nil }
        events = .allocate(capacity: Int(Self.capacity))
    }

    deinit {
        close(epoll)
        events.deallocate()
    }

    /// Routes `multi`'s socket and timer callbacks here; the loop must outlive the handle's use.
    func attach(to multi: UnsafeMutableRawPointer) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = accord_curl_multi_setopt_socket_function(multi, onSocket)
        _ = accord_curl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, context)
        _ = accord_curl_multi_setopt_timer_function(multi, onTimer)
        _ = accord_curl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, context)
    }

    /// Has libcurl tell this loop when it closes one of `easy`'s sockets.
    func attach(easy: UnsafeMutableRawPointer) {
        _ = accord_curl_easy_setopt_close_socket_function(easy, onCloseSocket)
        _ = accord_curl_easy_setopt_pointer(easy, CURLOPT_CLOSESOCKETDATA, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Waits up to `timeoutNanoseconds` (less when libcurl's timer is due sooner) for sockets,
    /// hands the ready ones to libcurl, then fires its timer when due.
    func run(_ multi: UnsafeMutableRawPointer, timeoutNanoseconds: UInt64) {
        var timeout = timeoutNanoseconds
        if let deadline = timerDeadline {
            let now = MonotonicClock.now()
            timeout = deadline <= now ? 0 : min(timeout, deadline - now)
        }
        let ready = wait(nanoseconds: timeout)
        var running: Int32 = 0
        if ready > 0 {
            for index in 0..<Int(ready) {
                let fd = events[index].data.fd
                let fired = events[index].events
                guard Int(fd) < wanted.count, wanted[Int(fd)] != 0 else {
                    // An idle keep-alive socket libcurl does not watch: closed by the peer, most
                    // likely. libcurl finds out when it next tries the connection.
                    forget(fd, remove: true)
                    continue
                }
                var mask: Int32 = 0
                if fired & EPOLLIN.rawValue != 0 { mask |= CURL_CSELECT_IN }
                if fired & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
                if fired & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { mask |= CURL_CSELECT_ERR }
                curl_multi_socket_action(multi, fd, mask, &running)
            }
        }
        if let deadline = timerDeadline, deadline <= MonotonicClock.now() {
            timerDeadline = nil
            curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        }
    }

    /// epoll_wait to the nanosecond (epoll_pwait2, Linux 5.11): an open-model load at thousands
    /// of requests per second waits well under a millisecond between sends, and epoll_wait's
    /// milliseconds would make it spin instead. Older kernels: epoll_wait, rounded up.
    private func wait(nanoseconds: UInt64) -> Int32 {
        if nanoseconds == 0 { return epoll_wait(epoll, events, Self.capacity, 0) }
        if hasPreciseWait {
            var spec = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
            let ready = epoll_pwait2(epoll, events, Self.capacity, &spec, nil)
            if ready >= 0 || errno != ENOSYS { return ready }
            hasPreciseWait = false
        }
        return epoll_wait(epoll, events, Self.capacity, Int32(clamping: (nanoseconds + 999_999) / 1_000_000))
    }

    private var hasPreciseWait = true

    // MARK: - What libcurl asks for

    fileprivate func watch(_ fd: Int32, what: Int32) {
        guard fd >= 0 else { return }
        let index = Int(fd)
        if index >= wanted.count {
            wanted += [UInt32](repeating: 0, count: index + 64 - wanted.count)
            registered += [UInt32](repeating: 0, count: index + 64 - registered.count)
        }
        var mask: UInt32 = 0
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { mask |= EPOLLIN.rawValue }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { mask |= EPOLLOUT.rawValue }
        wanted[index] = mask
        // Unwatched sockets stay in the set (see the type's comment).
        guard mask != 0, registered[index] != mask else { return }
        var event = epoll_event()
        event.events = mask
        event.data.fd = fd
        if registered[index] != 0 {
            if epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) != 0 { _ = epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) }
        } else if epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0 {
            _ = epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event)
        }
        registered[index] = mask
    }

    fileprivate func setTimer(milliseconds: Int) {
        timerDeadline = milliseconds < 0 ? nil : MonotonicClock.now() + UInt64(milliseconds) * 1_000_000
    }

    /// Drops `fd` from the books (and from the epoll set when `remove`).
    fileprivate func forget(_ fd: Int32, remove: Bool) {
        guard fd >= 0 else { return }
        if Int(fd) < registered.count {
            if remove && registered[Int(fd)] != 0 { _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil) }
            registered[Int(fd)] = 0
            wanted[Int(fd)] = 0
        }
    }
}

private let onSocket: curl_socket_callback = { _, fd, what, context, _ in
    guard let context else { return -1 }
    Unmanaged<SocketLoop>.fromOpaque(context).takeUnretainedValue().watch(fd, what: what == CURL_POLL_REMOVE ? 0 : what)
    return 0
}

private let onTimer: curl_multi_timer_callback = { _, milliseconds, context in
    guard let context else { return -1 }
    Unmanaged<SocketLoop>.fromOpaque(context).takeUnretainedValue().setTimer(milliseconds: milliseconds)
    return 0
}

private let onCloseSocket: curl_closesocket_callback = { context, fd in
    if let context { Unmanaged<SocketLoop>.fromOpaque(context).takeUnretainedValue().forget(fd, remove: false) }
    return close(fd)
}
