import AccordChecks
import AccordProbes
import AccordResults
import AccordSpec
import Foundation

/// After a load phase: is every item an endpoint acknowledged in PostgreSQL exactly once and
/// in a Redis stream exactly once, as its spec's `reconcile:` rule finds them? Runs the rule's
/// query over the ids in batches and reads the rule's streams page by page; waits a bounded
/// time for the server's relay to bring streams up to date (an item committed while Redis was
/// down reaches its stream later).
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
    /// Per rule field and stream: the id of the last entry read.
    private var cursors: [String: String] = [:]
    /// Stream entries read over the run.
    private(set) var entriesRead = 0

    init(probe: SideEffectProbe, batchSize: Int = 1000, relayGraceSeconds: Double = 15) {
        self.probe = probe
        self.batchSize = batchSize
        self.relayGraceSeconds = relayGraceSeconds
    }

    func reconcile(phase: String, acknowledged: [String], rule: ReconcileRule) async -> Reconciliation {
        let ids = Set(acknowledged)
        var notes: [String] = []
        var database: [String: Int]?
        if let query = rule.postgres, probe.hasDatabase {
            do { database = try await databaseCounts(ids, query: query) } catch { notes.append("PostgreSQL not checked: \(error)") }
        } else {
            notes.append(rule.postgres == nil ? "PostgreSQL not checked: the rule has no postgres query" : "PostgreSQL not checked: no database URL")
        }
        var streams: [String: Int]?
        if let pattern = rule.streams, let field = rule.field, probe.hasRedis {
            let deadline = ContinuousClock.now + .milliseconds(Int(relayGraceSeconds * 1000))
            var counts: [String: Int] = [:]
            while true {
                do {
                    try await readStreams(pattern, field: field, counting: ids, into: &counts)
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
            notes.append(rule.streams == nil ? "Redis not checked: the rule has no redis streams" : "Redis not checked: no Redis URL")
        }
        return LoadVerdicts.tally(phase: phase, acknowledged: ids, database: database, streams: streams, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// Starts every rule's streams after their newest entry: what was there before the load
    /// (seeded data, the pools' items) is never read again, only what the phases add.
    func startAfterExisting(_ rules: [ReconcileRule]) async {
        guard probe.hasRedis else { return }
        for rule in rules {
            guard let pattern = rule.streams, let field = rule.field, let streams = try? await probe.keys(matching: pattern, type: "stream") else { continue }
            for stream in streams {
                if let last = try? await probe.lastStreamEntryID(stream) { cursors[field + "\u{0}" + stream] = last }
            }
        }
    }

    /// Rows per acknowledged id: `query` gets a batch of ids as `$1` (a text array) and
    /// returns a row, id first, per stored copy.
    func databaseCounts(_ ids: Set<String>, query: String) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let sorted = ids.sorted()
        var start = 0
        while start < sorted.count {
            let batch = sorted[start..<min(start + batchSize, sorted.count)]
            let rows = try await probe.rows(query, params: [Self.arrayLiteral(batch)])
            for row in rows {
                if let id = row.first ?? nil { counts[id, default: 0] += 1 }
            }
            start += batchSize
        }
        return counts
    }

    /// Adds the entries per acknowledged id (in `field`) that every stream matching `pattern`
    /// gained since it was last read.
    func readStreams(_ pattern: String, field: String, counting ids: Set<String>, into counts: inout [String: Int]) async throws {
        for stream in try await probe.keys(matching: pattern, type: "stream") {
            let cursor = field + "\u{0}" + stream
            var after = cursors[cursor] ?? "-"
            while true {
                let page = try await probe.streamEntries(stream, after: after, count: batchSize)
                entriesRead += page.count
                for entry in page {
                    if let id = entry.field(field), ids.contains(id) { counts[id, default: 0] += 1 }
                }
                if let last = page.last {
                    after = last.id
                    cursors[cursor] = last.id
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
