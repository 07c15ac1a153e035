/*
 * cmd_jobs — draftd jobs: the latest jobs as a table, newest first, as GET /api/jobs
 * lists them.
 */
#include <stdio.h>

#include "../core/jobs.h"
#include "cli.h"

#define JOBS_SHOWN 50

const char cmd_jobs_usage[] =
    "usage: draftd jobs [--database URL]\n"
    "\n"
    "Lists the latest 50 jobs, newest first: id, status, when it was created, drafts\n"
    "created, drafts failed and targets, and the error of a failed job.\n"
    "Exit status: 0 listed, 1 the database could not be read, 2 usage, 3 the database\n"
    "schema does not match this build.\n";

static const struct cli_flag flags[] = {
    {"--database", CFG_DATABASE_URL, true},
    {"--log-level", CFG_LOG_LEVEL, true},
    {NULL, 0, false},
};

static int print_job(void *cls, const struct job *j)
{
    (void)cls;
    char total[24] = "-";
    if (j->has_total) snprintf(total, sizeof total, "%lld", j->total_targets);
    printf("%-8lld %-10s %-25s %8lld %8lld %8s  %s\n", j->id, j->status, j->created_at,
           j->drafts_created, j->drafts_failed, total, j->has_error ? j->error : "");
    return 0;
}

int cmd_jobs(int argc, char **argv)
{
    struct config cfg;
    struct cli_args a;
    struct migration_set set;
    struct store *s = NULL;
    struct err e = {0};
    long long total = 0;
    int rc = cli_open(argc, argv, flags, &cfg, &a, &set, &s, &e);
    if (rc) return cli_fail(&e);
    if (a.help) {
        fputs(cmd_jobs_usage, stdout);
        goto out;
    }
    if (a.npos) {
        rc = err_set(&e, ERR_USAGE, "jobs takes no argument \"%s\"", a.pos[0]);
        goto out;
    }
    if ((rc = cli_require_schema(s, &set, cfg.db.text, &e))) goto out;
    printf("%-8s %-10s %-25s %8s %8s %8s  %s\n", "ID", "STATUS", "CREATED", "DRAFTED", "FAILED",
           "TOTAL", "ERROR");
    if ((rc = jobs_list(s, NULL, NULL, 0, JOBS_SHOWN, print_job, NULL, &total, &e))) goto out;
    if (total == 0)
        printf("(no jobs yet)\n");
    else if (total > JOBS_SHOWN)
        printf("(%d of %lld jobs shown)\n", JOBS_SHOWN, total);
out:
    fflush(stdout);
    store_free(s);
    if (set.items) migration_set_release(&set);
    store_global_release();
    if (rc == ERR_SCHEMA && e.code == 0) return EXIT_SCHEMA;
    return rc ? cli_fail(&e) : EXIT_OK;
}
