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
#define TS_JSON(col) "to_json(" col " AT TIME ZONE 'UTC')"
#define PROSPECT_ROW                                                                               \
    "id, email, first_name, last_name, company, title, website, draft_subject, draft_body, "      \
    "draft_status, draft_error, " TS_JSON("drafted_at") ", " TS_JSON("created_at") ", "           \
    TS_JSON("updated_at")
/* The last column of a page: the total its filter matches, from migration 4's counters. */
#define PROSPECT_TOTAL_ALL                                                                         \
    "(SELECT n_none + n_drafted + n_approved + n_rejected + n_failed FROM prospect_counts "       \
    "WHERE id = 1)"
#define PROSPECT_TOTAL_STATUS                                                                      \
    "(SELECT CASE $1 WHEN 'none' THEN n_none WHEN 'drafted' THEN n_drafted "                      \
    "WHEN 'approved' THEN n_approved WHEN 'rejected' THEN n_rejected WHEN 'failed' THEN n_failed " \
    "END FROM prospect_counts WHERE id = 1)"
/*
 * LIMIT and OFFSET of a page, each behind a one-row subquery: a bare $n there makes
 * PostgreSQL plan every execution afresh (a custom plan knows the limit; the generic one
 * guesses 10% of the table and looks dearer), measured at a quarter of the server's time
 * per page. The plan is the same either way: the first rows of the primary key's index.
 */
#define PAGE_OF(limit, offset) "LIMIT (SELECT " limit "::bigint) OFFSET (SELECT " offset "::bigint)"
/* lower() on both sides is ILIKE's match at two thirds of its cost (measured); the
 * pattern is lowered once, in an init plan. */
