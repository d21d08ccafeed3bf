import AccordResults

extension ResultsDocument {
    /// An `accord check` document with nothing but its target and suites, for renderer tests.
    public static func checks(target: String, suites: [Suite], targetUnreachable: Bool = false) -> ResultsDocument {
        ResultsDocument(
            kind: .check, date: "", command: "", target: target, booted: false, profile: "", suites: suites, targetUnreachable: targetUnreachable)
    }
}
