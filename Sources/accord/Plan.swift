import AccordRunner
import ArgumentParser
import Foundation

/// `accord plan`: what `accord run` (or `accord load`, with `--load`) would execute, phase by
/// phase, without running anything — the same pure function of specs and options the run
/// executes, and that its results embed.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every phase a run would execute, without running anything.",
        discussion: """
            The plan is a pure function of the specs and the options: each phase's kind \
            (endpoint, scenario, fault, capacity), model (closed, users, open), connections, \
            users, rate, stages and duration, its mix, the pools and feeders it draws from, \
            its targets and what each is judged on, and what is reconciled after it. \
            `accord run` and `accord load` execute exactly this plan and embed it in \
            results.json; --json writes it as an accord-plan document (docs/plan-format.md).
            """)

    @OptionGroup var specArguments: SpecArguments
    @OptionGroup var runArguments: RunArguments

    @Flag(help: "The plan of `accord load SPECS` (no functional cases).")
    var load = false

    @Option(name: [.customShort("t"), .long], help: "Load engines per phase (default: one per core left after the services booted, at least 1).")
    var threads: Int?

    @Option(help: "Also write the plan here, as JSON.")
    var json: String?

    func validate() throws {
        try runArguments.check()
        if runArguments.plan != nil { throw ValidationError("accord plan makes a plan; --plan executes one: give it to accord run or accord load") }
        try RunArguments.checkThreads(threads)
        if let json { try RunArguments.checkWritable(json) }
    }

    func run() async throws {
        let loaded = try specArguments.load()
        guard loaded.problems.isEmpty else {
            SpecInput.printProblems(loaded.problems, compact: false)
            throw ExitCode(ExitStatus.usage)
        }
        var options = ConformanceRun.Options(
            specs: loaded.specs, profile: ConformanceRun.Profile(rawValue: runArguments.profile) ?? .quick, serverExecutable: "",
            workDirectory: "", target: runArguments.target, loadSeconds: runArguments.loadSeconds.map { Double($0) }, functional: !load,
            capacity: !runArguments.noCapacity)
        options.threads = threads
        options.levels = try runArguments.levelArguments.selected()
        options.replicas = runArguments.replicas
        var plan = ConformanceRun.plan(options)
        if let shard = try runArguments.parsedShard() { plan = plan.share(shard) }
        print(plan.text, terminator: "")
        if let json {
            do { try plan.jsonData().write(to: URL(fileURLWithPath: json)) } catch {
                throw EnvironmentFailure(message: "failed to write \(json): \(error.localizedDescription)")
            }
        }
    }
}
