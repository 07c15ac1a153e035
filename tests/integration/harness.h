/*
 * harness — what the integration tests share: they drive the real draftd binary
 * (DRAFTD_BIN) as a user would, over its command line and over HTTP, against a
 * database of their own.
 *
 *   engine    DRAFTD_TEST_ENGINE=sqlite|postgres picks the engine for the whole program.
 *   database  h_db_create gives each test case a fresh temporary directory and a fresh
 *             database in it (a SQLite file) or beside it (a PostgreSQL database named
 *             t_<pid>_<n> on the cluster whose URI is in ${DRAFTD_PG_DIR}/url), plus its
 *             DATABASE_URL. h_db_exec/h_db_int run SQL directly (sqlite3 / libpq),
 *             bypassing draftd, to set up or inspect the live schema.
 *   processes h_run runs one draftd command to completion and captures its output;
 *             h_start/h_finish do the same in two steps (for concurrent runs);
 *             h_serve_start spawns `draftd serve --port 0` and waits for its "listening"
 *             log line (or for it to exit); h_serve_stop signals it and waits.
 *   HTTP      h_http sends one request with libcurl on a fresh connection; h_json parses
 *             the body.
 *
 * Every helper asserts with cmocka, so a broken precondition fails the test at once.
 * Databases, servers and files a test leaves behind (because an assertion ended it
 * early) are cleaned up by h_teardown, which every test case registers.
 */
#ifndef DRAFTD_IT_HARNESS_H
#define DRAFTD_IT_HARNESS_H

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

enum h_engine { H_SQLITE, H_POSTGRES };

/* The engine this run tests (from DRAFTD_TEST_ENGINE; fails the test when unset). */
enum h_engine h_engine(void);
/* "sqlite" or "postgres". */
const char *h_engine_name(void);

/* --- databases ---------------------------------------------------------------------- */

struct h_db {
    enum h_engine engine;
    char dir[256];  /* this test case's own temporary directory */
    char url[600];  /* its DATABASE_URL */
    char name[64];  /* PostgreSQL: the database name */
    char path[300]; /* SQLite: the database file */
    bool dropped;
};

/* A fresh, empty database and temporary directory. Release with h_db_drop. */
void h_db_create(struct h_db **out);
/* Runs one or more SQL statements directly; the test fails when one fails. */
void h_db_exec(const struct h_db *db, const char *sql);
/* Like h_db_exec, but returns 0 on success and -1 (with the message in err) on failure. */
int h_db_try_exec(const struct h_db *db, const char *sql, char *err, size_t errlen);
/* Runs a query that answers one integer (a NULL answer is -1). */
long long h_db_int(const struct h_db *db, const char *sql);
/* Whether the live database has the table / the column (asked of the catalog). */
bool h_db_has_table(const struct h_db *db, const char *table);
bool h_db_has_column(const struct h_db *db, const char *table, const char *column);
/* Drops the database and removes the directory (the test fails if that fails). */
void h_db_drop(struct h_db *db);
/* A PostgreSQL superuser connection URI to database `postgres` (postgres engine only). */
const char *h_pg_admin_url(void);
/* Runs SQL on the admin connection (postgres engine only). */
void h_pg_admin_exec(const char *sql);

/* --- processes ---------------------------------------------------------------------- */

struct h_result {
    int status; /* exit status; the process always exited normally */
    char *out;  /* stdout, NUL-terminated, never NULL */
    char *err;  /* stderr, NUL-terminated, never NULL */
};

struct h_proc {
    pid_t pid;
    char out_path[64], err_path[64];
};

/*
 * Starts DRAFTD_BIN with the given arguments (a NULL-terminated list after env).
 * The child gets this process's environment, minus draftd's own variables, plus
 * DATABASE_URL=db_url (unless db_url is NULL) and the NAME=VALUE strings of env (a
 * NULL-terminated array, or NULL).
 */
void h_start(struct h_proc *p, const char *db_url, const char *const *env, ...);
void h_vstart(struct h_proc *p, const char *db_url, const char *const *env, va_list ap);
/*
 * A starting gate for races: between h_gate_hold and h_gate_release, processes
 * started by h_start / h_serve_spawn are forked but wait before execve; the release
 * lets them all go at the same instant.
 */
void h_gate_hold(void);
void h_gate_release(void);
/* Waits (up to 60 s) for a process from h_start and collects its output. */
int h_finish(struct h_proc *p, struct h_result *res);
/* h_start then h_finish: returns the exit status, also in res->status. */
int h_run(struct h_result *res, const char *db_url, const char *const *env, ...);
/* Runs `draftd migrate up` (with `--to to` unless to is NULL) and asserts exit 0. */
void h_migrate(const struct h_db *db, const char *to);
void h_result_release(struct h_result *res);

/* Fails the test with the command's output when its exit status is not want. */
#define h_assert_status(res, want) h_assert_status_at((res), (want), __FILE__, __LINE__)
void h_assert_status_at(const struct h_result *res, int want, const char *file, int line);

