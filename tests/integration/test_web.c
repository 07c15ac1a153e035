/*
 * test_web — the web page as draftd serves it, and the counts route the page reads, on
 * both engines:
 *  - every file of web/ (DRAFTD_WEB_DIR, the source tree) is served byte for byte at
 *    /NAME with the content type of its extension and the caching and security
 *    headers; index.html also at /, with the Content-Security-Policy;
 *  - revalidation: If-None-Match with the ETag (plain, weak, in a list) is a bodiless
 *    304, another tag a 200;
 *  - gzip: a client that accepts it gets Content-Encoding gzip, smaller, decoding to the
 *    file; one that refuses it (q=0) or says nothing gets the file as is;
 *  - HEAD, other methods (405 JSON with Allow), unknown paths and a .gz twin's own name
 *    (404 JSON);
 *  - GET /api/prospects/counts agrees with the list totals per status as statuses move.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "harness_flow.h"

static void start_server(struct h_db **db, struct h_server *srv)
{
    h_db_create(db);
    h_migrate(*db, NULL);
    h_serve_up(srv, (*db)->url, NULL);
}

static const char *web_dir(void)
{
    const char *d = getenv("DRAFTD_WEB_DIR");
    if (!d || !*d) fail_msg("DRAFTD_WEB_DIR is not set (tests/integration/CMakeLists.txt sets it)");
    return d;
}

/* The whole file web/name; *len its size. Caller frees. */
static char *read_web_file(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", web_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    struct stat st;
    assert_int_equal(fstat(fileno(f), &st), 0);
    char *data = malloc((size_t)st.st_size + 1);
    assert_non_null(data);
    *len = fread(data, 1, (size_t)st.st_size, f);
    assert_int_equal(*len, (size_t)st.st_size);
    fclose(f);
    return data;
}

static const char *expected_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return "application/octet-stream";
    if (strcmp(dot, ".html") == 0) return "text/html; charset=utf-8";
    if (strcmp(dot, ".js") == 0) return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".css") == 0) return "text/css; charset=utf-8";
    if (strcmp(dot, ".svg") == 0) return "image/svg+xml";
    if (strcmp(dot, ".png") == 0) return "image/png";
    return NULL; /* a kind this test does not know yet: add it */
}

static void assert_header(const struct h_resp *r, const char *name, const char *want)
{
    char v[512];
    const char *got = h_header(r, name, v, sizeof v);
    if (!got || strcmp(got, want) != 0)
        fail_msg("header %s: want \"%s\", got \"%s\"", name, want, got ? got : "(absent)");
}

/* GET path, asserts it is the file name as is, with the headers every asset has. */
static void assert_serves_file(int port, const char *path, const char *name)
{
    size_t len;
    char *want = read_web_file(name, &len);
    struct h_resp r;
    h_http(&r, port, "GET", path, NULL, 0, NULL);
    if (r.status != 200) fail_msg("GET %s: %ld %s", path, r.status, r.body);
    assert_int_equal(r.body_len, len);
    assert_memory_equal(r.body, want, len);
    const char *type = expected_type(name);
    if (!type) fail_msg("web/%s has an extension this test does not know", name);
    assert_header(&r, "Content-Type", type);
    assert_header(&r, "Cache-Control", "no-cache");
    assert_header(&r, "X-Content-Type-Options", "nosniff");
    assert_header(&r, "Vary", "Accept-Encoding");
    char etag[64];
    assert_non_null(h_header(&r, "ETag", etag, sizeof etag));
    assert_int_equal(strlen(etag), 18); /* "\"" + 16 hex + "\"" */
    assert_true(etag[0] == '"' && etag[17] == '"');
    char v[512];
    assert_null(h_header(&r, "Content-Encoding", v, sizeof v));
    if (strcmp(name, "index.html") == 0) {
        const char *csp = h_header(&r, "Content-Security-Policy", v, sizeof v);
        assert_non_null(csp);
        h_assert_contains(csp, "default-src 'self'");
        h_assert_contains(csp, "script-src 'self'");
        h_assert_lacks(csp, "unsafe-inline");
        h_assert_lacks(csp, "unsafe-eval");
    }
    h_resp_release(&r);
    free(want);
}

static void every_file_is_served_as_is(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start_server(&db, &srv);

    DIR *d = opendir(web_dir());
    assert_non_null(d);
    int files = 0;
    bool html = false, js = false, css = false;
    for (struct dirent *ent; (ent = readdir(d));) {
        if (ent->d_name[0] == '.') continue;
        char path[300];
        snprintf(path, sizeof path, "/%s", ent->d_name);
        assert_serves_file(srv.port, path, ent->d_name);
        files++;
        html |= strcmp(ent->d_name, "index.html") == 0;
        js |= strstr(ent->d_name, ".js") != NULL;
        css |= strstr(ent->d_name, ".css") != NULL;
    }
    closedir(d);
    if (!html || !js || !css) fail_msg("web/ lacks index.html, a .js or a .css file");
    assert_serves_file(srv.port, "/", "index.html");
    print_message("served %d files of web/\n", files);

    h_serve_down(&srv);
}

