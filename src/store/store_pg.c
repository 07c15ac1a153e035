/*
 * store_pg — the PostgreSQL engine behind store.h, through libpq.
 *
 * Named statements are prepared on a connection the first time they run (PQprepare,
 * named "d<id>") and reused; results come back in text format and are stepped by row.
 * A connection the server ended is reopened (PQreset) before the next statement that runs
 * outside a transaction; inside one the failure is ERR_UNAVAILABLE, since the work is lost.
 * Notices go to the debug log instead of libpq's default stderr printer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "pq_load.h"
#include "sqlsplit.h"
#include "store.h"

#define PG_MAX_PARAMS 32

struct pg_store {
    struct store base;
    PGconn *conn;
    bool prepared[STMT__COUNT];
};

struct pg_rows {
    struct store_rows head;
    PGresult *res;
    int row, nrows;
};

/* PostgreSQL's message on one line: the primary text, or libpq's with newlines folded. */
static const char *one_line(PGresult *res, PGconn *conn, char *buf, size_t len)
{
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg) msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    size_t o = 0;
    for (const char *p = msg; *p && o + 1 < len; p++) {
        char c = (*p == '\n' || *p == '\t') ? ' ' : *p;
        if (c == ' ' && (o == 0 || buf[o - 1] == ' ')) continue;
        buf[o++] = c;
    }
    while (o && buf[o - 1] == ' ') o--;
    buf[o] = '\0';
    return buf;
}

/* Turns a failed result (or connection) into an ERR_* with PostgreSQL's message. */
static int pg_error(struct pg_store *ps, PGresult *res, struct err *e, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char msg[ERR_MSG_MAX];
    one_line(res, ps->conn, msg, sizeof msg);
    int code = ERR_DB;
    if (PQstatus(ps->conn) == CONNECTION_BAD || (state && strncmp(state, "08", 2) == 0) ||
        (state && strncmp(state, "57P", 3) == 0))
        code = ERR_UNAVAILABLE;
    else if (state && strcmp(state, "23505") == 0)
        code = ERR_CONFLICT;
    else if (state && strcmp(state, "40001") == 0)
        code = ERR_CONFLICT;
    return err_set(e, code, "%s: %s", what, msg);
}

/* undefined_table, undefined_column: a statement names what the database lacks. */
static bool drifted(PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && (strcmp(state, "42P01") == 0 || strcmp(state, "42703") == 0);
}

static void notice_to_log(void *arg, const char *message)
{
    (void)arg;
    char q[512];
    log_msg(LOG_DEBUG, "postgres notice", "text=%s", log_quote(q, sizeof q, message));
}

/* "cached plan must not change result type": the statement predates a schema change. */
static bool stale_plan(PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    return state && strcmp(state, "0A000") == 0 && msg && strstr(msg, "cached plan");
}

/* Reopens a connection that libpq found broken; prepared statements died with it. */
static bool reconnect(struct pg_store *ps)
{
    PQreset(ps->conn);
    memset(ps->prepared, 0, sizeof ps->prepared);
    bool ok = PQstatus(ps->conn) == CONNECTION_OK;
    log_msg(ok ? LOG_INFO : LOG_WARN, ok ? "reconnected to PostgreSQL" : "PostgreSQL reconnect failed",
            NULL);
    return ok;
}

static int attempt(struct pg_store *ps, enum stmt_id id, const struct sval *params, size_t n,
                   PGresult **out, struct err *e);

/*
 * Runs a prepared statement. A connection that broke while idle (the server restarted,
 * the network blinked) is reopened and the statement tried once more; inside a
 * transaction the failure stands, since the transaction is gone.
 */
