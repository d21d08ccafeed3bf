import AccordResults
import AccordChecks
import AccordJSON
import AccordSpec
import Testing

/// A predicate, a selection, and how it must end: nil passes, otherwise a fragment of the
/// failure message.
struct PredicateCase: Sendable, CustomTestStringConvertible {
    var name: String
    var predicate: Predicate
    var selection: [JSON]
    var failure: String?

    init(_ name: String, _ predicate: Predicate, _ selection: [JSON], fails failure: String? = nil) {
        self.name = name
        self.predicate = predicate
        self.selection = selection
        self.failure = failure
    }

    var testDescription: String { name }
}

let predicateCases: [PredicateCase] = [
    // equals / not_equals
    .init("equals string", .equals("created"), ["created"]),
    .init("equals other string", .equals("created"), ["queued"], fails: "values differ"),
    .init("equals int and double", .equals(2), [2.0]),
    .init("equals ignores member order", .equals(["a": 1, "b": [true, nil]]), [["b": [true, nil], "a": 1]]),
    .init("equals array order matters", .equals([1, 2]), [[2, 1]], fails: "values differ"),
    .init("equals type mismatch", .equals("2"), [2], fails: "a string is expected, the value is an integer"),
    .init("equals null", .equals(nil), [nil]),
    .init("equals on nothing", .equals("x"), [], fails: "nothing is selected"),
    .init("equals every value", .equals(1), [1, 1, 1]),
    .init("equals one value differs", .equals(1), [1, 2, 1, 3], fails: "value 2 of 4: values differ (2 of 4 values fail)"),
    .init("not_equals passes", .notEquals("failed"), ["created"]),
    .init("not_equals fails", .notEquals("failed"), ["failed"], fails: "must not be"),
    .init("not_equals int vs double", .notEquals(3), [3.0], fails: "must not be"),
    // in
    .init("in passes", .oneOf(["queued", "running"]), ["running"]),
    .init("in fails", .oneOf(["queued", "running"]), ["done"], fails: "not one of"),
    .init("in type mismatch", .oneOf(["1"]), [1], fails: "not one of"),
    // matches
    .init("regex searched", .matches(.regex("ue")), ["queued"]),
    .init("regex anchored", .matches(.regex("^ue")), ["queued"], fails: "does not match"),
    .init("regex on number", .matches(.regex("1")), [1], fails: "matches applies to strings; the value is an integer"),
    .init("regex invalid", .matches(.regex("a(")), ["a("], fails: "invalid regular expression"),
    .init("uuid on null", .matches(.uuid), [nil], fails: "the value is a null"),
    // type
    .init("type string", .type(.string), ["x"]),
    .init("type integer int", .type(.integer), [3]),
    .init("type integer whole double", .type(.integer), [3.0]),
    .init("type integer fraction", .type(.integer), [3.5], fails: "another type"),
    .init("type number int", .type(.number), [3]),
    .init("type number string", .type(.number), ["3"], fails: "another type"),
    .init("type boolean", .type(.boolean), [false]),
    .init("type null", .type(.null), [nil]),
    .init("type array vs object", .type(.array), [[:]], fails: "another type"),
    .init("type object", .type(.object), [["a": 1]]),
    // exists
    .init("exists with a value", .exists(true), [nil]),
    .init("exists with nothing", .exists(true), [], fails: "nothing is selected"),
    .init("absent with nothing", .exists(false), []),
    .init("absent with a value", .exists(false), [1], fails: "must be absent"),
    .init("exists with several", .exists(true), [1, 2]),
    // comparisons
    .init("< passes", .lessThan(5), [4]),
    .init("< equal fails", .lessThan(5), [5], fails: "not < 5"),
    .init("<= equal passes", .lessThanOrEqual(5), [5.0]),
    .init("<= fails", .lessThanOrEqual(5), [5.5], fails: "not <= 5"),
    .init("> passes", .greaterThan(0.5), [1]),
    .init("> fails", .greaterThan(0.5), [0], fails: "not > 0.5"),
    .init(">= passes", .greaterThanOrEqual(-1), [-1]),
    .init(">= fails", .greaterThanOrEqual(-1), [-2], fails: "not >= -1"),
    .init("< on string", .lessThan(5), ["4"], fails: "< compares numbers; the value is a string"),
    .init("> on bool", .greaterThan(0), [true], fails: "the value is a boolean"),
    // 2^53 + 1 rounds to 2^53 as a Double: only an exact comparison tells them apart.
    .init("<= big integer exact", .lessThanOrEqual(9_007_199_254_740_992), [.int(9_007_199_254_740_993)], fails: "not <="),
    .init("> big integer exact", .greaterThan(9_007_199_254_740_992), [.int(9_007_199_254_740_993)]),
    .init("every value compared", .greaterThan(0), [1, 2, -3], fails: "value 3 of 3"),
    // length of one value
    .init("length of string", .length([.equals(5)]), ["héllo"]),
    .init("length counts scalars", .length([.equals(2)]), ["👍🏽"]),
    .init("length of array", .length([.greaterThanOrEqual(2)]), [[1, 2, 3]]),
    .init("length of object", .length([.equals(1)]), [["a": [1, 2]]]),
    .init("length wrong", .length([.equals(3)]), [[1, 2]], fails: "wrong length"),
    .init("length range", .length([.greaterThan(1), .lessThan(3)]), ["ab"]),
    .init("length range fails", .length([.greaterThan(1), .lessThan(3)]), ["abc"], fails: "wrong length: the value is not < 3"),
    .init("length of number", .length([.equals(1)]), [7], fails: "length applies to strings, arrays and objects"),
    // length of a selection (not exactly one value)
    .init("length counts several", .length([.equals(3)]), [1, 2, 3]),
    .init("length counts several fails", .length([.equals(2)]), [1, 2, 3], fails: "wrong length"),
    .init("length of nothing is 0", .length([.equals(0)]), []),
    // contains / not_contains
    .init("contains substring", .contains("ueu"), ["queued"]),
    .init("contains substring fails", .contains("xyz"), ["queued"], fails: "the string does not contain \"xyz\""),
    .init("contains element", .contains(2), [[1, 2.0, 3]]),
    .init("contains object element", .contains(["b": 2, "a": 1]), [[["a": 1, "b": 2]]]),
    .init("contains element fails", .contains(4), [[1, 2, 3]], fails: "the array does not contain 4"),
    .init("contains on number", .contains(1), [10], fails: "contains applies to strings and arrays"),
    .init("contains number in string", .contains(1), ["10"], fails: "a string can only contain a string"),
    .init("not_contains passes", .notContains("Traceback"), ["ok"]),
    .init("not_contains fails", .notContains("SELECT"), ["error: SELECT * FROM jobs"], fails: "the string contains \"SELECT\""),
    .init("not_contains element fails", .notContains(nil), [[1, nil]], fails: "the array contains null"),
    .init("not_contains on object", .notContains("a"), [["a": 1]], fails: "not_contains applies to strings and arrays"),
]

