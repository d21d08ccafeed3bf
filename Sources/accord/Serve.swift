import AccordEnvironment
import AccordLoad
import ArgumentParser
import ControlPlane
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `accord serve`: the reference control-plane server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the reference control-plane server.",
        discussion: """
            Every option can also come from the environment: ACCORD_HOST, ACCORD_PORT, \
            ACCORD_STORE, DATABASE_URL, REDIS_URL, ACCORD_LOG_LEVEL, ACCORD_API_KEYS, ACCORD_RATE_LIMIT, \
            ACCORD_BATCH_SIZE, ACCORD_BATCH_DELAY_MS, ACCORD_BATCHES_IN_FLIGHT, ACCORD_READ_BATCHES_IN_FLIGHT \
            (the flag wins). When the \
            server is ready it prints one line, `listening on http://HOST:PORT`, to standard \
            output; logs go to standard error. SIGINT or SIGTERM stop it gracefully (exit 0).
            """
    )

    @Option(help: "Address to listen on (env ACCORD_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (env ACCORD_PORT; default 8080).")
    var port: Int?

    @Option(help: "Where jobs live: postgres or memory (env ACCORD_STORE; default postgres).")
    var store: String?

    @Option(help: "PostgreSQL URL, postgresql://user[:password]@host[:port]/db (env DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Redis URL, redis://[:password@]host[:port][/db] (env REDIS_URL).")
    var redisURL: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (env ACCORD_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(help: "PostgreSQL connections (env ACCORD_DB_POOL; default 8).")
    var databasePool: Int?

    @Option(help: "Redis connections (env ACCORD_REDIS_POOL; default 8).")
    var redisPool: Int?

    @Option(help: "Group commit: the most creates sharing one commit, and lookups sharing one read query; 1 turns batching off (env ACCORD_BATCH_SIZE; default 256).")
    var batchSize: Int?

    @Option(name: .customLong("batch-delay-ms"), help: "How long a create batch may wait for more requests while a commit slot is free, in milliseconds (env ACCORD_BATCH_DELAY_MS; default 0: a free slot takes what waits, and batches form by themselves under load).")
    var batchDelay: Double?

    @Option(help: "Create batches committing at once (env ACCORD_BATCHES_IN_FLIGHT; default 1).")
    var batchesInFlight: Int?

    @Option(help: "Status lookup queries at work at once (env ACCORD_READ_BATCHES_IN_FLIGHT; default: one per core, at least 2).")
    var readBatchesInFlight: Int?

    @Option(help: "API keys, comma-separated (env ACCORD_API_KEYS): when set, every route but /health, / and /openapi.json needs one in X-API-Key.")
    var apiKeys: String?

    @Option(help: "Rate limiting per client and route class (env ACCORD_RATE_LIMIT): 'default' (create 100, status 1000, stats 200 per minute) or e.g. 'create=100,status=1000,stats=200', optionally ',window=SECONDS'.")
    var rateLimit: String?

    @Option(
        name: .customLong("inject-fault"),
        help: ArgumentHelp(
            "Break one contract rule on purpose, to watch the specs catch it (repeatable): \(ContractBreak.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "fault"))
    var faults: [String] = []

    /// The configuration after flags, then environment, then defaults.
    func resolvedConfig(environment: [String: String] = ProcessEnvironment.current) throws -> ServerConfig {
        var config = ServerConfig()
        config.host = host ?? environment["ACCORD_HOST"] ?? config.host
        if let raw = port.map(String.init) ?? environment["ACCORD_PORT"] {
            guard let value = Int(raw), (0...65535).contains(value) else {
                throw ValidationError("port must be a number from 0 to 65535, not '\(raw)'")
            }
            config.port = value
        }
        if let raw = store ?? environment["ACCORD_STORE"] {
            guard let kind = ServerConfig.StoreKind(rawValue: raw) else {
                throw ValidationError("store must be postgres or memory, not '\(raw)'")
            }
            config.store = kind
        }
        config.databaseURL = databaseURL ?? environment["DATABASE_URL"] ?? config.databaseURL
        guard config.databaseURL.hasPrefix("postgresql://") || config.databaseURL.hasPrefix("postgres://") else {
            throw ValidationError("database URL must start with postgresql://")
        }
        config.redisURL = redisURL ?? environment["REDIS_URL"] ?? config.redisURL
        guard config.redisURL.hasPrefix("redis://") else {
            throw ValidationError("redis URL must start with redis://")
        }
        if let raw = logLevel ?? environment["ACCORD_LOG_LEVEL"] {
            guard let level = Logger.Level(rawValue: raw) else {
                throw ValidationError("log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(raw)'")
            }
            config.logLevel = level
        }
        for (name, flag, envName) in [("database pool", databasePool, "ACCORD_DB_POOL"), ("redis pool", redisPool, "ACCORD_REDIS_POOL")] {
            guard let raw = flag.map(String.init) ?? environment[envName] else { continue }
            guard let size = Int(raw), (1...256).contains(size) else {
                throw ValidationError("\(name) must be a number from 1 to 256, not '\(raw)'")
            }
            if envName == "ACCORD_DB_POOL" { config.databasePoolSize = size } else { config.redisPoolSize = size }
        }
        try resolveBatching(into: &config, environment: environment)
        if let raw = apiKeys ?? environment["ACCORD_API_KEYS"] {
            config.apiKeys = raw.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if config.apiKeys.isEmpty { throw ValidationError("--api-keys names no key") }
        }
        if let raw = rateLimit ?? environment["ACCORD_RATE_LIMIT"] {
            guard let limits = RateLimits(parsing: raw) else {
                throw ValidationError("rate limit must be 'default' or like 'create=100,status=1000,stats=200', not '\(raw)'")
            }
            config.rateLimits = limits
        }
        for name in faults {
            guard let fault = ContractBreak(rawValue: name) else {
                throw ValidationError("unknown fault '\(name)'; faults: \(ContractBreak.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.contractBreaks.insert(fault)
        }
        return config
    }

    /// The group-commit options: batch size (creates and reads), create deadline, slots.
    private func resolveBatching(into config: inout ServerConfig, environment: [String: String]) throws {
        if let raw = batchSize.map(String.init) ?? environment["ACCORD_BATCH_SIZE"] {
            guard let size = Int(raw), (1...10_000).contains(size) else {
                throw ValidationError("batch size must be a number from 1 to 10000, not '\(raw)'")
            }
            config.createBatch.maxSize = size
            config.readBatch.maxSize = size
        }
        if let raw = batchDelay.map { String($0) } ?? environment["ACCORD_BATCH_DELAY_MS"] {
            guard let milliseconds = Double(raw), milliseconds.isFinite, (0...60_000).contains(milliseconds) else {
                throw ValidationError("batch delay must be from 0 to 60000 milliseconds, not '\(raw)'")
            }
            config.createBatch.maxDelay = .microseconds(Int64((milliseconds * 1000).rounded()))
        }
        if let raw = batchesInFlight.map(String.init) ?? environment["ACCORD_BATCHES_IN_FLIGHT"] {
            guard let count = Int(raw), (1...64).contains(count) else {
                throw ValidationError("batches in flight must be a number from 1 to 64, not '\(raw)'")
            }
            config.createBatch.maxInFlight = count
        }
        if let raw = readBatchesInFlight.map(String.init) ?? environment["ACCORD_READ_BATCHES_IN_FLIGHT"] {
            guard let count = Int(raw), (1...64).contains(count) else {
                throw ValidationError("read batches in flight must be a number from 1 to 64, not '\(raw)'")
            }
            config.readBatch.maxInFlight = count
        }
    }

    func validate() throws {
        _ = try resolvedConfig()
    }

    func run() async throws {
        let config = try resolvedConfig()
        let level = config.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "accord.serve")
        OpenFiles.raiseToHardLimit()
        if !config.contractBreaks.isEmpty {
            logger.warning("injected faults: this server breaks the contract on purpose", metadata: ["faults": "\(config.contractBreaks.map(\.rawValue).sorted())"])
        }
        let server: ControlPlaneServer
        do {
            server = try await ControlPlaneServer.start(config: config, logger: logger)
        } catch {
            let hint = config.store == .postgres
                ? " (set --database-url/DATABASE_URL and --redis-url/REDIS_URL, or try --store memory)" : ""
            throw EnvironmentFailure(message: "failed to start the server: \(error)\(hint)")
        }
        let host = config.host
        do {
            try await server.run { port in
                print("listening on http://\(host):\(port)")
                fflush(nil)  // the announcement must reach a pipe at once
            }
        } catch {
            throw EnvironmentFailure(message: "failed to serve on \(host):\(config.port): \(error)")
        }
    }
}

/// The process environment as a dictionary (Foundation-free).
enum ProcessEnvironment {
    static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
