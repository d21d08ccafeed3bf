import AccordChecks
import AccordResults
import AccordSpec
import Testing

/// The vendor's claims against what was measured where each applies.
@Suite("ClaimEvaluation")
struct ClaimEvaluationTests {
    static let spec: SpecFile? = try? SpecLoader.load(
        """
        suite: load
        endpoints:
          create_job: {method: POST, path: /jobs}
          health: {path: /health}
        scenarios:
          - name: mixed
            users: 5
            duration: 5s
            mix: {create_job: 2, health: 8}
        claims:
          create_job: {p50: ~25ms, p99: 80ms, sustained: ~500, peak: 800}
          health: {p95: 5ms}
          mixed: {sustained: 1_500}
        """, path: "specs/load.yaml"
    ).get()

    static func phase(_ name: String, p50: Double, p95: Double, p99: Double, requests: Int = 100) -> LoadPhase {
        LoadPhase(
            name: name, load: "1 connection", seconds: 1,
            measurement: .init(requests: requests, rps: 100, errorRate: 0, p50: p50, p90: p95, p95: p95, p99: p99, p999: p99, max: p99, generatorBound: false))
    }

    @Test func claimsDecodeWithTheVendorsTilde() throws {
        let spec = try #require(Self.spec)
        #expect(spec.claims.map(\.subject.value) == ["create_job", "health", "mixed"])
        #expect(spec.claims[0].figures.map { "\($0.metric.rawValue)=\(Int($0.value))" } == ["p50=25", "p99=80", "sustained=500", "peak=800"])
        #expect(spec.claims[2].figures.first?.value == 1500)
    }

    @Test func latencyClaimsHoldWhenTheOneConnectionFigureIsAtMostTheClaim() throws {
        let spec = try #require(Self.spec)
        let outcomes = ClaimEvaluation.evaluate(
            [spec], singles: [Self.phase("create_job", p50: 3, p95: 9, p99: 81), Self.phase("health", p50: 1, p95: 5, p99: 7)], capacity: [])
        let byKey = Dictionary(uniqueKeysWithValues: outcomes.map { ("\($0.subject) \($0.metric)", $0) })
        #expect(byKey["create_job p50"]?.held == true && byKey["create_job p50"]?.measured == 3)
        #expect(byKey["create_job p99"]?.held == false)
        #expect(byKey["health p95"]?.held == true, "equal to the claim holds")
        #expect(byKey["create_job p50"]?.basis == ClaimEvaluation.singleBasis)
        // No capacity search: the capacity claims are not measured, and say why.
        #expect(byKey["create_job sustained"]?.held == nil && byKey["create_job sustained"]?.note == "no capacity search ran for create_job")
        #expect(byKey["mixed sustained"]?.note == "no capacity search ran for mixed")
    }

    @Test(arguments: [
        (Double?(600), 900.0, false, true, true, nil as String?),
        (400, 700, false, false, false, nil),
        (400, 900, true, nil, true, "generator-bound: 400 req/s is a floor, below the claim"),
        (nil, 300, false, false, false, nil),
    ] as [(Double?, Double, Bool, Bool?, Bool?, String?)])
    func capacityClaimsHoldWhenTheSearchReachedThem(sustained: Double?, peak: Double, bound: Bool, sustainedHeld: Bool?, peakHeld: Bool?, note: String?) throws {
        let spec = try #require(Self.spec)
        let capacity = [
            Capacity(subject: "create_job", p99Target: 100, sustainedRPS: sustained, peakRPS: peak, generatorBound: bound, steps: []),
            Capacity(subject: "mix (mixed)", p99Target: 100, sustainedRPS: 1600, peakRPS: 2000, generatorBound: false, steps: []),
        ]
        let outcomes = ClaimEvaluation.evaluate([spec], singles: [], capacity: capacity)
        let sustainedClaim = try #require(outcomes.first { $0.subject == "create_job" && $0.metric == "sustained" })
        let peakClaim = try #require(outcomes.first { $0.subject == "create_job" && $0.metric == "peak" })
        #expect(sustainedClaim.held == sustainedHeld && sustainedClaim.note == note)
        #expect(peakClaim.held == peakHeld)
        #expect(outcomes.first { $0.subject == "mixed" }?.held == true, "a scenario's claim is its mix's capacity")
    }

    @Test(arguments: [
        ("claims:\n  creat_job: {p50: 25ms}\n", "claims name 'creat_job', which is neither an endpoint nor a scenario of this file (did you mean 'create_job'?)"),
        ("claims:\n  mixed: {p50: 25ms}\n", "unknown key 'p50'"),
        ("claims:\n  create_job: {p50: fast}\n", "p50 must be a duration such as 25ms or ~25ms"),
        ("claims:\n  create_job: {sustained: -5}\n", "sustained must be a rate in requests per second such as 500 or ~500"),
    ])
    func brokenClaimsAreRefusedWhereTheyAreWritten(claims: String, message: String) {
        let text = """
            suite: load
            endpoints:
              create_job: {method: POST, path: /jobs}
            scenarios:
              - name: mixed
                users: 5
                duration: 5s
                mix: {create_job: 1}

            """ + claims
        guard case .failure(let problems) = SpecLoader.load(text, path: "specs/x.yaml") else {
            Issue.record("accepted")
            return
        }
        #expect(problems.diagnostics.contains { $0.message.hasPrefix(message) && $0.location.line == 10 }, "\(problems.diagnostics.map { "\($0.location): \($0.message)" })")
    }
}
