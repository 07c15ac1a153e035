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

#include <stdbool.h>

#include "../config.h"
#include "../err.h"

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

#endif
