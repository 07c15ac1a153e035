/*
 * runner — see runner.h. Each worker thread owns a database connection and loops:
 * claim a job (jobs_claim), run it, or wait on the condition variable until woken by
 * runner_wake or the poll interval passes (other processes' jobs, expired leases).
 *
 * Running a job (run_job, shared with `draftd draft`): read the next pending targets in
 * prospect id order, draft them in C outside any transaction, and commit the batch in
 * one transaction (jobs_batch_commit). A batch ends at BATCH_MAX targets or after
 * BATCH_MS of drafting, so a slow provider still shows progress; between prospects the
 * lease is renewed once a third of it has passed. A lost lease abandons the batch; a
 * database that cannot be reached is waited for (1 s, growing to 10 s) while the lease
 * lets another instance take over; any other database error, or the provider failing
 * as a whole, ends the job failed with that message.
 */
#include "runner.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../log.h"
#include "jobs.h"
#include "provider.h"

/* Targets per batch: few commits (an fsync, and on SQLite a checkpoint, each) per job,
 * while a batch's transaction holds SQLite's write lock for a tenth of a second or so. */
#define BATCH_MAX 10000
/* A batch commits early after this long drafting, so a slow provider shows progress. */
#define BATCH_MS 200
#define POLL_MS 1000
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 10000
#define MISMATCH_MAX 3
#define OWNER_MAX 160

struct worker {
    struct runner *r;
    pthread_t thread;
    bool started;
    char owner[OWNER_MAX];
    unsigned long seen; /* the wake count this worker last acted on */
};

struct runner {
    const struct config *cfg;
    int lease_s;
    atomic_bool stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned long wakes;
    int n;
    struct worker *workers;
};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* hostname:pid:random — unique per process, readable in the jobs table. */
static void owner_base(char *buf, size_t len)
{
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    unsigned long long x = (unsigned long long)t.tv_nsec ^ ((unsigned long long)t.tv_sec << 20) ^
                           ((unsigned long long)getpid() << 40) ^ (unsigned long long)(size_t)buf;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    snprintf(buf, len, "%s:%ld:%08llx", host, (long)getpid(), x & 0xffffffffULL);
}

/* --- running one job -------------------------------------------------------------------- */

enum run_end { RUN_COMPLETED, RUN_CANCELLED, RUN_FAILED, RUN_LOST, RUN_STOPPED, RUN_RETRY };

struct run {
    struct store *s;
    struct job_lease lease;
    long long total, drafted, failed;
    bool cancel_requested; /* when claimed */
    bool (*should_stop)(void *cls);
    void *stop_cls;
    runner_progress_fn progress;
    void *progress_cls;
    char error[ERR_MSG_MAX]; /* RUN_FAILED / RUN_RETRY: why */
};

static void log_end(const struct run *j, const char *what, double started)
{
    double secs = (now_ms() - started) / 1e3;
    log_msg(LOG_INFO, what, "job_id=%lld drafted=%lld failed=%lld total=%lld secs=%.3f",
            j->lease.job_id, j->drafted, j->failed, j->total, secs);
}

/* Ends the job failed with msg. RUN_FAILED, or RUN_RETRY when not even that could be
 * written (the job stays ours; the worker tries again after a pause). */
static enum run_end fail_job(struct run *j, const char *msg)
{
    char q[ERR_MSG_MAX + 64];
    struct err e = {0};
    bool ended = false;
    snprintf(j->error, sizeof j->error, "%s", msg);
    log_msg(LOG_ERROR, "job failed", "job_id=%lld error=%s", j->lease.job_id,
            log_quote(q, sizeof q, msg));
    if (jobs_finish(j->s, &j->lease, "failed", msg, &ended, &e)) {
        log_msg(LOG_ERROR, "cannot record that the job failed", "job_id=%lld error=%s",
                j->lease.job_id, log_quote(q, sizeof q, e.msg));
        return RUN_RETRY;
    }
    return ended ? RUN_FAILED : RUN_LOST;
}

/* A database error met while running: wait for an unreachable database, fail on others. */
static enum run_end db_failed(struct run *j, const struct err *e)
{
    if (e->code == ERR_UNAVAILABLE) {
        char q[ERR_MSG_MAX + 64];
        snprintf(j->error, sizeof j->error, "%s", e->msg);
        log_msg(LOG_WARN, "database unreachable while drafting; will retry", "job_id=%lld error=%s",
                j->lease.job_id, log_quote(q, sizeof q, e->msg));
        return RUN_RETRY;
    }
    char msg[ERR_MSG_MAX];
    snprintf(msg, sizeof msg, "drafting stopped on a database error: %s", e->msg);
    return fail_job(j, msg);
}

