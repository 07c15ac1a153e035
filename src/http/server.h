/*
 * server — libmicrohttpd with a thread pool in front of the router.
 *
 * Each request is answered on the handler's second call (the first only sets up the
 * request context), which keeps HTTP/1.1 keep-alive working. Bodies are bounded per
 * route: a declared Content-Length past the limit is refused with 413 before any byte
 * is buffered, and a chunked body is refused as soon as it passes the limit. One log
 * line per request (method, path, status, duration). Stopping stops accepting first,
 * then waits for in-flight requests to finish.
 */
#ifndef DRAFTD_SERVER_H
#define DRAFTD_SERVER_H

#include <stddef.h>

#include "../err.h"
#include "router.h"

struct http_server;

struct http_server_options {
    const char *host;
    int port; /* 0: an ephemeral port, see http_server_port */
    unsigned threads;
    unsigned connection_timeout_s;
    size_t default_max_body; /* for requests that match no route */
    const struct route *routes;
    size_t nroutes;
    /* Tried for a path no route has (the web page's files); when it answers nothing, 404. */
    http_handler fallback;
    void *app; /* handed to every handler as req->app */
};

int http_server_start(struct http_server **out, const struct http_server_options *opt,
                      struct err *e);

/* The port actually bound. */
int http_server_port(const struct http_server *s);

/*
 * Stops accepting, waits up to grace_ms for in-flight requests to finish, then stops
 * the threads and frees s. NULL is a no-op.
 */
void http_server_stop(struct http_server *s, int grace_ms);

#endif
