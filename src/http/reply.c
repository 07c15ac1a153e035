/*
 * reply — the http_reply_* functions of http.h: JSON written once, one error shape.
 */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "http.h"

static int queue(struct http_req *r, unsigned status, struct MHD_Response *resp)
{
    r->status = status;
    r->responded = true;
    int rc = MHD_queue_response(r->conn, status, resp) == MHD_YES ? 0 : ERR_IO;
    return rc;
}

int http_reply_json(struct http_req *r, unsigned status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text) return http_reply_error(r, 500, "out_of_memory", NULL, "out of memory");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return ERR_NOMEM;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r->allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    int rc = queue(r, status, resp);
    MHD_destroy_response(resp);
    return rc;
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

struct MHD_Response *http_response_const_json(const char *json)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_PERSISTENT);
    if (!resp) return NULL;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return resp;
}