static enum run_end stop_job(struct run *j)
{
    struct err e = {0};
    if (jobs_release(j->s, &j->lease, &e)) {
        char q[ERR_MSG_MAX + 64];
        log_msg(LOG_WARN, "cannot hand the job back; it is taken up once its lease expires",
                "job_id=%lld error=%s", j->lease.job_id, log_quote(q, sizeof q, e.msg));
    } else {
        log_msg(LOG_INFO, "job handed back", "job_id=%lld drafted=%lld failed=%lld",
                j->lease.job_id, j->drafted, j->failed);
    }
    return RUN_STOPPED;
}

static enum run_end lease_lost(struct run *j)
{
    log_msg(LOG_WARN, "lease lost: another process holds the job; this batch is dropped",
            "job_id=%lld", j->lease.job_id);
    return RUN_LOST;
}

/* Drafts b's items until the batch is full, BATCH_MS passed, a cancel or stop came, or
 * the provider failed (*provider_rc). RUN_LOST or RUN_RETRY/RUN_FAILED end the job here;
 * -1 means commit what was drafted. */
static int draft_batch(struct run *j, struct provider *p, struct job_batch *b,
                       struct draft_result *res, double *renewed, int *provider_rc, struct err *pe)
{
    double t0 = now_ms();
    for (size_t i = 0; i < b->n; i++) {
        struct prospect pr;
        int rc;
        job_batch_prospect(b, i, &pr);
        if (b->items[i].decided) { /* a person approved or rejected it meanwhile */
            job_batch_set_skipped(b);
            continue;
        }
        rc = provider_draft(p, &pr, res, pe);
        if (rc == 0)
            rc = job_batch_set_drafted(b, res->subject, res->subject_len, res->body, res->body_len);
        else if (rc == ERR_INVALID)
            rc = job_batch_set_failed(b, res->reason);
        else {
            *provider_rc = rc;
            return -1;
        }
        if (rc) {
            *provider_rc = err_set(pe, ERR_NOMEM, "out of memory");
            return -1;
        }
        if (i + 1 == b->n) break;
        double t = now_ms();
        if (t - t0 >= BATCH_MS || j->should_stop(j->stop_cls)) return -1;
        if (t - *renewed >= j->lease.ttl_s * 1000.0 / 3) {
            enum job_step step;
            struct err e = {0};
            if (jobs_lease_renew(j->s, &j->lease, &step, &e)) return (int)db_failed(j, &e);
            if (step == JOB_STEP_LOST) return (int)lease_lost(j);
            *renewed = t;
            if (step == JOB_STEP_CANCELLED) return -1; /* the commit ends it */
        }
    }
    return -1;
}

static enum run_end run_job(struct run *j)
{
    struct provider *p = NULL;
    struct job_batch b = {0};
    struct draft_result res = {0};
    struct err e = {0};
    long long after = 0;
    int mismatches = 0;
    double started = now_ms(), renewed = started;
    enum run_end end;
    char msg[ERR_MSG_MAX + 64];

