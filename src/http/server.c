/*
 * server — see server.h.
 *
 * Request lifecycle, as libmicrohttpd calls us:
 *   1st call   allocate the request context, match the route, check Content-Length;
 *              return without answering (answering here breaks keep-alive).
 *   Nth call   a piece of the body: append it, or answer 413 once it passes the limit.
 *   last call  upload_data_size == 0: dispatch to the handler, which answers.
 *   completed  log the request and free its context.
 */
#include "server.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../log.h"

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_server_options opt;
    atomic_int inflight;
    int port;
};

struct req_ctx {
    struct http_req req;
    struct timespec t0;
    struct route_match match;
    enum route_result result;
    size_t limit, cap;
    unsigned long long discarded; /* bytes of a body already refused as too large */
};

/* How much of a refused chunked body is read (and dropped) before the connection is cut. */
#define DISCARD_MAX (64ULL * 1024 * 1024)

static void reply_too_large(struct req_ctx *x, unsigned long long size, int declared)
{
    json_t *details = json_pack("{s:I}", "limit_bytes", (json_int_t)x->limit);
    if (declared)
        http_reply_error(&x->req, 413, "payload_too_large", details,
                         "the request body is %llu bytes; this route accepts at most %zu bytes",
                         size, x->limit);
    else
        http_reply_error(&x->req, 413, "payload_too_large", details,
                         "the request body is larger than the %zu bytes this route accepts; "
                         "send at most that much",
                         x->limit);
}

static struct req_ctx *begin(struct http_server *srv, struct MHD_Connection *c, const char *url,
                             const char *method)
{
    struct req_ctx *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    clock_gettime(CLOCK_MONOTONIC, &x->t0);
    atomic_fetch_add(&srv->inflight, 1);
    x->req.conn = c;
    x->req.method = method;
    x->req.path = url;
    x->req.app = srv->opt.app;
    x->result = router_match(srv->opt.routes, srv->opt.nroutes, method, url, &x->match);
    x->limit = x->result == ROUTE_NO_PATH ? srv->opt.default_max_body : x->match.route->max_body;

    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (!errno && end != cl && n > x->limit) reply_too_large(x, n, 1);
    }
    return x;
}

static int append(struct req_ctx *x, const char *data, size_t n)
{
    if (x->discarded || x->req.body_len + n > x->limit) {
        /* libmicrohttpd sends a response only once the upload is over: drop the rest and
         * answer 413 at the end, or cut a body that goes on and on. */
        x->discarded += n;
        return x->discarded > DISCARD_MAX ? -1 : 0;
    }
    if (x->req.body_len + n + 1 > x->cap) {
        size_t ncap = x->cap ? x->cap : 4096;
        while (ncap < x->req.body_len + n + 1) ncap *= 2;
        if (ncap > x->limit + 1) ncap = x->limit + 1; /* never more than the route allows */
        char *grown = realloc(x->req.body, ncap);
        if (!grown) return -1;
        x->req.body = grown;
        x->cap = ncap;
    }
    memcpy(x->req.body + x->req.body_len, data, n);
    x->req.body_len += n;
    x->req.body[x->req.body_len] = '\0';
    return 0;
}

