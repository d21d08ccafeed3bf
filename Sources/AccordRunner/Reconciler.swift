import AccordChecks
import AccordProbes
import AccordResults
import Foundation

/// After a load phase: is every job acknowledged with 201 in PostgreSQL exactly once and in a
/// Redis stream exactly once? Reads `jobs` in batches by id and the contract's streams
/// (`jobs:stream:*`) page by page; waits a bounded time for the server's relay to bring
/// streams up to date (a job committed while Redis was down reaches its stream later).
///
/// Streams are read incrementally: each from the entry after the last one read before. A
/// phase's jobs are created after the previous phase's reconciliation has finished, so their
/// entries all come later in every stream (stream ids grow with time); re-reading from the
/// start after every phase, and every half second of a relay wait, would make a long run's
/// checks grow with the square of its jobs. Reconciliations therefore run one after another,
/// never while a load is running.
actor Reconciler {
    let probe: SideEffectProbe
    /// Ids per `WHERE id = ANY(…)` query and entries per XRANGE page.
    let batchSize: Int
    /// How long the streams may lag behind the database before a job counts as lost.
    let relayGraceSeconds: Double
    /// Per stream: the id of the last entry read.
    private var cursors: [String: String] = [:]
    /// Stream entries read over the run.
    private(set) var entriesRead = 0

    init(probe: SideEffectProbe, batchSize: Int = 1000, relayGraceSeconds: Double = 15) {
        self.probe = probe
        self.batchSize = batchSize
        self.relayGraceSeconds = relayGraceSeconds
    }

    func reconcile(phase: String, acknowledged: [String]) async -> Reconciliation {
        let ids = Set(acknowledged)
        var notes: [String] = []
        var database: [String: Int]?
        if probe.hasDatabase {
            do { database = try await databaseCounts(ids) } catch { notes.append("PostgreSQL not checked: \(error)") }
        } else {
            notes.append("PostgreSQL not checked: no database URL")
        }
        var streams: [String: Int]?
        if probe.hasRedis {
            let deadline = ContinuousClock.now + .milliseconds(Int(relayGraceSeconds * 1000))
            var counts: [String: Int] = [:]
            while true {
                do {
                    try await readStreams(counting: ids, into: &counts)
                    streams = counts
                } catch {
                    notes.append("Redis not checked: \(error)")
                    streams = nil
                    break
                }
                let missing = ids.contains { (counts[$0] ?? 0) == 0 }
                if !missing || ContinuousClock.now >= deadline || Task.isCancelled { break }
                try? await Task.sleep(for: .milliseconds(500))
            }
        } else {
            notes.append("Redis not checked: no Redis URL")
        }
        return LoadVerdicts.tally(phase: phase, acknowledged: ids, database: database, streams: streams, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// Rows per acknowledged id.
    func databaseCounts(_ ids: Set<String>) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let sorted = ids.sorted()
        var start = 0
        while start < sorted.count {
            let batch = sorted[start..<min(start + batchSize, sorted.count)]
            let rows = try await probe.rows(
                "SELECT id::text, count(*)::text FROM jobs WHERE id::text = ANY($1::text[]) GROUP BY id", params: [Self.arrayLiteral(batch)])
            for row in rows where row.count == 2 {
                if let id = row[0], let count = row[1].flatMap({ Int($0) }) { counts[id, default: 0] += count }
            }
            start += batchSize
        }
        return counts
    }

    /// Adds the entries per acknowledged id that every `jobs:stream:*` stream gained since it
    /// was last read.
    func readStreams(counting ids: Set<String>, into counts: inout [String: Int]) async throws {
        for stream in try await probe.keys(matching: "jobs:stream:*", type: "stream") {
            var after = cursors[stream] ?? "-"
            while true {
                let page = try await probe.streamEntries(stream, after: after, count: batchSize)
                entriesRead += page.count
                for entry in page {
                    if let id = entry.field("job_id"), ids.contains(id) { counts[id, default: 0] += 1 }
                }
                if let last = page.last {
                    after = last.id
                    cursors[stream] = last.id
                }
                guard page.count == batchSize else { break }
            }
        }
    }

    /// A PostgreSQL array literal of text values: `{"a","b"}`, quotes and backslashes escaped.
    static func arrayLiteral(_ values: some Sequence<String>) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
