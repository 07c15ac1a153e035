/*
 * sql_sqlite — the SQL of every named statement (stmt.h), SQLite dialect.
 * Parameters are ?N; timestamps are stored as RFC 3339 UTC text and read back as is.
 */
#include <stddef.h>

#include "stmt.h"

#define PROSPECT_COLS                                                                              \
    "id, email, first_name, last_name, company, title, website, draft_subject, draft_body, "      \
    "draft_status, draft_error, drafted_at, created_at, updated_at"
/* The last column of a page: the total its filter matches, from migration 4's counters. */
#define PROSPECT_TOTAL_ALL                                                                         \
    "(SELECT n_none + n_drafted + n_approved + n_rejected + n_failed FROM prospect_counts "       \
    "WHERE id = 1)"
#define PROSPECT_TOTAL_STATUS                                                                      \
    "(SELECT CASE ?1 WHEN 'none' THEN n_none WHEN 'drafted' THEN n_drafted "                      \
    "WHEN 'approved' THEN n_approved WHEN 'rejected' THEN n_rejected WHEN 'failed' THEN n_failed " \
    "END FROM prospect_counts WHERE id = 1)"
#define PROSPECT_SEARCH_WHERE                                                                      \
    "WHERE (?1 IS NULL OR draft_status = ?1) AND (email LIKE ?2 ESCAPE '\\' "                      \
    "OR company LIKE ?2 ESCAPE '\\' "                                                              \
    "OR trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) LIKE ?2 ESCAPE '\\')"