static void dispatch(struct http_server *srv, struct req_ctx *x)
{
    struct http_req *r = &x->req;
    char allowed[64];
    switch (x->result) {
    case ROUTE_NO_PATH:
        if (srv->opt.fallback) {
            srv->opt.fallback(r);
            if (r->responded) return;
        }
        http_reply_error(r, 404, "not_found",
                         json_pack("{s:s, s:s}", "method", r->method, "path", r->path),
                         "there is no route %s %s; the API lives under /api", r->method,
                         r->path);
        return;
    case ROUTE_NO_METHOD: {
        json_t *list = json_array();
        for (unsigned bit = 1; bit <= x->match.allowed; bit <<= 1) {
            if (!(x->match.allowed & bit)) continue;
            char one[16];
            http_methods_text(bit, one, sizeof one);
            json_array_append_new(list, json_string(one));
        }
        http_methods_text(x->match.allowed, allowed, sizeof allowed);
        r->allow = allowed;
        http_reply_error(r, 405, "method_not_allowed", json_pack("{s:o}", "allowed", list),
                         "%s is not allowed on %s; allowed: %s", r->method, r->path, allowed);
        r->allow = NULL;
        return;
    }
    case ROUTE_BAD_ID:
        http_reply_error(r, 400, "bad_id",
                         json_pack("{s:s}", "segment", x->match.bad_segment),
                         "\"%s\" in %s is not an id: ids are positive integers",
                         x->match.bad_segment, r->path);
        return;
    case ROUTE_FOUND:
        memcpy(r->ids, x->match.ids, sizeof r->ids);
        r->nids = x->match.nids;
        x->match.route->handler(r);
        if (!r->responded)
            http_reply_error(r, 500, "internal_error", NULL,
                             "the handler for %s %s produced no answer", r->method, r->path);
        return;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct http_server *srv = cls;
    struct req_ctx *x = *con_cls;
    if (!x) {
        if (!(x = begin(srv, c, url, method))) return MHD_NO;
        *con_cls = x;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (x->req.responded) return MHD_YES; /* the rest of a refused body */
        return append(x, upload_data, n) == 0 ? MHD_YES : MHD_NO;
    }
    if (x->discarded) reply_too_large(x, 0, 0);
    else if (!x->req.responded) dispatch(srv, x);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    struct http_server *srv = cls;
    struct req_ctx *x = *con_cls;
    if (!x) return;
    *con_cls = NULL;
    if (log_enabled(LOG_INFO)) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - x->t0.tv_sec) * 1e3 +
                    (double)(t1.tv_nsec - x->t0.tv_nsec) / 1e6;
        char q[600];
        log_msg(LOG_INFO, "request", "method=%s path=%s status=%u dur_ms=%.3f%s",
                x->req.method, log_quote(q, sizeof q, x->req.path), x->req.status, ms,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=true");
    }
    free(x->req.body);
    free(x);
    atomic_fetch_sub(&srv->inflight, 1);
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char text[512], q[600];
    vsnprintf(text, sizeof text, fmt, ap);
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n')) text[--n] = '\0';
    log_msg(LOG_WARN, "http server", "detail=%s", log_quote(q, sizeof q, text));
}

int http_server_start(struct http_server **out, const struct http_server_options *opt,
                      struct err *e)
{
    *out = NULL;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", opt->port);
    int gai = getaddrinfo(opt->host, port, &hints, &ai);
    if (gai) return err_set(e, ERR_USAGE, "cannot resolve HOST %s: %s", opt->host, gai_strerror(gai));

    struct http_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        freeaddrinfo(ai);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    srv->opt = *opt;
    /* poll, not epoll: libmicrohttpd 0.9.75 can abort in MHD_quiesce_daemon when an epoll
     * pool thread removes the listening socket at the same moment ("Failed to remove
     * listen FD from epoll set"). With a few dozen connections per thread poll costs
     * nothing measurable (bench/README.md). */
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, opt->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, opt->connection_timeout_s, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_END);
    int saved = errno;
    freeaddrinfo(ai);
    if (!srv->daemon) {
        char buf[128];
        free(srv);
        return err_set(e, ERR_IO, "cannot listen on %s:%d: %s", opt->host, opt->port,
                       saved ? err_errno(saved, buf, sizeof buf) : "libmicrohttpd refused to start");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    srv->port = opt->port;
    if (info && getsockname(info->listen_fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) srv->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        if (ss.ss_family == AF_INET6) srv->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    *out = srv;
    return 0;
}

int http_server_port(const struct http_server *s)
{
    return s->port;
}

void http_server_stop(struct http_server *s, int grace_ms)
{
    if (!s) return;
    /* No new connections from here: quiesce stops libmicrohttpd accepting, and shutting
     * the listening socket down makes the kernel refuse new connections at once instead
     * of queueing them in the backlog. The descriptor itself stays open until the
     * threads are gone, as libmicrohttpd requires. */
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET) shutdown(fd, SHUT_RDWR);
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 5 * 1000 * 1000};
    for (int waited = 0; atomic_load(&s->inflight) > 0 && waited < grace_ms; waited += 5)
        nanosleep(&nap, NULL);
    int left = atomic_load(&s->inflight);
    if (left) log_msg(LOG_WARN, "stopping with requests still in flight", "requests=%d", left);
    MHD_stop_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    free(s);
}
