import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `accord`: the Accord Conformance Kit's command line. Commands are thin: they check their
/// input and hand the work to a library module.
@main
struct Accord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "Verify that a job-queue control plane keeps its promises.",
        version: "0.1.0",
        subcommands: [Run.self, Plan.self, Serve.self, Validate.self, Check.self, Load.self, Merge.self, Report.self, Compare.self]
    )

    /// Parses, runs, and exits with the kit's codes: 0 passed, 1 a check failed, 2 invalid
    /// spec or usage, 3 the environment could not be booted or reached.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as EnvironmentFailure {
            printError("error: \(failure.message)")
            Glibc.exit(ExitStatus.environment)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Glibc.exit(ExitStatus.passed)
            }
            if !message.isEmpty { printError(message) }
            Glibc.exit(code == .validationFailure ? ExitStatus.usage : code.rawValue)
        }
    }
}

/// The process exit codes of every `accord` command.
enum ExitStatus {
    static let passed: Int32 = 0
    static let failed: Int32 = 1
    static let usage: Int32 = 2
    static let environment: Int32 = 3
}

/// The environment could not be booted or reached (exit 3): a database that refuses
/// connections, a port in use, a missing program.
struct EnvironmentFailure: Error {
    var message: String
}

/// Writes `message` and a newline to standard error, unbuffered.
func printError(_ message: String) {
    var line = message
    if !line.hasSuffix("\n") { line += "\n" }
    let bytes = Array(line.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if written <= 0 { return }
        offset += written
    }
}
