import AccordResults
import AccordHTTPTypes
import AccordSpec

/// Checks over all answers of a `parallel` case: how many distinct values a capture took, how
/// many answers had a status.
public enum AggregateEvaluation {
    public static func evaluate(_ aggregates: [Aggregate], responses: [ClientResponse], captures: [[String: String]]) -> [CheckFailure] {
        aggregates.compactMap { aggregate in
            switch aggregate.subject {
            case let .distinct(name):
                let values = Set(captures.compactMap { $0[name] })
                guard values.count != aggregate.count else { return nil }
                let shown = values.sorted().prefix(5).joined(separator: ", ") + (values.count > 5 ? ", …" : "")
                return CheckFailure(
                    message: "distinct values of '\(name)' over \(responses.count) answers", expected: "\(aggregate.count)",
                    actual: "\(values.count) (\(shown))", location: aggregate.location)
            case let .status(status):
                let count = responses.filter { $0.status == status }.count
                guard count != aggregate.count else { return nil }
                let histogram = Dictionary(grouping: responses.map(\.status), by: { $0 }).map { "\($0.key)×\($0.value.count)" }.sorted()
                return CheckFailure(
                    message: "answers with status \(status) over \(responses.count) answers", expected: "\(aggregate.count)",
                    actual: "\(count) (\(histogram.joined(separator: ", ")))", location: aggregate.location)
            }
        }
    }
}
