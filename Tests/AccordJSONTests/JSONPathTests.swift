import AccordJSON
import Testing

private let sample: JSON = [
    "status": "created",
    "job-id": "abc",
    "items": [
        ["id": 1, "name": "a", "tags": ["x"]],
        ["id": 2, "name": "b"],
        ["id": 3, "sub": ["id": 4]],
    ],
    "ünïcode": true,
    "it's": 5,
    "empty": [:],
    "nested": ["name": "top"],
]

@Suite("JSONPath")
struct JSONPathTests {
    @Test(arguments: [
        ("$", sample.serialized()),
        ("$.status", #"["created"]"#),
        ("$['status']", #"["created"]"#),
        (#"$["status"]"#, #"["created"]"#),
        ("$['job-id']", #"["abc"]"#),
        (#"$['it\'s']"#, "[5]"),
        (#"$["it's"]"#, "[5]"),
        ("$.ünïcode", "[true]"),
        (#"$['\u00fcn\u00efcode']"#, "[true]"),
        ("$.items[0].id", "[1]"),
        ("$.items[-1].id", "[3]"),
        ("$.items[2].sub.id", "[4]"),
        ("$.items[3]", "[]"),
        ("$.items[-4]", "[]"),
        ("$.items[*].id", "[1,2,3]"),
        ("$.items.*.name", #"["a","b"]"#),
        ("$..id", "[1,2,3,4]"),
        ("$..name", #"["a","b","top"]"#),
        ("$..['name']", #"["a","b","top"]"#),
        ("$..[0]", #"[{"id":1,"name":"a","tags":["x"]},"x"]"#),
        ("$..tags[*]", #"["x"]"#),
        ("$.missing", "[]"),
        ("$.status.deeper", "[]"),
        ("$.items.id", "[]"),
        ("$.status[0]", "[]"),
        ("$.empty.*", "[]"),
        ("$.nested.*", #"["top"]"#),
    ])
    func selects(path: String, expected: String) throws {
        let parsed = try JSONPath(parsing: path)
        let selected = parsed.select(in: sample)
        if path == "$" {
            #expect(selected.map { $0.serialized() } == [expected])
        } else {
            #expect(JSON.array(selected).serialized() == expected)
        }
    }

    @Test func wildcardsKeepDocumentOrder() throws {
        let document = try JSON.parse(#"{"b": [1, 2], "a": 3}"#)
        #expect(try JSONPath(parsing: "$.*").select(in: document) == [[1, 2], 3])
        #expect(try JSONPath(parsing: "$..[*]").select(in: document) == [[1, 2], 3, 1, 2])
        #expect(try JSONPath(parsing: "$..*").select(in: document) == [[1, 2], 3, 1, 2])
        #expect(try JSONPath(parsing: "$[*]").select(in: [10, 20, 30]) == [10, 20, 30])
    }

    @Test(arguments: [
        ("$", true), ("$.a[0]['b']", true), ("$[-1]", true),
        ("$[*]", false), ("$..a", false), ("$.a.*", false), ("$.a..[0]", false),
    ])
    func singularity(path: String, singular: Bool) throws {
        #expect(try JSONPath(parsing: path).isSingular == singular)
    }

    @Test(arguments: [
        ("$['status']", "$.status"),
        ("$.items.*", "$.items[*]"),
        ("$..*", "$..[*]"),
        ("$..name", "$..name"),
        (#"$["job-id"]"#, "$['job-id']"),
        (#"$['it\'s']"#, #"$['it\'s']"#),
        ("$..['a b']", "$..['a b']"),
        ("$['1']", "$['1']"),
        (#"$["a\nb\\"]"#, #"$['a\nb\\']"#),
        (#"$['\u0001']"#, #"$['\u0001']"#),
        ("$.ünïcode[-1]", "$.ünïcode[-1]"),
        (#"$['\ud83d\ude00']"#, "$.😀"),
    ])
    func normalizes(path: String, normalized: String) throws {
        let parsed = try JSONPath(parsing: path)
        #expect(parsed.description == normalized)
        #expect(try JSONPath(parsing: parsed.description) == parsed)
    }

    @Test func segmentsBuildTheSamePathAsText() throws {
        let built = JSONPath.root.appending(.name("items")).appending(.index(2)).appending(.name("id"))
        #expect(built == (try JSONPath(parsing: "$.items[2]['id']")))
        #expect(built.description == "$.items[2].id")
    }

    @Test(arguments: [
        ("a.b", 0), ("$.", 2), ("$[", 2), ("$['x", 4), ("$[1.5]", 3), ("$..", 3), ("$.a..", 5), ("$[*", 3), ("", 0),
        ("$ .a", 1), ("$[ 0]", 2), ("$.a b", 3), ("$.job-id", 5), ("$.1", 2), ("$[01]", 2), ("$[-0]", 2),
        (#"$['a\x']"#, 4), (#"$['\ud800']"#, 3), (#"$['\udc00']"#, 3), (#"$['\u12']"#, 3),
        ("$[99999999999999999999]", 2), ("$x", 1), ("$...a", 3), ("$[?(@.a)]", 2), ("$['a'", 5), ("$[-]", 3),
        ("$['a\u{1}']", 4), ("$.é..", 5), ("$.e\u{301}..", 6), ("$['日本'", 6), ("$[*]]", 4), ("$.a[0", 5),
    ])
    func rejects(path: String, offset: Int) {
        #expect {
            try JSONPath(parsing: path)
        } throws: { error in
            guard let error = error as? JSONPathError else { return false }
            return error.offset == offset && !error.message.isEmpty
        }
    }

    @Test func errorsSayHowToWriteIt() {
        #expect(throws: JSONPathError(message: "'-' cannot appear in a name after '.'; write ['job-id']", offset: 5)) {
            try JSONPath(parsing: "$.job-id.x")
        }
        #expect(throws: JSONPathError(message: "a path starts with '$'; write $.a.b", offset: 0)) {
            try JSONPath(parsing: "a.b")
        }
    }
}