#define SQLITE_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
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
    /* ?1 'index' or 'trigger', ?2 its name, ?3 its table. */
    [STMT_SCHEMA_OBJECT] = "SELECT count(*) FROM sqlite_master WHERE type = ?1 AND name = ?2 "
                           "AND tbl_name = ?3",

    /* --- per-status counts (migration 4's triggers keep them) --- */
    [STMT_PROSPECT_COUNTS_GET] = "SELECT n_none, n_drafted, n_approved, n_rejected, n_failed "
                                 "FROM prospect_counts WHERE id = 1",

    /* --- prospects (core/prospects.c) --- */
    [STMT_PROSPECT_INSERT] = "INSERT INTO prospects (email, first_name, last_name, company, "
                             "title, website) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
    [STMT_PROSPECT_GET] = "SELECT " PROSPECT_COLS " FROM prospects WHERE id = ?1",
    [STMT_PROSPECT_LIST] = "SELECT " PROSPECT_COLS " FROM prospects ORDER BY id LIMIT ?1 OFFSET ?2",
    [STMT_PROSPECT_COUNT] = "SELECT count(*) FROM prospects",
    [STMT_PROSPECT_PAGE] = "SELECT " PROSPECT_COLS ", " PROSPECT_TOTAL_ALL
                           " FROM prospects ORDER BY id LIMIT ?1 OFFSET ?2",
    [STMT_PROSPECT_READ] = "SELECT " PROSPECT_COLS " FROM prospects WHERE id = ?1",
    /* Uses prospects_draft_status_idx (draft_status, id). */
    [STMT_PROSPECT_LIST_STATUS] = "SELECT " PROSPECT_COLS ", " PROSPECT_TOTAL_STATUS
                                  " FROM prospects WHERE draft_status = ?1 ORDER BY id LIMIT ?2 OFFSET ?3",
    /* ?1 a status or NULL, ?2 a LIKE pattern (escaped by '\'; LIKE ignores ASCII case).
     * A substring of first_name or last_name is one of the full name "first last". */
    /* One pass over the table: the matching ids are counted (a window over the ids
     * only) while the page's are picked, then only the page's rows are read. */
    [STMT_PROSPECT_LIST_SEARCH] = "SELECT " PROSPECT_COLS ", page.total FROM (SELECT id, "
                                  "count(*) OVER () AS total FROM prospects "
                                  PROSPECT_SEARCH_WHERE " ORDER BY id LIMIT ?3 OFFSET ?4) page "
                                  "JOIN prospects USING (id) ORDER BY id",
    [STMT_PROSPECT_COUNT_SEARCH] = "SELECT count(*) FROM prospects " PROSPECT_SEARCH_WHERE,
    /* The unique index on lower(email) decides duplicates: no row back means one. */
    [STMT_PROSPECT_CREATE] = "INSERT INTO prospects (email, first_name, last_name, company, title, "
                             "website) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING "
                             "RETURNING " PROSPECT_COLS,
    /* ?1: a JSON array of {"i", "email", "first_name", ...} objects, inserted in i order. */
    [STMT_PROSPECT_CREATE_MANY] =
        "INSERT INTO prospects (email, first_name, last_name, company, title, website) "
        "SELECT value->>'$.email', value->>'$.first_name', value->>'$.last_name', "
        "value->>'$.company', value->>'$.title', value->>'$.website' FROM json_each(?1) "
        "WHERE true ORDER BY value->>'$.i' ON CONFLICT DO NOTHING RETURNING " PROSPECT_COLS,
    [STMT_PROSPECT_ID_BY_EMAIL] = "SELECT id FROM prospects WHERE lower(email) = lower(?1) "
                                  "AND id <> ?2",
    /* BEGIN IMMEDIATE already holds the write lock. */
    [STMT_PROSPECT_GET_FOR_UPDATE] = "SELECT " PROSPECT_COLS " FROM prospects WHERE id = ?1",
    /* ?12: drafted_at 0 kept, 1 now, 2 cleared. */
    [STMT_PROSPECT_UPDATE] =
        "UPDATE prospects SET email = ?2, first_name = ?3, last_name = ?4, company = ?5, "
        "title = ?6, website = ?7, draft_subject = ?8, draft_body = ?9, draft_status = ?10, "
        "draft_error = ?11, drafted_at = CASE ?12 WHEN 1 THEN " SQLITE_NOW " WHEN 2 THEN NULL "
        "ELSE drafted_at END, updated_at = " SQLITE_NOW " WHERE id = ?1 RETURNING " PROSPECT_COLS,
    [STMT_PROSPECT_ACTIVE_JOB] = "SELECT t.job_id FROM job_targets t "
                                 "JOIN jobs j ON j.id = t.job_id "
                                 "WHERE t.prospect_id = ?1 AND t.state = 'pending' "
                                 "AND j.status IN ('pending', 'running') ORDER BY t.job_id LIMIT 1",
    [STMT_PROSPECT_DELETE] = "DELETE FROM prospects WHERE id = ?1 RETURNING id",

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
#define JOB_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
/* ?3 is the lease's length as a modifier ("+10 seconds"). */
#define JOB_LEASE_UNTIL "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?3)"
/* A job a worker may take: pending, or running with its lease released, expired or its own. */
#define JOB_CLAIMABLE_WHERE                                                                        \
    "job_type = ?1 AND status IN ('pending', 'running') AND (status = 'pending' OR "              \
    "lease_owner IS NULL OR lease_owner = ?2 OR lease_expires_at < " JOB_NOW ")"
