import AccordResults

extension ProgressUpdate {
    /// The line, cut to `width` characters (a live line must never wrap, or `\r` cannot
    /// rewrite it); `bold` wraps the phase in SGR bold.
    public func line(width: Int? = nil, bold: Bool = false) -> String {
        // A name from a spec may hold a newline or an escape: nothing may move the cursor.
        var phase = ""
        for scalar in self.phase.unicodeScalars {
            phase.unicodeScalars.append(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? " " : scalar)
        }
        var parts = [String]()
        var time = "\(Self.seconds(elapsedSeconds))"
        if let totalSeconds, totalSeconds > 0 {
            time += " / \(Self.seconds(totalSeconds)), \(Self.seconds(max(0, totalSeconds - elapsedSeconds))) left"
        }
        parts.append(time)
        if let rps { parts.append("\(ReportFormat.rps(rps)) req/s") }
        if let p99 { parts.append("p99 \(ReportFormat.ms(p99))") }
        if let errors { parts.append(errors == 1 ? "1 error" : "\(errors) errors") }
        var plain = phase + "  " + parts.joined(separator: "  ")
        if let width, width > 1, plain.count > width - 1 {
            plain = String(plain.prefix(max(0, width - 2))) + "…"
        }
        guard bold, plain.hasPrefix(phase) else { return plain }
        return "\u{1B}[1m\(phase)\u{1B}[0m" + plain.dropFirst(phase.count)
    }

    /// Whole seconds under a minute (`42 s`), else minutes and seconds (`12 m 05 s`).
    static func seconds(_ value: Double) -> String {
        let whole = value.isFinite ? Int(max(0, value).rounded(.down)) : 0
        guard whole >= 60 else { return "\(whole) s" }
        let rest = whole % 60
        return "\(whole / 60) m \(rest < 10 ? "0" : "")\(rest) s"
    }
}
