/*
 * test_http — the HTTP server of `draftd serve` from the outside: the health
 * endpoints, the JSON error shape of 404/405/413 (with a declared and with a chunked
 * body), that the server keeps answering after each error, keep-alive, 503 while the
 * database cannot be reached, and a clean exit 0 on SIGTERM and on SIGINT, after
 * finishing the request in flight.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "harness.h"

#define BIG_BODY (2u * 1024u * 1024u)

/* A migrated database and a server on it; stop with stop_server. */
static void start_server(struct h_db **db, struct h_server *srv)
{
    h_db_create(db);
    h_migrate(*db, NULL);
    int rc = h_serve_start(srv, (*db)->url, NULL, NULL);
    if (rc != H_LISTENING) print_error("serve exited %d:\n%s\n", rc, srv->log);
    assert_int_equal(rc, H_LISTENING);
}

static void stop_server(struct h_db *db, struct h_server *srv)
{
    int rc = h_serve_stop(srv);
    if (rc != 0) print_error("serve log:\n%s\n", srv->log);
    assert_int_equal(rc, 0);
    h_serve_release(srv);
    h_db_drop(db);
}

static void health_ok(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start_server(&db, &srv);
    h_assert_health_ok(srv.port);
    stop_server(db, &srv);
}

/*
 * Asserts that r is the JSON error of API.md with this status and code (code NULL: any),
 * releases it, and that the server still answers /api/health afterwards.
 */
static void assert_error_then_healthy(struct h_resp *r, int port, long status, const char *code)
{
    assert_int_equal(r->status, status);
    h_assert_json_type(r);
    h_assert_json_error(r, code);
    h_resp_release(r);
    h_assert_health_ok(port);
}

static void unknown_route_is_404_json(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    start_server(&db, &srv);
    h_http(&r, srv.port, "GET", "/nope", NULL, 0, NULL);
    assert_error_then_healthy(&r, srv.port, 404, "not_found");
    stop_server(db, &srv);
}

static void wrong_method_is_405_with_allow(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    char allow[128];
    start_server(&db, &srv);
    h_http(&r, srv.port, "POST", "/api/health", "{}", 2, "application/json");
    assert_non_null(h_header(&r, "Allow", allow, sizeof allow));
    assert_string_equal(allow, "GET");
    assert_error_then_healthy(&r, srv.port, 405, "method_not_allowed");
    stop_server(db, &srv);
}

static void declared_body_over_limit_is_413(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    start_server(&db, &srv);
    char *body = malloc(BIG_BODY);
    assert_non_null(body);
    memset(body, 'x', BIG_BODY);
    h_http(&r, srv.port, "POST", "/api/health", body, BIG_BODY, "application/octet-stream");
    free(body);
    assert_error_then_healthy(&r, srv.port, 413, "payload_too_large");
    stop_server(db, &srv);
}