static int run_prepared(struct pg_store *ps, enum stmt_id id, const struct sval *params,
                        size_t n, PGresult **out, struct err *e)
{
    bool idle = PQtransactionStatus(ps->conn) == PQTRANS_IDLE;
    if (PQstatus(ps->conn) == CONNECTION_BAD && !reconnect(ps))
        return pg_error(ps, NULL, e, stmt_name(id));
    int rc = attempt(ps, id, params, n, out, e);
    if (rc == ERR_UNAVAILABLE && idle && PQstatus(ps->conn) == CONNECTION_BAD && reconnect(ps))
        rc = attempt(ps, id, params, n, out, e);
    return rc;
}

static int attempt(struct pg_store *ps, enum stmt_id id, const struct sval *params, size_t n,
                   PGresult **out, struct err *e)
{
    char name[16], ints[PG_MAX_PARAMS][24];
    const char *values[PG_MAX_PARAMS];
    if (n > PG_MAX_PARAMS)
        return err_set(e, ERR_INTERNAL, "%s: too many parameters (%zu)", stmt_name(id), n);
    snprintf(name, sizeof name, "d%d", (int)id);
    if (!ps->prepared[id]) {
        PGresult *pr = PQprepare(ps->conn, name, ps->base.sql[id], 0, NULL);
        if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
            int rc = pg_error(ps, pr, e, stmt_name(id));
            if (drifted(pr)) rc = store_schema_drift(e);
            PQclear(pr);
            return rc;
        }
        PQclear(pr);
        ps->prepared[id] = true;
    }
    for (size_t i = 0; i < n; i++) {
        switch (params[i].type) {
        case SV_NULL: values[i] = NULL; break;
        case SV_INT:
            snprintf(ints[i], sizeof ints[i], "%lld", params[i].i);
            values[i] = ints[i];
            break;
        case SV_TEXT: values[i] = params[i].s; break;
        }
    }
    PGresult *res = PQexecPrepared(ps->conn, name, (int)n, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_FATAL_ERROR && stale_plan(res) && PQtransactionStatus(ps->conn) == PQTRANS_IDLE) {
        /* The table changed shape under a cached statement: prepare it again, once. */
        PQclear(res);
        char sql[32];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", name);
        PQclear(PQexec(ps->conn, sql));
        ps->prepared[id] = false;
        PGresult *pr = PQprepare(ps->conn, name, ps->base.sql[id], 0, NULL);
        if (PQresultStatus(pr) == PGRES_COMMAND_OK) ps->prepared[id] = true;
        PQclear(pr);
        res = PQexecPrepared(ps->conn, name, (int)n, values, NULL, NULL, 0);
        st = PQresultStatus(res);
    }
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        int rc = pg_error(ps, res, e, stmt_name(id));
        if (drifted(res)) rc = store_schema_drift(e);
        PQclear(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int p_query(struct store *s, enum stmt_id id, const struct sval *params, size_t n,
                   struct store_rows **rows, struct err *e)
{
    struct pg_store *ps = (struct pg_store *)s;
    PGresult *res = NULL;
    int rc = run_prepared(ps, id, params, n, &res, e);
    if (rc) return rc;
    if (!rows) {
        PQclear(res);
        return 0;
    }
    struct pg_rows *r = malloc(sizeof *r);
    if (!r) {
        PQclear(res);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    r->head.owner = s;
    r->res = res;
    r->row = -1;
    r->nrows = PQntuples(res);
    *rows = &r->head;
    return 0;
}

static int p_rows_next(struct store_rows *rows, struct err *e)
{
    (void)e;
    struct pg_rows *r = (struct pg_rows *)rows;
    if (r->row + 1 >= r->nrows) return 0;
    r->row++;
    return 1;
}

static const char *p_rows_text(struct store_rows *rows, int col)
{
    struct pg_rows *r = (struct pg_rows *)rows;
    if (r->row < 0 || col >= PQnfields(r->res) || PQgetisnull(r->res, r->row, col)) return NULL;
    return PQgetvalue(r->res, r->row, col);
}

static void p_rows_free(struct store_rows *rows)
{
    struct pg_rows *r = (struct pg_rows *)rows;
    PQclear(r->res);
    free(r);
}

static int p_exec_script(struct store *s, const char *sql, size_t len, struct err *e)
{
    struct pg_store *ps = (struct pg_store *)s;
    size_t off = 0;
    int index = 0;
    char *one = NULL;
    int rc = 0;
    while (off < len) {
        int blank;
        size_t n = sqlsplit_next(sql + off, len - off, &blank);
        if (!blank) {
            index++;
            char *grown = realloc(one, n + 1);
            if (!grown) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                goto out;
            }
            one = grown;
            memcpy(one, sql + off, n);
            one[n] = '\0';
            PGresult *res = PQexec(ps->conn, one);
            ExecStatusType st = PQresultStatus(res);
            if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
                const char *p = one;
                while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
                size_t shown = strcspn(p, "\n");
                if (shown > 120) shown = 120;
                char what[200];
                snprintf(what, sizeof what, "statement %d (%.*s)", index, (int)shown, p);
                rc = pg_error(ps, res, e, what);
                PQclear(res);
                goto out;
            }
            PQclear(res);
        }
        off += n;
    }
out:
    free(one);
    return rc;
}