/* Prospect p was approved or rejected after job j was asked for. */
#define JOB_DECIDED(p, j)                                                                          \
    "(" p ".draft_status IN ('approved', 'rejected') AND " p ".updated_at > " j ".created_at)"
    /* Run once on a drafting connection: a batch's statements each keep a statement
     * journal (the prospect_counts trigger), which would otherwise spill to temp files. */
    [STMT_JOB_CONN_SETUP] = "PRAGMA temp_store = MEMORY",
    /* and room for a whole batch's pages (16 MiB, taken only as a job uses it), so a
     * batch does not spill to the WAL and read pages back before it commits */
    [STMT_JOB_CONN_MEMORY] = "PRAGMA cache_size = -16384",
    [STMT_JOB_INSERT] = "INSERT INTO jobs (job_type, status, drafts_created, drafts_failed, "
                        "total_targets, redraft) VALUES (?1, 'pending', 0, 0, NULL, ?2) "
                        "RETURNING id",
    [STMT_JOB_ACTIVE] = "SELECT id FROM jobs WHERE job_type = ?1 AND status IN ('pending', "
                        "'running') ORDER BY id LIMIT 1",
    /* ?1 a JSON array of ids: those naming no prospect (at most ?2), and how many there are */
    [STMT_JOB_MISSING] = "SELECT v.id, count(*) OVER () FROM (SELECT DISTINCT value AS id "
                         "FROM json_each(?1)) AS v WHERE NOT EXISTS (SELECT 1 FROM prospects p "
                         "WHERE p.id = v.id) ORDER BY v.id LIMIT ?2",
    [STMT_JOB_TARGETS_ADD] = "INSERT INTO job_targets (job_id, prospect_id) SELECT ?1, id "
                             "FROM prospects WHERE id IN (SELECT value FROM json_each(?2))",
    [STMT_JOB_SET_TOTAL] = "UPDATE jobs SET total_targets = (SELECT count(*) FROM job_targets "
                           "WHERE job_id = ?1) WHERE id = ?1",
    [STMT_JOB_GET] = "SELECT " JOB_COLS " FROM jobs WHERE id = ?1",
    [STMT_JOB_LIST] = "SELECT " JOB_COLS " FROM jobs WHERE (?1 IS NULL OR status = ?1) "
                      "AND (?2 IS NULL OR job_type = ?2) ORDER BY id DESC LIMIT ?3 OFFSET ?4",
    [STMT_JOB_COUNT] = "SELECT count(*) FROM jobs WHERE (?1 IS NULL OR status = ?1) "
                       "AND (?2 IS NULL OR job_type = ?2)",
    /* A job nobody works on (pending, or running without a live lease: its process died
     * or handed it back) is cancelled at once; a running one is asked to stop. */