struct h_server {
    pid_t pid;
    int port;     /* when listening */
    bool running; /* listening, not yet stopped */
    int status;   /* exit status once it exited */
    char *log;    /* stderr so far (refreshed by h_serve_start/h_serve_stop/h_serve_log) */
    char *out;    /* stdout, read when it exited */
    char log_path[64], out_path[64];
};

/*
 * Spawns `draftd serve --port 0 ARGS...` (args NULL-terminated after env; pass
 * "--port", "P" yourself to override — a later --port wins) and waits up to 10 s for
 * its msg="listening" log line, whose port= it records. Returns H_LISTENING when it
 * listens, or the exit status when it exited first (srv->log then has its stderr). Release with
 * h_serve_release after h_serve_stop.
 */
#define H_LISTENING (-1)
int h_serve_start(struct h_server *srv, const char *db_url, const char *const *env, ...);
/* h_serve_start in two steps, to start several servers at the same moment. */
void h_serve_spawn(struct h_server *srv, const char *db_url, const char *const *env, ...);
int h_serve_wait(struct h_server *srv);
/* Sends sig (SIGTERM or SIGINT), waits up to 15 s (else SIGKILL and fail); exit status. */
int h_serve_signal(struct h_server *srv, int sig);
/* h_serve_signal in two steps: send the signal; wait (up to 15 s) for the exit status. */
void h_serve_kill(struct h_server *srv, int sig);
int h_serve_wait_exit(struct h_server *srv);
/* h_serve_signal(srv, SIGTERM). */
int h_serve_stop(struct h_server *srv);
/* Re-reads the server's stderr into srv->log and returns it. */
const char *h_serve_log(struct h_server *srv);
void h_serve_release(struct h_server *srv);

/* A TCP port on 127.0.0.1 that was free a moment ago. */
int h_free_port(void);
/* Whether something accepts TCP connections on 127.0.0.1:port. */
bool h_port_accepts(int port);

/* --- HTTP --------------------------------------------------------------------------- */

struct h_resp {
    long status;
    char *body; /* NUL-terminated, never NULL */
    size_t body_len;
    char *headers; /* the final response's header block */
    long connects; /* CURLINFO_NUM_CONNECTS */
};

/*
 * One request to http://127.0.0.1:port/path on a new connection. body may be NULL;
 * body_len is its length; content_type NULL sends none. The test fails when the
 * transfer itself fails (no HTTP answer).
 */
void h_http(struct h_resp *r, int port, const char *method, const char *path, const char *body,
            size_t body_len, const char *content_type);
/*
 * A bodiless request with extra request headers (NULL-terminated "Name: value" list, may
 * be NULL). decode: ask for gzip and hand back the decoded body (curl's own decoder);
 * otherwise the body is the bytes as sent.
 */
void h_http_headers(struct h_resp *r, int port, const char *method, const char *path,
                    const char *const *headers, bool decode);
/* POST of body_len bytes with Transfer-Encoding: chunked (no Content-Length). */
void h_http_chunked(struct h_resp *r, int port, const char *path, size_t body_len);
/* A header's value in the response (case-insensitive name), copied into buf; NULL if absent. */
const char *h_header(const struct h_resp *r, const char *name, char *buf, size_t len);
/* The body as JSON; the test fails when it is not. Caller json_decref()s. */
json_t *h_json(const struct h_resp *r);
void h_resp_release(struct h_resp *r);

/* Asserts the body is a JSON error {"error":{"code":code,"message":non-empty,...}}. */
#define h_assert_json_error(r, code) h_assert_json_error_at((r), (code), __FILE__, __LINE__)
void h_assert_json_error_at(const struct h_resp *r, const char *code, const char *file, int line);
/* Asserts the Content-Type header is application/json (parameters allowed). */
#define h_assert_json_type(r) h_assert_json_type_at((r), __FILE__, __LINE__)
void h_assert_json_type_at(const struct h_resp *r, const char *file, int line);
/* Asserts GET /api/health answers 200 {"status":"ok","database":"ok"}. */
void h_assert_health_ok(int port);

/* --- text --------------------------------------------------------------------------- */

#define h_assert_contains(hay, needle) h_assert_contains_at((hay), (needle), __FILE__, __LINE__)
#define h_assert_lacks(hay, needle) h_assert_lacks_at((hay), (needle), __FILE__, __LINE__)
void h_assert_contains_at(const char *hay, const char *needle, const char *file, int line);
void h_assert_lacks_at(const char *hay, const char *needle, const char *file, int line);
/* Whether some line of text contains every one of the NULL-terminated needles. */
bool h_line_with(const char *text, ...);
/* Whether text has a line exactly equal to line. */
bool h_has_line(const char *text, const char *line);
/* The last non-empty line of text, copied into buf. */
const char *h_last_line(const char *text, char *buf, size_t len);

/* --- cmocka ------------------------------------------------------------------------- */

/* Per-test teardown: kills servers, drops databases and removes files a failed test left. */
int h_teardown(void **state);
/* Group teardown: releases libcurl. */
int h_group_teardown(void **state);

#define H_TEST(f) cmocka_unit_test_teardown(f, h_teardown)

#endif
