/*
 * harness_db — the databases of harness.h: a fresh SQLite file or PostgreSQL database
 * per test case, and direct SQL on it through sqlite3 / libpq, bypassing draftd. Each
 * call opens its own connection and closes it, so the harness never holds one while
 * draftd works (and DROP DATABASE is never blocked by the harness).
 */
#include "harness.h"
#include "harness_internal.h"

#include <errno.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- PostgreSQL --------------------------------------------------------------------- */

const char *h_pg_admin_url(void)
{
    static char url[512];
    if (url[0]) return url;
    const char *dir = getenv("DRAFTD_PG_DIR");
    if (!dir || !*dir) fail_msg("DRAFTD_PG_DIR is not set: the postgres tests need the pg fixture");
    char path[512];
    snprintf(path, sizeof path, "%s/url", dir);
    char *text = hi_slurp(path);
    size_t n = strcspn(text, "\r\n");
    text[n] = '\0';
    if (n == 0 || n >= sizeof url) {
        free(text);
        fail_msg("no PostgreSQL URI in %s (did pg_cluster_start run?)", path);
    }
    memcpy(url, text, n + 1);
    free(text);
    return url;
}

static void pg_silent(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *pg_connect(const char *url)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        PQfinish(c);
        fail_msg("cannot connect to PostgreSQL at %s: %s", url, msg);
    }
    PQsetNoticeProcessor(c, pg_silent, NULL);
    return c;
}

/* Runs sql on a new connection to url; 0, or -1 with the server's message in err. */
static int pg_exec(const char *url, const char *sql, char *err, size_t errlen)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to PostgreSQL at %s: %s", url, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    PQsetNoticeProcessor(c, pg_silent, NULL);
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%s", PQresultErrorMessage(res));
        rc = -1;
    }
    PQclear(res);
    PQfinish(c);
    return rc;
}

void h_pg_admin_exec(const char *sql)
{
    char err[512];
    if (pg_exec(h_pg_admin_url(), sql, err, sizeof err))
        fail_msg("admin SQL failed: %s\n  SQL: %s", err, sql);
}

/* The admin URI with its database replaced by name. */
static void pg_url_for(char *out, size_t len, const char *name)
{
    const char *admin = h_pg_admin_url();
    const char *authority = strstr(admin, "://");
    assert_non_null(authority);
    const char *slash = strchr(authority + 3, '/');
    const char *query = strchr(authority + 3, '?');
    size_t base = slash ? (size_t)(slash - admin) : query ? (size_t)(query - admin) : strlen(admin);
    snprintf(out, len, "%.*s/%s%s", (int)base, admin, name, query ? query : "");
}

/* --- databases ---------------------------------------------------------------------- */

void h_db_create(struct h_db **out)
{
    static int counter;
    char err[128];
    struct h_db *db = calloc(1, sizeof *db);
    assert_non_null(db);
    db->engine = h_engine();
    snprintf(db->dir, sizeof db->dir, "/tmp/draftd-it-XXXXXX");
    if (!mkdtemp(db->dir)) {
        free(db);
        fail_msg("mkdtemp: %s", hi_errtext(errno, err, sizeof err));
    }
    hi_track_db(db);
    if (db->engine == H_SQLITE) {
        snprintf(db->path, sizeof db->path, "%s/test.db", db->dir);
        snprintf(db->url, sizeof db->url, "sqlite:%s", db->path);
    } else {
        char sql[128];
        snprintf(db->name, sizeof db->name, "t_%ld_%d", (long)getpid(), ++counter);
        pg_url_for(db->url, sizeof db->url, db->name);
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db->name);
        h_pg_admin_exec(sql);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", db->name);
        h_pg_admin_exec(sql);
    }
    *out = db;
}

static int sqlite_open(const struct h_db *db, sqlite3 **out, char *err, size_t errlen)
{
    int rc = sqlite3_open_v2(db->path, out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", db->path,
                 *out ? sqlite3_errmsg(*out) : sqlite3_errstr(rc));
        sqlite3_close(*out);
        *out = NULL;
        return -1;
    }
    sqlite3_busy_timeout(*out, 10000);
    return 0;
}

int h_db_try_exec(const struct h_db *db, const char *sql, char *err, size_t errlen)
{
    if (db->engine == H_POSTGRES) return pg_exec(db->url, sql, err, errlen);
    sqlite3 *c = NULL;
    if (sqlite_open(db, &c, err, errlen)) return -1;
    char *msg = NULL;
    int rc = sqlite3_exec(c, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) snprintf(err, errlen, "%s", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    sqlite3_close(c);
    return rc == SQLITE_OK ? 0 : -1;
}

void h_db_exec(const struct h_db *db, const char *sql)
{
    char err[512];
    if (h_db_try_exec(db, sql, err, sizeof err))
        fail_msg("SQL failed on %s: %s\n  SQL: %s", db->url, err, sql);
}

long long h_db_int(const struct h_db *db, const char *sql)
{
    char err[512];
    long long v = -1;
    if (db->engine == H_POSTGRES) {
        PGconn *c = pg_connect(db->url);
        PGresult *res = PQexec(c, sql);
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1 || PQnfields(res) < 1) {
            snprintf(err, sizeof err, "%s", PQresultErrorMessage(res));
            PQclear(res);
            PQfinish(c);
            fail_msg("query failed on %s: %s\n  SQL: %s", db->url, err, sql);
        }
        if (!PQgetisnull(res, 0, 0)) v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        PQfinish(c);
        return v;
    }
    sqlite3 *c = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite_open(db, &c, err, sizeof err)) fail_msg("%s", err);
    int rc = sqlite3_prepare_v2(c, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        snprintf(err, sizeof err, "%s", sqlite3_errmsg(c));
        sqlite3_finalize(st);
        sqlite3_close(c);
        fail_msg("query failed on %s: %s\n  SQL: %s", db->url, err, sql);
    }
    if (sqlite3_column_type(st, 0) != SQLITE_NULL) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(c);
    return v;
}

bool h_db_has_table(const struct h_db *db, const char *table)
{
    char sql[512];
    if (db->engine == H_SQLITE)
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'", table);
    else
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                 "AND tablename = '%s'",
                 table);
    return h_db_int(db, sql) > 0;
}

bool h_db_has_column(const struct h_db *db, const char *table, const char *column)
{
    char sql[512];
    if (db->engine == H_SQLITE)
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                 table, column);
    else
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                 "current_schema() AND table_name = '%s' AND column_name = '%s'",
                 table, column);
    return h_db_int(db, sql) > 0;
}

/* Drops without asserting; 0 or -1 with the reason in err. */
int hi_db_drop_quietly(struct h_db *db, char *err, size_t errlen)
{
    int rc = 0;
    hi_remove_dir(db->dir);
    if (!db->dropped && db->engine == H_POSTGRES) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db->name);
        rc = pg_exec(h_pg_admin_url(), sql, err, errlen);
    }
    db->dropped = true;
    return rc;
}

void h_db_drop(struct h_db *db)
{
    char err[512];
    if (!db) return;
    hi_untrack_db(db);
    int rc = hi_db_drop_quietly(db, err, sizeof err);
    char name[64];
    snprintf(name, sizeof name, "%s", db->name);
    free(db);
    if (rc) fail_msg("DROP DATABASE %s failed: %s", name, err);
}