#define PROSPECT_SEARCH_WHERE                                                                      \
    "WHERE ($1::text IS NULL OR draft_status = $1) AND "                                           \
    "(lower(email) LIKE (SELECT lower($2::text)) ESCAPE '\\' "                                    \
    "OR lower(company) LIKE (SELECT lower($2::text)) ESCAPE '\\' "                                \
    "OR lower(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) "                  \
    "LIKE (SELECT lower($2::text)) ESCAPE '\\')"
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
    /* $1 'index' or 'trigger', $2 its name, $3 its table (user triggers only). */
    [STMT_SCHEMA_OBJECT] =
        "SELECT count(*) FROM (SELECT 'index' AS kind, ci.relname AS name, ct.relname AS tbl "
        "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid "
        "JOIN pg_catalog.pg_class ct ON ct.oid = i.indrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = ct.relnamespace "
        "WHERE n.nspname = current_schema() "
        "UNION ALL SELECT 'trigger', t.tgname, c.relname FROM pg_catalog.pg_trigger t "
        "JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND NOT t.tgisinternal) o "
        "WHERE o.kind = $1 AND o.name = $2 AND o.tbl = $3",

    /* --- per-status counts (migration 4's triggers keep them) --- */
    [STMT_PROSPECT_COUNTS_GET] = "SELECT n_none, n_drafted, n_approved, n_rejected, n_failed "
                                 "FROM prospect_counts WHERE id = 1",

    /* --- prospects (core/prospects.c) --- */
    [STMT_PROSPECT_INSERT] = "INSERT INTO prospects (email, first_name, last_name, company, "
                             "title, website) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    [STMT_PROSPECT_GET] = "SELECT " PROSPECT_COLS " FROM prospects WHERE id = $1",
    [STMT_PROSPECT_LIST] = "SELECT " PROSPECT_COLS " FROM prospects ORDER BY id LIMIT $1 OFFSET $2",
    [STMT_PROSPECT_COUNT] = "SELECT count(*) FROM prospects",
    /* The statements of core/prospects.c return PROSPECT_ROW: timestamps as to_json text
     * ("2026-01-02T03:04:05.678901", whatever the DateStyle), which costs a third of what
     * to_char does on a page of rows; the service turns them into RFC 3339. */
    [STMT_PROSPECT_PAGE] = "SELECT " PROSPECT_ROW ", " PROSPECT_TOTAL_ALL
                           " FROM prospects ORDER BY id " PAGE_OF("$1", "$2"),
    [STMT_PROSPECT_READ] = "SELECT " PROSPECT_ROW " FROM prospects WHERE id = $1",
    /* Uses prospects_draft_status_idx (draft_status, id). */
    [STMT_PROSPECT_LIST_STATUS] = "SELECT " PROSPECT_ROW ", " PROSPECT_TOTAL_STATUS
                                  " FROM prospects WHERE draft_status = $1 ORDER BY id "
                                  PAGE_OF("$2", "$3"),
    /* $1 a status or NULL, $2 an ILIKE pattern (escaped by '\').
     * A substring of first_name or last_name is one of the full name "first last". */
    /* One pass over the table: the matching ids are counted (a window over the ids
     * only) while the page's are picked, then only the page's rows are read. */
    [STMT_PROSPECT_LIST_SEARCH] = "SELECT " PROSPECT_ROW ", page.total FROM (SELECT id, "
                                  "count(*) OVER () AS total FROM prospects "
                                  PROSPECT_SEARCH_WHERE " ORDER BY id " PAGE_OF("$3", "$4")
                                  ") page JOIN prospects USING (id) ORDER BY id",
    [STMT_PROSPECT_COUNT_SEARCH] = "SELECT count(*) FROM prospects " PROSPECT_SEARCH_WHERE,
    /* The unique index on lower(email) decides duplicates: no row back means one (a
     * concurrent insert of the same email is waited for, not an error). */
    [STMT_PROSPECT_CREATE] = "INSERT INTO prospects (email, first_name, last_name, company, title, "
                             "website) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING "
                             "RETURNING " PROSPECT_ROW,
    /* $1: a JSON array of {"i", "email", "first_name", ...} objects, inserted in i order. */
    [STMT_PROSPECT_CREATE_MANY] =
        "INSERT INTO prospects (email, first_name, last_name, company, title, website) "
        "SELECT v.email, v.first_name, v.last_name, v.company, v.title, v.website "
        "FROM json_to_recordset($1::json) AS v(i integer, email text, first_name text, "
        "last_name text, company text, title text, website text) ORDER BY v.i "
        "ON CONFLICT DO NOTHING RETURNING " PROSPECT_ROW,
    [STMT_PROSPECT_ID_BY_EMAIL] = "SELECT id FROM prospects WHERE lower(email) = lower($1) "
                                  "AND id <> $2",
    [STMT_PROSPECT_GET_FOR_UPDATE] = "SELECT " PROSPECT_ROW " FROM prospects WHERE id = $1 "
                                     "FOR UPDATE",
    /* $12: drafted_at 0 kept, 1 now, 2 cleared. */
    [STMT_PROSPECT_UPDATE] =
        "UPDATE prospects SET email = $2, first_name = $3, last_name = $4, company = $5, "
        "title = $6, website = $7, draft_subject = $8, draft_body = $9, draft_status = $10, "
        "draft_error = $11, drafted_at = CASE $12::integer WHEN 1 THEN now() WHEN 2 THEN NULL "
        "ELSE drafted_at END, updated_at = now() WHERE id = $1 RETURNING " PROSPECT_ROW,
    [STMT_PROSPECT_ACTIVE_JOB] = "SELECT t.job_id FROM job_targets t "
                                 "JOIN jobs j ON j.id = t.job_id "
                                 "WHERE t.prospect_id = $1 AND t.state = 'pending' "
                                 "AND j.status IN ('pending', 'running') ORDER BY t.job_id LIMIT 1",
    [STMT_PROSPECT_DELETE] = "DELETE FROM prospects WHERE id = $1 RETURNING id",

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
/* $3 is the lease's length as an interval ("+10 seconds"). started_at and finished_at
 * are the statement's time, not the transaction's: a job starts once its targets are
 * chosen and finishes after its last batch is written, as on SQLite. */
#define JOB_LEASE_UNTIL "now() + $3::interval"
/* A job a worker may take: pending, or running with its lease released, expired or its own. */
#define JOB_CLAIMABLE_WHERE                                                                        \
    "job_type = $1 AND status IN ('pending', 'running') AND (status = 'pending' OR "              \
    "lease_owner IS NULL OR lease_owner = $2 OR lease_expires_at < now())"
