import AccordLoad
import Testing

/// Collected ids come back exactly as they were collected, canonical UUIDs kept as 16 bytes.
@Suite("Collected values")
struct CollectedValuesTests {
    @Test("every value comes back as it was", arguments: [
        "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "0F8E2C1A-3B4D-4E5F-8A9B-0C1D2E3F4A5B",  // upper case: kept as a string
        "0f8e2c1a3b4d4e5f8a9b0c1d2e3f4a5b",  // no hyphens
        "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5g",  // not hex
        "0f8e2c1a-3b4d-4e5f-8a9b_0c1d2e3f4a5b",  // a hyphen missing
        "job-42",
        "",
    ])
    func roundTrip(value: String) {
        var values = CollectedValues()
        values.append(value)
        #expect(values.strings == [value])
        #expect(values.count == 1)
    }

    @Test func mergingKeepsEveryValue() {
        var a = CollectedValues()
        var b = CollectedValues()
        a.append("0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b")
        a.append("x")
        b.append("11111111-2222-4333-8444-555555555555")
        a.append(contentsOf: b)
        #expect(a.count == 3)
        #expect(Set(a.strings) == ["0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "x", "11111111-2222-4333-8444-555555555555"])
    }
}