@Suite("Predicates")
struct PredicateEvaluationTests {
    @Test(arguments: predicateCases)
    func evaluates(_ testCase: PredicateCase) {
        let failure = evaluate(testCase.predicate, on: testCase.selection)
        if let fragment = testCase.failure {
            #expect(failure?.message.contains(fragment) == true, "\(String(describing: failure))")
        } else {
            #expect(failure == nil)
        }
    }

    @Test(arguments: [
        (Predicate.equals("created"), JSON.string("queued"), CheckFailure(message: "values differ", expected: #"== "created""#, actual: #""queued""#)),
        (.matches(.uuid), "nope", CheckFailure(message: "the string is not a UUID (8-4-4-4-12 hex digits)", expected: "matches uuid", actual: #""nope""#)),
        (.lessThan(2.5), 3, CheckFailure(message: "the value is not < 2.5", expected: "< 2.5", actual: "3")),
        (.type(.integer), "3", CheckFailure(message: "the value has another type", expected: "type integer", actual: #""3" (string)"#)),
        (.oneOf(["a", 1]), nil, CheckFailure(message: "the value is not one of those allowed", expected: #"in ["a",1]"#, actual: "null")),
        (.length([.greaterThanOrEqual(1), .lessThanOrEqual(2)]), [1, 2, 3],
         CheckFailure(message: "wrong length: the value is not <= 2", expected: "length >= 1 and length <= 2", actual: "length 3 ([1,2,3])")),
        (.matches(.regex("^a$")), ["z": 1, "a": 2],
         CheckFailure(message: "matches applies to strings; the value is an object", expected: "matches /^a$/", actual: #"{"z":1,"a":2} (object)"#)),
    ] as [(Predicate, JSON, CheckFailure)])
    func failuresAreWordedForPeople(predicate: Predicate, value: JSON, expected: CheckFailure) {
        #expect(evaluate(predicate, on: [value]) == expected)
    }

    @Test func longValuesAreCut() throws {
        let long = JSON.string(String(repeating: "x", count: 500))
        let failure = try #require(evaluate(.equals("short"), on: [long]))
        #expect(failure.actual.hasSuffix("…"))
        #expect(failure.actual.count == 201)
    }

    @Test func singularPathsMeasureTheValueOthersCount() {
        let oneObject: [JSON] = [["a": 1, "b": 2, "c": 3]]
        // A wildcard that happens to select one object: its length is the count, 1.
        #expect(evaluate(.length([.equals(3)]), on: oneObject, fromSingularPath: false) != nil)
        #expect(evaluate(.length([.equals(1)]), on: oneObject, fromSingularPath: false) == nil)
        #expect(evaluate(.length([.equals(0)]), on: [], fromSingularPath: false) == nil)
        // A singular path measures the one value, and fails when nothing is there.
        #expect(evaluate(.length([.equals(3)]), on: oneObject, fromSingularPath: true) == nil)
        #expect(evaluate(.length([.equals(0)]), on: [], fromSingularPath: true)?.message == "nothing is selected")
    }

    @Test(arguments: ["a(", "[z-a]", "(?<n>x", "*"])
    func invalidRegexesAreReportedAtLoadTime(pattern: String) {
        #expect(Pattern.validateRegex(pattern)?.contains("invalid regular expression") == true)
    }

    @Test(arguments: [#"^[0-9a-f-]{36}$"#, #"\d+"#, "(?i)created", ""])
    func validRegexesPass(pattern: String) {
        #expect(Pattern.validateRegex(pattern) == nil)
    }
}
