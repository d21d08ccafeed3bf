import AccordResults
import AccordHTTPTypes
import AccordSpec

/// Everything `expect:` says, checked against one answer, in the order a reader cares about:
/// status first, then headers, body assertions, schema, forbidden text and time. Each
/// failure keeps the spec location of the line that stated it. Pure.
public enum CaseEvaluation {
    public static func evaluate(_ expect: Expectations, response: ClientResponse) -> [CheckFailure] {
        var failures: [CheckFailure] = []
        func add(_ failure: CheckFailure?, at location: SourceLocation) {
            guard let failure else { return }
            failures.append(failure.located(at: location))
        }
        if let status = expect.status {
            add(AccordChecks.evaluate(status.value, on: response), at: status.location)
        }
        for assertion in expect.headers {
            add(AccordChecks.evaluate(assertion.predicate, onHeader: assertion.name, of: response), at: assertion.location)
        }
        if !expect.body.isEmpty || expect.schema != nil {
            let body = ResponseBody(response)
            for assertion in expect.body {
                add(body.evaluate(assertion.predicate, at: assertion.path), at: assertion.location)
            }
            if let schema = expect.schema {
                add(AccordChecks.evaluate(schema.value, on: body), at: schema.location)
            }
        }
        if let first = expect.bodyNotContains.first {
            add(AccordChecks.evaluate(bodyNotContaining: expect.bodyNotContains.map(\.value), on: response), at: first.location)
        }
        if let limit = expect.maxTimeMicroseconds {
            add(AccordChecks.evaluate(maxTime: .microseconds(limit.value), on: response), at: limit.location)
        }
        return failures
    }
}