    /* every job: a connection that was reopened since lost its settings */
    if (jobs_connection_setup(j->s, &e) || provider_open(&p, j->s, &e)) {
        if (e.code == ERR_UNAVAILABLE) {
            end = db_failed(j, &e);
            goto out;
        }
        snprintf(msg, sizeof msg, "cannot start drafting: %s", e.msg);
        end = fail_job(j, msg);
        goto out;
    }
    if (j->cancel_requested) { /* asked while another process held it: draft nothing more */
        bool ended = false;
        if (jobs_finish(j->s, &j->lease, "cancelled", NULL, &ended, &e)) {
            end = db_failed(j, &e);
            goto out;
        }
        end = ended ? RUN_CANCELLED : lease_lost(j);
        goto out;
    }
    for (;;) {
        if (j->should_stop(j->stop_cls)) {
            end = stop_job(j);
            goto out;
        }
        if (jobs_batch_read(j->s, j->lease.job_id, after, BATCH_MAX, &b, &e)) {
            end = db_failed(j, &e);
            goto out;
        }
        if (b.n == 0 && after == 0) {
            /* nothing pending: complete, unless the lease is gone */
            bool ended = false;
            if (jobs_complete(j->s, &j->lease, &ended, &e)) {
                end = db_failed(j, &e);
                goto out;
            }
            if (ended) {
                end = RUN_COMPLETED;
                goto out;
            }
            enum job_step step;
            if (jobs_lease_renew(j->s, &j->lease, &step, &e)) {
                end = db_failed(j, &e);
                goto out;
            }
            if (step == JOB_STEP_LOST) {
                end = lease_lost(j);
                goto out;
            }
            /* a target became pending under us: read again, a few times at most */
            if (++mismatches > MISMATCH_MAX) {
                end = fail_job(j, "the job's targets kept changing under it");
                goto out;
            }
            continue;
        }
        if (b.n == 0) { /* past the end: anything left over is before `after` */
            after = 0;
            continue;
        }
        int provider_rc = 0;
        struct err pe = {0};
        int dr = draft_batch(j, p, &b, &res, &renewed, &provider_rc, &pe);
        if (dr >= 0) {
            end = (enum run_end)dr;
            goto out;
        }
        enum job_step step;
        bool maybe_last = b.done == b.n;
        if (jobs_batch_commit(j->s, &j->lease, &b, maybe_last, &step, &e)) {
            end = db_failed(j, &e);
            goto out;
        }
        renewed = now_ms();
        if (step == JOB_STEP_LOST) {
            end = lease_lost(j);
            goto out;
        }
        if (step == JOB_STEP_MISMATCH) {
            log_msg(LOG_WARN, "a batch's targets were no longer pending; reading them again",
                    "job_id=%lld", j->lease.job_id);
            if (++mismatches > MISMATCH_MAX) {
                end = fail_job(j, "the job's targets kept changing under it");
                goto out;
            }
            after = 0;
            continue;
        }
        mismatches = 0;
        j->drafted += b.drafted;
        j->failed += b.failed;
        if (b.done) after = b.items[b.done - 1].id;
        if (j->progress) j->progress(j->progress_cls, j->drafted, j->failed, j->total);
        if (step == JOB_STEP_COMPLETED) {
            end = RUN_COMPLETED;
            goto out;
        }
        if (step == JOB_STEP_CANCELLED) {
            end = RUN_CANCELLED;
            goto out;
        }
        if (provider_rc) {
            snprintf(msg, sizeof msg, "the drafting provider failed: %s", pe.msg);
            end = fail_job(j, msg);
            goto out;
        }
    }
out:
    if (end == RUN_COMPLETED) log_end(j, "job completed", started);
    if (end == RUN_CANCELLED) log_end(j, "job cancelled", started);
    draft_result_release(&res);
    job_batch_release(&b);
    provider_free(p);
    return end;
}

/* --- the worker threads ----------------------------------------------------------------- */

static bool runner_stopping(void *cls)
{
    struct runner *r = cls;
    return atomic_load_explicit(&r->stop, memory_order_relaxed);
}

/* Sleeps up to ms, or until woken (runner_wake, runner_stop). */
static void wait_for_work(struct worker *w, int ms)
{
    struct runner *r = w->r;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->mu);
    while (!atomic_load(&r->stop) && w->seen == r->wakes)
        if (pthread_cond_timedwait(&r->cv, &r->mu, &until) != 0) break;
    w->seen = r->wakes;
    pthread_mutex_unlock(&r->mu);
}

static int next_backoff(int ms)
{
    return ms == 0 ? BACKOFF_MIN_MS : ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms * 2;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct runner *r = w->r;
    struct store *s = NULL;
    int backoff = 0;
    char q[ERR_MSG_MAX + 64];
    while (!atomic_load(&r->stop)) {
        struct err e = {0};
        struct job_claim c;
        if (!s && (store_open(&s, &r->cfg->db, &e) || jobs_connection_setup(s, &e))) {
            store_free(s);
            s = NULL;
            backoff = next_backoff(backoff);
            log_msg(LOG_WARN, "drafting worker cannot reach the database", "retry_ms=%d error=%s",
                    backoff, log_quote(q, sizeof q, e.msg));
            wait_for_work(w, backoff);
            continue;
        }
        if (jobs_claim(s, w->owner, r->lease_s, &c, &e)) {
            backoff = next_backoff(backoff);
            log_msg(e.code == ERR_UNAVAILABLE ? LOG_WARN : LOG_ERROR, "cannot claim a draft job",
                    "retry_ms=%d error=%s", backoff, log_quote(q, sizeof q, e.msg));
            wait_for_work(w, backoff);
            continue;
        }
        if (!c.job_id) {
            backoff = 0;
            wait_for_work(w, POLL_MS);
            continue;
        }
        log_msg(LOG_INFO, c.taken_over ? "job taken over" : "job started",
                "job_id=%lld total=%lld drafted=%lld failed=%lld owner=%s", c.job_id, c.total,
                c.created, c.failed, w->owner);
        struct run j = {.s = s,
                        .lease = {.job_id = c.job_id, .owner = w->owner, .ttl_s = r->lease_s},
                        .total = c.total,
                        .drafted = c.created,
                        .failed = c.failed,
                        .cancel_requested = c.cancel_requested,
                        .should_stop = runner_stopping,
                        .stop_cls = r};
        if (run_job(&j) == RUN_RETRY) {
            backoff = next_backoff(backoff);
            wait_for_work(w, backoff);
        } else {
            backoff = 0;
        }
    }
    store_free(s);
    return NULL;
}

