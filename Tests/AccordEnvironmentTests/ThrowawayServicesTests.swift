import AccordEnvironment
import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The throwaway PostgreSQL and Redis servers every integration test stands on: they start,
/// answer real clients (`psql`, `redis-cli`), survive a Redis outage on the same port, and leave
/// neither processes nor directories behind — after `stop()`, and after a forgotten `stop()`.
@Suite struct ThrowawayServicesTests {
    private var logger: Logger {
        var logger = Logger(label: "ThrowawayServicesTests")
        logger.logLevel = .warning
        return logger
    }

    @Test func postgresAnswersPsqlAndLeavesNothingBehind() async throws {
        let psql = try #require(ExternalCommand.locate("psql"), "psql not on PATH: apt install postgresql-client")
        let postgres = try await ThrowawayPostgres.start(logger: logger)
        let pid = try #require(Self.firstLinePID(of: postgres.dataDirectory + "/postmaster.pid"))
        let root = URL(fileURLWithPath: postgres.dataDirectory).deletingLastPathComponent().path
        do {
            #expect(postgres.url == "postgresql://postgres@127.0.0.1:\(postgres.port)/postgres")
            let answer = try await ExternalCommand(
                psql,
                [postgres.url, "-XtA", "-c", "SELECT current_user, current_setting('fsync'), current_setting('listen_addresses'), current_setting('max_connections')"]
            ).run(doing: "querying PostgreSQL", on: "at \(postgres.url)", timeout: .seconds(20))
            #expect(answer.trimmed == "postgres|on|127.0.0.1|200")
        } catch {
            await postgres.stop()
            throw error
        }

        // Two concurrent stops and a late one: one teardown, all return once it is done.
        async let first: Void = postgres.stop()
        async let second: Void = postgres.stop()
        _ = await (first, second)
        await postgres.stop()

        #expect(!Self.isAlive(pid), "postmaster \(pid) still running after stop()")
        #expect(!FileManager.default.fileExists(atPath: root), "\(root) left behind")
        await #expect(throws: EnvironmentError.self) {
            try await ExternalCommand(psql, [postgres.url, "-XtA", "-c", "SELECT 1"])
                .run(doing: "querying PostgreSQL", on: "at \(postgres.url)", timeout: .seconds(20))
        }
    }

    @Test func redisAnswersRedisCliSurvivesAnOutageAndLeavesNothingBehind() async throws {
        let cli = try #require(ExternalCommand.locate("redis-cli"), "redis-cli not on PATH: apt install redis-tools")
        let redis = try await ThrowawayRedis.start(logger: logger)
        func send(_ arguments: String...) async throws -> String {
            try await ExternalCommand(cli, ["-u", redis.url] + arguments)
                .run(doing: "sending \(arguments.joined(separator: " "))", on: "to \(redis.url)", timeout: .seconds(10))
                .trimmed
        }
        let firstPID = try #require(Self.firstLinePID(of: redis.directory + "/redis.pid"))
        do {
            #expect(redis.url == "redis://127.0.0.1:\(redis.port)")
            #expect(try await send("PING") == "PONG")
            #expect(try await send("SET", "accord", "1") == "OK")

            await redis.stopServer()
            #expect(!Self.isAlive(firstPID))
            #expect(FileManager.default.fileExists(atPath: redis.directory), "stopServer() must keep the directory")
            // redis-cli prints the refusal but exits 0 for some commands; ask it to fail on errors.
            let refused = try? await ExternalCommand(cli, ["-u", redis.url, "-e", "PING"])
                .run(doing: "pinging", on: redis.url, timeout: .seconds(10))
            #expect(refused == nil, "a stopped server answered: \(refused?.trimmed ?? "")")
            await redis.stopServer()  // already stopped: nothing to do

            try await redis.startServer()
            try await redis.startServer()  // already running: nothing to do
            #expect(try await send("PING") == "PONG")
            #expect(try await send("GET", "accord") == "", "no persistence: a restarted server starts empty")
        } catch {
            await redis.stop()
            throw error
        }

        let secondPID = try #require(Self.firstLinePID(of: redis.directory + "/redis.pid"))
        await redis.stop()
        await redis.stop()
        #expect(!Self.isAlive(secondPID), "redis-server \(secondPID) still running after stop()")
        #expect(!FileManager.default.fileExists(atPath: redis.directory), "\(redis.directory) left behind")
        await #expect(throws: EnvironmentError.self) { try await redis.startServer() }
    }

    /// A test that throws before `stop()` drops its last reference: `deinit` must tear down.
    @Test func forgottenServersAreTornDownByDeinit() async throws {
        let (postgresPID, postgresRoot, redisPID, redisDirectory) = try await Self.startAndForget(logger: logger)
        #expect(!Self.isAlive(postgresPID), "postmaster \(postgresPID) outlived its ThrowawayPostgres")
        #expect(!FileManager.default.fileExists(atPath: postgresRoot))
        #expect(!Self.isAlive(redisPID), "redis-server \(redisPID) outlived its ThrowawayRedis")
        #expect(!FileManager.default.fileExists(atPath: redisDirectory))
    }

    @Test func freePortIsBindable() throws {
        let port = try FreePort.find()
        #expect((1...65_535).contains(port))
    }

    // MARK: Helpers

    /// Starts both servers, notes their pids and directories, and lets go of them unstopped.
    private static func startAndForget(logger: Logger) async throws -> (pid_t, String, pid_t, String) {
        let postgres = try await ThrowawayPostgres.start(logger: logger)
        let redis = try await ThrowawayRedis.start(logger: logger)
        let postgresPID = firstLinePID(of: postgres.dataDirectory + "/postmaster.pid") ?? 0
        let redisPID = firstLinePID(of: redis.directory + "/redis.pid") ?? 0
        let postgresRoot = URL(fileURLWithPath: postgres.dataDirectory).deletingLastPathComponent().path
        return (postgresPID, postgresRoot, redisPID, redis.directory)
    }

    private static func firstLinePID(of path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let line = text.split(whereSeparator: \.isNewline).first
        else { return nil }
        return pid_t(line.trimmingCharacters(in: .whitespaces))
    }

    /// Running, and not a zombie waiting for a parent (which may be a non-reaping init) to reap it.
    private static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
        return !status.split(separator: "\n").contains { $0.hasPrefix("State:") && $0.contains("Z") }
    }
}
