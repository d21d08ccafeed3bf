import AccordTestSupport
import AccordProbes
import AccordSpec
import AccordStorage
import Testing

@testable import AccordRunner
@testable import AccordEnvironment

/// The reconciler against a real Redis: stream entries are counted per acknowledged job, and
/// each reconciliation reads only what the streams gained since the one before.
@Suite("Reconciler streams", .serialized)
struct ReconcilerStreamTests {
    static let rule = ReconcileRule(
        endpoint: Located("create", at: SourceLocation(file: "t.yaml", line: 1, column: 1)), collect: "$.job_id", streams: "jobs:stream:*",
        field: "job_id", location: SourceLocation(file: "t.yaml", line: 1, column: 1))

    @Test func eachPhaseReadsOnlyTheEntriesAddedSinceThePreviousOne() async throws {
        let redis = try await ThrowawayRedis.start(logger: testLogger)
        let probe = try SideEffectProbe(databaseURL: nil, redisURL: redis.url)
        do {
            let connection = try RedisConnection(url: RedisURL(parsing: redis.url))
            func add(_ stream: String, _ job: String) throws {
                let reply = try connection.command(["XADD", stream, "*", "job_id", job, "priority", "normal"])
                #expect(reply.errorMessage == nil)
            }
            // A small page size, so that reading crosses pages.
            let reconciler = Reconciler(probe: probe, batchSize: 2, relayGraceSeconds: 1.2)

            for job in ["a", "b", "c"] { try add("jobs:stream:normal", job) }
            let first = await reconciler.reconcile(phase: "one", acknowledged: ["a", "b", "c"], rule: Self.rule)
            #expect(first.lostInStreams == 0 && first.duplicatedInStreams == 0)
            #expect(first.note?.contains("Redis") != true)
            #expect(await reconciler.entriesRead == 3)

            // The next phase: one job twice in one stream, one in another stream, and a job of
            // the first phase again (not this phase's business).
            for (stream, job) in [("jobs:stream:normal", "d"), ("jobs:stream:normal", "d"), ("jobs:stream:high", "e"), ("jobs:stream:normal", "a")] {
                try add(stream, job)
            }
            let second = await reconciler.reconcile(phase: "two", acknowledged: ["d", "e"], rule: Self.rule)
            #expect(second.acknowledged == 2)
            #expect(second.lostInStreams == 0)
            #expect(second.duplicatedInStreams == 1)
            // 3 + 4: the first phase's entries were not read again.
            #expect(await reconciler.entriesRead == 7)

            // A job that never reaches a stream is lost once the relay's grace is over; the
            // polls while waiting read nothing old either.
            let third = await reconciler.reconcile(phase: "three", acknowledged: ["f"], rule: Self.rule)
            #expect(third.lostInStreams == 1)
            #expect(await reconciler.entriesRead == 7)

            // A late entry for that job arrives: the next reconciliation of it finds it.
            try add("jobs:stream:normal", "f")
            let fourth = await reconciler.reconcile(phase: "four", acknowledged: ["f"], rule: Self.rule)
            #expect(fourth.lostInStreams == 0 && fourth.duplicatedInStreams == 0)
            #expect(await reconciler.entriesRead == 8)
        } catch {
            await probe.close()
            await redis.stop()
            throw error
        }
        await probe.close()
        await redis.stop()
    }

    @Test func entriesFromBeforeTheLoadAreSkippedOnceAndNeverCounted() async throws {
        let redis = try await ThrowawayRedis.start(logger: testLogger)
        let probe = try SideEffectProbe(databaseURL: nil, redisURL: redis.url)
        do {
            let connection = try RedisConnection(url: RedisURL(parsing: redis.url))
            // Seeded: 500 entries, one of them for an id a phase will acknowledge later.
            _ = try connection.pipeline((0..<500).map { ["XADD", "jobs:stream:normal", "*", "job_id", "seeded-\($0)"] })
            let reconciler = Reconciler(probe: probe, batchSize: 100, relayGraceSeconds: 0.2)
            await reconciler.startAfterExisting([Self.rule])
            _ = try connection.command(["XADD", "jobs:stream:normal", "*", "job_id", "new"])
            let phase = await reconciler.reconcile(phase: "p", acknowledged: ["new", "seeded-7"], rule: Self.rule)
            #expect(await reconciler.entriesRead == 1)
            // The seeded entry is not this phase's: its id counts as lost, not as found.
            #expect(phase.lostInStreams == 1 && phase.duplicatedInStreams == 0)
        } catch {
            await probe.close()
            await redis.stop()
            throw error
        }
        await probe.close()
        await redis.stop()
    }
}