static void revalidation_is_304(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start_server(&db, &srv);

    struct h_resp r;
    char etag[64], hdr[128], weak[128], list[160];
    h_http(&r, srv.port, "GET", "/", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(h_header(&r, "ETag", etag, sizeof etag));
    h_resp_release(&r);

    snprintf(hdr, sizeof hdr, "If-None-Match: %s", etag);
    snprintf(weak, sizeof weak, "If-None-Match: W/%s", etag);
    snprintf(list, sizeof list, "If-None-Match: \"0000000000000000\", %s", etag);
    const char *const *matching[] = {(const char *const[]){hdr, NULL},
                                     (const char *const[]){weak, NULL},
                                     (const char *const[]){list, NULL}};
    for (size_t i = 0; i < 3; i++) {
        h_http_headers(&r, srv.port, "GET", "/", matching[i], false);
        if (r.status != 304) fail_msg("%s: want 304, got %ld", matching[i][0], r.status);
        assert_int_equal(r.body_len, 0);
        assert_header(&r, "ETag", etag);
        assert_header(&r, "Cache-Control", "no-cache");
        h_resp_release(&r);
    }
    /* Another file's tag is not this one's. */
    h_http_headers(&r, srv.port, "GET", "/app.js", (const char *const[]){hdr, NULL}, false);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 0);
    h_resp_release(&r);
    h_http_headers(&r, srv.port, "GET", "/",
                   (const char *const[]){"If-None-Match: \"0123456789abcdef\"", NULL}, false);
    assert_int_equal(r.status, 200);
    h_resp_release(&r);

    h_serve_down(&srv);
}

static void gzip_when_accepted(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start_server(&db, &srv);
    size_t len;
    char *want = read_web_file("app.js", &len);

    struct h_resp r;
    h_http_headers(&r, srv.port, "GET", "/app.js",
                   (const char *const[]){"Accept-Encoding: gzip, deflate", NULL}, false);
    assert_int_equal(r.status, 200);
    assert_header(&r, "Content-Encoding", "gzip");
    assert_header(&r, "Content-Type", "text/javascript; charset=utf-8");
    assert_header(&r, "Vary", "Accept-Encoding");
    assert_true(r.body_len > 2 && r.body_len < len);
    assert_true((unsigned char)r.body[0] == 0x1f && (unsigned char)r.body[1] == 0x8b);
    h_resp_release(&r);

    /* Decoded, it is the file. */
    h_http_headers(&r, srv.port, "GET", "/app.js", NULL, true);
    assert_int_equal(r.status, 200);
    assert_header(&r, "Content-Encoding", "gzip");
    assert_int_equal(r.body_len, len);
    assert_memory_equal(r.body, want, len);
    h_resp_release(&r);

    /* Refused, or not mentioned: the file as is. */
    h_http_headers(&r, srv.port, "GET", "/app.js",
                   (const char *const[]){"Accept-Encoding: gzip;q=0, identity", NULL}, false);
    assert_int_equal(r.status, 200);
    char v[64];
    assert_null(h_header(&r, "Content-Encoding", v, sizeof v));
    assert_int_equal(r.body_len, len);
    assert_memory_equal(r.body, want, len);
    h_resp_release(&r);

    free(want);
    h_serve_down(&srv);
}

static void head_methods_and_unknown_paths(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start_server(&db, &srv);
    size_t len;
    free(read_web_file("index.html", &len));

    struct h_resp r;
    char v[64], want_len[32];
    h_http(&r, srv.port, "HEAD", "/", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 0);
    snprintf(want_len, sizeof want_len, "%zu", len);
    assert_header(&r, "Content-Length", want_len);
    assert_header(&r, "Content-Type", "text/html; charset=utf-8");
    h_resp_release(&r);

    static const char *const methods[] = {"POST", "PUT", "DELETE", "PATCH"};
    for (size_t i = 0; i < 4; i++) {
        h_http(&r, srv.port, methods[i], "/index.html", "x", 1, "text/plain");
        assert_int_equal(r.status, 405);
        h_assert_json_error(&r, "method_not_allowed");
        assert_header(&r, "Allow", "GET, HEAD");
        h_resp_release(&r);
    }

    static const char *const missing[] = {"/nope.js", "/app.js.gz", "/index.html.gz",
                                          "/web/index.html", "/api", "/../CMakeLists.txt",
                                          "/index.html/"};
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++) {
        h_http(&r, srv.port, "GET", missing[i], NULL, 0, NULL);
        if (r.status != 404) fail_msg("GET %s: want 404, got %ld", missing[i], r.status);
        h_assert_json_type(&r);
        h_assert_json_error(&r, "not_found");
        assert_null(h_header(&r, "Content-Encoding", v, sizeof v));
        h_resp_release(&r);
    }
    h_serve_down(&srv);
}

