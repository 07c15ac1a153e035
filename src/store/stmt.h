/*
 * stmt — the names of every SQL statement draftd runs.
 *
 * One X-macro list gives each statement an enum value and a name; each dialect
 * (sql_sqlite.c, sql_pg.c) fills in its SQL, indexed by that enum. Because the
 * statements are a table, the schema guard can prepare every one of them against the
 * live database with a loop. Migration files are the only other SQL in the program.
 */
#ifndef DRAFTD_STMT_H
#define DRAFTD_STMT_H

#define STMT_LIST(X)                                                                               \
    X(CONN_WAL, "connection_journal_wal")                                                          \
    X(CONN_FOREIGN_KEYS, "connection_foreign_keys")                                                \
    X(CONN_SYNCHRONOUS, "connection_synchronous")                                                  \
    X(TX_BEGIN, "transaction_begin")                                                               \
    X(TX_COMMIT, "transaction_commit")                                                             \
    X(TX_ROLLBACK, "transaction_rollback")                                                         \
    X(HEALTH_PING, "health_ping")                                                                  \
    X(MIG_TABLE_EXISTS, "migrations_table_exists")                                                 \
    X(MIG_ENSURE_TABLE, "migrations_ensure_table")                                                 \
    X(MIG_LIST, "migrations_list")                                                                 \
    X(MIG_APPLIED, "migrations_applied")                                                           \
    X(MIG_INSERT, "migrations_insert")                                                             \
    X(MIG_DELETE, "migrations_delete")                                                             \
    X(MIG_LOCK, "migrations_lock")                                                                 \
    X(MIG_UNLOCK, "migrations_unlock")                                                             \
    X(SCHEMA_COLUMNS, "schema_columns")                                                            \
    X(SCHEMA_OBJECT, "schema_object")                                                              \
    STMT_LIST_PROSPECTS(X)                                                                         \
    STMT_LIST_CSV(X)                                                                               \
    STMT_LIST_JOBS(X)                                                                              \
    STMT_LIST_TEMPLATES(X)                                                                         \
    STMT_LIST_COUNTS(X)

/* The per-status prospect counts kept by migration 4's triggers. */
#define STMT_LIST_COUNTS(X) X(PROSPECT_COUNTS_GET, "prospect_counts_get")

/* Prospects (core/prospects.c). */
#define STMT_LIST_PROSPECTS(X)                                                                     \
    X(PROSPECT_INSERT, "prospect_insert")                                                          \
    X(PROSPECT_GET, "prospect_get")                                                                \
    X(PROSPECT_LIST, "prospect_list")                                                              \
    X(PROSPECT_COUNT, "prospect_count")                                                            \
    X(PROSPECT_PAGE, "prospect_page")                                                              \
    X(PROSPECT_READ, "prospect_read")                                                              \
    X(PROSPECT_LIST_STATUS, "prospect_list_status")                                                \
    X(PROSPECT_LIST_SEARCH, "prospect_list_search")                                                \
    X(PROSPECT_COUNT_SEARCH, "prospect_count_search")                                              \
    X(PROSPECT_CREATE, "prospect_create")                                                          \
    X(PROSPECT_CREATE_MANY, "prospect_create_many")                                                \
    X(PROSPECT_ID_BY_EMAIL, "prospect_id_by_email")                                                \
    X(PROSPECT_GET_FOR_UPDATE, "prospect_get_for_update")                                          \
    X(PROSPECT_UPDATE, "prospect_update")                                                          \
    X(PROSPECT_ACTIVE_JOB, "prospect_active_job")                                                  \
    X(PROSPECT_DELETE, "prospect_delete")

/* CSV import and export (core/csv_import.c, core/csv_export.c). */
#define STMT_LIST_CSV(X)                                                                           \
    X(CSV_INSERT_BATCH, "csv_insert_batch")                                                        \
    X(CSV_EXPORT_PAGE, "csv_export_page")

/* Draft jobs and the runner (core/jobs.c, core/runner.c). */
#define STMT_LIST_JOBS(X)                                                                          \
    X(JOB_CONN_SETUP, "job_connection_setup")                                                      \
    X(JOB_CONN_MEMORY, "job_connection_memory")                                                    \
    X(JOB_INSERT, "job_insert")                                                                    \
    X(JOB_ACTIVE, "job_active")                                                                    \
    X(JOB_MISSING, "job_missing_prospects")                                                        \
    X(JOB_TARGETS_ADD, "job_targets_add")                                                          \
    X(JOB_SET_TOTAL, "job_set_total")                                                              \
    X(JOB_GET, "job_get")                                                                          \
    X(JOB_LIST, "job_list")                                                                        \
    X(JOB_COUNT, "job_count")                                                                      \
    X(JOB_CANCEL, "job_cancel")                                                                    \
    X(JOB_TARGETS_SKIP, "job_targets_skip")                                                        \
    X(JOB_CLAIMABLE, "job_claimable")                                                              \
    X(JOB_CLAIM_PICK, "job_claim_pick")                                                            \
    X(JOB_TARGETS_SNAPSHOT, "job_targets_snapshot")                                                \
    X(JOB_TAKE, "job_take")                                                                        \
    X(JOB_BATCH_READ, "job_batch_read")                                                            \
    X(JOB_LEASE, "job_lease")                                                                      \
    X(JOB_TARGETS_PENDING, "job_targets_pending")                                                  \
    X(JOB_TARGETS_DONE, "job_targets_done")                                                        \
    X(JOB_TARGETS_FIX, "job_targets_fix")                                                          \
    X(JOB_PROSPECTS_WRITE, "job_prospects_write")                                                  \
    X(JOB_BATCH_DECIDED, "job_batch_decided")                                                      \
    X(JOB_PROSPECTS_WRITE_ROWS, "job_prospects_write_rows")                                        \
    X(JOB_PROSPECTS_REDRAFT_ROWS, "job_prospects_redraft_rows")                                    \
    X(JOB_COMPLETE, "job_complete")                                                                \
    X(JOB_FINISH, "job_finish")                                                                    \
    X(JOB_RELEASE, "job_release")

/* The drafting template (core/template.c). */
#define STMT_LIST_TEMPLATES(X)                                                                     \
    X(TEMPLATE_GET, "template_get")                                                                \
    X(TEMPLATE_UPSERT, "template_upsert")

enum stmt_id {
#define STMT_ENUM(id, name) STMT_##id,
    STMT_LIST(STMT_ENUM)
#undef STMT_ENUM
        STMT__COUNT
};

/* The statement's name ("job_insert"); never NULL for a valid id. */
const char *stmt_name(enum stmt_id id);

/* SQL text per dialect, indexed by enum stmt_id; NULL where a dialect has no such statement. */
extern const char *const sql_sqlite[STMT__COUNT];
extern const char *const sql_pg[STMT__COUNT];

#endif
