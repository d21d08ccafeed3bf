import Foundation

/// Where the package's executables and files are, found from this build rather than assumed:
/// the test bundle runs from the build's bin directory (`swift build --show-bin-path`), so
/// `accord` and the fuzz targets sit beside it — under `-c release`, a custom scratch path or
/// `.build/debug` alike. `ACCORD_BIN_PATH` overrides it.
public enum Executables {
    /// The bin directory of the build that made this test bundle.
    public static let binPath: URL = {
        if let path = ProcessInfo.processInfo.environment["ACCORD_BIN_PATH"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        // Linux: /proc/self/exe is the .xctest executable in the bin directory. Elsewhere the
        // bundle's own location says the same.
        let running = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if FileManager.default.fileExists(atPath: running.path), running.lastPathComponent.hasSuffix(".xctest") {
            return running.deletingLastPathComponent()
        }
        var bundle = Bundle.main.bundleURL
        while bundle.pathComponents.count > 1, !bundle.lastPathComponent.hasSuffix(".xctest") { bundle.deleteLastPathComponent() }
        return bundle.deletingLastPathComponent()
    }()

    /// The `accord` binary of this build.
    public static var accord: URL { url(of: "accord") }

    /// The executable `name` of this build (`FuzzSpecLoader`, …).
    public static func url(of name: String) -> URL { binPath.appendingPathComponent(name) }

    /// The repository's root (specs/, fixtures/), from this file's place in Tests/Support.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}

/// How a child process ended, with everything it printed.
public struct Finished: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

extension Executables {
    /// Runs `accord` with `arguments` to completion (bounded by a timeout).
    public static func run(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 30) async throws -> Finished {
        try await run(accord, arguments, environment: environment, timeout: timeout)
    }

    /// Runs `program` with `arguments` to completion (bounded by a timeout).
    /// Waits without holding a thread: a whole `accord run` takes minutes, and a test that
    /// blocked a thread of the (two-thread, on this machine) cooperative pool that long
    /// would stall every in-process server test running beside it.
    public static func run(_ program: URL, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 30) async throws -> Finished {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes while waiting: a chatty child must never block on a full pipe.
        let stdout = PipeText(out)
        let stderr = PipeText(err)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            throw TestFailure("\(program.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, stdout: await stdout.whole(), stderr: await stderr.whole())
    }
}