/* Prospect p was approved or rejected after job j was asked for. */
#define JOB_DECIDED(p, j)                                                                          \
    "(" p ".draft_status IN ('approved', 'rejected') AND " p ".updated_at > " j ".created_at)"
    /* Run once on a drafting connection: names it in pg_stat_activity. */
    [STMT_JOB_CONN_SETUP] = "SELECT set_config('application_name', 'draftd-worker', false)",
    /* and memory for a batch's transition tables (the prospect_counts trigger of
     * migration 4), which would otherwise spill to temporary files */
    [STMT_JOB_CONN_MEMORY] = "SELECT set_config('work_mem', '64MB', false)",
    [STMT_JOB_INSERT] = "INSERT INTO jobs (job_type, status, drafts_created, drafts_failed, "
                        "total_targets, redraft) VALUES ($1, 'pending', 0, 0, NULL, $2) "
                        "RETURNING id",
    [STMT_JOB_ACTIVE] = "SELECT id FROM jobs WHERE job_type = $1 AND status IN ('pending', "
                        "'running') ORDER BY id LIMIT 1",
    /* $1 a JSON array of ids: those naming no prospect (at most $2), and how many there are */
    [STMT_JOB_MISSING] = "SELECT v.id, count(*) OVER () FROM (SELECT DISTINCT value::bigint AS id "
                         "FROM json_array_elements_text($1::json)) AS v WHERE NOT EXISTS "
                         "(SELECT 1 FROM prospects p WHERE p.id = v.id) ORDER BY v.id LIMIT $2",
    [STMT_JOB_TARGETS_ADD] = "INSERT INTO job_targets (job_id, prospect_id) SELECT $1::bigint, id "
                             "FROM prospects WHERE id IN (SELECT value::bigint "
                             "FROM json_array_elements_text($2::json))",
    [STMT_JOB_SET_TOTAL] = "UPDATE jobs SET total_targets = (SELECT count(*) FROM job_targets "
                           "WHERE job_id = $1) WHERE id = $1",
    [STMT_JOB_GET] = "SELECT " JOB_COLS " FROM jobs WHERE id = $1",
    [STMT_JOB_LIST] = "SELECT " JOB_COLS " FROM jobs WHERE ($1::text IS NULL OR status = $1) "
                      "AND ($2::text IS NULL OR job_type = $2) ORDER BY id DESC LIMIT $3 OFFSET $4",
    [STMT_JOB_COUNT] = "SELECT count(*) FROM jobs WHERE ($1::text IS NULL OR status = $1) "
                       "AND ($2::text IS NULL OR job_type = $2)",
    /* A job nobody works on (pending, or running without a live lease: its process died
     * or handed it back) is cancelled at once; a running one is asked to stop. */