int runner_start(struct runner **out, const struct config *cfg, struct err *e)
{
    *out = NULL;
    int lease_s;
    int rc = jobs_lease_seconds(&lease_s, e);
    if (rc) return rc;
    struct runner *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, ERR_NOMEM, "out of memory");
    r->cfg = cfg;
    r->lease_s = lease_s;
    atomic_init(&r->stop, false);
    pthread_mutex_init(&r->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    r->n = cfg->workers > 0 ? cfg->workers : 0;
    if (r->n && !(r->workers = calloc((size_t)r->n, sizeof *r->workers))) {
        runner_stop(r);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    char base[OWNER_MAX - 16];
    owner_base(base, sizeof base);
    for (int i = 0; i < r->n; i++) {
        struct worker *w = &r->workers[i];
        w->r = r;
        snprintf(w->owner, sizeof w->owner, "%s:w%d", base, i + 1);
        int prc = pthread_create(&w->thread, NULL, worker_main, w);
        if (prc) {
            char buf[128];
            runner_stop(r);
            return err_set(e, ERR_INTERNAL, "cannot start a drafting worker: %s",
                           err_errno(prc, buf, sizeof buf));
        }
        w->started = true;
    }
    log_msg(LOG_INFO, "drafting workers started", "workers=%d lease_s=%d", r->n, lease_s);
    *out = r;
    return 0;
}

void runner_wake(struct runner *r)
{
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    r->wakes++;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void runner_stop(struct runner *r)
{
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    atomic_store(&r->stop, true);
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    for (int i = 0; i < r->n; i++)
        if (r->workers[i].started) pthread_join(r->workers[i].thread, NULL);
    free(r->workers);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* --- the foreground job of `draftd draft` ----------------------------------------------- */

struct flag {
    const volatile sig_atomic_t *stop;
};

static bool flag_set(void *cls)
{
    const struct flag *f = cls;
    return f->stop && *f->stop;
}

int runner_run_one(struct store *s, bool redraft, const volatile sig_atomic_t *stop,
                   runner_progress_fn progress, void *cls, struct runner_report *out, struct err *e)
{
    static const enum runner_end ends[] = {
        [RUN_COMPLETED] = RUNNER_COMPLETED, [RUN_CANCELLED] = RUNNER_CANCELLED,
        [RUN_FAILED] = RUNNER_FAILED,       [RUN_LOST] = RUNNER_LOST,
        [RUN_STOPPED] = RUNNER_INTERRUPTED, [RUN_RETRY] = RUNNER_UNAVAILABLE,
    };
    char owner[OWNER_MAX];
    struct job_claim c;
    long long active = 0;
    int lease_s;
    memset(out, 0, sizeof *out);
    int rc = jobs_lease_seconds(&lease_s, e);
    if (rc) return rc;
    char base[OWNER_MAX - 8];
    owner_base(base, sizeof base);
    snprintf(owner, sizeof owner, "%s:cli", base);
    if ((rc = jobs_connection_setup(s, e)) ||
        (rc = jobs_create_claimed(s, redraft, owner, lease_s, &c, &active, e))) {
        if (rc == ERR_CONFLICT) out->job_id = active;
        return rc;
    }
    out->job_id = c.job_id;
    out->total = c.total;
    struct flag f = {stop};
    struct run j = {.s = s,
                    .lease = {.job_id = c.job_id, .owner = owner, .ttl_s = lease_s},
                    .total = c.total,
                    .should_stop = flag_set,
                    .stop_cls = &f,
                    .progress = progress,
                    .progress_cls = cls};
    log_msg(LOG_INFO, "job started", "job_id=%lld total=%lld owner=%s", c.job_id, c.total, owner);
    if (progress) progress(cls, 0, 0, c.total);
    enum run_end end = run_job(&j);
    out->end = ends[end];
    out->drafted = j.drafted;
    out->failed = j.failed;
    snprintf(out->error, sizeof out->error, "%s", j.error);
    return 0;
}