#define JOB_IDLE "(status = 'pending' OR lease_owner IS NULL OR lease_expires_at < " JOB_NOW ")"
    [STMT_JOB_CANCEL] = "UPDATE jobs SET cancel_requested = 1, "
                        "finished_at = CASE WHEN " JOB_IDLE " THEN " JOB_NOW
                        " ELSE finished_at END, "
                        "lease_owner = CASE WHEN " JOB_IDLE " THEN NULL ELSE lease_owner END, "
                        "status = CASE WHEN " JOB_IDLE " THEN 'cancelled' ELSE status END "
                        "WHERE id = ?1 AND status IN ('pending', 'running') RETURNING " JOB_COLS,
    [STMT_JOB_TARGETS_SKIP] = "UPDATE job_targets SET state = 'skipped', finished_at = " JOB_NOW
                              " WHERE job_id = ?1 AND state = 'pending'",
    [STMT_JOB_CLAIMABLE] = "SELECT id FROM jobs WHERE " JOB_CLAIMABLE_WHERE " ORDER BY id LIMIT 1",
    /* BEGIN IMMEDIATE already serialises claimers */
    [STMT_JOB_CLAIM_PICK] = "SELECT id, status, redraft, total_targets IS NULL FROM jobs "
                            "WHERE " JOB_CLAIMABLE_WHERE " ORDER BY id LIMIT 1",
    /* approved and rejected are a person's decisions: a bulk job never redrafts them */
    [STMT_JOB_TARGETS_SNAPSHOT] = "INSERT INTO job_targets (job_id, prospect_id) SELECT ?1, id "
                                  "FROM prospects WHERE draft_status IN ('none', 'failed') "
                                  "OR (?2 <> 0 AND draft_status = 'drafted')",
    [STMT_JOB_TAKE] = "UPDATE jobs SET total_targets = CASE status WHEN 'pending' THEN "
                      "(SELECT count(*) FROM job_targets WHERE job_id = ?1) "
                      "ELSE total_targets END, status = 'running', "
                      "started_at = coalesce(started_at, " JOB_NOW "), lease_owner = ?2, "
                      "lease_expires_at = " JOB_LEASE_UNTIL " WHERE id = ?1 "
                      "RETURNING total_targets, drafts_created, drafts_failed, "
                      "cancel_requested, redraft",
    /* decided: approved or rejected since the job was asked for; a person's decision
     * outranks the job, which skips the prospect */
    [STMT_JOB_BATCH_READ] = "SELECT p.id, p.email, p.first_name, p.last_name, p.company, "
                            "p.title, p.website, p.draft_status, " JOB_DECIDED("p", "j")
                            " FROM job_targets t JOIN prospects p ON p.id = t.prospect_id "
                            "JOIN jobs j ON j.id = t.job_id WHERE t.job_id = ?1 "
                            "AND t.state = 'pending' AND t.prospect_id > ?2 "
                            "ORDER BY t.prospect_id LIMIT ?3",
    /* the first statement of every batch: no row means the lease is lost */
    [STMT_JOB_LEASE] = "UPDATE jobs SET lease_expires_at = " JOB_LEASE_UNTIL ", "
                       "drafts_created = drafts_created + ?4, "
                       "drafts_failed = drafts_failed + ?5 WHERE id = ?1 AND lease_owner = ?2 "
                       "AND status = 'running' RETURNING cancel_requested",
    /* A batch is every pending target from ?2 to ?3: counted (from the index), then marked
     * in one pass over that range; the job's row is locked, so nothing else marks them. */
    [STMT_JOB_TARGETS_PENDING] = "SELECT count(*) FROM job_targets WHERE job_id = ?1 "
                                 "AND state = 'pending' AND prospect_id BETWEEN ?2 AND ?3",
    [STMT_JOB_TARGETS_DONE] = "UPDATE job_targets SET state = 'drafted', finished_at = " JOB_NOW
                              " WHERE job_id = ?1 AND prospect_id BETWEEN ?2 AND ?3 "
                              "AND state = 'pending'",
    /* then the failed and skipped among them: ?2 [{"i":prospect id,"t":state,"e":why}].
     * MATERIALIZED makes the planner walk the list and look each target up, not the other
     * way round. */
    [STMT_JOB_TARGETS_FIX] =
        "WITH v(i, t, e) AS MATERIALIZED (SELECT value->>'i', value->>'t', value->>'e' "
        "FROM json_each(?2)) UPDATE job_targets SET state = v.t, error = v.e FROM v "
        "WHERE job_targets.job_id = ?1 AND job_targets.prospect_id = v.i "
        "AND job_targets.state = 'drafted' RETURNING 1",
    /* ?2 [{"i":id,"s":subject,"b":body} or {"i":id,"e":error}]; a failure keeps the old
     * draft. A prospect decided on since the batch was read (job ?1) is not written: one row
     * back per prospect written, and the caller rolls back when one is missing. */
    [STMT_JOB_PROSPECTS_WRITE] =
        "WITH v(i, s, b, e) AS MATERIALIZED (SELECT value->>'i', value->>'s', value->>'b', "
        "value->>'e' FROM json_each(?2)) "
        "UPDATE prospects SET draft_subject = CASE WHEN v.e IS NULL THEN v.s "
        "ELSE draft_subject END, draft_body = CASE WHEN v.e IS NULL THEN v.b ELSE draft_body END, "
        "draft_status = CASE WHEN v.e IS NULL THEN 'drafted' ELSE 'failed' END, "
        "draft_error = v.e, drafted_at = CASE WHEN v.e IS NULL THEN " JOB_NOW
        " ELSE drafted_at END, updated_at = " JOB_NOW " FROM v, jobs j WHERE j.id = ?1 "
        "AND prospects.id = v.i AND NOT " JOB_DECIDED("prospects", "j") " RETURNING 1",
    /* The same, a few prospects at a time: cheaper than JSON when the database is
     * in-process. The write lock of BEGIN IMMEDIATE is held, so one check first that nobody
     * decided on a prospect of the batch (?2..?3) since it was read stands for every row. */
    [STMT_JOB_BATCH_DECIDED] = "SELECT count(*) FROM job_targets t JOIN prospects p "
                               "ON p.id = t.prospect_id JOIN jobs j ON j.id = t.job_id "
                               "WHERE t.job_id = ?1 AND t.prospect_id BETWEEN ?2 AND ?3 AND "
                               JOB_DECIDED("p", "j"),
    /* eight prospects per statement, as rows of bound values (an id of NULL is no row):
     * one statement journal for eight rows instead of one each, with no JSON to parse */