static void chunked_body_over_limit_is_413(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    start_server(&db, &srv);
    h_http_chunked(&r, srv.port, "/api/health", BIG_BODY);
    assert_error_then_healthy(&r, srv.port, 413, "payload_too_large");
    stop_server(db, &srv);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

/* Two GETs on one easy handle: the second must reuse the first one's connection. */
static void keep_alive_reuses_the_connection(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    char url[128];
    long code = 0, connects = -1;
    start_server(&db, &srv);
    h_assert_health_ok(srv.port); /* also initialises libcurl */

    CURL *c = curl_easy_init();
    assert_non_null(c);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/health", srv.port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);

    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    assert_int_equal(code, 200);
    assert_int_equal(connects, 1);

    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    curl_easy_cleanup(c);
    assert_int_equal(code, 200);
    assert_int_equal(connects, 0);
    stop_server(db, &srv);
}

/* Asserts GET path answers 503 with the JSON error shape. */
static void assert_503(int port, const char *path)
{
    struct h_resp r;
    h_http(&r, port, "GET", path, NULL, 0, NULL);
    if (r.status != 503) print_error("GET %s: %ld %s\n", path, r.status, r.body);
    assert_int_equal(r.status, 503);
    h_assert_json_type(&r);
    h_assert_json_error(&r, NULL);
    h_resp_release(&r);
}

/* Whether GET /api/health answers 200 within about 5 s of asking again and again. */
static bool health_comes_back(int port)
{
    for (int i = 0; i < 100; i++) {
        struct h_resp r;
        h_http(&r, port, "GET", "/api/health", NULL, 0, NULL);
        long status = r.status;
        h_resp_release(&r);
        if (status == 200) return true;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return false;
}

/*
 * The database goes away under a running server: /api/health answers 503 with the
 * error shape (on every pool thread: hence several requests), and 200 again (without
 * a restart of draftd) once it is back.
 * PostgreSQL: DROP DATABASE ... WITH (FORCE), which also kills the server's connections,
 * then CREATE it again. SQLite: the directory holding the file is moved away before any
 * request opened a connection, then moved back.
 */
static void health_is_503_while_the_database_is_unreachable(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    char sql[128], moved[300];
    start_server(&db, &srv);
    if (db->engine == H_POSTGRES) {
        h_assert_health_ok(srv.port);
        h_assert_health_ok(srv.port);
        snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", db->name);
        h_pg_admin_exec(sql);
    } else {
        snprintf(moved, sizeof moved, "%s.away", db->dir);
        assert_int_equal(rename(db->dir, moved), 0);
    }
    for (int i = 0; i < 4; i++)
        assert_503(srv.port, "/api/health");

    if (db->engine == H_POSTGRES) {
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", db->name);
        h_pg_admin_exec(sql);
    } else {
        assert_int_equal(rename(moved, db->dir), 0);
    }
    assert_true(health_comes_back(srv.port));
    h_assert_health_ok(srv.port);
    stop_server(db, &srv);
}

/*
 * The database restarts while the server is idle (PostgreSQL: the database is dropped,
 * which ends the server's connections, and created again before the next request;
 * SQLite: its directory is moved away and back). It can be reached, so the very next
 * requests answer 200 -- on every pool thread, each of which held a connection before
 * (hence the many requests before and after).
 */
static void health_is_200_at_once_after_the_database_restarted(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    char sql[128], moved[300];
    start_server(&db, &srv);
    for (int i = 0; i < 32; i++)
        h_assert_health_ok(srv.port);
    if (db->engine == H_POSTGRES) {
        snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", db->name);
        h_pg_admin_exec(sql);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", db->name);
        h_pg_admin_exec(sql);
    } else {
        snprintf(moved, sizeof moved, "%s.away", db->dir);
        assert_int_equal(rename(db->dir, moved), 0);
        assert_int_equal(rename(moved, db->dir), 0);
    }
    for (int i = 0; i < 8; i++)
        h_assert_health_ok(srv.port);
    stop_server(db, &srv);
}

static void stop_signal(int sig)
{
    struct h_db *db;
    struct h_server srv;
    start_server(&db, &srv);
    int port = srv.port;
    h_assert_health_ok(port);
    int rc = h_serve_signal(&srv, sig);
    if (rc != 0) print_error("serve log:\n%s\n", srv.log);
    assert_int_equal(rc, 0);
    assert_false(h_port_accepts(port));
    h_serve_release(&srv);
    h_db_drop(db);
}

/* A raw connection to 127.0.0.1:port, so a test can send a request in pieces. */
static int connect_raw(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void send_all(int fd, const char *text)
{
    size_t n = strlen(text);
    assert_int_equal(send(fd, text, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Reads until the peer closes or 5 s pass; returns the text (static buffer). */
static const char *read_until_close(int fd)
{
    static char buf[8192];
    size_t got = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0) break;
        ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
        if (got == sizeof buf - 1) break;
    }
    buf[got] = '\0';
    return buf;
}

/*
 * SIGTERM while a request is in flight (its headers are in, half of its body is not):
 * the server stops taking connections at once, still answers that request when the
 * rest of the body arrives, and then exits 0.
 */
static void sigterm_finishes_the_request_in_flight(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start_server(&db, &srv);
    int port = srv.port;
    int fd = connect_raw(port);
    send_all(fd, "POST /api/health HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n"
                 "Content-Length: 10\r\nConnection: close\r\n\r\nhello");
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 300 * 1000 * 1000};
    nanosleep(&nap, NULL); /* let the server read the headers and start the request */

    h_serve_kill(&srv, SIGTERM);
    bool refused = false;
    for (int i = 0; i < 100 && !refused; i++) {
        refused = !h_port_accepts(port);
        if (!refused) {
            struct timespec tick = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
            nanosleep(&tick, NULL);
        }
    }
    assert_true(refused);

    send_all(fd, "world");
    const char *answer = read_until_close(fd);
    close(fd);
    if (!strstr(answer, "405")) print_error("answer: %s\nlog:\n%s\n", answer, h_serve_log(&srv));
    h_assert_contains(answer, "HTTP/1.1 405");
    h_assert_contains(answer, "\"code\":\"method_not_allowed\"");
    int rc = h_serve_wait_exit(&srv);
    if (rc != 0) print_error("serve log:\n%s\n", h_serve_log(&srv));
    assert_int_equal(rc, 0);
    h_serve_release(&srv);
    h_db_drop(db);
}

static void sigterm_exits_0(void **state)
{
    (void)state;
    stop_signal(SIGTERM);
}

static void sigint_exits_0(void **state)
{
    (void)state;
    stop_signal(SIGINT);
}

/*
 * libpq is loaded only for PostgreSQL (src/store/pq_load.h): a server on SQLite has no
 * libpq (nor the OpenSSL and Kerberos it would pull in) among its mappings; one on
 * PostgreSQL has it.
 */
static void libpq_is_mapped_only_for_postgres(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    h_db_create(&db);
    h_migrate(db, NULL);
    assert_int_equal(h_serve_start(&srv, db->url, NULL, NULL), H_LISTENING);
    h_assert_health_ok(srv.port);
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)srv.pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    bool libpq = false, libc = false;
    while (fgets(line, sizeof line, f)) {
        libpq |= strstr(line, "/libpq.so") != NULL;
        libc |= strstr(line, "/libc.so") != NULL;
    }
    fclose(f);
    assert_true(libc); /* the maps were read */
    if (h_engine() == H_SQLITE && libpq) fail_msg("a SQLite server mapped libpq");
    if (h_engine() == H_POSTGRES && !libpq) fail_msg("a PostgreSQL server did not map libpq");
    assert_int_equal(h_serve_stop(&srv), 0);
    h_serve_release(&srv);
    h_db_drop(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        H_TEST(health_ok),
        H_TEST(libpq_is_mapped_only_for_postgres),
        H_TEST(unknown_route_is_404_json),
        H_TEST(wrong_method_is_405_with_allow),
        H_TEST(declared_body_over_limit_is_413),
        H_TEST(chunked_body_over_limit_is_413),
        H_TEST(keep_alive_reuses_the_connection),
        H_TEST(health_is_503_while_the_database_is_unreachable),
        H_TEST(health_is_200_at_once_after_the_database_restarted),
        H_TEST(sigterm_exits_0),
        H_TEST(sigterm_finishes_the_request_in_flight),
        H_TEST(sigint_exits_0),
    };
    char name[64];
    snprintf(name, sizeof name, "integration_http_%s", h_engine_name());
    return cmocka_run_group_tests_name(name, tests, NULL, h_group_teardown);
}
