/*
 * assets — see assets.h.
 */
#include "assets.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "../hash.h"

#define ASSET_PATH_MAX 128

/*
 * Only this origin's own files: no inline script or style, no plugin, no framing, no
 * form posting elsewhere. Setting element.style from a module (CSSOM) stays allowed.
 */
#define ASSET_CSP                                                                              \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "         \
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "             \
    "frame-ancestors 'none'"

struct asset {
    char path[ASSET_PATH_MAX]; /* "/app.js" */
    bool index;                /* also served at "/" */
    char etag[20];             /* "\"<16 hex>\"" */
    struct MHD_Response *plain, *gz, *not_modified;
};

struct assets {
    struct asset *v;
    size_t n;
};

static const struct {
    const char *ext, *type;
} content_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".txt", "text/plain; charset=utf-8"},
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *content_type(const char *name)
{
    for (size_t i = 0; i < sizeof content_types / sizeof *content_types; i++)
        if (ends_with(name, content_types[i].ext)) return content_types[i].type;
    return "application/octet-stream";
}

/* The table's "NAME.gz" twin of name, or NULL. */
static const struct embedded_file *gz_twin(const struct embedded_file *files, size_t n,
                                           const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (strncmp(files[i].name, name, len) == 0 && strcmp(files[i].name + len, ".gz") == 0)
            return &files[i];
    return NULL;
}

/* Whether name is itself the twin of another file of the table. */
static bool is_twin(const struct embedded_file *files, size_t n, const char *name)
{
    if (!ends_with(name, ".gz")) return false;
    size_t base = strlen(name) - 3;
    for (size_t i = 0; i < n; i++)
        if (strlen(files[i].name) == base && strncmp(files[i].name, name, base) == 0) return true;
    return false;
}

static int add_headers(struct MHD_Response *resp, const struct asset *a, const char *type,
                       bool html)
{
    int bad = 0;
    if (type) bad |= MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) != MHD_YES;
    bad |= MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, a->etag) != MHD_YES;
    bad |= MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache") != MHD_YES;
    bad |= MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding") != MHD_YES;
    bad |= MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") != MHD_YES;
    bad |= MHD_add_response_header(resp, "Referrer-Policy", "no-referrer") != MHD_YES;
    if (html)
        bad |= MHD_add_response_header(resp, "Content-Security-Policy", ASSET_CSP) != MHD_YES;
    return bad ? -1 : 0;
}

static struct MHD_Response *body_response(const struct asset *a, const struct embedded_file *f,
                                          const char *type, bool html, bool gzip)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    if (!resp) return NULL;
    int bad = add_headers(resp, a, type, html);
    if (gzip)
        bad |= MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip") != MHD_YES;
    if (bad) {
        MHD_destroy_response(resp);
        return NULL;
    }
    return resp;
}

static void asset_release(struct asset *a)
{
    if (a->plain) MHD_destroy_response(a->plain);
    if (a->gz) MHD_destroy_response(a->gz);
    if (a->not_modified) MHD_destroy_response(a->not_modified);
}

void assets_free(struct assets *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n; i++) asset_release(&a->v[i]);
    free(a->v);
    free(a);
}

int assets_new(struct assets **out, const struct embedded_file *files, size_t n, struct err *e)
{
    *out = NULL;
    struct assets *a = calloc(1, sizeof *a);
    if (!a || (n && !(a->v = calloc(n, sizeof *a->v)))) {
        free(a);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const struct embedded_file *f = &files[i];
        if (!f->name || is_twin(files, n, f->name)) continue;
        struct asset *as = &a->v[a->n++];
        if (snprintf(as->path, sizeof as->path, "/%s", f->name) >= (int)sizeof as->path) {
            assets_free(a);
            return err_set(e, ERR_INVALID, "web asset name %s is too long", f->name);
        }
        as->index = strcmp(f->name, "index.html") == 0;
        char hex[17];
        hash_fnv1a_hex(f->data, f->len, hex);
        snprintf(as->etag, sizeof as->etag, "\"%s\"", hex);
        const char *type = content_type(f->name);
        bool html = ends_with(f->name, ".html");
        const struct embedded_file *twin = gz_twin(files, n, f->name);
        as->plain = body_response(as, f, type, html, false);
        if (twin) as->gz = body_response(as, twin, type, html, true);
        as->not_modified = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (!as->plain || (twin && !as->gz) || !as->not_modified ||
            add_headers(as->not_modified, as, NULL, false)) {
            assets_free(a);
            return err_set(e, ERR_NOMEM, "out of memory while preparing the web page");
        }
    }
    *out = a;
    return 0;
}

/* Skips spaces and tabs. */
static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/*
 * Whether the element's parameters (";q=0.5") leave it acceptable: a q of zero
 * ("0", "0.", "0.000") refuses the coding, anything else accepts it.
 */
static bool q_accepts(const char *p, const char *end)
{
    while (p < end) {
        p = skip_ows(p);
        if (*p == ';') p = skip_ows(p + 1);
        if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            p += 2;
            if (*p != '0') return true; /* "1", "1.0", or out of grammar: accept */
            p++;
            if (*p == '.') p++;
            while (p < end && *p == '0') p++;
            return p < end && *p >= '1' && *p <= '9';
        }
        while (p < end && *p != ';') p++;
    }
    return true;
}

bool assets_accepts_gzip(const char *v)
{
    if (!v) return false;
    bool star = false, gzip = false, gzip_seen = false;
    for (const char *p = v; *p;) {
        p = skip_ows(p);
        const char *tok = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t') p++;
        size_t len = (size_t)(p - tok);
        const char *params = p;
        while (*p && *p != ',') p++;
        bool ok = q_accepts(params, p);
        if ((len == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
            (len == 6 && strncasecmp(tok, "x-gzip", 6) == 0)) {
            gzip_seen = true;
            gzip = gzip || ok;
        } else if (len == 1 && *tok == '*') {
            star = ok;
        }
        if (*p == ',') p++;
    }
    return gzip_seen ? gzip : star;
}

bool assets_etag_matches(const char *v, const char *etag)
{
    if (!v) return false;
    size_t n = strlen(etag);
    for (const char *p = v; *p;) {
        p = skip_ows(p);
        if (*p == '*') return true;
        if (strncmp(p, "W/", 2) == 0) p += 2; /* If-None-Match compares weakly */
        if (strncmp(p, etag, n) == 0) {
            const char *after = skip_ows(p + n);
            if (*after == ',' || *after == '\0') return true;
        }
        while (*p && *p != ',') p++;
        if (*p == ',') p++;
    }
    return false;
}

int assets_serve(const struct assets *a, struct http_req *r)
{
    const struct asset *as = NULL;
    for (size_t i = 0; a && i < a->n && !as; i++)
        if (strcmp(a->v[i].path, r->path) == 0 || (a->v[i].index && strcmp(r->path, "/") == 0))
            as = &a->v[i];
    if (!as) return 1;
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        r->allow = "GET, HEAD";
        http_reply_error(r, 405, "method_not_allowed",
                         json_pack("{s:[s,s]}", "allowed", "GET", "HEAD"),
                         "%s is not allowed on %s, a file of the web page; allowed: GET, HEAD",
                         r->method, r->path);
        r->allow = NULL;
        return 0;
    }
    if (assets_etag_matches(http_header(r, "If-None-Match"), as->etag)) {
        http_reply_shared(r, 304, as->not_modified);
        return 0;
    }
    bool gz = as->gz && assets_accepts_gzip(http_header(r, "Accept-Encoding"));
    http_reply_shared(r, 200, gz ? as->gz : as->plain);
    return 0;
}
