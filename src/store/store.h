/*
 * store — the one database interface, with SQLite and PostgreSQL behind it.
 *
 * A struct store is one connection, owned by one thread. It runs the named statements
 * of stmt.h with bound parameters only, caching each prepared statement for the life of
 * the connection. Results are stepped through a struct store_rows; values come back as
 * text or integers whatever the engine. Errors come back as ERR_* values with the
 * database's own message in struct err: ERR_CONFLICT for a unique violation,
 * ERR_UNAVAILABLE when the database cannot be reached, ERR_DB otherwise.
 *
 * The engines implement struct store_ops (store_sqlite.c, store_pg.c); store.c
 * dispatches and keeps the per-thread connection of the HTTP threads.
 */
#ifndef DRAFTD_STORE_H
#define DRAFTD_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "../config.h"
#include "../err.h"
#include "stmt.h"

enum sval_type { SV_NULL, SV_INT, SV_TEXT };

/* A bound parameter. Text is borrowed for the duration of the call. */
struct sval {
    enum sval_type type;
    long long i;
    const char *s;
};

#define SV_INT(x) ((struct sval){.type = SV_INT, .i = (x)})
#define SV_TEXT(x) ((struct sval){.type = SV_TEXT, .s = (x)})
#define SV_NULL_VALUE ((struct sval){.type = SV_NULL})

struct store;

/* The common head of every engine's cursor. */
struct store_rows {
    struct store *owner;
};

struct store_ops {
    int (*query)(struct store *s, enum stmt_id id, const struct sval *params, size_t n,
                 struct store_rows **rows, struct err *e);
    int (*rows_next)(struct store_rows *r, struct err *e);
    const char *(*rows_text)(struct store_rows *r, int col);
    void (*rows_free)(struct store_rows *r);
    int (*exec_script)(struct store *s, const char *sql, size_t len, struct err *e);
    int (*prepare_check)(struct store *s, const char *sql, struct err *e);
    bool (*in_transaction)(struct store *s);
    void (*free)(struct store *s);
};

/* The common head of every engine's connection struct. */
struct store {
    const struct store_ops *ops;
    enum db_kind kind;
    const char *const *sql; /* this dialect's statement table */
};

/* Opens a connection; *out is the caller's, released with store_free. */
int store_open(struct store **out, const struct db_url *url, struct err *e);
void store_free(struct store *s); /* NULL is a no-op */

/*
 * Runs statement id with n bound parameters. With rows non-NULL, *rows is set to a cursor
 * the caller steps with store_rows_next and must release with store_rows_free before the
 * same statement runs again on this connection. With rows NULL the statement runs to
 * completion and its rows are discarded.
 */
int store_query(struct store *s, enum stmt_id id, const struct sval *params, size_t n,
                struct store_rows **rows, struct err *e);

/* 1 when a row is ready, 0 at the end, <0 on error. */
int store_rows_next(struct store_rows *r, struct err *e);
/* The column as text (borrowed until the next step), NULL for SQL NULL. */
const char *store_rows_text(struct store_rows *r, int col);
/* The column as an integer; NULL and non-numbers are 0; PostgreSQL booleans are 0/1. */
long long store_rows_int(struct store_rows *r, int col);
bool store_rows_null(struct store_rows *r, int col);
void store_rows_free(struct store_rows *r); /* NULL is a no-op */

/* Runs one statement as an integer query: the first column of the first row. */
int store_query_int(struct store *s, enum stmt_id id, const struct sval *params, size_t n,
                    long long *out, struct err *e);

/*
 * Runs a script (a migration part) statement by statement inside the caller's
 * transaction. On failure e names the statement's number and opening text.
 */
int store_exec_script(struct store *s, const char *sql, size_t len, struct err *e);

/* Prepares statement id afresh (not from the cache) and discards it. */
int store_prepare_check(struct store *s, enum stmt_id id, struct err *e);

/* The statement's SQL in this connection's dialect, or NULL when the dialect has none. */
const char *store_sql(const struct store *s, enum stmt_id id);

/*
 * For the engines: a named statement that fails because a table or column it names is
 * missing means the live schema drifted from this build's (someone altered it outside the
 * migrations). (Not used by store_prepare_check, whose caller is the guard that lists the
 * differences itself, nor by scripts: a failing migration is a migration's error.) Makes the error ERR_SCHEMA (503 schema_mismatch, exit 3) and says where the
 * whole list of differences is. Returns ERR_SCHEMA.
 */
int store_schema_drift(struct err *e);

/* Transactions, through the TX_* statements (SQLite: BEGIN IMMEDIATE, so writers queue on
 * the busy timeout). Rollback is a no-op when the engine already ended the transaction. */
int store_begin(struct store *s, struct err *e);
int store_commit(struct store *s, struct err *e);
int store_rollback(struct store *s, struct err *e);

/*
 * The calling thread's own connection to url, opened on first use and closed when the
 * thread exits. Borrowed: do not free. (A PostgreSQL connection that the server ended
 * is reopened by the engine on its next idle statement.)
 */
int store_thread_get(struct store **out, const struct db_url *url, struct err *e);

/* Releases process-wide state (the holder of a sqlite::memory: database). */
void store_global_release(void);

/* Engine constructors, for store.c. */
int store_sqlite_open(struct store **out, const struct db_url *url, struct err *e);
int store_pg_open(struct store **out, const struct db_url *url, struct err *e);

#endif
