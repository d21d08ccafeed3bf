import AccordResults
import Testing

@testable import AccordRunner

/// Which endpoint `--replicas N` measures alone: the lowest sustained capacity (server-bound
/// searches first), else the lowest peak; never a mix.
@Suite("One instance against N: the subject")
struct ScalingSubjectTests {
    static func capacity(_ subject: String, sustained: Double?, peak: Double, generatorBound: Bool = false) -> Capacity {
        Capacity(subject: subject, p99Target: 50, sustainedRPS: sustained, peakRPS: peak, generatorBound: generatorBound, steps: [])
    }

    static let endpoints: Set<String> = ["health", "create_job", "job_status"]

    @Test(arguments: [
        ([capacity("health", sustained: 5000, peak: 6000), capacity("create_job", sustained: 700, peak: 900),
          capacity("mix (mixed)", sustained: 100, peak: 200)], "create_job" as String?),
        ([capacity("health", sustained: 5000, peak: 6000), capacity("create_job", sustained: 700, peak: 900, generatorBound: true)], "health"),
        ([capacity("health", sustained: nil, peak: 1300), capacity("job_status", sustained: nil, peak: 900)], "job_status"),
        ([capacity("health", sustained: nil, peak: 1300), capacity("job_status", sustained: 400, peak: 900)], "job_status"),
        ([capacity("mix (mixed)", sustained: 100, peak: 200)], nil),
        ([], nil),
    ] as [([Capacity], String?)])
    func theLowestSustainedElseTheLowestPeak(capacity: [Capacity], expected: String?) {
        #expect(LoadSession.scalingSubject(capacity, endpoints: Self.endpoints) == expected)
    }
}
