import AccordStorage
/// One versioned schema change: statements run in order inside one transaction, then the
/// version is recorded in `schema_migrations`.
struct Migration: Sendable {
    var version: Int
    var name: String
    /// One statement each: libpq's extended protocol runs a single statement per call.
    var statements: [String]
}

/// The schema of the PostgreSQL store, as versioned migrations applied at start.
///
/// Each pending migration runs in its own transaction that first takes a transaction-scoped
/// advisory lock, then re-reads `schema_migrations`: two servers starting at once apply each
/// migration exactly once, the second waiting for the first and then finding nothing to do.
enum Migrations {
    /// The advisory lock key that serializes migrations (the bytes of "ACCORDMI").
    static let lockKey = "4702676443866615113"

    static let all: [Migration] = [jobsAndCounters]

    /// Applies every migration not yet recorded; returns the versions it applied (empty when
    /// the schema was already current).
    static func apply(on connection: PGConnection, migrations: [Migration] = all) throws(PGError) -> [Int] {
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            let ran = try connection.transaction { () throws(PGError) -> Bool in
                try connection.execute("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey])
                try connection.execute(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version int PRIMARY KEY,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
                let done = try connection.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = $1", [String(migration.version)])
                guard done.rowCount == 0 else { return false }
                for statement in migration.statements {
                    try connection.execute(statement)
                }
                try connection.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)", [String(migration.version)])
                return true
            }
            if ran { applied.append(migration.version) }
        }
        return applied
    }

    /// Version 1: the contract's `jobs` table (or ours added to the original service's), the
    /// relay's and idempotency's indexes, and trigger-maintained status counters.
    static let jobsAndCounters = Migration(
        version: 1, name: "jobs, idempotency, relay index, status counters",
        statements: [
            // The original service may have created `jobs` already: then this does nothing and
            // the check constraint below is not added to its table.
            """
            CREATE TABLE IF NOT EXISTS jobs (
                id text PRIMARY KEY,
                domain text NOT NULL,
                url text NOT NULL,
                job_type text NOT NULL,
                strategy text NOT NULL DEFAULT 'vanilla',
                payload text NOT NULL DEFAULT '{}',
                priority int NOT NULL DEFAULT 2,
                status text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'queued', 'running', 'completed', 'failed', 'cancelled')),
                max_attempts int NOT NULL DEFAULT 3,
                attempts int NOT NULL DEFAULT 0,
                timeout_seconds int NOT NULL DEFAULT 300,
                result text,
                artifacts text,
                error text,
                created_at timestamptz NOT NULL DEFAULT now(),
                started_at timestamptz,
                completed_at timestamptz,
                idempotency_key text,
                enqueued_at timestamptz
            )
            """,
            // No writer may slip between the counter backfill and the triggers below.
            "LOCK TABLE jobs IN SHARE ROW EXCLUSIVE MODE",
            "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS idempotency_key text",
            "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS enqueued_at timestamptz",
            // Rows that exist now were written by the original service, which enqueued them
            // itself: the relay must not enqueue them a second time.
            "UPDATE jobs SET enqueued_at = coalesce(created_at, now()) WHERE enqueued_at IS NULL",
            """
            CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency_key_key
                ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL
            """,
            """
            CREATE INDEX IF NOT EXISTS jobs_unenqueued_created_at_idx
                ON jobs (created_at) WHERE enqueued_at IS NULL AND status = 'pending'
            """,
            // Counters per status, sharded by backend pid so that concurrent connections
            // mostly update different rows. Read by summing over shards.
            """
            CREATE TABLE IF NOT EXISTS job_status_counts (
                status text NOT NULL,
                shard int NOT NULL,
                n bigint NOT NULL,
                PRIMARY KEY (status, shard)
            )
            """,
            // Statement-level triggers with transition tables: one upsert per statement, not
            // per row. ORDER BY keeps the row-lock order the same in every transaction, so two
            // statements touching several statuses cannot deadlock on the counters. Rows
            // whose status is NULL (possible in the original's table) are not counted.
            """
            CREATE OR REPLACE FUNCTION accord_count_inserted_jobs() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO job_status_counts (status, shard, n)
                SELECT status, pg_backend_pid() % 16, count(*)
                FROM accord_new_jobs WHERE status IS NOT NULL
                GROUP BY status ORDER BY status
                ON CONFLICT (status, shard) DO UPDATE SET n = job_status_counts.n + EXCLUDED.n;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE OR REPLACE FUNCTION accord_count_updated_jobs() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO job_status_counts (status, shard, n)
                SELECT status, pg_backend_pid() % 16, sum(delta)
                FROM (
                    SELECT status, 1 AS delta FROM accord_new_jobs
                    UNION ALL
                    SELECT status, -1 AS delta FROM accord_old_jobs
                ) AS changes
                WHERE status IS NOT NULL
                GROUP BY status HAVING sum(delta) <> 0 ORDER BY status
                ON CONFLICT (status, shard) DO UPDATE SET n = job_status_counts.n + EXCLUDED.n;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE OR REPLACE FUNCTION accord_count_deleted_jobs() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO job_status_counts (status, shard, n)
                SELECT status, pg_backend_pid() % 16, -count(*)
                FROM accord_old_jobs WHERE status IS NOT NULL
                GROUP BY status ORDER BY status
                ON CONFLICT (status, shard) DO UPDATE SET n = job_status_counts.n + EXCLUDED.n;
                RETURN NULL;
            END
            $$
            """,
            // TRUNCATE fires no row or DELETE triggers: without this, a test harness that
            // truncates `jobs` would leave the counters behind.
            """
            CREATE OR REPLACE FUNCTION accord_count_truncated_jobs() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM job_status_counts;
                RETURN NULL;
            END
            $$
            """,
            // PostgreSQL allows transition tables only on single-event triggers: one each.
            "DROP TRIGGER IF EXISTS accord_jobs_counts_insert ON jobs",
            """
            CREATE TRIGGER accord_jobs_counts_insert AFTER INSERT ON jobs
                REFERENCING NEW TABLE AS accord_new_jobs
                FOR EACH STATEMENT EXECUTE FUNCTION accord_count_inserted_jobs()
            """,
            "DROP TRIGGER IF EXISTS accord_jobs_counts_update ON jobs",
            """
            CREATE TRIGGER accord_jobs_counts_update AFTER UPDATE ON jobs
                REFERENCING OLD TABLE AS accord_old_jobs NEW TABLE AS accord_new_jobs
                FOR EACH STATEMENT EXECUTE FUNCTION accord_count_updated_jobs()
            """,
            "DROP TRIGGER IF EXISTS accord_jobs_counts_delete ON jobs",
            """
            CREATE TRIGGER accord_jobs_counts_delete AFTER DELETE ON jobs
                REFERENCING OLD TABLE AS accord_old_jobs
                FOR EACH STATEMENT EXECUTE FUNCTION accord_count_deleted_jobs()
            """,
            "DROP TRIGGER IF EXISTS accord_jobs_counts_truncate ON jobs",
            """
            CREATE TRIGGER accord_jobs_counts_truncate AFTER TRUNCATE ON jobs
                FOR EACH STATEMENT EXECUTE FUNCTION accord_count_truncated_jobs()
            """,
            // Backfill from the rows present now (the table is locked against writers).
            "DELETE FROM job_status_counts",
            """
            INSERT INTO job_status_counts (status, shard, n)
            SELECT status, 0, count(*) FROM jobs WHERE status IS NOT NULL GROUP BY status
            """,
        ])
}
