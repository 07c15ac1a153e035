/*
 * reply — the http_reply_* functions of http.h: JSON written once, one error shape.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <microhttpd.h>

#include "../log.h"
#include "http.h"

static int queue(struct http_req *r, unsigned status, struct MHD_Response *resp)
{
    r->status = status;
    r->responded = true;
    int rc = MHD_queue_response(r->conn, status, resp) == MHD_YES ? 0 : ERR_IO;
    return rc;
}

int http_reply_json_text(struct http_req *r, unsigned status, char *text, size_t len)
{
    if (!text)
        return http_reply_error(r, 500, "out_of_memory", NULL,
                                "out of memory while writing the answer");
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return ERR_NOMEM;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r->allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->location) MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    int rc = queue(r, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

int http_reply_json(struct http_req *r, unsigned status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return http_reply_json_text(r, status, text, text ? strlen(text) : 0);
}

int http_reply_error(struct http_req *r, unsigned status, const char *code, json_t *details,
                     const char *fmt, ...)
{
    char msg[ERR_MSG_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (status >= 500) {
        char q[1100];
        log_msg(LOG_ERROR, "request failed", "method=%s path=%s status=%u code=%s error=%s",
                r->method, r->path, status, code, log_quote(q, sizeof q, msg));
    }
    json_t *text = json_string(msg);
    if (!text) { /* not UTF-8 (a raw byte from the URL, say): keep the ASCII */
        for (char *p = msg; *p; p++)
            if ((unsigned char)*p >= 0x80) *p = '?';
        text = json_string(msg);
    }
    json_t *body = json_pack("{s:{s:s, s:o, s:o}}", "error", "code", code, "message", text,
                             "details", details ? details : json_object());
    if (!body) return ERR_NOMEM;
    return http_reply_json(r, status, body);
}

unsigned http_status_for(int code)
{
    switch (code) {
    case ERR_MALFORMED: return 400;
    case ERR_NOT_FOUND: return 404;
    case ERR_CONFLICT: return 409;
    case ERR_INVALID: return 422;
    case ERR_UNAVAILABLE:
    case ERR_SCHEMA: return 503;
    default: return 500;
    }
}

int http_reply_err(struct http_req *r, const struct err *e)
{
    return http_reply_error(r, http_status_for(e->code), err_code_name(e->code), NULL, "%s",
                            e->msg);
}

int http_reply_shared(struct http_req *r, unsigned status, struct MHD_Response *resp)
{
    return queue(r, status, resp);
}

int http_reply_empty(struct http_req *r, unsigned status)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp) return ERR_NOMEM;
    if (r->allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->location) MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    int rc = queue(r, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

struct MHD_Response *http_response_const_json(const char *json)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_PERSISTENT);
    if (!resp) return NULL;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return resp;
}

const char *http_query(const struct http_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* A whole decimal integer in [min, max]; 0 on success. */
static int parse_bounded(const char *text, long long min, long long max, long long *out)
{
    if (!text || !*text) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || end == text || v < min || v > max) return -1;
    *out = v;
    return 0;
}

int http_list_args(struct http_req *r, long long *skip, long long *limit)
{
    const char *s = http_query(r, "skip"), *l = http_query(r, "limit");
    *skip = 0;
    *limit = 100;
    if (s && parse_bounded(s, 0, LLONG_MAX, skip)) {
        http_reply_error(r, 400, "bad_skip", json_pack("{s:s}", "skip", s),
                         "skip must be an integer of at least 0, not \"%s\"", s);
        return ERR_MALFORMED;
    }
    if (l && parse_bounded(l, 1, 1000, limit)) {
        http_reply_error(r, 400, "bad_limit", json_pack("{s:s}", "limit", l),
                         "limit must be an integer from 1 to 1000, not \"%s\"", l);
        return ERR_MALFORMED;
    }
    return 0;
}

struct stream {
    http_stream_read read;
    void *cls;
    void (*done)(void *cls);
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *st = cls;
    long n = st->read(st->cls, pos, buf, max);
    if (n == HTTP_STREAM_END) return MHD_CONTENT_READER_END_OF_STREAM;
    if (n <= 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *st = cls;
    if (st->done) st->done(st->cls);
    free(st);
}

int http_reply_stream(struct http_req *r, unsigned status, const char *content_type,
                      const char *disposition, http_stream_read read, void *cls,
                      void (*done)(void *cls))
{
    struct stream *st = malloc(sizeof *st);
    if (!st) {
        if (done) done(cls);
        return http_reply_error(r, 500, "out_of_memory", NULL, "out of memory");
    }
    *st = (struct stream){.read = read, .cls = cls, .done = done};
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, st, stream_free);
    if (!resp) {
        stream_free(st);
        return http_reply_error(r, 500, "out_of_memory", NULL, "out of memory");
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (disposition) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    int rc = queue(r, status, resp);
    MHD_destroy_response(resp);
    return rc;
}
