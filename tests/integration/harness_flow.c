/*
 * harness_flow — see harness_flow.h. JSON requests and job polling are built on h_http;
 * h_raw_get uses a libcurl easy handle of its own and touches none of the harness's
 * bookkeeping, so threads other than the test's may call it.
 */
#include "harness_flow.h"
#include "harness_internal.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- JSON requests -------------------------------------------------------------------- */

json_t *h_req_json(int port, const char *method, const char *path, const char *body, long want)
{
    struct h_resp r;
    h_http(&r, port, method, path, body, body ? strlen(body) : 0,
           body ? "application/json" : NULL);
    if (r.status != want) {
        print_error("%s %s answered %ld (expected %ld): %.2000s\n", method, path, r.status, want,
                    r.body);
        h_resp_release(&r);
        fail_msg("%s %s: status %ld, expected %ld", method, path, r.status, want);
    }
    json_t *j = h_json(&r);
    h_resp_release(&r);
    return j;
}

json_t *h_get_json(int port, const char *path)
{
    return h_req_json(port, "GET", path, NULL, 200);
}

long long h_json_int(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v)) {
        char *text = json_dumps(o, JSON_COMPACT);
        print_error("in %.1000s\n", text ? text : "(unprintable)");
        free(text);
        fail_msg("\"%s\" is not an integer", key);
    }
    return json_integer_value(v);
}

const char *h_json_str(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_null(v)) return NULL;
    if (!json_is_string(v)) {
        char *text = json_dumps(o, JSON_COMPACT);
        print_error("in %.1000s\n", text ? text : "(unprintable)");
        free(text);
        fail_msg("\"%s\" is neither a string nor null", key);
    }
    return json_string_value(v);
}

void h_sleep_ms(long ms)
{
    hi_nap_ms(ms);
}

long long h_now_ms(void)
{
    return hi_now_ms();
}

/* --- servers ------------------------------------------------------------------------ */

void h_serve_up(struct h_server *srv, const char *db_url, const char *const *env)
{
    int rc = h_serve_start(srv, db_url, env, NULL);
    if (rc != H_LISTENING) {
        print_error("serve exited %d:\n%s\n", rc, srv->log);
        fail_msg("draftd serve did not listen (exit %d)", rc);
    }
}

void h_serve_down(struct h_server *srv)
{
    int rc = h_serve_stop(srv);
    if (rc != 0) print_error("serve log:\n%s\n", srv->log);
    assert_int_equal(rc, 0);
    h_serve_release(srv);
}

void h_serve_kill9(struct h_server *srv)
{
    if (!srv->running) fail_msg("h_serve_kill9: the server is not running");
    hi_kill_and_reap(srv->pid);
    srv->running = false;
    srv->status = -SIGKILL;
    h_serve_log(srv);
}

/* --- prospects ---------------------------------------------------------------------- */

long long h_import_generated(int port, const char *tag, int n)
{
    size_t cap = 128 + (size_t)n * (3 * strlen(tag) + 160);
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t len = (size_t)snprintf(csv, cap, "email,first_name,last_name,company,title,website\n");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(csv + len, cap - len,
                                "%s-%d@example.com,First%d,Last%d,Company %d,CTO,"
                                "https://%s-%d.example.com\n",
                                tag, i, i, i, i, tag, i);
    assert_true(len < cap);
    struct h_resp r;
    h_http(&r, port, "POST", "/api/prospects/import", csv, len, "text/csv");
    free(csv);
    if (r.status != 200) {
        print_error("import answered %ld: %.2000s\n", r.status, r.body);
        h_resp_release(&r);
        fail_msg("POST /api/prospects/import: status %ld, expected 200", r.status);
    }
    json_t *j = h_json(&r);
    h_resp_release(&r);
    long long imported = h_json_int(j, "imported");
    json_decref(j);
    assert_int_equal(imported, n);
    return n;
}

