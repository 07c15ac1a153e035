/*
 * jobs — draft jobs in the database: creating one (over every prospect without a draft,
 * or over explicit prospects), reading, listing and cancelling them, and the steps a
 * worker takes on one (runner.c): claim it under a lease, read its next pending targets,
 * commit a batch of drafts, finish or hand it back.
 *
 * The invariants of DESIGN.md live in the batch commit: the lease check, the targets'
 * states, the prospects' drafts and the job's counters move in one transaction, and a
 * target is written only while it is still pending, so a worker that lost its lease
 * commits nothing and no prospect is drafted twice by one job.
 *
 * Also here: a small growable text buffer with a JSON string writer, which the batch
 * parameters and the HTTP answers about jobs share.
 */
#ifndef DRAFTD_JOBS_H
#define DRAFTD_JOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "../err.h"
#include "../store/store.h"
#include "jtext.h"
#include "prospect.h"

#define JOB_TYPE_DRAFT "draft"
/* The most prospect_ids one request may name. */
#define JOB_MAX_IDS 100000
/* How many unknown ids a refused request lists. */
#define JOB_MISSING_MAX 20
#define JOB_ERROR_MAX (ERR_MSG_MAX + 64)
#define JOB_TS_MAX 40

/* The five statuses, in the order of a job's life. */
extern const char *const job_statuses[5];
bool job_status_valid(const char *s);

/* A job as API.md shows it. Empty timestamps and has_* false are JSON nulls. */
struct job {
    long long id;
    char job_type[32];
    char status[16];
    long long drafts_created, drafts_failed, total_targets;
    bool has_total, has_error;
    char error[JOB_ERROR_MAX];
    char created_at[JOB_TS_MAX], started_at[JOB_TS_MAX], finished_at[JOB_TS_MAX];
};

/* The job object of API.md, every key, in its order. */
void jtext_job(struct jtext *j, const struct job *job);

/* --- the service the HTTP handlers and commands use -------------------------------------- */

struct job_create_result {
    long long job_id;                   /* 0: not created */
    long long active_job_id;            /* ERR_CONFLICT: the pending or running job */
    long long missing[JOB_MISSING_MAX]; /* ERR_INVALID: ids that name no prospect */
    size_t nmissing;
    long long missing_total;
};

/*
 * Creates a pending draft job in one transaction. With n > 0 ids (duplicates allowed),
 * its targets are exactly those prospects (whatever their status) and total_targets is
 * set at once; with none, the targets are chosen when a worker starts it. ERR_INVALID
 * when an id names no prospect (out->missing lists some); ERR_CONFLICT when a draft job
 * is pending or running (out->active_job_id). Nothing is created on error.
 */
int jobs_create(struct store *s, const long long *ids, size_t n, bool redraft,
                struct job_create_result *out, struct err *e);

/* The job; ERR_NOT_FOUND when there is none. */
int jobs_get(struct store *s, long long id, struct job *out, struct err *e);

/*
 * Calls each for the jobs matching status and type (NULL: any), newest first, skipping
 * skip and at most limit; *total is the number matching. A non-zero return from each
 * stops the walk and is returned.
 */
int jobs_list(struct store *s, const char *status, const char *type, long long skip,
              long long limit, int (*each)(void *cls, const struct job *j), void *cls,
              long long *total, struct err *e);

/*
 * Cancels a pending job at once (its targets skipped) or asks a running one to stop
 * between prospects; a cancelled job stays cancelled. out is the job afterwards.
 * ERR_NOT_FOUND; ERR_CONFLICT when it already completed or failed (out says which).
 */
int jobs_cancel(struct store *s, long long id, struct job *out, struct err *e);

/* --- what a worker does -------------------------------------------------------------------- */

/* Prepares a connection that drafts (SQLite: statement journals in memory and a page
 * cache that holds a batch; PostgreSQL: work_mem for a batch). Once per connection. */
int jobs_connection_setup(struct store *s, struct err *e);

/* DRAFTD_LEASE_SECONDS (1-3600), or the default of 10. ERR_USAGE when it is not one. */
int jobs_lease_seconds(int *out, struct err *e);

/* Who holds a job: a worker's owner id and the lease it renews. */
struct job_lease {
    long long job_id;
    const char *owner;
    int ttl_s;
};

/* A job just taken: its counts so far (non-zero when it was taken over). */
struct job_claim {
    long long job_id; /* 0: there was nothing to claim */
    long long total, created, failed;
    bool redraft, cancel_requested, taken_over;
};

