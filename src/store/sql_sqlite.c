/*
 * sql_sqlite — the SQL of every named statement (stmt.h), SQLite dialect.
 * Parameters are ?N; timestamps are stored as RFC 3339 UTC text and read back as is.
 */
#include <stddef.h>

#include "stmt.h"

#define PROSPECT_COLS                                                                              \
    "id, email, first_name, last_name, company, title, website, draft_subject, draft_body, "      \
    "draft_status, draft_error, drafted_at, created_at, updated_at"
#define JOB_COLS                                                                                   \
    "id, job_type, status, drafts_created, drafts_failed, total_targets, error, created_at, "     \
    "started_at, finished_at"

const char *const sql_sqlite[STMT__COUNT] = {
    /* Run on every new connection: WAL lets readers work beside the one writer. */
    [STMT_CONN_WAL] = "PRAGMA journal_mode=WAL",
    [STMT_CONN_FOREIGN_KEYS] = "PRAGMA foreign_keys=ON",
    [STMT_CONN_SYNCHRONOUS] = "PRAGMA synchronous=FULL",
    /* IMMEDIATE: a writer takes the write lock up front and waits on the busy timeout,
     * instead of failing when it upgrades a read lock. */
    [STMT_TX_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_TX_COMMIT] = "COMMIT",
    [STMT_TX_ROLLBACK] = "ROLLBACK",
    [STMT_HEALTH_PING] = "SELECT 1",
    [STMT_MIG_TABLE_EXISTS] = "SELECT count(*) FROM sqlite_schema "
                              "WHERE type = 'table' AND name = 'schema_migrations'",
    [STMT_MIG_ENSURE_TABLE] =
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, "
        "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
    [STMT_MIG_LIST] = "SELECT version, name, checksum, applied_at FROM schema_migrations "
                      "ORDER BY version",
    [STMT_MIG_APPLIED] = "SELECT count(*) FROM schema_migrations WHERE version = ?1",
    [STMT_MIG_INSERT] = "INSERT INTO schema_migrations (version, name, checksum) "
                        "VALUES (?1, ?2, ?3)",
    [STMT_MIG_DELETE] = "DELETE FROM schema_migrations WHERE version = ?1",
    /* SQLite serialises migrators with BEGIN IMMEDIATE; no advisory lock. */
    [STMT_MIG_LOCK] = NULL,
    [STMT_MIG_UNLOCK] = NULL,
    [STMT_SCHEMA_COLUMNS] = "SELECT name, type, \"notnull\", pk FROM pragma_table_xinfo(?1)",

    /* --- per-status counts (migration 4's triggers keep them) --- */
    [STMT_PROSPECT_COUNTS_GET] = "SELECT n_none, n_drafted, n_approved, n_rejected, n_failed "
                                 "FROM prospect_counts WHERE id = 1",

    /* --- prospects (core/prospects.c) --- */
    [STMT_PROSPECT_INSERT] = "INSERT INTO prospects (email, first_name, last_name, company, "
                             "title, website) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
    [STMT_PROSPECT_GET] = "SELECT " PROSPECT_COLS " FROM prospects WHERE id = ?1",
    [STMT_PROSPECT_LIST] = "SELECT " PROSPECT_COLS " FROM prospects ORDER BY id LIMIT ?1 OFFSET ?2",
    [STMT_PROSPECT_COUNT] = "SELECT count(*) FROM prospects",

    /* --- CSV import and export (core/csv_import.c, core/csv_export.c) --- */
    /* ?1: a JSON array of [email, first_name, last_name, company, title, website] arrays;
     * the rows returned are the ones imported, the rest were already there. */
    [STMT_CSV_INSERT_BATCH] =
        "INSERT INTO prospects (email, first_name, last_name, company, title, website) "
        "SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5 "
        "FROM json_each(?1) WHERE true ON CONFLICT DO NOTHING RETURNING id",
    /* keyset paging: ?1 the last id sent, ?2 the page size */
    [STMT_CSV_EXPORT_PAGE] =
        "SELECT id, email, first_name, last_name, company, title, website, draft_status, "
        "draft_subject, draft_body, draft_error, drafted_at, created_at, updated_at "
        "FROM prospects WHERE id > ?1 ORDER BY id LIMIT ?2",

    /* --- draft jobs and the runner (core/jobs.c, core/runner.c) --- */
    [STMT_JOB_INSERT] = "INSERT INTO jobs (job_type, status, drafts_created, drafts_failed, "
                        "total_targets, redraft) VALUES (?1, 'pending', 0, 0, NULL, ?2) "
                        "RETURNING id",
    [STMT_JOB_GET] = "SELECT " JOB_COLS " FROM jobs WHERE id = ?1",
    [STMT_JOB_LIST] = "SELECT " JOB_COLS " FROM jobs ORDER BY id DESC LIMIT ?1 OFFSET ?2",
    [STMT_JOB_COUNT] = "SELECT count(*) FROM jobs",
    [STMT_JOB_TARGET_PENDING] = "SELECT prospect_id FROM job_targets WHERE job_id = ?1 "
                                "AND state = 'pending' ORDER BY prospect_id LIMIT ?2",

    /* --- the drafting template (core/template.c) --- */
    [STMT_TEMPLATE_GET] = "SELECT subject, body, updated_at FROM templates WHERE name = ?1",
    [STMT_TEMPLATE_UPSERT] =
        "INSERT INTO templates (name, subject, body) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (name) DO UPDATE SET subject = excluded.subject, body = excluded.body, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') RETURNING updated_at",
};
