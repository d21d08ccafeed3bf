import Testing

@testable import AccordEnvironment

@Suite("Resource sampler")
struct ResourceSamplerTests {
    @Test("/proc/<pid>/stat CPU ticks, even with spaces and parentheses in the command name")
    func procStat() {
        let line = "1234 (accord (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 100 0 0"
        #expect(ResourceSampler.parseCPUTicks(line) == 325)
        #expect(ResourceSampler.parseCPUTicks("garbage") == nil)
        #expect(ResourceSampler.parseCPUTicks("1 (x) S 1 2") == nil)
    }
}
