import AccordJSON

/// Exact ordering of a JSON number against a bound. An `Int64` above 2^53 does not survive a
/// trip through `Double`, so integers are compared as integers.
enum NumberOrder {
    /// -1, 0 or 1 as `value` is below, at or above `bound`; nil when `value` is not a number
    /// or `bound` is NaN.
    static func compare(_ value: JSON, with bound: Double) -> Int? {
        guard !bound.isNaN else { return nil }
        switch value {
        case let .double(number):
            return number < bound ? -1 : (number > bound ? 1 : 0)
        case let .int(integer):
            return compare(integer, with: bound)
        default:
            return nil
        }
    }

    static func compare(_ integer: Int64, with bound: Double) -> Int {
        // Past Int64's range the answer is known without converting the bound.
        if bound >= 0x1p63 { return -1 }
        if bound < -0x1p63 { return 1 }
        let floor = bound.rounded(.down)
        let whole = Int64(floor)
        if integer < whole { return -1 }
        if integer > whole { return 1 }
        return bound > floor ? -1 : 0
    }
}
