/*
 * store_sqlite — the SQLite engine behind store.h.
 *
 * Each connection opens the file in WAL mode with a busy timeout and foreign keys on,
 * (the CONN_* statements) and caches its prepared statements (SQLITE_PREPARE_PERSISTENT)
 * for its lifetime; SQLite re-prepares them itself when the schema changes. sqlite::memory: is a memdb database shared by every connection
 * of the process and kept alive by one holder connection until store_global_release.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

#define BUSY_TIMEOUT_MS 10000

struct sqlite_store {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *cache[STMT__COUNT];
};

struct sqlite_rows {
    struct store_rows head;
    sqlite3_stmt *st;
    enum stmt_id id; /* names the statement in errors met while stepping */
};

static pthread_mutex_t memory_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 *memory_holder;
static char memory_uri[64];

/* SQLite's words for a statement naming a table or column the database lacks. */
static bool drifted(const char *msg)
{
    return strncmp(msg, "no such table", 13) == 0 || strncmp(msg, "no such column", 14) == 0 ||
           strstr(msg, " has no column named ") != NULL;
}

static int db_error(sqlite3 *db, int rc, struct err *e, const char *what)
{
    int primary = rc & 0xff;
    int code = ERR_DB;
    if (primary == SQLITE_CONSTRAINT &&
        (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY))
        code = ERR_CONFLICT;
    else if (primary == SQLITE_CANTOPEN || primary == SQLITE_NOTADB || primary == SQLITE_IOERR ||
             primary == SQLITE_CORRUPT || primary == SQLITE_FULL)
        code = ERR_UNAVAILABLE;
    else if (primary == SQLITE_NOMEM)
        code = ERR_NOMEM;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    err_set(e, code, "%s: %s", what, msg);
    return primary == SQLITE_ERROR && drifted(msg) ? store_schema_drift(e) : code;
}

/* Runs one connection setting from the statement table. */
static int exec_setting(sqlite3 *db, enum stmt_id id, struct err *e)
{
    int rc = sqlite3_exec(db, sql_sqlite[id], NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : db_error(db, rc, e, stmt_name(id));
}

/*
 * Switches the file to WAL. Two processes creating the same new database at once can
 * get SQLITE_BUSY here without the busy handler being consulted, so retry for as long
 * as the busy timeout would have waited.
 */
static int set_wal(sqlite3 *db, struct err *e)
{
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 2 * 1000 * 1000};
    int rc = 0;
    for (int waited_ms = 0;; waited_ms += 2) {
        rc = sqlite3_exec(db, sql_sqlite[STMT_CONN_WAL], NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= BUSY_TIMEOUT_MS) break;
        nanosleep(&nap, NULL);
    }
    return rc == SQLITE_OK ? 0 : db_error(db, rc, e, stmt_name(STMT_CONN_WAL));
}

static int q_query(struct store *s, enum stmt_id id, const struct sval *params, size_t n,
                   struct store_rows **rows, struct err *e)
{
    struct sqlite_store *ss = (struct sqlite_store *)s;
    sqlite3_stmt *st = ss->cache[id];
    int rc;
    if (!st) {
        rc = sqlite3_prepare_v3(ss->db, s->sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK) return db_error(ss->db, rc, e, stmt_name(id));
        ss->cache[id] = st;
    }
    for (size_t i = 0; i < n; i++) {
        int p = (int)i + 1;
        switch (params[i].type) {
        case SV_NULL: rc = sqlite3_bind_null(st, p); break;
        case SV_INT: rc = sqlite3_bind_int64(st, p, params[i].i); break;
        case SV_TEXT: rc = sqlite3_bind_text(st, p, params[i].s, -1, SQLITE_STATIC); break;
        default: rc = SQLITE_MISUSE;
        }
        if (rc != SQLITE_OK) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return db_error(ss->db, rc, e, stmt_name(id));
        }
    }
    if (rows) {
        struct sqlite_rows *r = malloc(sizeof *r);
        if (!r) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        r->head.owner = s;
        r->st = st;
        r->id = id;
        *rows = &r->head;
        return 0;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    int out = rc == SQLITE_DONE ? 0 : db_error(ss->db, rc, e, stmt_name(id));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

static int q_rows_next(struct store_rows *rows, struct err *e)
{
    struct sqlite_rows *r = (struct sqlite_rows *)rows;
    int rc = sqlite3_step(r->st);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    return db_error(sqlite3_db_handle(r->st), rc, e, stmt_name(r->id));
}

static const char *q_rows_text(struct store_rows *rows, int col)
{
    struct sqlite_rows *r = (struct sqlite_rows *)rows;
    return (const char *)sqlite3_column_text(r->st, col);
}

static void q_rows_free(struct store_rows *rows)
{
    struct sqlite_rows *r = (struct sqlite_rows *)rows;
    sqlite3_reset(r->st);
    sqlite3_clear_bindings(r->st);
    free(r);
}

/* Runs each statement of sql in turn; SQLite's own parser finds where each one ends. */
static int q_exec_script(struct store *s, const char *sql, size_t len, struct err *e)
{
    struct sqlite_store *ss = (struct sqlite_store *)s;
    const char *p = sql, *end = sql + len;
    int index = 0;
    while (p < end) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int rc = sqlite3_prepare_v2(ss->db, p, (int)(end - p), &st, &tail);
        if (rc == SQLITE_OK && st) {
            index++;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                ;
            if (rc == SQLITE_DONE) rc = SQLITE_OK;
        } else if (rc == SQLITE_OK) {
            p = tail; /* only whitespace or comments were left */
            continue;
        } else {
            index++;
        }
        if (rc != SQLITE_OK) {
            while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')) p++;
            size_t shown = strcspn(p, "\n");
            if (shown > 120) shown = 120;
            err_set(e, ERR_DB, "statement %d (%.*s): %s", index, (int)shown, p,
                    sqlite3_errmsg(ss->db));
            sqlite3_finalize(st);
            return ERR_DB;
        }
        sqlite3_finalize(st);
        p = tail;
    }
    return 0;
}

