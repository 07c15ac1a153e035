/*
 * cmd_draft — draftd draft [--redraft]: one drafting job in the foreground, with the
 * workers' own batch code (runner_run_one). The job is created already claimed by this
 * process, so a running server's workers leave it alone; SIGINT/SIGTERM stop it between
 * prospects and hand it back, still running, for a server to finish.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/runner.h"
#include "../log.h"
#include "cli.h"
#include "progress.h"

const char cmd_draft_usage[] =
    "usage: draftd draft [--redraft] [--database URL]\n"
    "\n"
    "Drafts every prospect without a draft (draft status none or failed) in the\n"
    "foreground, as one job that the API shows like any other; --redraft also drafts the\n"
    "ones already drafted (never approved or rejected ones). Progress goes to stderr (a\n"
    "bar on a terminal), the summary to stdout. Ctrl-C stops between prospects and\n"
    "leaves the job running for a server (draftd serve) to finish.\n"
    "\n"
    "Exit status: 0 the job completed, 1 it failed, was cancelled or interrupted, or\n"
    "another draft job is pending or running, 2 usage, 3 the database schema does not\n"
    "match this build.\n";

static const struct cli_flag flags[] = {
    {"--database", CFG_DATABASE_URL, true},
    {"--log-level", CFG_LOG_LEVEL, true},
    {"--redraft", CLI_FLAG_REDRAFT, false},
    {NULL, 0, false},
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void on_progress(void *cls, long long drafted, long long failed, long long total)
{
    progress_update(cls, drafted + failed, total, failed);
}

/* Unless asked for (LOG_LEVEL, --log-level), only warnings: the bar is the progress. */
static void quiet_log(const struct cli_args *a)
{
    if (getenv("LOG_LEVEL")) return;
    for (int i = 0; i < a->nsettings; i++)
        if (a->settings[i].flag->key == CFG_LOG_LEVEL) return;
    log_set_level(LOG_WARN);
}

static const char *end_status(enum runner_end end)
{
    switch (end) {
    case RUNNER_COMPLETED:
        return "completed";
    case RUNNER_FAILED:
        return "failed";
    case RUNNER_CANCELLED:
        return "cancelled";
    default:
        return "running";
    }
}

/* The summary on stdout, the reason on stderr; the exit status. */
static int report(const struct runner_report *rep)
{
    long long id = rep->job_id;
    printf("job %lld %s: %lld drafted, %lld failed, %lld targets\n", id, end_status(rep->end),
           rep->drafted, rep->failed, rep->total);
    fflush(stdout);
    switch (rep->end) {
    case RUNNER_COMPLETED:
        return EXIT_OK;
    case RUNNER_FAILED:
        fprintf(stderr, "draftd: job %lld failed: %s\n", id, rep->error);
        break;
    case RUNNER_CANCELLED:
        fprintf(stderr, "draftd: job %lld was cancelled\n", id);
        break;
    case RUNNER_INTERRUPTED:
        fprintf(stderr,
                "draftd: interrupted: job %lld is left running; a server (draftd serve) on "
                "this database finishes it without drafting anyone twice\n",
                id);
        break;
    case RUNNER_LOST:
        fprintf(stderr, "draftd: another process took job %lld over; it finishes it\n", id);
        break;
    case RUNNER_UNAVAILABLE:
        fprintf(stderr,
                "draftd: the database became unreachable (%s); job %lld is left running and a "
                "server takes it up once its lease expires\n",
                rep->error, id);
        break;
    }
    return EXIT_FAIL;
}

int cmd_draft(int argc, char **argv)
{
    struct config cfg;
    struct cli_args a;
    struct migration_set set;
    struct store *s = NULL;
    struct err e = {0};
    struct runner_report rep;
    struct progress pg;
    int status = EXIT_OK;
    int rc = cli_open(argc, argv, flags, &cfg, &a, &set, &s, &e);
    if (rc) return cli_fail(&e);
    if (a.help) {
        fputs(cmd_draft_usage, stdout);
        goto out;
    }
    if (a.npos) {
        rc = err_set(&e, ERR_USAGE, "draft takes no argument \"%s\"", a.pos[0]);
        goto out;
    }
    if ((rc = cli_require_schema(s, &set, cfg.db.text, &e))) goto out;
    quiet_log(&a);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    progress_init(&pg, stderr, "drafting");
    rc = runner_run_one(s, a.redraft, &interrupted, on_progress, &pg, &rep, &e);
    if (rc == ERR_CONFLICT && rep.job_id) {
        fprintf(stderr,
                "draftd: draft job %lld is already pending or running: wait for it to finish "
                "or cancel it (POST /api/pipeline/draft/jobs/%lld/cancel)\n",
                rep.job_id, rep.job_id);
        rc = 0;
        status = EXIT_FAIL;
        goto out;
    }
    if (rc) goto out;
    progress_finish(&pg, rep.drafted + rep.failed, rep.total, rep.failed);
    status = report(&rep);
out:
    store_free(s);
    if (set.items) migration_set_release(&set);
    store_global_release();
    if (rc == ERR_SCHEMA && e.code == 0) return EXIT_SCHEMA;
    return rc ? cli_fail(&e) : status;
}
