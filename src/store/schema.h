/*
 * schema — the model of the tables draftd relies on, and the guard that compares the
 * live database against it.
 *
 * The model (schema_model.c) is data: tables, columns, types per dialect, nullability.
 * schema_check compares, live and in this order: the migration history against the
 * embedded set (pending, edited, unknown versions), every modelled table and column
 * (SQLite pragma_table_xinfo, PostgreSQL pg_catalog), every modelled index and trigger,
 * and every named statement, prepared afresh against the database. Each difference becomes one problem.
 */
#ifndef DRAFTD_SCHEMA_H
#define DRAFTD_SCHEMA_H

#include <stdbool.h>
#include <stdio.h>

#include "../err.h"
#include "migrate.h"
#include "store.h"

enum col_type { COL_ID, COL_INT, COL_BOOL, COL_TEXT, COL_TIME };

struct model_column {
    const char *name;
    enum col_type type;
    bool not_null;
};

struct model_table {
    const char *name;
    const struct model_column *columns;
    size_t ncolumns;
};

extern const struct model_table schema_model[];
extern const size_t schema_model_count;

/*
 * An index or trigger the code's correctness relies on: a unique index that makes a
 * duplicate impossible, the triggers that keep the counts. Same names on both engines.
 */
struct model_object {
    const char *kind; /* "index" or "trigger" */
    const char *name;
    const char *table;
    const char *purpose; /* what goes wrong without it, for the report */
};

extern const struct model_object schema_objects[];
extern const size_t schema_objects_count;

/* The type name the dialect reports for t (pragma_table_xinfo / format_type). */
const char *schema_type_name(enum db_kind kind, enum col_type t);

enum problem_kind {
    PROBLEM_PENDING,          /* a migration of this build not applied */
    PROBLEM_CHECKSUM,         /* an applied migration whose file was edited */
    PROBLEM_UNKNOWN,          /* applied, but not in this build: the database is newer */
    PROBLEM_MISSING_TABLE,
    PROBLEM_MISSING_COLUMN,
    PROBLEM_WRONG_TYPE,
    PROBLEM_WRONG_NULLABILITY,
    PROBLEM_STATEMENT,        /* a named statement that does not prepare */
    PROBLEM_MISSING_OBJECT,   /* a modelled index or trigger */
};

struct schema_problem {
    enum problem_kind kind;
    char table[64];
    char column[64];
    char statement[64];
    int version;
    char name[MIGRATION_NAME_MAX];
    char expected[64], actual[64];
    char detail[512]; /* the database's message for PROBLEM_STATEMENT */
    const struct model_object *object; /* PROBLEM_MISSING_OBJECT */
};

struct schema_report {
    struct schema_problem *items;
    size_t count, cap;
    int schema_version; /* highest applied migration, 0 when none */
    int latest_version; /* highest migration of this build */
};

/*
 * Runs the full check. Returns 0 when the check ran, whatever it found (see
 * out->count), or <0 when it could not run (ERR_UNAVAILABLE: database unreachable).
 * The caller releases out with schema_report_release either way.
 */
int schema_check(struct schema_report *out, struct store *s, const struct migration_set *set,
                 struct err *e);
void schema_report_release(struct schema_report *r);

/* The short problem text used in JSON: "missing", "pending", "does not prepare: …". */
void schema_problem_text(const struct schema_problem *p, char *buf, size_t len);

/* The one-line form: "jobs.drafts_created: missing column (expected integer NOT NULL)". */
void schema_problem_line(const struct schema_problem *p, char *buf, size_t len);

/* The command or action that fixes what the report found. */
const char *schema_report_fix(const struct schema_report *r);

/* Prints every problem on its own line, then "fix: …". */
void schema_report_print(const struct schema_report *r, FILE *f);

#endif