size_t h_prospect_ids(int port, long long **out)
{
    size_t n = 0, cap = 0;
    long long *ids = NULL;
    char path[128];
    for (long long skip = 0;; skip += 1000) {
        snprintf(path, sizeof path, "/api/prospects?skip=%lld&limit=1000", skip);
        json_t *page = h_get_json(port, path);
        json_t *items = json_object_get(page, "items");
        assert_true(json_is_array(items));
        size_t k = json_array_size(items);
        for (size_t i = 0; i < k; i++) {
            if (n == cap) {
                cap = cap ? 2 * cap : 1024;
                long long *grown = realloc(ids, cap * sizeof *ids);
                assert_non_null(grown);
                ids = grown;
            }
            ids[n++] = h_json_int(json_array_get(items, i), "id");
        }
        long long total = h_json_int(page, "total");
        json_decref(page);
        if (k == 0 || (long long)n >= total) break;
    }
    /* ascending, whatever order the list has */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            long long t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    *out = ids ? hi_track_buf(ids) : NULL;
    return n;
}

/* --- jobs --------------------------------------------------------------------------- */

long long h_draft_start(int port, const char *body)
{
    struct h_resp r;
    h_http(&r, port, "POST", "/api/pipeline/draft", body, body ? strlen(body) : 0,
           body ? "application/json" : NULL);
    if (r.status != 202) {
        print_error("POST /api/pipeline/draft answered %ld: %.2000s\n", r.status, r.body);
        h_resp_release(&r);
        fail_msg("POST /api/pipeline/draft: status %ld, expected 202", r.status);
    }
    json_t *j = h_json(&r);
    long long id = h_json_int(j, "job_id");
    const char *status = h_json_str(j, "status");
    bool pending = status && strcmp(status, "pending") == 0;
    json_decref(j);
    char want[96], loc[256];
    snprintf(want, sizeof want, "/api/pipeline/draft/jobs/%lld", id);
    const char *got = h_header(&r, "Location", loc, sizeof loc);
    bool loc_ok = got && strcmp(got, want) == 0;
    if (!pending || !loc_ok) print_error("202 answer:\n%s\n%s\n", r.headers, r.body);
    h_resp_release(&r);
    if (!pending) fail_msg("the 202 answer's status is not \"pending\"");
    if (!loc_ok) fail_msg("Location is \"%s\", expected \"%s\"", got ? got : "(none)", want);
    return id;
}

json_t *h_job_get(int port, long long id)
{
    char path[96];
    snprintf(path, sizeof path, "/api/pipeline/draft/jobs/%lld", id);
    json_t *job = h_get_json(port, path);
    assert_int_equal(h_json_int(job, "id"), id);
    return job;
}

bool h_job_finished(const json_t *job)
{
    const char *s = json_string_value(json_object_get(job, "status"));
    return s && (strcmp(s, "completed") == 0 || strcmp(s, "failed") == 0 ||
                 strcmp(s, "cancelled") == 0);
}

static json_t *wait_for(int port, long long id, long long k, long timeout_ms)
{
    long long deadline = hi_now_ms() + timeout_ms;
    for (;;) {
        json_t *job = h_job_get(port, id);
        if (h_job_finished(job) || (k >= 0 && h_json_int(job, "drafts_created") >= k)) return job;
        if (hi_now_ms() >= deadline) {
            char *text = json_dumps(job, JSON_COMPACT);
            print_error("job %lld after %ld ms: %s\n", id, timeout_ms, text ? text : "?");
            free(text);
            json_decref(job);
            if (k >= 0)
                fail_msg("job %lld did not reach drafts_created >= %lld within %ld ms", id, k,
                         timeout_ms);
            fail_msg("job %lld did not finish within %ld ms", id, timeout_ms);
        }
        json_decref(job);
        hi_nap_ms(20);
    }
}

json_t *h_job_wait_done(int port, long long id, long timeout_ms)
{
    return wait_for(port, id, -1, timeout_ms);
}

json_t *h_job_wait_created(int port, long long id, long long k, long timeout_ms)
{
    return wait_for(port, id, k, timeout_ms);
}

