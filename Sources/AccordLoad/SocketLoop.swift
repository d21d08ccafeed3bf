import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// libcurl's sockets on an epoll set of our own, for `curl_multi_socket_action`: libcurl says
/// which sockets it wants watched and when it next needs a timeout call; only the sockets that
/// fired are handed back to it (`curl_multi_perform` would walk every transfer on each wake).
///
/// The loop serves several multi handles ("shards", see `LoadEngine.shardSize`): libcurl walks
/// every connection of a multi handle's cache to find a free one for each request, and every
/// connection again when a transfer is taken off, so one multi handle for hundreds of
/// connections costs each request hundreds of steps. Each shard has its own timer; each socket
/// belongs to the shard that opened it.
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
    /// By descriptor: the events in the epoll set (0 = not in it), the ones libcurl wants, and
    /// the shard whose multi handle owns the socket.
    private var registered: [UInt32] = []
    private var wanted: [UInt32] = []
    private var owner: [Int32] = []
    /// The multi handles, by shard, and what each one's callbacks are given to find its way back.
    private(set) var multis: [UnsafeMutableRawPointer] = []
    private var contexts: [ShardContext] = []
    /// By shard: when libcurl next wants a `CURL_SOCKET_TIMEOUT` call (monotonic ns, `.max` for
    /// never).
    private var deadlines: [UInt64] = []
    /// Shards libcurl was called for since `takeTouched()`: the ones that may have finished
    /// transfers to read.
    private var touched: [Int] = []
    private var isTouched: [Bool] = []
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

    /// Routes `multi`'s socket and timer callbacks here and returns its shard number; the loop
    /// must outlive the handle's use.
    func attach(to multi: UnsafeMutableRawPointer) -> Int {
        let shard = multis.count
        let context = ShardContext(loop: self, shard: shard)
        multis.append(multi)
        contexts.append(context)
        deadlines.append(.max)
        isTouched.append(false)
        let pointer = Unmanaged.passUnretained(context).toOpaque()
        _ = accord_curl_multi_setopt_socket_function(multi, onSocket)
        _ = accord_curl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, pointer)
        _ = accord_curl_multi_setopt_timer_function(multi, onTimer)
        _ = accord_curl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, pointer)
        return shard
    }

    /// Has libcurl tell this loop when it closes one of `easy`'s sockets.
    func attach(easy: UnsafeMutableRawPointer) {
        _ = accord_curl_easy_setopt_close_socket_function(easy, onCloseSocket)
        _ = accord_curl_easy_setopt_pointer(easy, CURLOPT_CLOSESOCKETDATA, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The shards libcurl has been called for since the last call, forgotten as they are returned.
    func takeTouched(_ body: (UnsafeMutableRawPointer) -> Void) {
        for shard in touched {
            isTouched[shard] = false
            body(multis[shard])
        }
        touched.removeAll(keepingCapacity: true)
    }

    private func touch(_ shard: Int) {
        guard !isTouched[shard] else { return }
        isTouched[shard] = true
        touched.append(shard)
    }

    /// Waits up to `timeoutNanoseconds` (less when a shard's libcurl timer is due sooner) for
    /// sockets, hands the ready ones to their shards' libcurl, then fires the timers that are due.
    func run(timeoutNanoseconds: UInt64) {
        var timeout = timeoutNanoseconds
        let earliest = deadlines.min() ?? .max
        if earliest != .max {
            let now = MonotonicClock.now()
            timeout = earliest <= now ? 0 : min(timeout, earliest - now)
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
                let shard = Int(owner[Int(fd)])
                touch(shard)
                curl_multi_socket_action(multis[shard], fd, mask, &running)
            }
        }
        guard earliest != .max || ready > 0 else { return }
        let now = MonotonicClock.now()
        for shard in deadlines.indices where deadlines[shard] <= now {
            deadlines[shard] = .max
            touch(shard)
            curl_multi_socket_action(multis[shard], CURL_SOCKET_TIMEOUT, 0, &running)
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

    fileprivate func watch(_ fd: Int32, what: Int32, shard: Int) {
        guard fd >= 0 else { return }
        let index = Int(fd)
        if index >= wanted.count {
            wanted += [UInt32](repeating: 0, count: index + 64 - wanted.count)
            registered += [UInt32](repeating: 0, count: index + 64 - registered.count)
            owner += [Int32](repeating: 0, count: index + 64 - owner.count)
        }
        owner[index] = Int32(shard)
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

    fileprivate func setTimer(milliseconds: Int, shard: Int) {
        // 0 (run now) needs no clock: any deadline already passed is due.
        deadlines[shard] = milliseconds < 0 ? .max : milliseconds == 0 ? 0 : MonotonicClock.now() + UInt64(milliseconds) * 1_000_000
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

/// What a shard's callbacks get: the loop and which shard they speak for.
private final class ShardContext {
    unowned let loop: SocketLoop
    let shard: Int

    init(loop: SocketLoop, shard: Int) {
        self.loop = loop
        self.shard = shard
    }
}

private let onSocket: curl_socket_callback = { _, fd, what, context, _ in
    guard let context else { return -1 }
    let shard = Unmanaged<ShardContext>.fromOpaque(context).takeUnretainedValue()
    shard.loop.watch(fd, what: what == CURL_POLL_REMOVE ? 0 : what, shard: shard.shard)
    return 0
}

private let onTimer: curl_multi_timer_callback = { _, milliseconds, context in
    guard let context else { return -1 }
    let shard = Unmanaged<ShardContext>.fromOpaque(context).takeUnretainedValue()
    shard.loop.setTimer(milliseconds: milliseconds, shard: shard.shard)
    return 0
}

private let onCloseSocket: curl_closesocket_callback = { context, fd in
    if let context { Unmanaged<SocketLoop>.fromOpaque(context).takeUnretainedValue().forget(fd, remove: false) }
    return close(fd)
}
