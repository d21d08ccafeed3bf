import AccordResults
import AccordChecks
import AccordHTTPTypes
import AccordJSON
import AccordSpec
import Testing

private func response(
    status: Int = 201, headers: [(name: String, value: String)] = [], body: String = "", totalMicroseconds: Int64 = 0
) -> ClientResponse {
    ClientResponse(status: status, headers: headers, body: Array(body.utf8), timing: HTTPTiming(total: totalMicroseconds))
}

private let headerResponse = response(headers: [
    (name: "Content-Type", value: "application/json"),
    (name: "x-request-id", value: "123e4567-e89b-12d3-a456-426614174000"),
    (name: "Set-Cookie", value: "a=1"),
    (name: "set-cookie", value: "b=2"),
    (name: "Content-Length", value: "42"),
    (name: "Retry-After", value: "soon"),
])

/// A header name, a predicate, and nil (passes) or a fragment of the failure message.
struct HeaderCase: Sendable, CustomTestStringConvertible {
    var name: String
    var predicate: Predicate
    var failure: String?
    var testDescription: String { "\(name) \(predicate)" }
}

private let jobBody = #"""
    {"job_id": "123e4567-e89b-12d3-a456-426614174000", "status": "created", "priority": 2,
     "items": [{"id": "a", "n": 1}, {"id": "b", "n": 2}, {"id": "c", "n": 3}], "one": [{"x": 1, "y": 2}], "none": []}
    """#

/// A JSONPath, a predicate, and nil (passes) or a fragment of the failure message.
struct BodyCase: Sendable, CustomTestStringConvertible {
    var path: String
    var predicate: Predicate
    var failure: String?
    var testDescription: String { "\(path) \(predicate)" }
}

@Suite("Response evaluation")
struct ResponseEvaluationTests {
    @Test(arguments: [
        HeaderCase(name: "content-type", predicate: .equals("application/json")),
        HeaderCase(name: "CONTENT-TYPE", predicate: .contains("json")),
        HeaderCase(name: "Content-Type", predicate: .equals("text/html"), failure: "header Content-Type: values differ"),
        HeaderCase(name: "X-Request-Id", predicate: .matches(.uuid)),
        HeaderCase(name: "X-Request-Id", predicate: .matches(.regex("^[0-9a-f-]{36}$"))),
        HeaderCase(name: "X-Missing", predicate: .exists(false)),
        HeaderCase(name: "X-Missing", predicate: .exists(true), failure: "header X-Missing is absent"),
        HeaderCase(name: "X-Missing", predicate: .equals("x"), failure: "header X-Missing is absent"),
        HeaderCase(name: "Content-Type", predicate: .exists(false), failure: "header Content-Type: present, but must be absent"),
        HeaderCase(name: "Set-Cookie", predicate: .contains("=")),
        HeaderCase(name: "Set-Cookie", predicate: .equals("a=1"), failure: "value 2 of 2: values differ"),
        HeaderCase(name: "Set-Cookie", predicate: .length([.equals(2)])),
        HeaderCase(name: "Content-Type", predicate: .length([.equals(16)])),
        HeaderCase(name: "Content-Length", predicate: .equals(42)),
        HeaderCase(name: "Content-Length", predicate: .oneOf([41, 42])),
        HeaderCase(name: "Content-Length", predicate: .lessThan(100)),
        HeaderCase(name: "Content-Length", predicate: .greaterThan(100), failure: "the value is not > 100"),
        HeaderCase(name: "Retry-After", predicate: .greaterThanOrEqual(1), failure: ">= compares numbers; the value is a string"),
        HeaderCase(name: "Content-Length", predicate: .type(.string)),
    ])
    func headers(_ testCase: HeaderCase) {
        let failure = evaluate(testCase.predicate, onHeader: testCase.name, of: headerResponse)
        if let fragment = testCase.failure {
            #expect(failure?.message.contains(fragment) == true, "\(String(describing: failure))")
        } else {
            #expect(failure == nil)
        }
    }

    @Test(arguments: [
        BodyCase(path: "$.status", predicate: .equals("created")),
        BodyCase(path: "$.status", predicate: .equals("queued"), failure: "$.status: values differ"),
        BodyCase(path: "$.job_id", predicate: .matches(.uuid)),
        BodyCase(path: "$.priority", predicate: .oneOf([1, 2, 3])),
        BodyCase(path: "$.missing", predicate: .equals("x"), failure: "$.missing selects nothing"),
        BodyCase(path: "$.missing", predicate: .exists(false)),
        BodyCase(path: "$.status", predicate: .exists(false), failure: "$.status: present, but must be absent"),
        BodyCase(path: "$.items[*].id", predicate: .type(.string)),
        BodyCase(path: "$.items[*].n", predicate: .lessThan(3), failure: "$.items[*].n: value 3 of 3: the value is not < 3"),
        BodyCase(path: "$..n", predicate: .greaterThan(0)),
        BodyCase(path: "$.items", predicate: .length([.equals(3)])),
        BodyCase(path: "$.items[*]", predicate: .length([.equals(3)])),
        BodyCase(path: "$.items[*].id", predicate: .contains("b"), failure: "$.items[*].id: value 1 of 3: the string does not contain \"b\" (2 of 3 values fail)"),
        // A wildcard selecting one object counts values: 1, not the object's 2 members.
        BodyCase(path: "$.one[*]", predicate: .length([.equals(1)])),
        BodyCase(path: "$.one[*]", predicate: .length([.equals(2)]), failure: "wrong length"),
        BodyCase(path: "$.one[0]", predicate: .length([.equals(2)])),
        BodyCase(path: "$.none[*]", predicate: .length([.equals(0)])),
        BodyCase(path: "$.none[*]", predicate: .exists(false)),
        BodyCase(path: "$.none[*]", predicate: .equals(1), failure: "$.none[*] selects nothing"),
        BodyCase(path: "$.missing", predicate: .length([.equals(0)]), failure: "$.missing selects nothing"),
        BodyCase(path: "$", predicate: .type(.object)),
    ])
    func body(_ testCase: BodyCase) throws {
        let body = ResponseBody(response(body: jobBody))
        let failure = body.evaluate(testCase.predicate, at: try JSONPath(parsing: testCase.path))
        if let fragment = testCase.failure {
            #expect(failure?.message.contains(fragment) == true, "\(String(describing: failure))")
        } else {
            #expect(failure == nil)
        }
    }

    @Test(arguments: ["<html>oops</html>", "", #"{"a": 1,}"#, "{\"a\": \"\u{FFFD}\"} trailing"])
    func aBodyThatIsNotJSONFailsEveryAssertionOnce(text: String) throws {
        let body = ResponseBody(response(body: text))
        for predicate in [Predicate.exists(false), .equals("x"), .length([.equals(0)])] {
            let failure = try #require(body.evaluate(predicate, at: JSONPath(parsing: "$.a")))
            #expect(failure.message.hasPrefix("the body is not JSON: "))
            #expect(failure.actual == (text.isEmpty ? "an empty body" : JSON.string(text).serialized()))
        }
    }

    @Test(arguments: [
        (StatusExpectation.code(201), 201, true), (.code(201), 200, false), (.anyOf([200, 201]), 200, true), (.anyOf([200, 201]), 204, false),
        (.classOf(2), 299, true), (.classOf(2), 300, false), (.classOf(4), 422, true), (.classOf(1), 99, false),
    ])
    func status(expectation: StatusExpectation, status: Int, accepted: Bool) {
        #expect(expectation.accepts(status) == accepted)
        let failure = evaluate(expectation, on: response(status: status))
        #expect((failure == nil) == accepted)
        if let failure {
            #expect(failure == CheckFailure(message: "unexpected status", expected: expectation.description, actual: String(status)))
        }
    }

    @Test(arguments: [
        (StatusExpectation.code(201), "201"), (.anyOf([200, 201]), "200 or 201"), (.anyOf([200, 201, 204]), "200, 201 or 204"), (.classOf(2), "2xx"),
    ])
    func statusReadsAsWritten(expectation: StatusExpectation, text: String) {
        #expect(expectation.description == text)
    }

    @Test(arguments: [
        (Int64(500_000), Int64(499_999), nil), (500_000, 500_000, nil),
        (500_000, 612_345, CheckFailure(message: "the response took longer than 500ms", expected: "<= 500ms", actual: "612.3ms")),
        (1_000, 1_001, CheckFailure(message: "the response took longer than 1ms", expected: "<= 1ms", actual: "1ms")),
        (900, 901, CheckFailure(message: "the response took longer than 900µs", expected: "<= 900µs", actual: "901µs")),
        (5_000_000, 12_450_000, CheckFailure(message: "the response took longer than 5s", expected: "<= 5s", actual: "12.5s")),
    ] as [(Int64, Int64, CheckFailure?)])
    func maxTime(limit: Int64, total: Int64, expected: CheckFailure?) {
        #expect(evaluate(maxTimeMicroseconds: limit, on: response(totalMicroseconds: total)) == expected)
        #expect(evaluate(maxTime: .microseconds(limit), on: response(totalMicroseconds: total)) == expected)
    }

    @Test func maxTimeAsADurationDropsSubMicroseconds() {
        #expect(evaluate(maxTime: .nanoseconds(1_999), on: response(totalMicroseconds: 1)) == nil)
        #expect(evaluate(maxTime: .nanoseconds(1_999), on: response(totalMicroseconds: 2)) != nil)
        #expect(evaluate(maxTime: .seconds(Int64.max), on: response(totalMicroseconds: .max)) == nil)
    }

    @Test(arguments: [
        (#"{"detail": "not found"}"#, ["Traceback", "SELECT "], nil as String?),
        (#"{"detail": "Traceback (most recent call last)"}"#, ["Traceback", "SELECT "], #"the body contains "Traceback""#),
        ("SELECT * FROM jobs; Traceback", ["Traceback", "SELECT "], #"the body contains "Traceback", "SELECT ""#),
        ("traceback", ["Traceback"], nil),
        ("", ["x"], nil),
    ])
    func bodyNotContaining(text: String, fragments: [String], message: String?) {
        let failure = evaluate(bodyNotContaining: fragments, on: response(body: text))
        #expect(failure?.message == message)
    }
}
