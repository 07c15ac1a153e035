/*
 * schema_model — the tables, columns, types and nullability the code relies on, and
 * the indexes and triggers its correctness needs, declared once. Every column a statement in sql_*.c touches is here; the migrations
 * in migrations/ create exactly this. A change to one is a change to all three.
 */
#include "schema.h"

#define COLS(a) a, sizeof a / sizeof *a

static const struct model_column prospects[] = {
    {"id", COL_ID, true},           {"email", COL_TEXT, true},
    {"first_name", COL_TEXT, false}, {"last_name", COL_TEXT, false},
    {"company", COL_TEXT, false},   {"title", COL_TEXT, false},
    {"website", COL_TEXT, false},   {"draft_subject", COL_TEXT, false},
    {"draft_body", COL_TEXT, false}, {"draft_status", COL_TEXT, true},
    {"draft_error", COL_TEXT, false}, {"drafted_at", COL_TIME, false},
    {"created_at", COL_TIME, true}, {"updated_at", COL_TIME, true},
};

static const struct model_column jobs[] = {
    {"id", COL_ID, true},
    {"job_type", COL_TEXT, true},
    {"status", COL_TEXT, true},
    {"error", COL_TEXT, false},
    {"created_at", COL_TIME, true},
    {"started_at", COL_TIME, false},
    {"finished_at", COL_TIME, false},
    {"drafts_created", COL_INT, true}, /* migration 2 */
    {"total_targets", COL_INT, false}, /* migration 2 */
    {"drafts_failed", COL_INT, true},
    {"redraft", COL_BOOL, true},
    {"cancel_requested", COL_BOOL, true},
    {"lease_owner", COL_TEXT, false},
    {"lease_expires_at", COL_TIME, false},
};

static const struct model_column job_targets[] = {
    {"job_id", COL_ID, true},      {"prospect_id", COL_ID, true}, {"state", COL_TEXT, true},
    {"error", COL_TEXT, false},    {"finished_at", COL_TIME, false},
};

static const struct model_column templates[] = {
    {"name", COL_TEXT, true},
    {"subject", COL_TEXT, true},
    {"body", COL_TEXT, true},
    {"updated_at", COL_TIME, true},
};

static const struct model_column prospect_counts[] = { /* migration 4 */
    {"id", COL_INT, true},         {"n_none", COL_INT, true},     {"n_drafted", COL_INT, true},
    {"n_approved", COL_INT, true}, {"n_rejected", COL_INT, true}, {"n_failed", COL_INT, true},
};

static const struct model_column schema_migrations[] = {
    {"version", COL_INT, true},
    {"name", COL_TEXT, true},
    {"checksum", COL_TEXT, true},
    {"applied_at", COL_TIME, true},
};

const struct model_table schema_model[] = {
    {"schema_migrations", COLS(schema_migrations)},
    {"prospects", COLS(prospects)},
    {"jobs", COLS(jobs)},
    {"job_targets", COLS(job_targets)},
    {"templates", COLS(templates)},
    {"prospect_counts", COLS(prospect_counts)},
};

const size_t schema_model_count = sizeof schema_model / sizeof *schema_model;

const struct model_object schema_objects[] = {
    {"index", "prospects_email_key", "prospects",
     "unique on lower(email): without it the same email can be imported twice"},
    {"index", "jobs_one_active_per_type", "jobs",
     "one pending or running job per type: without it two draft jobs can run at once"},
    {"trigger", "prospect_counts_insert", "prospects",
     "keeps prospect_counts: without it list totals and counts go wrong"},
    {"trigger", "prospect_counts_update", "prospects",
     "keeps prospect_counts: without it list totals and counts go wrong"},
    {"trigger", "prospect_counts_delete", "prospects",
     "keeps prospect_counts: without it list totals and counts go wrong"},
};

const size_t schema_objects_count = sizeof schema_objects / sizeof *schema_objects;

const char *schema_type_name(enum db_kind kind, enum col_type t)
{
    static const char *const sqlite_names[] = {
        [COL_ID] = "INTEGER", [COL_INT] = "INTEGER", [COL_BOOL] = "INTEGER",
        [COL_TEXT] = "TEXT",  [COL_TIME] = "TEXT",
    };
    static const char *const pg_names[] = {
        [COL_ID] = "bigint", [COL_INT] = "integer", [COL_BOOL] = "boolean",
        [COL_TEXT] = "text", [COL_TIME] = "timestamp with time zone",
    };
    return kind == DB_SQLITE ? sqlite_names[t] : pg_names[t];
}