#define JOB_ROW4(a, b, c, d) " UNION ALL SELECT ?" #a ", ?" #b ", ?" #c ", ?" #d
#define JOB_ROW3(a, b, c) " UNION ALL SELECT ?" #a ", ?" #b ", ?" #c
    [STMT_JOB_PROSPECTS_WRITE_ROWS] =
        "UPDATE prospects SET draft_subject = CASE WHEN v.e IS NULL THEN v.s "
        "ELSE draft_subject END, draft_body = CASE WHEN v.e IS NULL THEN v.b ELSE draft_body END, "
        "draft_status = CASE WHEN v.e IS NULL THEN 'drafted' ELSE 'failed' END, "
        "draft_error = v.e, drafted_at = CASE WHEN v.e IS NULL THEN " JOB_NOW
        " ELSE drafted_at END, updated_at = " JOB_NOW " FROM (SELECT NULL AS i, NULL AS s, "
        "NULL AS b, NULL AS e WHERE 0" JOB_ROW4(1, 2, 3, 4) JOB_ROW4(5, 6, 7, 8)
        JOB_ROW4(9, 10, 11, 12) JOB_ROW4(13, 14, 15, 16) JOB_ROW4(17, 18, 19, 20)
        JOB_ROW4(21, 22, 23, 24) JOB_ROW4(25, 26, 27, 28) JOB_ROW4(29, 30, 31, 32)
        ") AS v WHERE prospects.id = v.i",
    /* prospects drafted again: the status does not change, so it is left out of the
     * update (no index entry moved, no prospect_counts trigger) */
    [STMT_JOB_PROSPECTS_REDRAFT_ROWS] =
        "UPDATE prospects SET draft_subject = v.s, draft_body = v.b, draft_error = NULL, "
        "drafted_at = " JOB_NOW ", updated_at = " JOB_NOW " FROM (SELECT NULL AS i, NULL AS s, "
        "NULL AS b WHERE 0" JOB_ROW3(1, 2, 3) JOB_ROW3(4, 5, 6) JOB_ROW3(7, 8, 9)
        JOB_ROW3(10, 11, 12) JOB_ROW3(13, 14, 15) JOB_ROW3(16, 17, 18) JOB_ROW3(19, 20, 21)
        JOB_ROW3(22, 23, 24) ") AS v WHERE prospects.id = v.i",
    [STMT_JOB_COMPLETE] = "UPDATE jobs SET status = 'completed', finished_at = " JOB_NOW ", "
                          "lease_owner = NULL, lease_expires_at = NULL WHERE id = ?1 "
                          "AND lease_owner = ?2 AND status = 'running' AND NOT EXISTS "
                          "(SELECT 1 FROM job_targets WHERE job_id = ?1 AND state = 'pending') "
                          "RETURNING id",
    [STMT_JOB_FINISH] = "UPDATE jobs SET status = ?3, error = ?4, finished_at = " JOB_NOW ", "
                        "lease_owner = NULL, lease_expires_at = NULL WHERE id = ?1 "
                        "AND lease_owner = ?2 AND status = 'running' RETURNING id",
    /* handing a job back on shutdown: running, and free for the next claimer */
    [STMT_JOB_RELEASE] = "UPDATE jobs SET lease_owner = NULL, lease_expires_at = " JOB_NOW
                         " WHERE id = ?1 AND lease_owner = ?2 AND status = 'running'",

    /* --- the drafting template (core/template.c) --- */
    [STMT_TEMPLATE_GET] = "SELECT subject, body, updated_at FROM templates WHERE name = ?1",
    [STMT_TEMPLATE_UPSERT] =
        "INSERT INTO templates (name, subject, body) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (name) DO UPDATE SET subject = excluded.subject, body = excluded.body, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') RETURNING updated_at",
};
