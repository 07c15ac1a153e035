/*
 * harness_http — the HTTP client of harness.h: one libcurl easy handle per request (so
 * each request has a connection of its own), the body and the final header block
 * captured, and assertions on the JSON answers of draftd.
 */
#include "harness.h"
#include "harness_internal.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- HTTP --------------------------------------------------------------------------- */

struct buf {
    char *data;
    size_t len, cap;
};

static void buf_append(struct buf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 1024;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *grown = realloc(b->data, ncap);
        assert_non_null(grown);
        b->data = grown;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    buf_append(arg, p, size * n);
    return size * n;
}

/* Keeps only the last header block (a 100 Continue comes before the real answer). */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    if (size * n >= 5 && strncmp(p, "HTTP/", 5) == 0) b->len = 0;
    buf_append(b, p, size * n);
    return size * n;
}

struct upload {
    size_t left;
};

static size_t on_read(char *p, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t k = size * n < u->left ? size * n : u->left;
    memset(p, 'x', k);
    u->left -= k;
    return k;
}

static bool curl_ready;

static CURL *easy_new(int port, const char *path, struct buf *body, struct buf *headers)
{
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) fail_msg("curl_global_init failed");
        curl_ready = true;
    }
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, headers);
    return c;
}

static void finish(struct h_resp *r, CURL *c, CURLcode rc, struct buf *body, struct buf *headers,
                   struct curl_slist *list, const char *method, const char *path)
{
    memset(r, 0, sizeof *r);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &r->connects);
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(list);
    buf_append(body, "", 0);
    buf_append(headers, "", 0);
    r->body = hi_track_buf(body->data);
    r->body_len = body->len;
    r->headers = hi_track_buf(headers->data);
    if (rc != CURLE_OK) {
        h_resp_release(r);
        fail_msg("%s %s: no HTTP answer: %s", method, path, curl_easy_strerror(rc));
    }
}

void h_http(struct h_resp *r, int port, const char *method, const char *path, const char *body,
            size_t body_len, const char *content_type)
{
    struct buf in = {0}, hdr = {0};
    struct curl_slist *list = NULL;
    CURL *c = easy_new(port, path, &in, &hdr);
    if (strcmp(method, "GET") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body || strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    }
    if (content_type) {
        char h[256];
        snprintf(h, sizeof h, "Content-Type: %s", content_type);
        list = curl_slist_append(list, h);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    }
    CURLcode rc = curl_easy_perform(c);
    finish(r, c, rc, &in, &hdr, list, method, path);
}

void h_http_headers(struct h_resp *r, int port, const char *method, const char *path,
                    const char *const *headers, bool decode)
{
    struct buf in = {0}, hdr = {0};
    struct curl_slist *list = NULL;
    CURL *c = easy_new(port, path, &in, &hdr);
    if (strcmp(method, "GET") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (decode) curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
    for (size_t i = 0; headers && headers[i]; i++) list = curl_slist_append(list, headers[i]);
    if (list) curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    CURLcode rc = curl_easy_perform(c);
    finish(r, c, rc, &in, &hdr, list, method, path);
}

void h_http_chunked(struct h_resp *r, int port, const char *path, size_t body_len)
{
    struct buf in = {0}, hdr = {0};
    struct upload up = {.left = body_len};
    struct curl_slist *list = NULL;
    CURL *c = easy_new(port, path, &in, &hdr);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    list = curl_slist_append(list, "Transfer-Encoding: chunked");
    list = curl_slist_append(list, "Content-Type: application/octet-stream");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    CURLcode rc = curl_easy_perform(c);
    finish(r, c, rc, &in, &hdr, list, "POST (chunked)", path);
}

const char *h_header(const struct h_resp *r, const char *name, char *out, size_t len)
{
    size_t nlen = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t llen = eol ? (size_t)(eol - p) : strlen(p);
        if (llen > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
            const char *v = p + nlen + 1;
            const char *e = p + llen;
            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            while (e > v && (e[-1] == '\r' || e[-1] == ' '))
                e--;
            snprintf(out, len, "%.*s", (int)(e - v), v);
            return out;
        }
        if (!eol) break;
        p = eol + 1;
    }
    return NULL;
}

json_t *h_json(const struct h_resp *r)
{
    json_error_t je;
    json_t *j = json_loadb(r->body, r->body_len, 0, &je);
    if (!j) fail_msg("the body is not JSON (%s): %.300s", je.text, r->body);
    return j;
}

void h_resp_release(struct h_resp *r)
{
    hi_free_buf(r->body);
    hi_free_buf(r->headers);
    r->body = r->headers = NULL;
}

void h_assert_json_error_at(const struct h_resp *r, const char *code, const char *file, int line)
{
    json_t *j = h_json(r);
    json_t *e = json_object_get(j, "error");
    const char *c = json_string_value(json_object_get(e, "code"));
    const char *m = json_string_value(json_object_get(e, "message"));
    bool ok = json_is_object(e) && c && *c && m && *m && (!code || strcmp(c, code) == 0);
    json_decref(j);
    if (!ok)
        fail_msg("%s:%d: not a JSON error with code \"%s\" and a message: %.500s", file, line,
                 code ? code : "(any)", r->body);
}

void h_assert_json_type_at(const struct h_resp *r, const char *file, int line)
{
    char v[128];
    if (!h_header(r, "Content-Type", v, sizeof v))
        fail_msg("%s:%d: no Content-Type header in:\n%s", file, line, r->headers);
    size_t n = strcspn(v, "; ");
    if (n != strlen("application/json") || strncasecmp(v, "application/json", n) != 0)
        fail_msg("%s:%d: Content-Type is \"%s\", expected application/json", file, line, v);
}

void h_assert_health_ok(int port)
{
    struct h_resp r;
    h_http(&r, port, "GET", "/api/health", NULL, 0, NULL);
    if (r.status != 200) {
        print_error("GET /api/health answered %ld: %s\n", r.status, r.body);
        h_resp_release(&r);
        fail_msg("GET /api/health is not 200");
    }
    json_t *got = h_json(&r);
    json_t *want = json_pack("{s:s, s:s}", "status", "ok", "database", "ok");
    bool same = json_equal(got, want);
    json_decref(got);
    json_decref(want);
    if (!same) {
        print_error("GET /api/health body: %s\n", r.body);
        h_resp_release(&r);
        fail_msg("GET /api/health is not {\"status\":\"ok\",\"database\":\"ok\"}");
    }
    h_assert_json_type(&r);
    h_resp_release(&r);
}

void hi_http_cleanup(void)
{
    if (curl_ready) curl_global_cleanup();
    curl_ready = false;
}
