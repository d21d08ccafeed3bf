import AccordSpec
import ArgumentParser

/// The spec files a command works on, and the variables given to them.
struct SpecArguments: ParsableArguments {
    @Argument(help: "Spec files or directories (default: specs/).")
    var paths: [String] = []

    @Option(name: .customLong("var"), help: "A variable the specs may use, NAME=VALUE (repeatable).")
    var variables: [String] = []

    func load() throws -> (specs: [SpecFile], problems: [SpecProblems], variables: [String: String]) {
        try SpecInput.load(paths: paths, variables: variables)
    }
}

/// Where the side-effect probes look; without them, side-effect cases are skipped.
struct ProbeArguments: ParsableArguments {
    @Option(help: "PostgreSQL URL for side-effect checks (env DATABASE_URL); without it they are skipped.")
    var databaseURL: String?

    @Option(help: "Redis URL for side-effect checks (env REDIS_URL); without it they are skipped.")
    var redisURL: String?

    /// The flags, else the environment.
    func resolved(_ environment: [String: String]) -> (database: String?, redis: String?) {
        (databaseURL ?? environment["DATABASE_URL"], redisURL ?? environment["REDIS_URL"])
    }
}