/* --- database ----------------------------------------------------------------------- */

struct text {
    char *data;
    size_t len, cap;
};

static void text_add(struct text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = realloc(t->data, cap);
        assert_non_null(grown);
        t->data = grown;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n + 1);
    t->len += n;
}

static char *pg_rows(const struct h_db *db, const char *sql)
{
    char err[512];
    struct text t = {0};
    PGconn *c = PQconnectdb(db->url);
    if (PQstatus(c) != CONNECTION_OK) {
        snprintf(err, sizeof err, "%s", PQerrorMessage(c));
        PQfinish(c);
        fail_msg("cannot connect to %s: %s", db->url, err);
    }
    PGresult *res = PQexec(c, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, sizeof err, "%s", PQresultErrorMessage(res));
        PQclear(res);
        PQfinish(c);
        fail_msg("query failed on %s: %s\n  SQL: %s", db->url, err, sql);
    }
    text_add(&t, "");
    for (int i = 0; i < PQntuples(res); i++) {
        for (int k = 0; k < PQnfields(res); k++) {
            if (k) text_add(&t, "|");
            text_add(&t, PQgetisnull(res, i, k) ? "NULL" : PQgetvalue(res, i, k));
        }
        text_add(&t, "\n");
    }
    PQclear(res);
    PQfinish(c);
    return t.data;
}

static char *sqlite_rows(const struct h_db *db, const char *sql)
{
    char err[512];
    struct text t = {0};
    sqlite3 *c = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_open_v2(db->path, &c, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, sizeof err, "%s", c ? sqlite3_errmsg(c) : sqlite3_errstr(rc));
        sqlite3_close(c);
        fail_msg("cannot open %s: %s", db->path, err);
    }
    sqlite3_busy_timeout(c, 10000);
    rc = sqlite3_prepare_v2(c, sql, -1, &st, NULL);
    text_add(&t, "");
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) break;
        for (int k = 0; k < sqlite3_column_count(st); k++) {
            if (k) text_add(&t, "|");
            const unsigned char *v = sqlite3_column_text(st, k);
            text_add(&t, v ? (const char *)v : "NULL");
        }
        text_add(&t, "\n");
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, sizeof err, "%s", sqlite3_errmsg(c));
        sqlite3_finalize(st);
        sqlite3_close(c);
        free(t.data);
        fail_msg("query failed on %s: %s\n  SQL: %s", db->url, err, sql);
    }
    sqlite3_finalize(st);
    sqlite3_close(c);
    return t.data;
}

char *h_db_rows(const struct h_db *db, const char *sql)
{
    return hi_track_buf(db->engine == H_POSTGRES ? pg_rows(db, sql) : sqlite_rows(db, sql));
}

void h_buf_free(void *p)
{
    hi_free_buf(p);
}

long long h_db_intf(const struct h_db *db, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof sql) fail_msg("h_db_intf: the query is too long");
    return h_db_int(db, sql);
}

/* --- other threads ------------------------------------------------------------------ */

struct raw {
    char *data;
    size_t len, cap;
    bool oom;
};

static size_t raw_write(char *p, size_t size, size_t n, void *arg)
{
    struct raw *b = arg;
    size_t k = size * n;
    if (b->oom) return 0;
    if (b->len + k + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + k + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->oom = true;
            return 0;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, k);
    b->len += k;
    b->data[b->len] = '\0';
    return k;
}

char *h_raw_get(int port, const char *path, long *status)
{
    return h_raw_request(port, "GET", path, NULL, status);
}

char *h_raw_request(int port, const char *method, const char *path, const char *body,
                    long *status)
{
    struct raw b = {0};
    char url[512];
    struct curl_slist *list = NULL;
    *status = 0;
    CURL *c = curl_easy_init();
    if (!c) return NULL;
    if (strcmp(method, "GET") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        list = curl_slist_append(list, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, raw_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    curl_slist_free_all(list);
    if (rc != CURLE_OK || !b.data) {
        free(b.data);
        return NULL;
    }
    return b.data;
}