static int p_prepare_check(struct store *s, const char *sql, struct err *e)
{
    struct pg_store *ps = (struct pg_store *)s;
    if (PQstatus(ps->conn) == CONNECTION_BAD) reconnect(ps);
    PGresult *res = PQprepare(ps->conn, "", sql, 0, NULL); /* the unnamed statement */
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        char msg[ERR_MSG_MAX];
        rc = err_set(e, PQstatus(ps->conn) == CONNECTION_BAD ? ERR_UNAVAILABLE : ERR_DB, "%s",
                     one_line(res, ps->conn, msg, sizeof msg));
    }
    PQclear(res);
    return rc;
}

static bool p_in_transaction(struct store *s)
{
    PGTransactionStatusType st = PQtransactionStatus(((struct pg_store *)s)->conn);
    return st != PQTRANS_IDLE && st != PQTRANS_UNKNOWN; /* UNKNOWN: the connection is gone */
}

static void p_free(struct store *s)
{
    struct pg_store *ps = (struct pg_store *)s;
    PQfinish(ps->conn);
    free(ps);
}

static const struct store_ops pg_ops = {
    .query = p_query,
    .rows_next = p_rows_next,
    .rows_text = p_rows_text,
    .rows_free = p_rows_free,
    .exec_script = p_exec_script,
    .prepare_check = p_prepare_check,
    .in_transaction = p_in_transaction,
    .free = p_free,
};

int store_pg_open(struct store **out, const struct db_url *url, struct err *e)
{
    int rc = pq_load(e);
    if (rc) return rc;
    struct pg_store *ps = calloc(1, sizeof *ps);
    if (!ps) return err_set(e, ERR_NOMEM, "out of memory");
    ps->base.ops = &pg_ops;
    ps->base.kind = DB_POSTGRES;
    ps->base.sql = sql_pg;

    /* The URI first; our defaults after it only fill what it leaves unset is not how
     * libpq works (later keywords win), so only application_name is added. */
    const char *keys[] = {"dbname", "application_name", NULL};
    const char *vals[] = {url->target, "draftd", NULL};
    ps->conn = PQconnectdbParams(keys, vals, 1);
    if (!ps->conn || PQstatus(ps->conn) != CONNECTION_OK) {
        char msg[ERR_MSG_MAX];
        err_set(e, ERR_UNAVAILABLE, "cannot connect to PostgreSQL %s: %s", url->text,
                ps->conn ? one_line(NULL, ps->conn, msg, sizeof msg) : "out of memory");
        PQfinish(ps->conn);
        free(ps);
        return ERR_UNAVAILABLE;
    }
    PQsetNoticeProcessor(ps->conn, notice_to_log, NULL);
    *out = &ps->base;
    return 0;
}
