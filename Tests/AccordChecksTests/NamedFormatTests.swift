import AccordChecks
import AccordJSON
import AccordSpec
import Testing

@Suite("Named formats")
struct NamedFormatTests {
    private func passes(_ pattern: Pattern, _ text: String) -> Bool {
        evaluate(.matches(pattern), on: [.string(text)]) == nil
    }

    @Test(arguments: [
        "123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000", "123E4567-E89B-12D3-A456-426614174000",
    ])
    func goodUUIDs(text: String) {
        #expect(passes(.uuid, text))
    }

    @Test(arguments: [
        "", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000",
        "123e4567-e89b-12d3-a456_426614174000", "g23e4567-e89b-12d3-a456-426614174000", "{123e4567-e89b-12d3-a456-426614174000}",
        " 123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-426614174000\n",
    ])
    func badUUIDs(text: String) {
        #expect(!passes(.uuid, text))
    }

    @Test(arguments: [
        "2026-11-30T09:12:01Z", "2026-11-30T09:12:01.123456Z", "2026-11-30T09:12:01.1+01:00", "2026-11-30T23:59:59-05:30",
        "2024-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "2026-12-31T23:59:60Z", "2026-11-30t09:12:01z", "0001-01-01T00:00:00+00:00",
    ])
    func goodDateTimes(text: String) {
        #expect(passes(.iso8601, text))
    }

    @Test(arguments: [
        "", "2026-11-30", "2026-11-30T09:12:01", "2026-11-30 09:12:01Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
        "2026-11-31T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-30T24:00:00Z",
        "2026-11-30T09:60:00Z", "2026-11-30T09:12:61Z", "2026-11-30T09:12:01.Z", "2026-11-30T09:12:01+0100", "2026-11-30T09:12:01+24:00",
        "2026-11-30T09:12:01+01:60", "2026-11-30T09:12:01ZZ", "26-11-30T09:12:01Z", "2026-11-30T9:12:01Z", "2026-11-30T09:12:01 Z",
        "２０２６-11-30T09:12:01Z",
    ])
    func badDateTimes(text: String) {
        #expect(!passes(.iso8601, text))
    }

    @Test(arguments: [
        "http://example.com", "https://example.com/", "HTTPS://Example.com:8443/a/b?q=1#frag", "http://user:pw@host/",
        "http://127.0.0.1:8080", "http://[::1]:80/", "http://[2001:db8::1]/x", "https://bücher.example/", "http://a.b/%20c",
        "http://host:65535",
    ])
    func goodURLs(text: String) {
        #expect(passes(.url, text))
    }

    @Test(arguments: [
        "", "example.com", "/just/a/path", "ftp://example.com/", "javascript:alert(1)", "http:///path", "http://", "http://:80/",
        "http://exa mple.com/", "http://example.com:99999/", "http://example.com:/", "http://example.com:8o/", "http://[::1/",
        "http://[]/", "http://user@/", "http://ex<ample>.com/", "http://example.com/\n", "https//example.com", "http:/example.com",
        "http://exa%2.com/",
    ])
    func badURLs(text: String) {
        #expect(!passes(.url, text))
    }
}
