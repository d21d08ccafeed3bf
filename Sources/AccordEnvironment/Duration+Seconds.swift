extension Duration {
    /// The duration in seconds, for messages.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// `30s`, `0.5s`.
    public var formattedSeconds: String {
        let value = seconds
        return value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }
}
