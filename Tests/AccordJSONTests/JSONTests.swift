import AccordJSON
import Testing

@Suite("JSON")
struct JSONTests {
    @Test(arguments: [
        (#"{"b": 1, "a": [true, null, 2.5]}"#, #"{"a":[true,null,2.5],"b":1}"#),
        ("  [ ]  ", "[]"),
        ("{}", "{}"),
        ("-0", "0"),
        ("1E2", "100.0"),
        ("9223372036854775807", "9223372036854775807"),
        ("9223372036854775808", "9.223372036854776e+18"),
        (#""\u00e9\ud83d\ude00\n\"\\""#, #""é😀\n\"\\""#),
        (#""\u0001""#, #""\u0001""#),
        (#"{"z": {"y": [], "x": {}}}"#, #"{"z":{"x":{},"y":[]}}"#),
    ])
    func parsesAndSerializesCanonically(input: String, canonical: String) throws {
        let value = try JSON.parse(input)
        #expect(value.serialized() == canonical)
        #expect(try JSON.parse(value.serialized()) == value)
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", #"{"a":1,}"#, "01", "1.", ".5", "+1", "1e", "tru", "nul", "NaN", "Infinity",
        #"{"a" 1}"#, #"{a: 1}"#, "'single'", #""unterminated"#, "\"tab\there\"", #""\x""#, #""\ud800""#, #""\udc00""#,
        "[1] [2]", "// comment\n1", "1e999", #"{"a":1,"a":2}"#,
    ])
    func rejectsInvalidText(input: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(input) }
    }

    @Test(arguments: [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] as [[UInt8]])
    func rejectsInvalidUTF8InStrings(bytes: [UInt8]) {
        let document = [UInt8(ascii: "\"")] + bytes + [UInt8(ascii: "\"")]
        #expect(throws: JSONParseError.self) { try JSON.parse(bytes: document) }
    }

    @Test func nestingIsBounded() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSON.parse(ok) }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
        // Far deeper than any stack would survive by recursion: refused, not crashed.
        let hostile = String(repeating: "[", count: 1_000_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(hostile) }
    }

    @Test func errorsCarryTheOffset() {
        do {
            _ = try JSON.parse(#"{"a": tru}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 6)
        }
    }

    @Test func equalityIgnoresMemberOrderAndIntegerForm() throws {
        #expect(try JSON.parse(#"{"a":1,"b":2}"#) == JSON.parse(#"{"b":2,"a":1}"#))
        #expect(JSON.int(2) == JSON.double(2.0))
        #expect(try JSON.parse(#"{"a":1}"#) != JSON.parse(#"{"a":2}"#))
        #expect(try JSON.parse("[1,2]") != JSON.parse("[2,1]"))
    }
}

@Suite("JSON hashing")
struct JSONHashingTests {
    @Test func equalValuesHashEqually() throws {
        let pairs: [(JSON, JSON)] = [
            (.int(2), .double(2.0)),
            (try JSON.parse(#"{"a":[1,{"b":2}],"c":null}"#), try JSON.parse(#"{"c":null,"a":[1.0,{"b":2.0}]}"#)),
        ]
        for (a, b) in pairs {
            #expect(a == b)
            #expect(a.hashValue == b.hashValue)
            #expect(Set([a, b]).count == 1)
        }
    }
}