#define JOB_IDLE "(status = 'pending' OR lease_owner IS NULL OR lease_expires_at < now())"
    [STMT_JOB_CANCEL] = "UPDATE jobs SET cancel_requested = true, "
                        "finished_at = CASE WHEN " JOB_IDLE " THEN now() ELSE finished_at END, "
                        "lease_owner = CASE WHEN " JOB_IDLE " THEN NULL ELSE lease_owner END, "
                        "status = CASE WHEN " JOB_IDLE " THEN 'cancelled' ELSE status END "
                        "WHERE id = $1 AND status IN ('pending', 'running') RETURNING " JOB_COLS,
    [STMT_JOB_TARGETS_SKIP] = "UPDATE job_targets SET state = 'skipped', finished_at = now() "
                              "WHERE job_id = $1 AND state = 'pending'",
    [STMT_JOB_CLAIMABLE] = "SELECT id FROM jobs WHERE " JOB_CLAIMABLE_WHERE " ORDER BY id LIMIT 1",
    /* SKIP LOCKED: a job another instance is claiming right now is not waited for */
    [STMT_JOB_CLAIM_PICK] = "SELECT id, status, redraft, total_targets IS NULL FROM jobs "
                            "WHERE " JOB_CLAIMABLE_WHERE " ORDER BY id LIMIT 1 "
                            "FOR UPDATE SKIP LOCKED",
    /* approved and rejected are a person's decisions: a bulk job never redrafts them */
    [STMT_JOB_TARGETS_SNAPSHOT] = "INSERT INTO job_targets (job_id, prospect_id) "
                                  "SELECT $1::bigint, id FROM prospects "
                                  "WHERE draft_status IN ('none', 'failed') "
                                  "OR ($2::int <> 0 AND draft_status = 'drafted')",
    [STMT_JOB_TAKE] = "UPDATE jobs SET total_targets = CASE status WHEN 'pending' THEN "
                      "(SELECT count(*) FROM job_targets WHERE job_id = $1) "
                      "ELSE total_targets END, status = 'running', "
                      "started_at = coalesce(started_at, statement_timestamp()), "
                      "lease_owner = $2, "
                      "lease_expires_at = " JOB_LEASE_UNTIL " WHERE id = $1 "
                      "RETURNING total_targets, drafts_created, drafts_failed, "
                      "cancel_requested, redraft",
    /* decided: approved or rejected since the job was asked for; a person's decision
     * outranks the job, which skips the prospect */
    [STMT_JOB_BATCH_READ] = "SELECT p.id, p.email, p.first_name, p.last_name, p.company, "
                            "p.title, p.website, p.draft_status, " JOB_DECIDED("p", "j")
                            " FROM job_targets t JOIN prospects p ON p.id = t.prospect_id "
                            "JOIN jobs j ON j.id = t.job_id WHERE t.job_id = $1 "
                            "AND t.state = 'pending' AND t.prospect_id > $2 "
                            "ORDER BY t.prospect_id LIMIT $3",
    /* the first statement of every batch: no row means the lease is lost; the row lock
     * orders this batch against an instance taking the job over */
    [STMT_JOB_LEASE] = "UPDATE jobs SET lease_expires_at = " JOB_LEASE_UNTIL ", "
                       "drafts_created = drafts_created + $4::int, "
                       "drafts_failed = drafts_failed + $5::int WHERE id = $1 "
                       "AND lease_owner = $2 AND status = 'running' RETURNING cancel_requested",
    /* A batch is every pending target from $2 to $3: counted, then marked; the job's row
     * is locked by this transaction, so nothing else marks them in between. */
    [STMT_JOB_TARGETS_PENDING] = "SELECT count(*) FROM job_targets WHERE job_id = $1 "
                                 "AND state = 'pending' AND prospect_id BETWEEN $2 AND $3",
    [STMT_JOB_TARGETS_DONE] = "UPDATE job_targets SET state = 'drafted', finished_at = now() "
                              "WHERE job_id = $1 AND prospect_id BETWEEN $2 AND $3 "
                              "AND state = 'pending'",
    /* then the failed and skipped among them: $2 [{"i":prospect id,"t":state,"e":why}] */
    [STMT_JOB_TARGETS_FIX] =
        "WITH u AS (UPDATE job_targets t SET state = v.t, error = v.e "
        "FROM json_to_recordset($2::json) AS v(i bigint, t text, e text) WHERE t.job_id = $1 "
        "AND t.prospect_id = v.i AND t.state = 'drafted' RETURNING 1) SELECT count(*) FROM u",
    /* $2 [{"i":id,"s":subject,"b":body} or {"i":id,"e":error}]; a failure keeps the old
     * draft. A prospect decided on since the batch was read (job $1) is not written; answers
     * how many were. */
    [STMT_JOB_PROSPECTS_WRITE] =
        "WITH u AS (UPDATE prospects p SET draft_subject = CASE WHEN v.e IS NULL THEN v.s "
        "ELSE p.draft_subject END, draft_body = CASE WHEN v.e IS NULL THEN v.b "
        "ELSE p.draft_body END, draft_status = CASE WHEN v.e IS NULL THEN 'drafted' "
        "ELSE 'failed' END, draft_error = v.e, drafted_at = CASE WHEN v.e IS NULL THEN now() "
        "ELSE p.drafted_at END, updated_at = now() "
        "FROM json_to_recordset($2::json) AS v(i bigint, s text, b text, e text), jobs j "
        "WHERE j.id = $1 AND p.id = v.i AND NOT " JOB_DECIDED("p", "j")
        " RETURNING 1) SELECT count(*) FROM u",
    /* The same, eight prospects at a time (used on SQLite; PostgreSQL writes a batch with
     * the statement above, which checks each row itself). */
    [STMT_JOB_BATCH_DECIDED] = "SELECT count(*) FROM job_targets t JOIN prospects p "
                               "ON p.id = t.prospect_id JOIN jobs j ON j.id = t.job_id "
                               "WHERE t.job_id = $1 AND t.prospect_id BETWEEN $2 AND $3 AND "
                               JOB_DECIDED("p", "j"),
