/*
 * store — see store.h. Dispatch to the engine, small conveniences on top of it, and
 * the per-thread connection: a pthread key whose destructor closes the connection when
 * a libmicrohttpd pool thread (or a worker) exits.
 */
#include "store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>


static const char *const stmt_names[STMT__COUNT] = {
#define STMT_NAME(id, name) [STMT_##id] = name,
    STMT_LIST(STMT_NAME)
#undef STMT_NAME
};

const char *stmt_name(enum stmt_id id)
{
    return (unsigned)id < STMT__COUNT ? stmt_names[id] : "unknown";
}

int store_open(struct store **out, const struct db_url *url, struct err *e)
{
    *out = NULL;
    return url->kind == DB_SQLITE ? store_sqlite_open(out, url, e) : store_pg_open(out, url, e);
}

void store_free(struct store *s)
{
    if (s) s->ops->free(s);
}

int store_query(struct store *s, enum stmt_id id, const struct sval *params, size_t n,
                struct store_rows **rows, struct err *e)
{
    if (rows) *rows = NULL;
    if ((unsigned)id >= STMT__COUNT || !s->sql[id])
        return err_set(e, ERR_INTERNAL, "statement %s has no SQL for this database engine",
                       stmt_name(id));
    return s->ops->query(s, id, params, n, rows, e);
}

int store_rows_next(struct store_rows *r, struct err *e)
{
    return r->owner->ops->rows_next(r, e);
}

const char *store_rows_text(struct store_rows *r, int col)
{
    return r->owner->ops->rows_text(r, col);
}

long long store_rows_int(struct store_rows *r, int col)
{
    const char *t = store_rows_text(r, col);
    if (!t) return 0;
    if (t[0] == 't' && t[1] == '\0') return 1; /* PostgreSQL boolean */
    return strtoll(t, NULL, 10);
}

bool store_rows_null(struct store_rows *r, int col)
{
    return store_rows_text(r, col) == NULL;
}

void store_rows_free(struct store_rows *r)
{
    if (r) r->owner->ops->rows_free(r);
}

int store_query_int(struct store *s, enum stmt_id id, const struct sval *params, size_t n,
                    long long *out, struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(s, id, params, n, &r, e);
    if (rc) return rc;
    rc = store_rows_next(r, e);
    if (rc == 1) {
        *out = store_rows_int(r, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_DB, "statement %s returned no row", stmt_name(id));
    }
    store_rows_free(r);
    return rc;
}

int store_exec_script(struct store *s, const char *sql, size_t len, struct err *e)
{
    return s->ops->exec_script(s, sql, len, e);
}

int store_prepare_check(struct store *s, enum stmt_id id, struct err *e)
{
    if (!s->sql[id]) return 0;
    return s->ops->prepare_check(s, s->sql[id], e);
}

const char *store_sql(const struct store *s, enum stmt_id id)
{
    return (unsigned)id < STMT__COUNT ? s->sql[id] : NULL;
}

int store_begin(struct store *s, struct err *e)
{
    return store_query(s, STMT_TX_BEGIN, NULL, 0, NULL, e);
}

int store_commit(struct store *s, struct err *e)
{
    return store_query(s, STMT_TX_COMMIT, NULL, 0, NULL, e);
}

int store_rollback(struct store *s, struct err *e)
{
    /* The engine may have ended the transaction itself (SQLite does on some errors). */
    if (!s->ops->in_transaction(s)) return 0;
    return store_query(s, STMT_TX_ROLLBACK, NULL, 0, NULL, e);
}

/* --- the per-thread connection -------------------------------------------------------- */

static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static void thread_store_destroy(void *p)
{
    store_free(p);
}

static void thread_key_make(void)
{
    if (pthread_key_create(&thread_key, thread_store_destroy) != 0) abort();
}

int store_thread_get(struct store **out, const struct db_url *url, struct err *e)
{
    pthread_once(&thread_key_once, thread_key_make);
    struct store *s = pthread_getspecific(thread_key);
    if (!s) {
        int rc = store_open(&s, url, e);
        if (rc) return rc;
        pthread_setspecific(thread_key, s);
    }
    *out = s;
    return 0;
}

void store_sqlite_release_memory(void);

void store_global_release(void)
{
    /* The calling thread's own connection (pool threads release theirs on exit). */
    pthread_once(&thread_key_once, thread_key_make);
    struct store *s = pthread_getspecific(thread_key);
    if (s) {
        pthread_setspecific(thread_key, NULL);
        store_free(s);
    }
    store_sqlite_release_memory();
}

int store_schema_drift(struct err *e)
{
    static const char hint[] = "; the database schema differs from what this build expects "
                               "(GET /api/health/schema or draftd schema check lists every "
                               "difference)";
    size_t n = strlen(e->msg);
    if (n + sizeof hint <= sizeof e->msg) memcpy(e->msg + n, hint, sizeof hint);
    e->code = ERR_SCHEMA;
    return ERR_SCHEMA;
}
