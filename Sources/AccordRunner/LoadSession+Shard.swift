import Foundation

extension LoadSession {
    /// A shard's phase starts at its planned instant after the shared start, the same on
    /// every shard; late (the phase before overran), it starts at once.
    func plannedStart(_ phase: RunPlan.Phase) -> Date? {
        guard shard != nil, let startInstant, let after = phase.startsAfter else { return nil }
        return startInstant.addingTimeInterval(after)
    }

    func waitForPlannedStart(_ phase: RunPlan.Phase) async {
        guard let instant = plannedStart(phase) else { return }
        let wait = instant.timeIntervalSinceNow
        if wait > 0.001 { progress("waiting \(String(format: "%.1f", wait)) s for the planned start of \(phase.name)") }
        await Self.sleep(until: instant)
    }

    /// Sleeps until `instant` (at once when it is past); returns early when cancelled.
    static func sleep(until instant: Date) async {
        // In pieces of at most an hour: an instant years ahead must not overflow nanoseconds.
        while !Task.isCancelled {
            let wait = instant.timeIntervalSinceNow
            guard wait > 0, wait.isFinite else { return }
            try? await Task.sleep(nanoseconds: UInt64(min(wait, 3600) * 1e9))
        }
    }
}
