/*
 * sql_pg — the SQL of every named statement (stmt.h), PostgreSQL dialect.
 * Parameters are $N; timestamps are timestamptz, read back as RFC 3339 UTC text.
 */
#include <stddef.h>

#include "stmt.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define PROSPECT_COLS                                                                              \
    "id, email, first_name, last_name, company, title, website, draft_subject, draft_body, "      \
    "draft_status, draft_error, " TS("drafted_at") ", " TS("created_at") ", " TS("updated_at")
#define JOB_COLS                                                                                   \
    "id, job_type, status, drafts_created, drafts_failed, total_targets, error, "                 \
    TS("created_at") ", " TS("started_at") ", " TS("finished_at")

const char *const sql_pg[STMT__COUNT] = {
    [STMT_CONN_WAL] = NULL, /* SQLite connection settings */
    [STMT_CONN_FOREIGN_KEYS] = NULL,
    [STMT_CONN_SYNCHRONOUS] = NULL,
    [STMT_TX_BEGIN] = "BEGIN",
    [STMT_TX_COMMIT] = "COMMIT",
    [STMT_TX_ROLLBACK] = "ROLLBACK",
    [STMT_HEALTH_PING] = "SELECT 1",
    [STMT_MIG_TABLE_EXISTS] = "SELECT count(*) FROM pg_catalog.pg_class c "
                              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE n.nspname = current_schema() "
                              "AND c.relname = 'schema_migrations' AND c.relkind IN ('r', 'p')",
    [STMT_MIG_ENSURE_TABLE] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                              "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                              "checksum TEXT NOT NULL, "
                              "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    [STMT_MIG_LIST] = "SELECT version, name, checksum, " TS("applied_at")
                      " FROM schema_migrations ORDER BY version",
    [STMT_MIG_APPLIED] = "SELECT count(*) FROM schema_migrations WHERE version = $1",
    [STMT_MIG_INSERT] = "INSERT INTO schema_migrations (version, name, checksum) "
                        "VALUES ($1, $2, $3)",
    [STMT_MIG_DELETE] = "DELETE FROM schema_migrations WHERE version = $1",
    [STMT_MIG_LOCK] = "SELECT pg_advisory_lock($1::bigint)",
    [STMT_MIG_UNLOCK] = "SELECT pg_advisory_unlock($1::bigint)",
    [STMT_SCHEMA_COLUMNS] =
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, 0 "
        "FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relname = $1 AND c.relkind IN ('r', 'p') "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",

    /* --- per-status counts (migration 4's triggers keep them) --- */
    [STMT_PROSPECT_COUNTS_GET] = "SELECT n_none, n_drafted, n_approved, n_rejected, n_failed "
                                 "FROM prospect_counts WHERE id = 1",

    /* --- prospects (core/prospects.c) --- */
    [STMT_PROSPECT_INSERT] = "INSERT INTO prospects (email, first_name, last_name, company, "
                             "title, website) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    [STMT_PROSPECT_GET] = "SELECT " PROSPECT_COLS " FROM prospects WHERE id = $1",
    [STMT_PROSPECT_LIST] = "SELECT " PROSPECT_COLS " FROM prospects ORDER BY id LIMIT $1 OFFSET $2",
    [STMT_PROSPECT_COUNT] = "SELECT count(*) FROM prospects",

    /* --- CSV import and export (core/csv_import.c, core/csv_export.c) --- */
    /* $1: a JSON array of [email, first_name, last_name, company, title, website] arrays;
     * the rows returned are the ones imported, the rest were already there. jsonb: the
     * text is parsed once; the conflict target: only the email index is probed (measured
     * ~25% faster than json and a bare DO NOTHING on 5,000-row batches). */
    [STMT_CSV_INSERT_BATCH] =
        "INSERT INTO prospects (email, first_name, last_name, company, title, website) "
        "SELECT r->>0, r->>1, r->>2, r->>3, r->>4, r->>5 "
        "FROM jsonb_array_elements($1::jsonb) AS b(r) "
        "ON CONFLICT ((lower(email))) DO NOTHING RETURNING id",
    /* keyset paging: $1 the last id sent, $2 the page size */
    [STMT_CSV_EXPORT_PAGE] =
        "SELECT id, email, first_name, last_name, company, title, website, draft_status, "
        "draft_subject, draft_body, draft_error, " TS("drafted_at") ", " TS("created_at") ", "
        TS("updated_at") " FROM prospects WHERE id > $1 ORDER BY id LIMIT $2",

    /* --- draft jobs and the runner (core/jobs.c, core/runner.c) --- */
    [STMT_JOB_INSERT] = "INSERT INTO jobs (job_type, status, drafts_created, drafts_failed, "
                        "total_targets, redraft) VALUES ($1, 'pending', 0, 0, NULL, $2) "
                        "RETURNING id",
    [STMT_JOB_GET] = "SELECT " JOB_COLS " FROM jobs WHERE id = $1",
    [STMT_JOB_LIST] = "SELECT " JOB_COLS " FROM jobs ORDER BY id DESC LIMIT $1 OFFSET $2",
    [STMT_JOB_COUNT] = "SELECT count(*) FROM jobs",
    [STMT_JOB_TARGET_PENDING] = "SELECT prospect_id FROM job_targets WHERE job_id = $1 "
                                "AND state = 'pending' ORDER BY prospect_id LIMIT $2",

    /* --- the drafting template (core/template.c) --- */
    [STMT_TEMPLATE_GET] = "SELECT subject, body, " TS("updated_at")
                          " FROM templates WHERE name = $1",
    [STMT_TEMPLATE_UPSERT] =
        "INSERT INTO templates (name, subject, body) VALUES ($1, $2, $3) "
        "ON CONFLICT (name) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body, "
        "updated_at = now() RETURNING " TS("updated_at"),
};
