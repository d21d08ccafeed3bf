/// RFC 9110 tokens: what header names (and Server-Timing metric names) are made of.
public enum HTTPToken {
    /// A letter, a digit, or one of ``!#$%&'*+-.^_`|~``.
    public static func isTokenCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(ascii)
        }
    }

    /// A non-empty run of token characters.
    public static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.allSatisfy(isTokenCharacter)
    }
}
