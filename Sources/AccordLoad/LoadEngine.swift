import AccordHTTP
import AccordHTTPTypes
import AccordJSON
import CCurl
import Foundation

/// One event loop on a libcurl multi handle (`curl_multi_socket_action` over our own epoll set,
/// see `SocketLoop`), driving `connections` keep-alive connections. When requests go is the
/// arrival model's to say (`ArrivalModel`): closed (`ClosedArrivals`: each connection sends
/// again as soon as it is answered), closed with users (`UserArrivals`: ramp-up, think time,
/// stages) or open (`OpenArrivals`: requests due by the pacer go out on free connections;
/// when none is free they wait, and their latency still counts from the intended time). The
/// engine only moves bytes, times answers and records them. Runs on the calling thread.
struct LoadEngine {
    let plan: LoadPlan
    let connections: Int
    let pacer: Pacer?
    /// Closed model with stages: how many of this engine's users are active over time.
    var users: StageProfile?

    init(plan: LoadPlan, connections: Int, pacer: Pacer?, users: StageProfile? = nil) {
        self.plan = plan
        self.connections = connections
        self.pacer = pacer
        self.users = users
        let transport = plan.requests.first?.request.transport ?? Transport()
        shard = transport.multiplexes ? max(1, transport.maxStreams) : Self.shardSize
    }

    /// Connections per libcurl multi handle. libcurl looks for a free connection by walking
    /// every connection in the multi handle's cache, and walks them all again when a transfer
    /// is taken off: small shards keep both walks short, however many connections the engine
    /// drives (see `SocketLoop`).
    static let shardSize = 8

    /// Connections per multi handle for this plan: 8 over HTTP/1.1; over HTTP/2, the streams
    /// one connection carries (`Transport.maxStreams`): each multi handle then keeps one
    /// connection and multiplexes its handles' requests on it, so the grouping never caps the
    /// streams per connection.
    let shard: Int

    /// What one engine measured.
    struct Outcome {
        var recorder = LoadRecorder()
        /// The same measurements per request of the plan, and per group (`LoadPlan.groups`).
        var perRequest: [LoadRecorder] = []
        var perGroup: [LoadRecorder] = []
        var sent = 0
        /// Requests the pacer wanted sent that never went (the run ended first).
        var behind = 0
        /// The most a request waited past its intended time for a free connection (ns).
        var maxLag: UInt64 = 0
        /// Times a request was due and every connection was busy.
        var saturatedTicks = 0
        var cpuNanoseconds: UInt64 = 0
        var wallNanoseconds: UInt64 = 0
        var setupError: String?
        /// Per plan request: the field values its accepted 2xx answers carried (`collect`).
        var collected: [CollectedValues] = []
        /// Per second of the run: how many connections (users) sent at least one request.
        var usersPerSecond: [Int] = []
        /// Connections libcurl opened, TLS handshakes among them and their time (µs), and the
        /// HTTP versions answers came in (CURLINFO_HTTP_VERSION values).
        var connectionsOpened = 0
        var handshakes = 0
        var handshakeMicroseconds: Int64 = 0
        var handshakeMaxMicroseconds: Int64 = 0
        var httpVersions: Set<Int> = []
    }

    /// Runs the plan under its arrival model: open with a pacer; closed with users when the
    /// plan has a think time, a spawn rate or stages of users; plain closed otherwise.
    func run() -> Outcome {
        if let pacer {
            var arrivals = OpenArrivals(pacer: pacer)
            var outcome = run(&arrivals)
            // A run that never started sent nothing it owed: nothing is behind.
            if outcome.setupError == nil {
                outcome.maxLag = arrivals.maxLag
                outcome.saturatedTicks = arrivals.saturatedTicks
                outcome.behind = arrivals.behind(duration: plan.durationNanoseconds, sent: outcome.sent)
            }
            return outcome
        }
        if plan.thinkNanoseconds == nil && plan.spawnRate == nil && users == nil {
            var arrivals = ClosedArrivals()
            return run(&arrivals)
        }
        var arrivals = UserArrivals(users: connections, think: plan.thinkNanoseconds, spawnRate: plan.spawnRate, stages: users)
        return run(&arrivals)
    }