static int q_prepare_check(struct store *s, const char *sql, struct err *e)
{
    struct sqlite_store *ss = (struct sqlite_store *)s;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ss->db, sql, -1, &st, NULL);
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) return err_set(e, ERR_DB, "%s", sqlite3_errmsg(ss->db));
    return 0;
}

static bool q_in_transaction(struct store *s)
{
    return !sqlite3_get_autocommit(((struct sqlite_store *)s)->db);
}

static void q_free(struct store *s)
{
    struct sqlite_store *ss = (struct sqlite_store *)s;
    for (int i = 0; i < STMT__COUNT; i++) sqlite3_finalize(ss->cache[i]);
    sqlite3_close(ss->db);
    free(ss);
}

static const struct store_ops sqlite_ops = {
    .query = q_query,
    .rows_next = q_rows_next,
    .rows_text = q_rows_text,
    .rows_free = q_rows_free,
    .exec_script = q_exec_script,
    .prepare_check = q_prepare_check,
    .in_transaction = q_in_transaction,
    .free = q_free,
};

/* The shared in-memory database's URI, creating its holder connection on first use. */
static int memory_target(const char **uri, struct err *e)
{
    int rc = 0;
    pthread_mutex_lock(&memory_lock);
    if (!memory_holder) {
        snprintf(memory_uri, sizeof memory_uri, "file:/draftd-memory-%ld?vfs=memdb",
                 (long)getpid());
        int src = sqlite3_open_v2(memory_uri, &memory_holder,
                                  SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                                  NULL);
        if (src != SQLITE_OK) {
            rc = db_error(memory_holder, src, e, "opening the in-memory database");
            sqlite3_close(memory_holder);
            memory_holder = NULL;
        }
    }
    pthread_mutex_unlock(&memory_lock);
    *uri = memory_uri;
    return rc;
}

void store_sqlite_release_memory(void)
{
    pthread_mutex_lock(&memory_lock);
    sqlite3_close(memory_holder);
    memory_holder = NULL;
    pthread_mutex_unlock(&memory_lock);
}

int store_sqlite_open(struct store **out, const struct db_url *url, struct err *e)
{
    const char *target = url->target;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc;
    if (url->memory) {
        if ((rc = memory_target(&target, e))) return rc;
        flags |= SQLITE_OPEN_URI;
    }
    struct sqlite_store *ss = calloc(1, sizeof *ss);
    if (!ss) return err_set(e, ERR_NOMEM, "out of memory");
    ss->base.ops = &sqlite_ops;
    ss->base.kind = DB_SQLITE;
    ss->base.sql = sql_sqlite;

    int src = sqlite3_open_v2(target, &ss->db, flags, NULL);
    if (src != SQLITE_OK) {
        rc = err_set(e, ERR_UNAVAILABLE, "cannot open SQLite database %s: %s", url->text,
                     ss->db ? sqlite3_errmsg(ss->db) : sqlite3_errstr(src));
        goto out;
    }
    sqlite3_extended_result_codes(ss->db, 1);
    sqlite3_busy_timeout(ss->db, BUSY_TIMEOUT_MS);
    /* WAL lets readers run beside the one writer; memdb has no WAL and keeps its default. */
    if (!url->memory && (rc = set_wal(ss->db, e))) goto open_failed;
    if ((rc = exec_setting(ss->db, STMT_CONN_FOREIGN_KEYS, e)) ||
        (rc = exec_setting(ss->db, STMT_CONN_SYNCHRONOUS, e)))
        goto open_failed;
    *out = &ss->base;
    return 0;

open_failed:
    err_prefix(e, "cannot open SQLite database %s", url->text);
    e->code = ERR_UNAVAILABLE;
    rc = ERR_UNAVAILABLE;
out:
    sqlite3_close(ss->db);
    free(ss);
    return rc;
}