#define JOB_ROW4(a, b, c, d) "($" #a "::bigint, $" #b "::text, $" #c "::text, $" #d "::text)"
#define JOB_ROW3(a, b, c) "($" #a "::bigint, $" #b "::text, $" #c "::text)"
    [STMT_JOB_PROSPECTS_WRITE_ROWS] =
        "UPDATE prospects p SET draft_subject = CASE WHEN v.e IS NULL THEN v.s "
        "ELSE p.draft_subject END, draft_body = CASE WHEN v.e IS NULL THEN v.b "
        "ELSE p.draft_body END, draft_status = CASE WHEN v.e IS NULL THEN 'drafted' "
        "ELSE 'failed' END, draft_error = v.e, drafted_at = CASE WHEN v.e IS NULL THEN now() "
        "ELSE p.drafted_at END, updated_at = now() FROM (VALUES " JOB_ROW4(1, 2, 3, 4) ", "
        JOB_ROW4(5, 6, 7, 8) ", " JOB_ROW4(9, 10, 11, 12) ", " JOB_ROW4(13, 14, 15, 16) ", "
        JOB_ROW4(17, 18, 19, 20) ", " JOB_ROW4(21, 22, 23, 24) ", " JOB_ROW4(25, 26, 27, 28) ", "
        JOB_ROW4(29, 30, 31, 32) ") AS v(i, s, b, e) WHERE p.id = v.i",
    [STMT_JOB_PROSPECTS_REDRAFT_ROWS] =
        "UPDATE prospects p SET draft_subject = v.s, draft_body = v.b, draft_error = NULL, "
        "drafted_at = now(), updated_at = now() FROM (VALUES " JOB_ROW3(1, 2, 3) ", "
        JOB_ROW3(4, 5, 6) ", " JOB_ROW3(7, 8, 9) ", " JOB_ROW3(10, 11, 12) ", "
        JOB_ROW3(13, 14, 15) ", " JOB_ROW3(16, 17, 18) ", " JOB_ROW3(19, 20, 21) ", "
        JOB_ROW3(22, 23, 24) ") AS v(i, s, b) WHERE p.id = v.i",
    [STMT_JOB_COMPLETE] = "UPDATE jobs SET status = 'completed', "
                          "finished_at = statement_timestamp(), "
                          "lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 "
                          "AND lease_owner = $2 AND status = 'running' AND NOT EXISTS "
                          "(SELECT 1 FROM job_targets WHERE job_id = $1 AND state = 'pending') "
                          "RETURNING id",
    [STMT_JOB_FINISH] = "UPDATE jobs SET status = $3, error = $4, "
                        "finished_at = statement_timestamp(), "
                        "lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 "
                        "AND lease_owner = $2 AND status = 'running' RETURNING id",
    /* handing a job back on shutdown: running, and free for the next claimer */
    [STMT_JOB_RELEASE] = "UPDATE jobs SET lease_owner = NULL, lease_expires_at = now() "
                         "WHERE id = $1 AND lease_owner = $2 AND status = 'running'",

    /* --- the drafting template (core/template.c) --- */
    [STMT_TEMPLATE_GET] = "SELECT subject, body, " TS("updated_at")
                          " FROM templates WHERE name = $1",
    [STMT_TEMPLATE_UPSERT] =
        "INSERT INTO templates (name, subject, body) VALUES ($1, $2, $3) "
        "ON CONFLICT (name) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body, "
        "updated_at = now() RETURNING " TS("updated_at"),
};