/*
 * Takes the oldest draft job that is pending, or running with a lease that expired, was
 * released or is owner's own, for owner for ttl_s seconds. A pending job gets its targets
 * (when it has none yet: every prospect in none or failed, and drafted with redraft) and
 * total_targets, and starts. out->job_id is 0 when there is nothing to do.
 */
int jobs_claim(struct store *s, const char *owner, int ttl_s, struct job_claim *out, struct err *e);

/*
 * `draftd draft`: creates a draft job and claims it for owner in one transaction, so no
 * server takes it. ERR_CONFLICT with *active_job_id when a draft job is pending or running.
 */
int jobs_create_claimed(struct store *s, bool redraft, const char *owner, int ttl_s,
                        struct job_claim *out, long long *active_job_id, struct err *e);

/*
 * How a batch's prospects are written: set-based statements with one JSON parameter
 * (PostgreSQL always: a handful of round trips per batch, not one per prospect) or one
 * statement per prospect (SQLite by default: in-process, cheaper than parsing JSON, and
 * safe under the write lock its transactions hold). Tests force SET on SQLite so that
 * both paths are tested.
 */
enum jobs_write_mode { JOBS_WRITE_AUTO, JOBS_WRITE_SET, JOBS_WRITE_ROWS };

/* One batch: the targets read, and what drafting made of each. Reused batch to batch. */
enum job_outcome { JOB_PENDING, JOB_DRAFTED, JOB_FAILED, JOB_SKIPPED };

struct job_item {
    long long id;
    size_t f[PF__COUNT]; /* offsets + 1 into the arena; 0 is NULL */
    bool was_drafted;    /* its draft_status when read */
    bool decided;        /* approved or rejected since the job was asked for: skip it */
    enum job_outcome outcome;
    size_t subject, body, error; /* offsets into the arena */
};

struct job_batch {
    struct job_item *items;
    size_t n, cap;
    size_t done; /* items[0..done) have an outcome and are what a commit writes */
    long long drafted, failed, skipped;
    char *arena;
    size_t len, acap;
    struct jtext json;          /* the batch parameter (set-based writes) */
    enum jobs_write_mode mode; /* 0: AUTO */
};

void job_batch_release(struct job_batch *b);

/* Reads up to limit pending targets of job with prospect id > after, in id order. */
int jobs_batch_read(struct store *s, long long job_id, long long after, size_t limit,
                    struct job_batch *b, struct err *e);

/* The prospect of item i (pointers into the batch, valid until the next set call). */
void job_batch_prospect(const struct job_batch *b, size_t i, struct prospect *out);
/* Records item b->done's draft, failure or skip and advances b->done. ERR_NOMEM. */
int job_batch_set_drafted(struct job_batch *b, const char *subject, size_t subject_len,
                          const char *body, size_t body_len);
int job_batch_set_failed(struct job_batch *b, const char *reason);
void job_batch_set_skipped(struct job_batch *b);

/* What a lease renewal or a batch commit found. */
enum job_step {
    JOB_STEP_OK,
    JOB_STEP_LOST,
    JOB_STEP_CANCELLED,
    JOB_STEP_COMPLETED,
    JOB_STEP_MISMATCH
};

/*
 * Renews the lease (its own short transaction). JOB_STEP_LOST when another process holds
 * the job now; JOB_STEP_CANCELLED when a cancel was asked for.
 */
int jobs_lease_renew(struct store *s, const struct job_lease *l, enum job_step *step,
                     struct err *e);

/*
 * Commits items[0..done) in one transaction: the lease check and counters first, then the
 * targets (only those still pending; all must be), then the prospects (only those no person
 * decided on since the batch was read; all must be). When a cancel was
 * asked for, the rest of the targets are skipped and the job ends cancelled in the same
 * transaction; with maybe_last, the job completes when no target is left pending.
 * *step: OK, LOST (nothing written), MISMATCH (a target was no longer pending: nothing
 * written), CANCELLED or COMPLETED (the job ended).
 */
int jobs_batch_commit(struct store *s, const struct job_lease *l, struct job_batch *b,
                      bool maybe_last, enum job_step *step, struct err *e);

/*
 * Ends the job with status ("failed" with error, or "cancelled"), its pending targets
 * skipped. *ended is false when the job was no longer this owner's to end.
 */
int jobs_finish(struct store *s, const struct job_lease *l, const char *status, const char *error,
                bool *ended, struct err *e);

/* Completes the job when nothing is pending; *ended false otherwise (or when not ours). */
int jobs_complete(struct store *s, const struct job_lease *l, bool *ended, struct err *e);

/* Hands a running job back (lease cleared) so another worker takes it up at once. */
int jobs_release(struct store *s, const struct job_lease *l, struct err *e);

#endif
