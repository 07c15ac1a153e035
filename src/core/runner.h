/*
 * runner — the drafting workers of `draftd serve`: WORKERS threads that claim pending
 * draft jobs (and running jobs whose lease has expired: a process that died), draft
 * their targets in batches and finish them. `draftd draft` runs the same job loop in
 * the foreground (runner_run_one).
 *
 * Invariants (DESIGN.md 3 and 4): each batch's drafts, its job_targets states and the
 * job's drafts_created/drafts_failed commit in one transaction, under a lease check, so
 * a worker that lost its lease cannot commit; a target already drafted is never drafted
 * again.
 */
#ifndef DRAFTD_RUNNER_H
#define DRAFTD_RUNNER_H

#include <signal.h>
#include <stdbool.h>

#include "../config.h"
#include "../err.h"
#include "../store/store.h"

struct runner;

/* Starts cfg->workers threads. *out is the caller's (runner_stop). */
int runner_start(struct runner **out, const struct config *cfg, struct err *e);

/* Tells idle workers a job may be waiting (called after a job is created). NULL: no-op. */
void runner_wake(struct runner *r);

/*
 * Stops the workers between batches, hands their jobs' leases back so another process
 * (or the next start) takes them up at once, joins the threads and frees r. NULL: no-op.
 */
void runner_stop(struct runner *r);

/* How a job run in the foreground (runner_run_one) ended. */
enum runner_end {
    RUNNER_COMPLETED,
    RUNNER_FAILED,      /* the job ended failed; error says why */
    RUNNER_CANCELLED,   /* cancelled through the API while it ran */
    RUNNER_INTERRUPTED, /* stopped by *stop: handed back, still running, for a server */
    RUNNER_LOST,        /* another process took the job over (this one stalled too long) */
    RUNNER_UNAVAILABLE, /* the database went away; the job is taken up once its lease expires */
};

struct runner_report {
    long long job_id;
    enum runner_end end;
    long long drafted, failed, total;
    char error[ERR_MSG_MAX];
};

/* Called after every committed batch with the job's counts so far. */
typedef void (*runner_progress_fn)(void *cls, long long drafted, long long failed, long long total);

/*
 * `draftd draft`: creates a draft job (redraft as asked) claimed by this process in one
 * transaction, so no server's worker takes it, and runs it in the calling thread with
 * the workers' batch code until it ends or *stop becomes non-zero (checked between
 * prospects). 0 when the job was created (out->end says how it ended); ERR_CONFLICT
 * with out->job_id set to the draft job that is already pending or running; ERR_USAGE
 * for a bad DRAFTD_LEASE_SECONDS; other errors when the job could not be created.
 */
int runner_run_one(struct store *s, bool redraft, const volatile sig_atomic_t *stop,
                   runner_progress_fn progress, void *cls, struct runner_report *out,
                   struct err *e);

#endif
