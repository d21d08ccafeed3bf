import AccordHTTP
import CCurl
import Foundation

/// One event loop on a libcurl multi handle, driving `connections` keep-alive connections:
/// closed model (each connection sends again as soon as it is answered) or open model
/// (requests due by the pacer go out on free connections; when none is free they wait, and
/// their latency still counts from the intended time). Runs on the calling thread.
struct LoadEngine {
    let plan: LoadPlan
    let connections: Int
    let pacer: Pacer?

    /// What one engine measured.
    struct Outcome {
        var recorder = LoadRecorder()
        /// The same measurements per request of the plan (per endpoint of a mix).
        var perRequest: [LoadRecorder] = []
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
    }

    func run() -> Outcome {
        var outcome = Outcome()
        guard let multi = curl_multi_init() else {
            outcome.setupError = "curl_multi_init failed"
            return outcome
        }
        defer { curl_multi_cleanup(multi) }
        var pool: [LoadConnection] = []
        do {
            for _ in 0..<connections { pool.append(try LoadConnection()) }
        } catch {
            outcome.setupError = "\(error)"
            return outcome
        }
        let byHandle = Dictionary(uniqueKeysWithValues: pool.enumerated().map { ($0.element.handle, $0.offset) })
        var idle = Array(pool.indices.reversed())
        outcome.perRequest = plan.requests.map { _ in LoadRecorder() }
        // Closed model with users: when each connection may send next (ramp-up, think time).
        var readyAt = [UInt64](repeating: 0, count: pool.count)
        var slotOf = [Int](repeating: 0, count: pool.count)
        var random = SystemRandomNumberGenerator()
        let schedule = plan.schedule
        guard !schedule.isEmpty else {
            outcome.setupError = "the plan has no request with a positive weight"
            return outcome
        }
        let cpuStart = MonotonicClock.threadCPU()
        let start = MonotonicClock.now()
        let end = start + plan.durationNanoseconds
        if let spawnRate = plan.spawnRate, spawnRate > 0, pacer == nil {
            for index in pool.indices { readyAt[index] = start + UInt64(Double(index) / spawnRate * 1e9) }
        }
        var inFlight = 0

        func launch(_ index: Int, intended: UInt64, now: UInt64) {
            let connection = pool[index]
            let slot = schedule[outcome.sent % schedule.count]
            slotOf[index] = slot
            connection.configure(plan.requests[slot].request, index: slot)
            connection.intended = intended
            connection.sent = now
            curl_multi_add_handle(multi, connection.handle)
            outcome.sent += 1
            inFlight += 1
        }

        var running: Int32 = 0
        while true {
            let now = MonotonicClock.now()
            let sending = now < end
            if !sending && inFlight == 0 { break }
            // Drain: after the end, give answers in flight up to 2 s more, then stop.
            if !sending && now > end + 2_000_000_000 { break }
            if sending {
                let elapsed = now - start
                if let pacer {
                    var due = pacer.due(elapsed: elapsed, sent: outcome.sent)
                    if due > 0 && idle.isEmpty { outcome.saturatedTicks += 1 }
                    while due > 0, let index = idle.popLast() {
                        let intended = start + pacer.intendedTime(of: outcome.sent)
                        outcome.maxLag = max(outcome.maxLag, now > intended ? now - intended : 0)
                        launch(index, intended: intended, now: now)
                        due -= 1
                    }
                } else if plan.thinkNanoseconds == nil && plan.spawnRate == nil {
                    while let index = idle.popLast() { launch(index, intended: now, now: now) }
                } else {
                    // Users whose ramp-up or think time is over send their next request.
                    var waiting: [Int] = []
                    while let index = idle.popLast() {
                        if readyAt[index] <= now { launch(index, intended: now, now: now) } else { waiting.append(index) }
                    }
                    idle = waiting
                }
            }
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle, let index = byHandle[easy] else { continue }
                let finished = MonotonicClock.now()
                let connection = pool[index]
                let code = message.pointee.data.result
                var error: LoadErrorKind?
                switch code {
                case CURLE_OK:
                    let status = connection.status
                    if !(200..<400).contains(status) { error = .status }
                case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: error = .connect
                case CURLE_OPERATION_TIMEDOUT: error = .timeout
                default: error = .transfer
                }
                curl_multi_remove_handle(multi, easy)
                inFlight -= 1
                if connection.sent < end {
                    let corrected = (finished - connection.intended) / 1000
                    let uncorrected = (finished - connection.sent) / 1000
                    let second = Int((connection.sent - start) / 1_000_000_000)
                    outcome.recorder.record(correctedMicroseconds: corrected, uncorrectedMicroseconds: uncorrected, error: error, second: second)
                    outcome.perRequest[slotOf[index]].record(
                        correctedMicroseconds: corrected, uncorrectedMicroseconds: uncorrected, error: error, second: second)
                }
                if let think = plan.thinkNanoseconds {
                    readyAt[index] = finished + UInt64.random(in: think, using: &random)
                }
                idle.append(index)
            }
            // Sleep in poll until a socket is ready or the next request is due; never while
            // a free connection has work waiting.
            var timeoutMilliseconds: Int32 = 100
            if sending && !idle.isEmpty {
                let current = MonotonicClock.now()
                if let pacer {
                    let wait = pacer.wait(elapsed: current - start, sent: outcome.sent)
                    timeoutMilliseconds = Int32(min(wait / 1_000_000, 100))
                } else if plan.thinkNanoseconds != nil || plan.spawnRate != nil {
                    let next = idle.map { readyAt[$0] }.min() ?? current
                    timeoutMilliseconds = Int32(min((next > current ? next - current : 0) / 1_000_000, 100))
                } else {
                    timeoutMilliseconds = 0
                }
            }
            if timeoutMilliseconds > 0 {
                curl_multi_poll(multi, nil, 0, timeoutMilliseconds, nil)
            }
        }
        for index in pool.indices where !idle.contains(index) { curl_multi_remove_handle(multi, pool[index].handle) }
        outcome.wallNanoseconds = MonotonicClock.now() - start
        outcome.cpuNanoseconds = MonotonicClock.threadCPU() - cpuStart
        outcome.recorder.roll(to: Int(plan.durationNanoseconds / 1_000_000_000))
        for index in outcome.perRequest.indices { outcome.perRequest[index].roll(to: Int(plan.durationNanoseconds / 1_000_000_000)) }
        if let pacer {
            outcome.behind = max(0, Int(Double(plan.durationNanoseconds) * pacer.rate / 1e9) - outcome.sent)
        }
        return outcome
    }
}
