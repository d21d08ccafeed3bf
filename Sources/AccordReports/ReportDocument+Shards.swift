import AccordResults

extension ReportDocument {
    /// A merged document's generators (`accord merge`), beside the machine's facts: one row per
    /// shard — requests, throughput, when it started after the first and how late, whether its
    /// generator limited it. The verdicts above and below are the merged data's. A shard's own
    /// document says it is unjudged. Empty for a single generator.
    static func shards(_ report: ResultsDocument) -> [Block] {
        if let shard = report.shard {
            return [.heading("Shard"), .text(
                "Shard \(shard.index) of \(shard.count), started \(ReportFormat.fixed(shard.lateBy, 3)) s after \(shard.startAt): "
                    + "its share of the load, unjudged; accord merge judges every shard's data together.")]
        }
        guard let shards = report.shards, !shards.isEmpty else { return [] }
        return [
            .heading("Shards"),
            .text("\(plural(shards.count, "load generator")) ran one share of the plan each; the verdicts are those of their merged histograms."),
            .table(Table(
                header: ["Shard", "Requests", "RPS", "Start offset", "Late by", "Generator-bound"],
                rows: shards.map { shard in
                    [
                        "\(shard.index) (\(shard.file))", "\(shard.requests)", ReportFormat.rps(shard.rps), ReportFormat.seconds(shard.startOffset),
                        ReportFormat.fixed(shard.lateBy, 3) + " s", shard.generatorBound ? "yes" : "no",
                    ]
                })),
        ]
    }
}