    /// The event loop, generic over the arrival model so that its calls are direct (specialised
    /// per model, no existential in the hot loop). Each turn: end requests past their time
    /// limit, ask the model which idle connections send now and launch them, sleep in epoll
    /// until a socket, libcurl's timer, a time limit or the model's next due time, then finish
    /// the transfers libcurl reports done.
    private func run<Arrivals: ArrivalModel>(_ arrivals: inout Arrivals) -> Outcome {
        var outcome = Outcome()
        guard let loop = SocketLoop() else {
            outcome.setupError = "epoll_create1 failed"
            return outcome
        }
        var pool: [LoadConnection] = []
        defer {
            // libcurl closes its cached connections in curl_multi_cleanup through the loop's
            // callbacks: the loop and the easy handles must outlive the multi handles.
            for (index, connection) in pool.enumerated() { curl_multi_remove_handle(loop.multis[index / shard], connection.handle) }
            for multi in loop.multis { curl_multi_cleanup(multi) }
            withExtendedLifetime(loop) {}
            withExtendedLifetime(pool) {}
        }
        let transport = plan.requests.first?.request.transport ?? Transport()
        for _ in stride(from: 0, to: connections, by: shard) {
            guard let multi = curl_multi_init() else {
                outcome.setupError = "curl_multi_init failed"
                return outcome
            }
            if transport.multiplexes {
                _ = accord_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, 2)  // CURLPIPE_MULTIPLEX
                _ = accord_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1)
                _ = accord_curl_multi_setopt_long(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, shard)
            }
            _ = loop.attach(to: multi)
        }
        // Wake for the next intended send on time, not up to the default 50 µs later.
        _ = accord_set_timer_slack(1_000)
        do {
            for index in 0..<connections {
                let connection = try LoadConnection(index: index, serverTiming: plan.serverTiming)
                loop.attach(easy: connection.handle)
                pool.append(connection)
            }
        } catch {
            outcome.setupError = "\(error)"
            return outcome
        }
        var idle = Array(pool.indices.reversed())
        // Per request of the plan: totals and histograms only (groups carry the series).
        outcome.perRequest = plan.requests.map { _ in LoadRecorder(keepsSeries: false) }
        // A group per plan request (out-of-range entries count as group 0), or none.
        let groupOf = plan.groups.count == plan.requests.count ? plan.groups.map { max(0, $0) } : []
        outcome.perGroup = [LoadRecorder](repeating: LoadRecorder(), count: groupOf.isEmpty ? 0 : (groupOf.max() ?? 0) + 1)
        outcome.collected = plan.requests.map { _ in CollectedValues() }
        var slotOf = [Int](repeating: 0, count: pool.count)
        // The last second each connection sent in, to count the users sending per second.
        var lastSecond = [Int](repeating: -1, count: pool.count)
        var renderer = TemplateRenderer(sources: plan.sources, counter: plan.counter, seed: UInt64.random(in: 0...UInt64.max))
        // What each request keeps from its answers, parsed once.
        let collectPaths = plan.requests.map { $0.collect.flatMap(Self.collectPath) }
        // Set when a request could not be rendered because a source ran out, or the plan's
        // request limit was reached: nothing more is sent.
        var stopped = false
        let schedule = plan.schedule
        guard !schedule.isEmpty else {
            outcome.setupError = "the plan has no request with a positive weight"
            return outcome
        }
        let cpuStart = MonotonicClock.threadCPU()
        let start = MonotonicClock.now()
        let end = start + plan.durationNanoseconds
        var inFlight = 0
        // Seconds of the recorder already published to the plan's live feed.
        var published = 0
        let single = plan.requests.count == 1

        // Per connection: when its request in flight times out (`.max`: no limit, or none in
        // flight), and the earliest of those that may have passed, when to look again.
        var deadline = [UInt64](repeating: .max, count: pool.count)
        var nextExpiry = UInt64.max

        func launch(_ index: Int, intended: UInt64, now: UInt64) {
            let connection = pool[index]
            let slot = schedule[outcome.sent % schedule.count]
            if let limit = plan.requestLimit, outcome.sent >= limit { stopped = true }
            guard !stopped, connection.prepare(plan.requests[slot], index: slot, renderer: &renderer) else {
                stopped = true
                idle.append(index)
                return
            }
            slotOf[index] = slot
            let second = Int((now - start) / 1_000_000_000)
            if lastSecond[index] != second {
                lastSecond[index] = second
                if outcome.usersPerSecond.count <= second { outcome.usersPerSecond += [Int](repeating: 0, count: second + 1 - outcome.usersPerSecond.count) }
                outcome.usersPerSecond[second] += 1
            }
            connection.intended = intended
            connection.sent = now
            if connection.timeoutNanoseconds > 0 {
                deadline[index] = now &+ connection.timeoutNanoseconds
                nextExpiry = min(nextExpiry, deadline[index])
            }
            curl_multi_add_handle(loop.multis[index / shard], connection.handle)
            outcome.sent += 1
            inFlight += 1
        }

        /// Takes connection `index`'s transfer off the multi handle and records how it ended:
        /// answered (`error` nil or a failed expectation) or failed at `finished`.
        func finish(_ index: Int, error: LoadErrorKind?, finished: UInt64) {
            let connection = pool[index]
            let slot = slotOf[index]
            // Mid-transfer (a timeout), libcurl closes the connection: the next request opens one.
            curl_multi_remove_handle(loop.multis[index / shard], connection.handle)
            deadline[index] = .max
            inFlight -= 1
            if connection.sent < end {
                let corrected = (finished - connection.intended) / 1000
                let uncorrected = (finished - connection.sent) / 1000
                let second = Int((connection.sent - start) / 1_000_000_000)
                func note(_ recorder: inout LoadRecorder) {
                    recorder.record(correctedMicroseconds: corrected, uncorrectedMicroseconds: uncorrected, error: error, second: second)
                    for phase in connection.phases { recorder.recordPhase(phase.name, microseconds: phase.microseconds) }
                }
                note(&outcome.recorder)
                if let feed = plan.feed, outcome.recorder.seconds.count > published, let closed = outcome.recorder.seconds.last {
                    feed.publish(closed)
                    published = outcome.recorder.seconds.count
                }
                // One request in the plan: its recorder is the run's, copied once at the end.
                if !single { note(&outcome.perRequest[slot]) }
                if !groupOf.isEmpty { note(&outcome.perGroup[groupOf[slot]]) }
            }
            arrivals.finished(index, at: finished - start)
            idle.append(index)
        }

        // Transfers libcurl reported finished in one turn (kept, not reallocated, between turns).
        var done: [(easy: UnsafeMutableRawPointer, code: CURLcode)] = []
        done.reserveCapacity(connections)
        // The connections the model releases in one turn (kept too; never more than are idle).
        var launches: [Arrival] = []
        launches.reserveCapacity(connections)
        while true {
            let now = MonotonicClock.now()
            // Requests past their time limit end as timeouts, their connections closed.
            if now >= nextExpiry {
                nextExpiry = .max
                for index in deadline.indices where deadline[index] != .max {
                    if deadline[index] <= now {
                        finish(index, error: .timeout, finished: now)
                    } else {
                        nextExpiry = min(nextExpiry, deadline[index])
                    }
                }
            }
            // A stopped feed (the run was interrupted) ends sending as the clock would.
            let sending = now < end && !(plan.feed?.stopped ?? false) && !stopped
            if !sending && inFlight == 0 { break }
            // Drain: after the end, give answers in flight up to 2 s more, then stop.
            if !sending && now > end + 2_000_000_000 { break }
            if sending {
                launches.removeAll(keepingCapacity: true)
                arrivals.release(elapsed: now - start, sent: outcome.sent, idle: &idle, into: &launches)
                for arrival in launches { launch(arrival.connection, intended: start + arrival.intended, now: now) }
            }
            // Sleep in epoll until a socket is ready, libcurl's timer fires or the model has a
            // request due; a newly added transfer sets libcurl's timer to now, so it starts at once.
            var timeout: UInt64 = 100_000_000
            if sending && !idle.isEmpty {
                let current = MonotonicClock.now()
                timeout = min(arrivals.wait(elapsed: current - start, sent: outcome.sent, idle: idle), timeout)
            }
            // Wake for the next time limit (measured from the top of this turn: at most a few
            // microseconds late).
            if nextExpiry != .max { timeout = min(timeout, nextExpiry > now ? nextExpiry - now : 0) }
            loop.run(timeoutNanoseconds: timeout)
            done.removeAll(keepingCapacity: true)
            loop.takeTouched { multi in
                var queued: Int32 = 0
                while let message = curl_multi_info_read(multi, &queued) {
                    if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle { done.append((easy, message.pointee.data.result)) }
                }
            }
            for (easy, code) in done {
                guard let index = LoadConnection.index(of: easy), pool.indices.contains(index) else { continue }
                let finished = MonotonicClock.now()
                let connection = pool[index]
                let slot = slotOf[index]
                var error: LoadErrorKind?
                Self.noteConnection(connection.handle, into: &outcome)
                switch code {
                case CURLE_OK:
                    let status = connection.status
                    if !plan.requests[slot].accepts(status) {
                        error = .status
                    } else if let path = collectPaths[slot], (200..<300).contains(status),
                        let value = Self.collect(path, from: connection.body)
                    {
                        outcome.collected[slot].append(value)
                    }
                case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: error = .connect
                case CURLE_OPERATION_TIMEDOUT: error = .timeout
                default: error = .transfer
                }
                finish(index, error: error, finished: finished)
            }
        }
        outcome.wallNanoseconds = MonotonicClock.now() - start
        outcome.cpuNanoseconds = MonotonicClock.threadCPU() - cpuStart
        outcome.recorder.roll(to: Int(plan.durationNanoseconds / 1_000_000_000))
        for index in outcome.perRequest.indices { outcome.perRequest[index].roll(to: Int(plan.durationNanoseconds / 1_000_000_000)) }
        for index in outcome.perGroup.indices { outcome.perGroup[index].roll(to: Int(plan.durationNanoseconds / 1_000_000_000)) }
        if single { outcome.perRequest = [outcome.recorder] }
        return outcome
    }

    /// What a finished transfer says of its connection: new ones opened (and their TLS
    /// handshake's time), and the HTTP version of the answer.
    static func noteConnection(_ easy: UnsafeMutableRawPointer, into outcome: inout Outcome) {
        var opened = 0
        guard accord_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &opened) == CURLE_OK else { return }
        if opened > 0 {
            outcome.connectionsOpened += opened
            var connect: curl_off_t = 0
            var handshake: curl_off_t = 0
            if accord_curl_easy_getinfo_off(easy, CURLINFO_CONNECT_TIME_T, &connect) == CURLE_OK,
                accord_curl_easy_getinfo_off(easy, CURLINFO_APPCONNECT_TIME_T, &handshake) == CURLE_OK, handshake > 0
            {
                let spent = Int64(max(0, handshake - connect))
                outcome.handshakes += 1
                outcome.handshakeMicroseconds += spent
                outcome.handshakeMaxMicroseconds = max(outcome.handshakeMaxMicroseconds, spent)
            }
        }
        var version = 0
        if accord_curl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version) == CURLE_OK, version > 0 { outcome.httpVersions.insert(version) }
    }

    /// `collect` as a JSONPath: `$…` as written, a plain name as the top-level field.
    static func collectPath(_ collect: String) -> JSONPath? {
        collect.hasPrefix("$") ? try? JSONPath(parsing: collect) : JSONPath.root.appending(.name(collect))
    }

    /// The string (or number, as written) at `path` in a JSON body, if there is exactly one.
    static func collect(_ path: JSONPath, from body: [UInt8]) -> String? {
        guard let document = try? JSON.parse(bytes: body) else { return nil }
        let found = path.select(in: document)
        guard found.count == 1 else { return nil }
        switch found[0] {
        case let .string(text): return text
        case let .int(number): return String(number)
        default: return nil
        }
    }
}
