import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the PostgreSQL server programs (`initdb`, `pg_ctl`, `postgres`) live.
///
/// `ACCORD_PG_BIN` names the directory outright; otherwise Debian's layout is searched,
/// `/usr/lib/postgresql/<major>/bin`, preferring 15 (what the baseline was measured on) and
/// otherwise the newest major version from 13 on.
struct PostgresInstallation: Sendable, Equatable {
    static let overrideVariable = "ACCORD_PG_BIN"
    static let searchRoot = "/usr/lib/postgresql"
    static let aptPackage = "postgresql"
    static let preferredVersion = 15
    static let minimumVersion = 13
    static let requiredPrograms = ["initdb", "pg_ctl", "postgres"]

    /// The directory holding the programs.
    var binDirectory: String
    /// The major version, when read from the directory layout.
    var version: Int?

    /// The absolute path of one of the programs.
    func program(_ name: String) -> String { "\(binDirectory)/\(name)" }

    /// Finds the installation, or throws an error naming the missing program and the apt package.
    static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PostgresInstallation {
        let doing = "starting PostgreSQL"
        let subject = "on \(FreePort.host)"
        if let override = environment[overrideVariable], !override.isEmpty {
            let installation = PostgresInstallation(binDirectory: override, version: nil)
            if let missing = installation.firstMissingProgram() {
                throw EnvironmentError(
                    .missingProgram, doing: doing, subject: subject,
                    cause: "program `\(missing)` not found in \(override) (from \(overrideVariable)); point \(overrideVariable) at the bin directory of PostgreSQL \(minimumVersion) or newer, or unset it to search \(searchRoot)"
                )
            }
            return installation
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: searchRoot)) ?? []
        let usable = entries.compactMap(Int.init).filter { version in
            PostgresInstallation(binDirectory: "\(searchRoot)/\(version)/bin", version: version)
                .firstMissingProgram() == nil
        }
        guard let version = choose(among: usable) else {
            let found = entries.compactMap(Int.init).filter { $0 >= minimumVersion }.sorted().last
            let missing = found.flatMap {
                PostgresInstallation(binDirectory: "\(searchRoot)/\($0)/bin", version: $0).firstMissingProgram()
            } ?? "initdb"
            throw EnvironmentError(
                .missingProgram, doing: doing, subject: subject,
                cause: "program `\(missing)` not found in \(searchRoot)/*/bin (version \(minimumVersion) or newer); install the apt package `\(aptPackage)`, or set \(overrideVariable) to the directory holding \(requiredPrograms.joined(separator: ", "))"
            )
        }
        return PostgresInstallation(binDirectory: "\(searchRoot)/\(version)/bin", version: version)
    }

    /// The version to use among installed major versions: 15 when present, else the newest
    /// from 13 on, else `nil`.
    static func choose(among versions: [Int]) -> Int? {
        if versions.contains(preferredVersion) { return preferredVersion }
        return versions.filter { $0 >= minimumVersion }.max()
    }

    private func firstMissingProgram() -> String? {
        Self.requiredPrograms.first { !FileManager.default.isExecutableFile(atPath: program($0)) }
    }
}

/// The account that runs `initdb` and the server.
///
/// PostgreSQL refuses to run as root. As root, the programs run as Debian's `postgres` account
/// through `runuser -u postgres --`, and the server's directory is given to that account;
/// otherwise they run directly as the current user.
struct PostgresAccount: Sendable, Equatable {
    /// `runuser`'s path, when switching accounts.
    var runuser: String?
    /// The account to give the directory to, when switching accounts.
    var owner: FileOwner?

    /// The account for this process: the current user, or `postgres` when running as root.
    static func current() throws -> PostgresAccount {
        guard geteuid() == 0 else { return PostgresAccount(runuser: nil, owner: nil) }
        let doing = "starting PostgreSQL as root"
        let subject = "on \(FreePort.host)"
        let candidates = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
        guard let runuser = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw EnvironmentError(
                .missingProgram, doing: doing, subject: subject,
                cause: "program `runuser` not found, and PostgreSQL refuses to run as root; install the apt package `util-linux`, or run as a non-root user"
            )
        }
        guard let owner = FileOwner.named("postgres") else {
            throw EnvironmentError(
                .missingProgram, doing: doing, subject: subject,
                cause: "user `postgres` not found, and PostgreSQL refuses to run as root; install the apt package `\(PostgresInstallation.aptPackage)` (it creates the user), or run as a non-root user"
            )
        }
        return PostgresAccount(runuser: runuser, owner: owner)
    }

    /// `program arguments…`, wrapped in `runuser -u postgres --` when switching accounts, run
    /// from `directory` (the caller's working directory may be closed to `postgres`).
    func command(_ program: String, _ arguments: [String], in directory: String) -> ExternalCommand {
        guard let runuser, let owner else {
            return ExternalCommand(program, arguments, workingDirectory: directory)
        }
        return ExternalCommand(runuser, ["-u", owner.name, "--", program] + arguments, workingDirectory: directory)
    }
}
