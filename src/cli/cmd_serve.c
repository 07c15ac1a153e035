/*
 * cmd_serve — draftd serve: check the schema, then listen.
 *
 * Invariant 1 of DESIGN.md lives here: the listening socket opens only after the
 * schema guard passed. Without AUTO_MIGRATE a mismatch exits 3 before listening; with
 * it, pending migrations are applied under the migration lock and the guard runs again.
 * SIGINT/SIGTERM are blocked in every thread and taken by sigwait in the main thread,
 * which then stops accepting, lets in-flight requests finish and exits 0.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "../api/api.h"
#include "../core/runner.h"
#include "../http/server.h"
#include "../log.h"
#include "../store/schema.h"
#include "cli.h"

#define SHUTDOWN_GRACE_MS 10000
#define CONNECTION_TIMEOUT_S 30

const char cmd_serve_usage[] =
    "usage: draftd serve [--host H] [--port P] [--database URL] [--workers N]\n"
    "                    [--auto-migrate] [--log-level LEVEL]\n"
    "\n"
    "Checks the database schema, then serves the API and web page. A database that does\n"
    "not match this build (pending migrations, drift) makes serve exit 3 before it\n"
    "listens, unless --auto-migrate (AUTO_MIGRATE=true) lets it apply pending migrations\n"
    "first. --port 0 picks a free port and logs it.\n"
    "Environment: DATABASE_URL, HOST, PORT, AUTO_MIGRATE, WORKERS, LOG_LEVEL.\n";

static const struct cli_flag flags[] = {
    {"--database", CFG_DATABASE_URL, true}, {"--host", CFG_HOST, true},
    {"--port", CFG_PORT, true},             {"--workers", CFG_WORKERS, true},
    {"--auto-migrate", CFG_AUTO_MIGRATE, false}, {"--log-level", CFG_LOG_LEVEL, true},
    {NULL, 0, false},
};

/* Runs the guard, migrating first when allowed. 0 when the schema matches. */
static int guard(const struct config *cfg, struct store *s, const struct migration_set *set,
                 struct err *e)
{
    struct schema_report rep = {0};
    int rc = schema_check(&rep, s, set, e);
    if (!rc && rep.count && cfg->auto_migrate) {
        log_msg(LOG_INFO, "schema does not match; applying migrations (AUTO_MIGRATE)",
                "problems=%zu version=%d latest=%d", rep.count, rep.schema_version,
                rep.latest_version);
        schema_report_release(&rep);
        if ((rc = migrate_up(s, set, 0, NULL, e))) return rc;
        rc = schema_check(&rep, s, set, e);
    }
    if (rc) goto out;
    if (rep.count) {
        fprintf(stderr,
                "draftd: refusing to serve %s: its schema does not match this build "
                "(%zu problem%s; database at version %d of %d)\n",
                cfg->db.text, rep.count, rep.count == 1 ? "" : "s", rep.schema_version,
                rep.latest_version);
        schema_report_print(&rep, stderr);
        rc = ERR_SCHEMA;
        e->code = 0; /* already reported */
        goto out;
    }
    log_msg(LOG_INFO, "schema ok", "version=%d", rep.schema_version);
out:
    schema_report_release(&rep);
    return rc;
}

/*
 * Two HTTP threads per core (at least 4): a request thread waits on its database round
 * trip (PostgreSQL, or SQLite's busy timeout behind a drafting batch), and while it waits
 * another can use the core.
 */
static unsigned pool_threads(void)
{
    long n = 2 * sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 4) n = 4;
    if (n > 32) n = 32;
    return (unsigned)n;
}

int cmd_serve(int argc, char **argv)
{
    struct config cfg;
    struct cli_args a;
    struct migration_set set;
    struct store *s = NULL;
    struct http_server *srv = NULL;
    struct app app = {0};
    struct err e = {0};
    sigset_t stop;

    /* Before any thread exists, so that every thread inherits the mask. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = cli_open(argc, argv, flags, &cfg, &a, &set, &s, &e);
    if (rc) goto out;
    if (a.help) {
        fputs(cmd_serve_usage, stdout);
        goto out;
    }
    if (a.npos) {
        rc = err_set(&e, ERR_USAGE, "serve takes no argument \"%s\"", a.pos[0]);
        goto out;
    }
    if ((rc = guard(&cfg, s, &set, &e))) goto out;
    store_free(s); /* request threads open their own connections */
    s = NULL;

    if ((rc = app_init(&app, &cfg, &set, &e))) goto out;
    /* Workers start before the socket opens, so a job left running by a process that
     * died is taken up even before the first request. */
    if ((rc = runner_start(&app.runner, &cfg, &e))) goto out;
    struct http_server_options opt = {
        .host = cfg.host,
        .port = cfg.port,
        .threads = pool_threads(),
        .connection_timeout_s = CONNECTION_TIMEOUT_S,
        .default_max_body = API_MAX_BODY,
        .routes = api_routes,
        .nroutes = api_routes_count,
        .fallback = api_web,
        .app = &app,
    };
    if ((rc = http_server_start(&srv, &opt, &e))) goto out;
    log_msg(LOG_INFO, "listening", "host=%s port=%d threads=%u database=%s", cfg.host,
            http_server_port(srv), opt.threads, cfg.db.kind == DB_SQLITE ? "sqlite" : "postgres");

    int sig = 0;
    sigwait(&stop, &sig);
    log_msg(LOG_INFO, "shutting down", "signal=%s", sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_server_stop(srv, SHUTDOWN_GRACE_MS);
    srv = NULL;
    runner_stop(app.runner); /* between batches; running jobs are handed back */
    app.runner = NULL;
    log_msg(LOG_INFO, "stopped", NULL);
out:
    http_server_stop(srv, 0);
    runner_stop(app.runner);
    app_release(&app);
    store_free(s);
    if (set.items) migration_set_release(&set);
    store_global_release();
    if (rc == ERR_SCHEMA && e.code == 0) return EXIT_SCHEMA;
    return rc ? cli_fail(&e) : EXIT_OK;
}
