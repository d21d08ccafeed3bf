import AccordSpec
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `accord validate`: lint spec files; every error with file:line:col.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check spec files without running them.",
        discussion: "Reports every error of every file, each with its file:line:col, the line and a caret. Exit 0 when all are valid, 2 when not."
    )

    @OptionGroup var specArguments: SpecArguments

    @Flag(help: "One line per error (file:line:col: error: message), for editors and CI annotations.")
    var compact = false

    func run() async throws {
        let loaded = try specArguments.load()
        SpecInput.printProblems(loaded.problems, compact: compact)
        let errorCount = loaded.problems.reduce(0) { $0 + $1.diagnostics.filter { $0.severity == .error }.count }
        if loaded.problems.isEmpty {
            print("\(loaded.specs.count) spec file\(loaded.specs.count == 1 ? "" : "s") valid (\(loaded.specs.reduce(0) { $0 + $1.cases.count }) cases)")
            return
        }
        printError("\(errorCount) error\(errorCount == 1 ? "" : "s") in \(loaded.problems.count) of \(loaded.problems.count + loaded.specs.count) files")
        throw ExitCode(ExitStatus.usage)
    }
}

/// Spec paths and `--var` flags to loaded specs, shared by validate and check.
enum SpecInput {
    static func parseVariables(_ flags: [String]) throws -> [String: String] {
        var values: [String: String] = [:]
        for flag in flags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else {
                throw ValidationError("--var takes NAME=VALUE, not '\(flag)'")
            }
            values[String(flag[..<equals])] = String(flag[flag.index(after: equals)...])
        }
        return values
    }

    static func load(paths: [String], variables: [String]) throws -> (specs: [SpecFile], problems: [SpecProblems], variables: [String: String]) {
        let values = try parseVariables(variables)
        let (files, missing) = SpecFiles.discover(paths.isEmpty ? ["specs"] : paths)
        if !missing.isEmpty {
            throw ValidationError("no such file or directory: \(missing.joined(separator: ", "))")
        }
        if files.isEmpty {
            throw ValidationError("no .yaml or .yml spec files in \((paths.isEmpty ? ["specs"] : paths).joined(separator: ", "))")
        }
        let (specs, problems) = SpecFiles.load(files, externalVariables: Set(values.keys))
        return (specs, problems, values)
    }

    static func printProblems(_ problems: [SpecProblems], compact: Bool) {
        let color = Terminal.colorOnStandardError
        for problem in problems {
            for diagnostic in problem.diagnostics {
                printError(
                    compact
                        ? DiagnosticRenderer.renderCompact(diagnostic)
                        : DiagnosticRenderer.render(diagnostic, source: problem.source, color: color))
            }
        }
    }
}

/// Whether to colour output: only on a terminal, and never with NO_COLOR set.
enum Terminal {
    static var colorOnStandardOutput: Bool { isatty(STDOUT_FILENO) == 1 && ProcessEnvironment.current["NO_COLOR"] == nil }
    static var colorOnStandardError: Bool { isatty(STDERR_FILENO) == 1 && ProcessEnvironment.current["NO_COLOR"] == nil }
}
