import AccordSpec
import Testing

@Suite("Templates")
struct TemplateTests {
    static let context = RenderContext(
        variables: ["name": "world", "job_id": "abc"], environment: ["HOME": "/root"], uuid: { "u-u-i-d" },
        randomInt: { $0.lowerBound }, nextSequence: { 7 })

    @Test(arguments: [
        ("plain", "plain"),
        ("hello {{name}}!", "hello world!"),
        ("/api/v1/jobs/{{job_id}}", "/api/v1/jobs/abc"),
        ("{{uuid}}", "u-u-i-d"),
        ("{{ env.HOME }}", "/root"),
        ("n={{random_int 5 9}}", "n=5"),
        ("#{{seq}}", "#7"),
        ("{{name}}{{name}}", "worldworld"),
        ("a } b }} c", "a } b }} c"),
    ])
    func renders(text: String, expected: String) throws {
        #expect(try Template(parsing: text).render(Self.context) == expected)
    }

    @Test(arguments: [
        ("{{unclosed", 0), ("a {{}} b", 2), ("{{random_int 9 1}}", 0), ("{{random_int x}}", 0), ("{{two words}}", 0),
        ("ok {{env.}}", 3), ("{{9lives}}", 0),
    ])
    func rejects(text: String, offset: Int) {
        do {
            _ = try Template(parsing: text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.offset == offset)
        }
    }

    @Test func missingValuesAreErrorsAtRenderTime() throws {
        #expect(throws: RenderError.self) { try Template(parsing: "{{nobody}}").render(Self.context) }
        #expect(throws: RenderError.self) { try Template(parsing: "{{env.NOPE}}").render(Self.context) }
    }

    @Test func variablesAreListed() throws {
        #expect(try Template(parsing: "{{a}}-{{uuid}}-{{b}}").variables == ["a", "b"])
    }

    @Test(arguments: [("250ms", 250), ("5s", 5000), ("1.5s", 1500), ("2m", 120_000), ("1h", 3_600_000), ("0ms", 0)])
    func durations(text: String, milliseconds: Int) {
        #expect(Durations.milliseconds(text) == milliseconds)
    }

    @Test(arguments: ["5", "fast", "-1s", "1d", "ms", "s5"])
    func invalidDurations(text: String) {
        #expect(Durations.milliseconds(text) == nil)
    }
}
