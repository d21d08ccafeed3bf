import AccordStorage
import Logging

extension StreamQueue {
    /// Lengths and pending counts of the four streams, dead letters and delayed jobs: one
    /// pipeline of O(1) commands, whatever the queue holds.
    public func snapshot() async throws -> QueueSnapshot {
        let logger = self.logger
        return try await run("to read the queue's stats") { connection in
            let commands = Self.snapshotCommands
            var reading = try Self.readSnapshot(try connection.pipeline(commands), of: commands)
            if !reading.streamsWithoutGroup.isEmpty {
                // Redis lost the groups (FLUSHALL, a restart without persistence) behind a
                // connection that stayed open: the workers cannot read until they exist again.
                try Self.ensureGroups(reading.streamsWithoutGroup, on: connection)
                logger.notice("re-created missing consumer groups", metadata: ["streams": "\(reading.streamsWithoutGroup)"])
            }
            if reading.deadLettersInList {
                // Another tool keeps dead letters in a list rather than a stream.
                let command = ["LLEN", QueueKeys.deadLetters]
                reading.snapshot.deadLetters = try Self.integer(connection.command(command), of: command)
            }
            return reading.snapshot
        }
    }

    /// Distinct consumer names in the `workers` group over the four streams.
    public func workerCount() async throws -> Int {
        try await run("to count workers") { connection in
            let commands = QueueKeys.allStreams.map { ["XINFO", "CONSUMERS", $0, QueueKeys.consumerGroup] }
            return try Self.consumerNames(try connection.pipeline(commands), of: commands).count
        }
    }
}

extension StreamQueue {
    /// What the snapshot pipeline's replies say, and what they leave to do.
    struct SnapshotReading: Equatable {
        var snapshot: QueueSnapshot
        /// Streams whose XPENDING answered NOGROUP (counted as 0 pending).
        var streamsWithoutGroup: [String]
        /// `jobs:dlq` answered WRONGTYPE to XLEN: count it with LLEN.
        var deadLettersInList: Bool
    }

    /// XLEN of each stream, XPENDING (summary form) of each stream, XLEN of the dead letters,
    /// ZCARD of the delayed set: the order `readSnapshot` expects.
    static let snapshotCommands: [[String]] =
        QueueKeys.allStreams.map { ["XLEN", $0] }
        + QueueKeys.allStreams.map { ["XPENDING", $0, QueueKeys.consumerGroup] }
        + [["XLEN", QueueKeys.deadLetters], ["ZCARD", QueueKeys.delayed]]

    static func readSnapshot(_ replies: [RedisReply], of commands: [[String]]) throws(UnexpectedReply) -> SnapshotReading {
        let count = QueueKeys.allStreams.count
        guard replies.count == commands.count, commands.count == 2 * count + 2 else {
            throw UnexpectedReply(command: ["(snapshot pipeline)"], reply: .array(replies))
        }
        var streams: [QueueSnapshot.Stream] = []
        var withoutGroup: [String] = []
        for index in 0..<count {
            let length = try integer(replies[index], of: commands[index])
            let pendingCommand = commands[count + index]
            let pending: Int64
            switch replies[count + index] {
            case let .array(summary) where summary.first?.integerValue != nil:
                pending = summary.first?.integerValue ?? 0
            case let reply where reply.errorCode == "NOGROUP":
                pending = 0
                withoutGroup.append(pendingCommand[1])
            case let reply:
                throw UnexpectedReply(command: pendingCommand, reply: reply)
            }
            streams.append(QueueSnapshot.Stream(length: length, pending: pending))
        }
        let deadLettersReply = replies[2 * count]
        let deadLettersInList = deadLettersReply.errorCode == "WRONGTYPE"
        let deadLetters = deadLettersInList ? 0 : try integer(deadLettersReply, of: commands[2 * count])
        let delayed = try integer(replies[2 * count + 1], of: commands[2 * count + 1])
        return SnapshotReading(
            snapshot: QueueSnapshot(streams: streams, deadLetters: deadLetters, delayed: delayed),
            streamsWithoutGroup: withoutGroup,
            deadLettersInList: deadLettersInList
        )
    }

    /// The consumer names in XINFO CONSUMERS replies (RESP2: each consumer a flat list of
    /// field, value, …). A stream without the group, or without the stream, has none.
    static func consumerNames(_ replies: [RedisReply], of commands: [[String]]) throws(UnexpectedReply) -> Set<String> {
        var names: Set<String> = []
        for (command, reply) in zip(commands, replies) {
            if reply.errorCode == "NOGROUP" || reply.errorMessage == "ERR no such key" { continue }
            guard let consumers = reply.arrayValue else { throw UnexpectedReply(command: command, reply: reply) }
            for consumer in consumers {
                guard let fields = consumer.arrayValue,
                    let nameIndex = stride(from: 0, to: fields.count - 1, by: 2).first(where: { fields[$0] == .string("name") }),
                    let name = fields[nameIndex + 1].stringValue
                else { throw UnexpectedReply(command: command, reply: consumer) }
                names.insert(name)
            }
        }
        return names
    }

    static func integer(_ reply: RedisReply, of command: [String]) throws(UnexpectedReply) -> Int64 {
        guard let value = reply.integerValue else { throw UnexpectedReply(command: command, reply: reply) }
        return value
    }
}