/* GET /api/prospects/counts as an object (json_decref it). */
static json_t *get_counts(int port)
{
    struct h_resp r;
    h_http(&r, port, "GET", "/api/prospects/counts", NULL, 0, NULL);
    if (r.status != 200) fail_msg("counts: %ld %s", r.status, r.body);
    h_assert_json_type(&r);
    json_t *o = h_json(&r);
    h_resp_release(&r);
    assert_int_equal(json_object_size(o), 6);
    return o;
}

static long long list_total(int port, const char *status)
{
    char path[128];
    snprintf(path, sizeof path, "/api/prospects?limit=1%s%s", status ? "&draft_status=" : "",
             status ? status : "");
    json_t *o = h_get_json(port, path);
    long long n = h_json_int(o, "total");
    json_decref(o);
    return n;
}

static void assert_counts(int port, const long long want[5])
{
    static const char *const names[] = {"none", "drafted", "approved", "rejected", "failed"};
    json_t *o = get_counts(port);
    long long sum = 0;
    for (int i = 0; i < 5; i++) {
        json_t *v = json_object_get(o, names[i]);
        if (!json_is_integer(v) || json_integer_value(v) != want[i])
            fail_msg("counts.%s: want %lld, got %lld", names[i], want[i],
                     (long long)json_integer_value(v));
        assert_int_equal(list_total(port, names[i]), want[i]);
        sum += want[i];
    }
    assert_int_equal(json_integer_value(json_object_get(o, "total")), sum);
    assert_int_equal(list_total(port, NULL), sum);
    json_decref(o);
}

static void counts_follow_the_prospects(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start_server(&db, &srv);
    assert_counts(srv.port, (const long long[]){0, 0, 0, 0, 0});

    const char *body = "[{\"email\":\"a@x.example\"},{\"email\":\"b@x.example\"},"
                       "{\"email\":\"c@x.example\"},{\"email\":\"d@x.example\"},"
                       "{\"email\":\"e@x.example\"}]";
    struct h_resp r;
    h_http(&r, srv.port, "POST", "/api/prospects", body, strlen(body), "application/json");
    assert_int_equal(r.status, 201);
    h_resp_release(&r);
    assert_counts(srv.port, (const long long[]){5, 0, 0, 0, 0});

    /* Statuses set behind the server's back: the counts are the database's, not a cache. */
    h_db_exec(db, "UPDATE prospects SET draft_status = 'drafted', draft_subject = 's', "
                  "draft_body = 'b' WHERE email IN ('a@x.example', 'b@x.example', 'c@x.example')");
    h_db_exec(db, "UPDATE prospects SET draft_status = 'failed', draft_error = 'no company' "
                  "WHERE email = 'd@x.example'");
    assert_counts(srv.port, (const long long[]){1, 3, 0, 0, 1});

    const char *approve = "{\"draft_status\":\"approved\"}";
    const char *reject = "{\"draft_status\":\"rejected\"}";
    long long a = h_db_int(db, "SELECT id FROM prospects WHERE email = 'a@x.example'");
    long long b = h_db_int(db, "SELECT id FROM prospects WHERE email = 'b@x.example'");
    char path[64];
    snprintf(path, sizeof path, "/api/prospects/%lld", a);
    h_http(&r, srv.port, "PATCH", path, approve, strlen(approve), "application/json");
    assert_int_equal(r.status, 200);
    h_resp_release(&r);
    snprintf(path, sizeof path, "/api/prospects/%lld", b);
    h_http(&r, srv.port, "PATCH", path, reject, strlen(reject), "application/json");
    assert_int_equal(r.status, 200);
    h_resp_release(&r);
    h_http(&r, srv.port, "DELETE", "/api/prospects/1000000", NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    h_resp_release(&r);
    long long e = h_db_int(db, "SELECT id FROM prospects WHERE email = 'e@x.example'");
    snprintf(path, sizeof path, "/api/prospects/%lld", e);
    h_http(&r, srv.port, "DELETE", path, NULL, 0, NULL);
    assert_int_equal(r.status, 204);
    h_resp_release(&r);
    assert_counts(srv.port, (const long long[]){0, 1, 1, 1, 1});

    h_http(&r, srv.port, "POST", "/api/prospects/counts", "{}", 2, "application/json");
    assert_int_equal(r.status, 405);
    h_assert_json_error(&r, "method_not_allowed");
    h_resp_release(&r);
    h_serve_down(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        H_TEST(every_file_is_served_as_is),
        H_TEST(revalidation_is_304),
        H_TEST(gzip_when_accepted),
        H_TEST(head_methods_and_unknown_paths),
        H_TEST(counts_follow_the_prospects),
    };
    return cmocka_run_group_tests(tests, NULL, h_group_teardown);
}
