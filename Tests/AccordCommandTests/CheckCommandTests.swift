import AccordResults
import AccordTestSupport
import Foundation
import Testing

/// `accord check` as a user runs it: one rule for "passed" — a run that verified nothing has not.
@Suite("accord check (the executable)")
struct CheckCommandTests {
    @Test func whenEveryCaseIsSkippedNothingWasVerifiedAndItExits1() async throws {
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("accord-check-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let specs = Executables.repositoryRoot.appendingPathComponent("specs/health.yaml").path
        // No case carries the tag: every one is skipped, nothing is sent anywhere.
        let result = try await Executables.run(["check", specs, "--target", "http://127.0.0.1:1", "--tags", "no-such-tag", "--json", json])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("no case ran"))
        let document = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
        #expect(document.kind == .check && document.count(.skipped) > 0 && !document.passed)
    }
}

/// `--header` on every request, for a deployment behind API keys, and never in what is written.
@Suite("accord check --header (the executable)", .serialized)
struct CheckHeaderCommandTests {
    static let key = "sekrit-4f2a9c"

    @Test func aKeyGivenOnceReachesEveryRequestAndNoFileHoldsIt() async throws {
        let server = try ServeProcess(["--store", "memory", "--api-keys", Self.key])
        let specs = Executables.repositoryRoot.appendingPathComponent("specs/queue-stats.yaml").path
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("accord-check-\(UUID().uuidString).json").path
        let junit = json + ".xml"
        defer {
            try? FileManager.default.removeItem(atPath: json)
            try? FileManager.default.removeItem(atPath: junit)
        }
        // Without the key every request is refused: after five, the run stops and says why.
        let without = try await Executables.run(["check", specs, "--target", server.baseURL])
        #expect(without.status == 3, "\(without.stdout)\(without.stderr)")
        #expect(without.stderr.contains("the first 5 requests were all answered 401"))
        #expect(without.stderr.contains("--header 'Name: value', --user NAME:PASSWORD or --bearer TOKEN"))
        #expect(without.stdout.components(separatedBy: "✗").count - 1 <= 5)
        let with = try await Executables.run([
            "check", specs, "--target", server.baseURL, "--header", "X-API-Key: \(Self.key)", "--json", json, "--junit", junit,
        ])
        #expect(with.status == 0, "\(with.stdout)\(with.stderr)")
        let document = try String(contentsOfFile: json, encoding: .utf8)
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        for text in [document, xml, with.stdout] { #expect(!text.contains(Self.key)) }
        #expect(document.contains("X-API-Key: ***"))
        _ = try await server.terminate()
    }

    @Test(arguments: ["no colon here", ": no name", "Bad Name: x", "X-Key: a\nb"])
    func aMalformedHeaderIsAUsageError(header: String) async throws {
        let specs = Executables.repositoryRoot.appendingPathComponent("specs/health.yaml").path
        let result = try await Executables.run(["check", specs, "--target", "http://127.0.0.1:1", "--header", header])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--header takes 'Name: value'"))
    }

    @Test func credentialsAreSentAndNeverWritten() async throws {
        let server = try ServeProcess(["--store", "memory"])
        let specs = Executables.repositoryRoot.appendingPathComponent("specs/health.yaml").path
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("accord-check-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let result = try await Executables.run(["check", specs, "--target", server.baseURL, "--bearer", Self.key, "--json", json])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let document = try String(contentsOfFile: json, encoding: .utf8)
        #expect(!document.contains(Self.key))
        #expect(document.contains("--bearer ***"))
        // The transcripts show the header the runner added, by name only.
        #expect(document.contains("Authorization: ***"))
        _ = try await server.terminate()
    }

    @Test(arguments: [
        (["--user", "a:b", "--bearer", "t"], "not both"),
        (["--user", "nocolon"], "NAME:PASSWORD"),
        (["--bearer", "two words"], "one token"),
        (["--bearer", "t", "--header", "Authorization: Basic x"], "give one"),
    ])
    func badCredentialsAreUsageErrors(arguments: [String], says: String) async throws {
        let specs = Executables.repositoryRoot.appendingPathComponent("specs/health.yaml").path
        let result = try await Executables.run(["check", specs, "--target", "http://127.0.0.1:1"] + arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(says), "\(result.stderr)")
    }

    @Test func aRunAgainstADeploymentThatWantsAKeyStopsEarlyAndSaysWhichOption() async throws {
        let server = try ServeProcess(["--store", "memory", "--api-keys", Self.key])
        let specs = Executables.repositoryRoot.appendingPathComponent("specs/queue-stats.yaml").path
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("accord-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let result = try await Executables.run(["run", specs, "--target", server.baseURL, "--reports", reports, "--quiet"], timeout: 120)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("does the deployment need credentials?"))
        _ = try await server.terminate()
    }
}

/// `--level` selects conformance levels; JUnit groups every case by its level.
@Suite("accord check --level (the executable)", .serialized)
struct CheckLevelCommandTests {
    @Test func onlyTheLevelsChosenRunAndJUnitClassnamesBeginWithTheLevel() async throws {
        let server = try ServeProcess(["--store", "memory"])
        let specs = Executables.repositoryRoot.appendingPathComponent("specs/job-status.yaml").path
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("accord-level-\(UUID().uuidString).json").path
        let junit = json + ".xml"
        defer {
            try? FileManager.default.removeItem(atPath: json)
            try? FileManager.default.removeItem(atPath: junit)
        }
        let result = try await Executables.run(["check", specs, "--target", server.baseURL, "--level", "strict", "--json", json, "--junit", junit])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("levels: core NOT RUN · strict PASSED"))
        let document = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
        let cases = document.suites.flatMap(\.cases)
        let strict = cases.filter { $0.level == "strict" }
        let core = cases.filter { $0.level == "core" }
        #expect(strict.count >= 10 && strict.allSatisfy { $0.outcome == .passed })
        #expect(!core.isEmpty && core.allSatisfy { $0.outcome == .skipped && $0.reason?.hasPrefix("level core not selected (--level strict)") == true })
        // The job the 404 cases lengthen by one character is created by a core case: it runs,
        // as set-up, and says so.
        #expect(core.contains { $0.reason?.hasSuffix("it ran only because selected verdicts needed it (passed)") == true })
        #expect(core.contains { $0.reason == "level core not selected (--level strict)" })
        #expect(document.levels?.map(\.verdict) == ["NOT RUN", "PASSED", "NOT RUN"])
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("classname=\"strict.job-status\"") && xml.contains("classname=\"core.job-status\""))
        #expect(!xml.contains("classname=\"job-status\""))
    }

    @Test func anUnknownLevelIsAUsageErrorWithASuggestion() async throws {
        let specs = Executables.repositoryRoot.appendingPathComponent("specs/health.yaml").path
        let result = try await Executables.run(["check", specs, "--target", "http://127.0.0.1:1", "--level", "core,stict"])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("unknown level 'stict' (did you mean 'strict'?)"))
        let run = try await Executables.run(["run", specs, "--level", "gold"])
        #expect(run.status == 2 && run.stderr.contains("unknown level 'gold'"), "\(run.stderr)")
    }
}
