/// Deliberate contract violations the reference server can be started with
/// (`accord serve --inject-fault NAME`), so anyone can watch the specs catch each one: a
/// check that cannot fail proves nothing. Never on unless asked for by name.
public enum ContractBreak: String, Sendable, CaseIterable {
    /// Create answers 200 instead of 201.
    case wrongCreateStatus = "wrong-create-status"
    /// The job status document has no `progress` field.
    case missingProgress = "missing-progress"
    /// Idempotency keys are ignored: every replay creates another job.
    case duplicateJobs = "duplicate-jobs"
    /// Jobs are committed but never written to their stream (the relay is broken too).
    case lostEnqueue = "lost-enqueue"
    /// 404 bodies quote the SQL that looked the job up.
    case leakSQL = "leak-sql"
    /// `priority` above 3 is accepted (and queued as 3).
    case acceptBadPriority = "accept-bad-priority"
}
