/*
 * http — the request a handler sees and the replies it can give.
 *
 * A handler gets a struct http_req with the method, path, the integer ids captured
 * from the route pattern and the whole (bounded) body, and answers with exactly one
 * http_reply_* call. Every 4xx/5xx goes through http_reply_error, which writes the one
 * JSON error shape of API.md. Handlers never see libmicrohttpd's MHD_YES/MHD_NO.
 */
#ifndef DRAFTD_HTTP_H
#define DRAFTD_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../err.h"

#define HTTP_MAX_IDS 4

struct MHD_Connection;
struct MHD_Response;

struct http_req {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    long long ids[HTTP_MAX_IDS]; /* {id} segments of the route, in order */
    size_t nids;
    char *body; /* NUL-terminated, body_len bytes; NULL when there was none */
    size_t body_len;
    void *app;       /* the application's context, given to http_server_start */
    const char *allow;    /* when set, sent as the Allow header of the reply */
    const char *location; /* when set, sent as the Location header of the reply */
    unsigned status;   /* set by the reply */
    bool responded;
};

/* Answers with body as JSON. Steals the reference to body. */
int http_reply_json(struct http_req *r, unsigned status, json_t *body);

/*
 * Answers with JSON text already written (len bytes, malloc'd), which it takes over and
 * frees. NULL text (the writer ran out of memory) is answered 500.
 */
int http_reply_json_text(struct http_req *r, unsigned status, char *text, size_t len);

/*
 * Answers {"error":{"code","message","details"}}. Steals details (may be NULL: {}).
 */
int http_reply_error(struct http_req *r, unsigned status, const char *code, json_t *details,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Answers the error in e with the status its code maps to (404, 409, 503, ...). */
int http_reply_err(struct http_req *r, const struct err *e);

/* The HTTP status for an ERR_* code. */
unsigned http_status_for(int err_code);

/* Queues a response built once and shared (e.g. a constant health answer). */
int http_reply_shared(struct http_req *r, unsigned status, struct MHD_Response *resp);

/* Answers with no body and no Content-Type (204 No Content). */
int http_reply_empty(struct http_req *r, unsigned status);

/* A query-string argument ("limit" of ?limit=10), URL-decoded; NULL when absent. */
const char *http_query(const struct http_req *r, const char *key);

/* A request header (case-insensitive name); NULL when absent. */
const char *http_header(const struct http_req *r, const char *name);

/*
 * Parses the list arguments of API.md: skip (>= 0, default 0) and limit (1..1000,
 * default 100). On a bad value answers 400 itself and returns ERR_MALFORMED.
 */
int http_list_args(struct http_req *r, long long *skip, long long *limit);

/*
 * A streamed body of unknown length (sent chunked): read is called on a libmicrohttpd
 * thread, possibly many times, to fill buf with at most max bytes at offset pos. It
 * returns the number of bytes written (> 0), HTTP_STREAM_END when the body is complete,
 * or HTTP_STREAM_ERROR to cut the connection (the client sees a truncated transfer).
 * done (may be NULL) releases cls once the response is finished or abandoned.
 */
#define HTTP_STREAM_END (-1)
#define HTTP_STREAM_ERROR (-2)
typedef long (*http_stream_read)(void *cls, unsigned long long pos, char *buf, size_t max);
int http_reply_stream(struct http_req *r, unsigned status, const char *content_type,
                      const char *disposition, http_stream_read read, void *cls,
                      void (*done)(void *cls));

/* A response for a constant JSON text, for http_reply_shared; NULL when out of memory. */
struct MHD_Response *http_response_const_json(const char *json);

#endif
