/*
 * bench/hello.c - bare libmicrohttpd "hello" server used as the throughput
 * baseline for draftd benchmarks.
 *
 * It uses the same threading model and daemon flags as draftd's server
 * (src/http/server.c: internal polling thread, epoll when available, an
 * inter-thread channel, a thread pool of THREADS workers) and answers every
 * request with a persistent 200 {"status":"ok","database":"ok"} response,
 * so that `wrk` against it shows the ceiling that libmicrohttpd itself
 * reaches on this machine.  draftd's /api/health throughput is reported as
 * a fraction of this figure.
 *
 * Usage: hello PORT [THREADS]     (PORT 0 picks an ephemeral port)
 * Logs one logfmt line with msg="listening" and port=N to stderr once
 * listening; runs until SIGINT or SIGTERM, then exits 0.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "bench-util.h"

static const char BODY[] = "{\"status\":\"ok\",\"database\":\"ok\"}";


/*
 * Request handler.  The first call for a request only marks the connection
 * (so that MHD finishes reading headers/body before we answer, which keeps
 * keep-alive handling correct); the second call queues the shared response.
 */
static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    static int marker;
    struct MHD_Response *resp = cls;

    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;

    if (*con_cls == NULL) {
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        /* Discard any request body. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(conn, MHD_HTTP_OK, resp);
}

int main(int argc, char **argv)
{
    long port = 0;
    long threads = 2;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
    struct MHD_Response *resp;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    unsigned int bound_port;
    sigset_t set;
    int sig = 0;

    if (argc < 2 || argc > 3 || parse_long(argv[1], 0, 65535, &port) != 0 ||
        (argc == 3 && parse_long(argv[2], 1, 256, &threads) != 0)) {
        fprintf(stderr, "usage: %s PORT [THREADS]\n"
                        "  PORT 0..65535 (0 = ephemeral), THREADS 1..256 "
                        "(default 2)\n",
                argc > 0 ? argv[0] : "hello");
        return 2;
    }

    /* draftd's model: poll in every pool thread (see src/http/server.c for why not
     * epoll). HELLO_EPOLL=1 measures the epoll variant for comparison. */
    const char *want_epoll = getenv("HELLO_EPOLL");
    if (want_epoll && strcmp(want_epoll, "1") == 0 &&
        MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL;
    else
        flags |= MHD_USE_POLL;

    /*
     * Block the termination signals before any thread exists so that every
     * MHD worker inherits the mask and only sigwait() below receives them.
     */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
        fprintf(stderr, "level=error msg=\"pthread_sigmask failed\"\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    resp = MHD_create_response_from_buffer(sizeof BODY - 1, (void *)BODY,
                                           MHD_RESPMEM_PERSISTENT);
    if (resp == NULL ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json") != MHD_YES) {
        fprintf(stderr, "level=error msg=\"cannot create response\"\n");
        return 1;
    }

    if (threads > 1)
        d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, resp,
                             MHD_OPTION_THREAD_POOL_SIZE,
                             (unsigned int)threads, MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, resp,
                             MHD_OPTION_END);
    if (d == NULL && (flags & MHD_USE_EPOLL) != 0) {
        /* epoll advertised but unusable (e.g. restricted sandbox). */
        flags &= ~(unsigned int)MHD_USE_EPOLL;
        flags |= MHD_USE_POLL;
        if (threads > 1)
            d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle,
                                 resp, MHD_OPTION_THREAD_POOL_SIZE,
                                 (unsigned int)threads, MHD_OPTION_END);
        else
            d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle,
                                 resp, MHD_OPTION_END);
    }
    if (d == NULL) {
        fprintf(stderr, "level=error msg=\"MHD_start_daemon failed\" "
                        "port=%ld\n", port);
        MHD_destroy_response(resp);
        return 1;
    }

    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    bound_port = info != NULL ? info->port : (unsigned int)port;
    fprintf(stderr, "level=info msg=\"listening\" host=0.0.0.0 port=%u "
                    "threads=%ld epoll=%s\n",
            bound_port, threads,
            (flags & MHD_USE_EPOLL) != 0 ? "true" : "false");
    fflush(stderr);

    if (sigwait(&set, &sig) != 0)
        sig = 0;

    MHD_stop_daemon(d);
    MHD_destroy_response(resp);
    fprintf(stderr, "level=info msg=\"stopped\" signal=%d\n", sig);
    return 0;
}
