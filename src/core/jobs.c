/*
 * jobs — see jobs.h. Every write here is one transaction with a single way out: on any
 * error the transaction is rolled back (PostgreSQL aborts it on a failed statement
 * anyway) and the error goes up with the database's message and the statement's name.
 */
#include "jobs.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEASE_DEFAULT_S 10
/* the rows of one JOB_PROSPECTS_WRITE_ROWS / _REDRAFT_ROWS statement (sql_sqlite.c) */
#define JOB_ROWS_PER_STATEMENT 8
#define LEASE_MAX_S 3600

const char *const job_statuses[5] = {"pending", "running", "completed", "failed", "cancelled"};

bool job_status_valid(const char *s)
{
    for (size_t i = 0; i < sizeof job_statuses / sizeof *job_statuses; i++)
        if (strcmp(s, job_statuses[i]) == 0) return true;
    return false;
}

/* --- a job as JSON -------------------------------------------------------------------- */

static void put_text_or_null(struct jtext *b, const char *s, bool present)
{
    if (present)
        jtext_strn(b, s, strlen(s));
    else
        jtext_lit(b, "null");
}

void jtext_job(struct jtext *b, const struct job *j)
{
    jtext_lit(b, "{\"id\":");
    jtext_int(b, j->id);
    jtext_lit(b, ",\"job_type\":");
    put_text_or_null(b, j->job_type, true);
    jtext_lit(b, ",\"status\":");
    put_text_or_null(b, j->status, true);
    jtext_lit(b, ",\"drafts_created\":");
    jtext_int(b, j->drafts_created);
    jtext_lit(b, ",\"drafts_failed\":");
    jtext_int(b, j->drafts_failed);
    jtext_lit(b, ",\"total_targets\":");
    if (j->has_total)
        jtext_int(b, j->total_targets);
    else
        jtext_lit(b, "null");
    jtext_lit(b, ",\"error\":");
    put_text_or_null(b, j->error, j->has_error);
    jtext_lit(b, ",\"created_at\":");
    put_text_or_null(b, j->created_at, j->created_at[0] != '\0');
    jtext_lit(b, ",\"started_at\":");
    put_text_or_null(b, j->started_at, j->started_at[0] != '\0');
    jtext_lit(b, ",\"finished_at\":");
    put_text_or_null(b, j->finished_at, j->finished_at[0] != '\0');
    jtext_lit(b, "}");
}

/* --- reading jobs ------------------------------------------------------------------------ */

static void copy_text(char *dst, size_t cap, const char *src)
{
    if (!src) src = "";
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* A row of JOB_COLS (sql_*.c) into j. */
static void job_from_row(struct store_rows *r, struct job *j)
{
    j->id = store_rows_int(r, 0);
    copy_text(j->job_type, sizeof j->job_type, store_rows_text(r, 1));
    copy_text(j->status, sizeof j->status, store_rows_text(r, 2));
    j->drafts_created = store_rows_int(r, 3);
    j->drafts_failed = store_rows_int(r, 4);
    j->has_total = !store_rows_null(r, 5);
    j->total_targets = store_rows_int(r, 5);
    j->has_error = !store_rows_null(r, 6);
    copy_text(j->error, sizeof j->error, store_rows_text(r, 6));
    copy_text(j->created_at, sizeof j->created_at, store_rows_text(r, 7));
    copy_text(j->started_at, sizeof j->started_at, store_rows_text(r, 8));
    copy_text(j->finished_at, sizeof j->finished_at, store_rows_text(r, 9));
}

/* Runs a statement expected to answer at most one row of JOB_COLS; *found says whether it did. */
static int query_job(struct store *s, enum stmt_id id, const struct sval *p, size_t n,
                     struct job *out, bool *found, struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(s, id, p, n, &r, e);
    if (rc) return rc;
    rc = store_rows_next(r, e);
    *found = rc == 1;
    if (rc == 1) job_from_row(r, out);
    store_rows_free(r);
    return rc < 0 ? rc : 0;
}

int jobs_get(struct store *s, long long id, struct job *out, struct err *e)
{
    struct sval p[] = {SV_INT(id)};
    bool found = false;
    int rc = query_job(s, STMT_JOB_GET, p, 1, out, &found, e);
    if (!rc && !found) rc = err_set(e, ERR_NOT_FOUND, "there is no job %lld", id);
    return rc;
}

static struct sval text_or_null(const char *s)
{
    return s ? SV_TEXT(s) : SV_NULL_VALUE;
}

int jobs_list(struct store *s, const char *status, const char *type, long long skip,
              long long limit, int (*each)(void *cls, const struct job *j), void *cls,
              long long *total, struct err *e)
{
    struct sval p[] = {text_or_null(status), text_or_null(type), SV_INT(limit), SV_INT(skip)};
    struct store_rows *r = NULL;
    struct job j;
    int rc = store_query_int(s, STMT_JOB_COUNT, p, 2, total, e);
    if (rc || (rc = store_query(s, STMT_JOB_LIST, p, 4, &r, e))) return rc;
    while ((rc = store_rows_next(r, e)) == 1) {
        job_from_row(r, &j);
        if ((rc = each(cls, &j))) break;
    }
    store_rows_free(r);
    return rc;
}

/* --- creating and cancelling ------------------------------------------------------------ */

/* The id of the pending or running draft job, 0 when there is none. */
static int active_job(struct store *s, long long *id, struct err *e)
{
    struct sval p[] = {SV_TEXT(JOB_TYPE_DRAFT)};
    struct store_rows *r = NULL;
    *id = 0;
    int rc = store_query(s, STMT_JOB_ACTIVE, p, 1, &r, e);
    if (!rc && (rc = store_rows_next(r, e)) == 1) *id = store_rows_int(r, 0);
    store_rows_free(r);
    return rc < 0 ? rc : 0;
}

/* Inserts the job row; ERR_CONFLICT (with *active) while another draft job is active. */
static int insert_job(struct store *s, bool redraft, long long *id, long long *active,
                      struct err *e)
{
    struct sval p[] = {SV_TEXT(JOB_TYPE_DRAFT), SV_INT(redraft)};
    int rc = store_query_int(s, STMT_JOB_INSERT, p, 2, id, e);
    if (rc != ERR_CONFLICT) return rc;
    /* the unique index of migration 3: one pending or running job per type */
    struct err ignored = {0};
    store_rollback(s, &ignored);
    int arc = active_job(s, active, e);
    if (arc) return arc;
    return err_set(e, ERR_CONFLICT, "draft job %lld is already pending or running", *active);
}

static int find_missing(struct store *s, const char *ids_json, struct job_create_result *out,
                        struct err *e)
{
    struct sval p[] = {SV_TEXT(ids_json), SV_INT(JOB_MISSING_MAX)};
    struct store_rows *r = NULL;
    int rc = store_query(s, STMT_JOB_MISSING, p, 2, &r, e);
    if (rc) return rc;
    while (out->nmissing < JOB_MISSING_MAX && (rc = store_rows_next(r, e)) == 1) {
        out->missing[out->nmissing++] = store_rows_int(r, 0);
        out->missing_total = store_rows_int(r, 1);
    }
    store_rows_free(r);
    return rc < 0 ? rc : 0;
}

int jobs_create(struct store *s, const long long *ids, size_t n, bool redraft,
                struct job_create_result *out, struct err *e)
{
    struct jtext list = {0};
    struct err ignored = {0};
    int rc = 0;
    memset(out, 0, sizeof *out);
    jtext_raw(&list, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i) jtext_raw(&list, ",", 1);
        jtext_int(&list, ids[i]);
    }
    jtext_raw(&list, "]", 1);
    if (!jtext_cstr(&list)) return err_set(e, ERR_NOMEM, "out of memory");

    /* A conflict whose job finished before we could name it: try again, a few times. */
    for (int attempt = 0; attempt < 3; attempt++) {
        if ((rc = store_begin(s, e))) goto out;
        if (n && (rc = find_missing(s, list.p, out, e))) goto fail;
        if (out->nmissing) {
            rc = err_set(e, ERR_INVALID, "%lld of the prospect_ids name no prospect (first: %lld)",
                         out->missing_total, out->missing[0]);
            goto fail;
        }
        rc = insert_job(s, redraft, &out->job_id, &out->active_job_id, e);
        if (rc == ERR_CONFLICT && out->active_job_id == 0) {
            out->job_id = 0;
            continue;
        }
        if (rc) goto fail;
        if (n) {
            struct sval p[] = {SV_INT(out->job_id), SV_TEXT(list.p)};
            if ((rc = store_query(s, STMT_JOB_TARGETS_ADD, p, 2, NULL, e)) ||
                (rc = store_query(s, STMT_JOB_SET_TOTAL, p, 1, NULL, e)))
                goto fail;
        }
        if ((rc = store_commit(s, e))) goto fail;
        goto out;
    }
    rc = err_set(e, ERR_CONFLICT, "another draft job kept starting and finishing; try again");
    goto out;
fail:
    store_rollback(s, &ignored);
    if (rc != ERR_CONFLICT) out->active_job_id = 0;
    out->job_id = 0;
out:
    jtext_release(&list);
    return rc;
}

int jobs_cancel(struct store *s, long long id, struct job *out, struct err *e)
{
    struct sval p[] = {SV_INT(id)};
    struct err ignored = {0};
    bool found = false;
    int rc = store_begin(s, e);
    if (rc) return rc;
    if ((rc = query_job(s, STMT_JOB_CANCEL, p, 1, out, &found, e))) goto fail;
    if (found && strcmp(out->status, "cancelled") == 0 &&
        (rc = store_query(s, STMT_JOB_TARGETS_SKIP, p, 1, NULL, e)))
        goto fail;
    if ((rc = store_commit(s, e))) goto fail;
    if (found) return 0;
    /* not pending or running: unknown, already cancelled, or finished */
    if ((rc = jobs_get(s, id, out, e))) return rc;
    if (strcmp(out->status, "cancelled") == 0) return 0;
    return err_set(e, ERR_CONFLICT, "job %lld already %s", id, out->status);
fail:
    store_rollback(s, &ignored);
    return rc;
}

/* --- claiming ----------------------------------------------------------------------------- */

int jobs_connection_setup(struct store *s, struct err *e)
{
    int rc = store_query(s, STMT_JOB_CONN_SETUP, NULL, 0, NULL, e);
    return rc ? rc : store_query(s, STMT_JOB_CONN_MEMORY, NULL, 0, NULL, e);
}

int jobs_lease_seconds(int *out, struct err *e)
{
    const char *v = getenv("DRAFTD_LEASE_SECONDS");
    *out = LEASE_DEFAULT_S;
    if (!v) return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!isdigit((unsigned char)v[0]) || errno || *end || n < 1 || n > LEASE_MAX_S)
        return err_set(e, ERR_USAGE,
                       "DRAFTD_LEASE_SECONDS: \"%s\" is not a number of seconds (1-%d)", v,
                       LEASE_MAX_S);
    *out = (int)n;
    return 0;
}

/* "+10 seconds": a lease's length as both engines read it. */
static const char *lease_text(char *buf, size_t len, int ttl_s)
{
    snprintf(buf, len, "+%d seconds", ttl_s);
    return buf;
}

/* Starts (pending) or takes over (running) job id for owner; fills out from the row. */
static int take(struct store *s, long long id, const char *owner, int ttl_s, struct job_claim *out,
                struct err *e)
{
    char ttl[32];
    struct sval p[] = {SV_INT(id), SV_TEXT(owner), SV_TEXT(lease_text(ttl, sizeof ttl, ttl_s))};
    struct store_rows *r = NULL;
    int rc = store_query(s, STMT_JOB_TAKE, p, 3, &r, e);
    if (!rc && (rc = store_rows_next(r, e)) == 0)
        rc = err_set(e, ERR_INTERNAL, "job %lld vanished while it was being claimed", id);
    if (rc == 1) {
        out->job_id = id;
        out->total = store_rows_int(r, 0);
        out->created = store_rows_int(r, 1);
        out->failed = store_rows_int(r, 2);
        out->cancel_requested = store_rows_int(r, 3) != 0;
        out->redraft = store_rows_int(r, 4) != 0;
        rc = 0;
    }
    store_rows_free(r);
    return rc;
}

static int snapshot(struct store *s, long long id, bool redraft, struct err *e)
{
    struct sval p[] = {SV_INT(id), SV_INT(redraft)};
    return store_query(s, STMT_JOB_TARGETS_SNAPSHOT, p, 2, NULL, e);
}

int jobs_claim(struct store *s, const char *owner, int ttl_s, struct job_claim *out, struct err *e)
{
    struct sval p[] = {SV_TEXT(JOB_TYPE_DRAFT), SV_TEXT(owner)};
    struct store_rows *r = NULL;
    struct err ignored = {0};
    long long id = 0;
    bool pending = false, redraft = false, untargeted = false;
    memset(out, 0, sizeof *out);

    /* A read first, outside any transaction: idle polls take no lock. */
    int rc = store_query(s, STMT_JOB_CLAIMABLE, p, 2, &r, e);
    if (!rc) rc = store_rows_next(r, e);
    store_rows_free(r);
    r = NULL;
    if (rc <= 0) return rc;

    if ((rc = store_begin(s, e))) return rc;
    if ((rc = store_query(s, STMT_JOB_CLAIM_PICK, p, 2, &r, e))) goto fail;
    if ((rc = store_rows_next(r, e)) == 1) {
        id = store_rows_int(r, 0);
        const char *status = store_rows_text(r, 1);
        pending = status && strcmp(status, "pending") == 0;
        redraft = store_rows_int(r, 2) != 0;
        untargeted = store_rows_int(r, 3) != 0;
    }
    store_rows_free(r);
    if (rc < 0) goto fail;
    if (id == 0) { /* another worker was quicker */
        rc = store_commit(s, e);
        return rc;
    }
    if (pending && untargeted && (rc = snapshot(s, id, redraft, e))) goto fail;
    if ((rc = take(s, id, owner, ttl_s, out, e))) goto fail;
    if ((rc = store_commit(s, e))) goto fail;
    out->taken_over = !pending;
    return 0;
fail:
    store_rollback(s, &ignored);
    memset(out, 0, sizeof *out);
    return rc;
}

int jobs_create_claimed(struct store *s, bool redraft, const char *owner, int ttl_s,
                        struct job_claim *out, long long *active_job_id, struct err *e)
{
    struct err ignored = {0};
    long long id = 0;
    memset(out, 0, sizeof *out);
    *active_job_id = 0;
    int rc = store_begin(s, e);
    if (rc) return rc;
    if ((rc = insert_job(s, redraft, &id, active_job_id, e)) ||
        (rc = snapshot(s, id, redraft, e)) || (rc = take(s, id, owner, ttl_s, out, e)) ||
        (rc = store_commit(s, e))) {
        store_rollback(s, &ignored);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* --- batches -------------------------------------------------------------------------- */

void job_batch_release(struct job_batch *b)
{
    free(b->items);
    free(b->arena);
    jtext_release(&b->json);
    *b = (struct job_batch){0};
}

/* Copies n bytes and a NUL into the arena; the offset, or (size_t)-1 when out of memory. */
static size_t arena_put(struct job_batch *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->acap) {
        size_t cap = b->acap ? b->acap : 64 * 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->arena, cap);
        if (!p) return (size_t)-1;
        b->arena = p;
        b->acap = cap;
    }
    size_t off = b->len;
    memcpy(b->arena + off, s, n);
    b->arena[off + n] = '\0';
    b->len += n + 1;
    return off;
}

int jobs_batch_read(struct store *s, long long job_id, long long after, size_t limit,
                    struct job_batch *b, struct err *e)
{
    struct sval p[] = {SV_INT(job_id), SV_INT(after), SV_INT((long long)limit)};
    struct store_rows *r = NULL;
    b->n = b->done = b->len = 0;
    b->drafted = b->failed = b->skipped = 0;
    if (b->cap < limit) {
        struct job_item *items = realloc(b->items, limit * sizeof *items);
        if (!items) return err_set(e, ERR_NOMEM, "out of memory");
        b->items = items;
        b->cap = limit;
    }
    int rc = store_query(s, STMT_JOB_BATCH_READ, p, 3, &r, e);
    while (!rc && b->n < limit && (rc = store_rows_next(r, e)) == 1) {
        struct job_item *it = &b->items[b->n];
        memset(it, 0, sizeof *it);
        it->id = store_rows_int(r, 0);
        rc = 0;
        for (int f = 0; f < PF__COUNT && !rc; f++) {
            const char *t = store_rows_text(r, 1 + f);
            if (!t) continue;
            size_t off = arena_put(b, t, strlen(t));
            if (off == (size_t)-1) rc = err_set(e, ERR_NOMEM, "out of memory");
            it->f[f] = off + 1;
        }
        const char *status = store_rows_text(r, 1 + PF__COUNT);
        it->was_drafted = status && strcmp(status, "drafted") == 0;
        it->decided = store_rows_int(r, 2 + PF__COUNT) != 0;
        if (!rc) b->n++;
    }
    store_rows_free(r);
    if (rc < 0) b->n = 0;
    return rc < 0 ? rc : 0;
}

void job_batch_prospect(const struct job_batch *b, size_t i, struct prospect *out)
{
    const struct job_item *it = &b->items[i];
    out->id = it->id;
    for (int f = 0; f < PF__COUNT; f++)
        out->f[f] = it->f[f] ? b->arena + it->f[f] - 1 : NULL;
}

int job_batch_set_drafted(struct job_batch *b, const char *subject, size_t subject_len,
                          const char *body, size_t body_len)
{
    struct job_item *it = &b->items[b->done];
    size_t so = arena_put(b, subject, subject_len);
    size_t bo = so == (size_t)-1 ? so : arena_put(b, body, body_len);
    if (bo == (size_t)-1) return ERR_NOMEM;
    it->subject = so;
    it->body = bo;
    it->outcome = JOB_DRAFTED;
    b->done++;
    b->drafted++;
    return 0;
}

void job_batch_set_skipped(struct job_batch *b)
{
    b->items[b->done++].outcome = JOB_SKIPPED;
    b->skipped++;
}

int job_batch_set_failed(struct job_batch *b, const char *reason)
{
    struct job_item *it = &b->items[b->done];
    size_t eo = arena_put(b, reason, strlen(reason));
    if (eo == (size_t)-1) return ERR_NOMEM;
    it->error = eo;
    it->outcome = JOB_FAILED;
    b->done++;
    b->failed++;
    return 0;
}

/* Renews the lease and adds to the counters: the first statement of every batch. */
static int lease_step(struct store *s, const struct job_lease *l, long long drafted,
                      long long failed, enum job_step *step, struct err *e)
{
    char ttl[32];
    struct sval p[] = {SV_INT(l->job_id), SV_TEXT(l->owner),
                       SV_TEXT(lease_text(ttl, sizeof ttl, l->ttl_s)), SV_INT(drafted),
                       SV_INT(failed)};
    struct store_rows *r = NULL;
    int rc = store_query(s, STMT_JOB_LEASE, p, 5, &r, e);
    if (!rc) rc = store_rows_next(r, e);
    if (rc == 0) *step = JOB_STEP_LOST;
    if (rc == 1) *step = store_rows_int(r, 0) ? JOB_STEP_CANCELLED : JOB_STEP_OK;
    store_rows_free(r);
    return rc < 0 ? rc : 0;
}

int jobs_lease_renew(struct store *s, const struct job_lease *l, enum job_step *step, struct err *e)
{
    return lease_step(s, l, 0, 0, step, e);
}

/* The batch as one JSON array. For the prospects: {"i","s","b"} for a draft, {"i","e"} for a
 * failure (skipped ones left out); with fixes, the targets that are not drafted:
 * {"i","t":"failed","e"} or {"i","t":"skipped"}. */
static int batch_json(struct job_batch *b, bool fixes, struct err *e)
{
    struct jtext *j = &b->json;
    bool first = true;
    j->len = 0;
    jtext_raw(j, "[", 1);
    for (size_t i = 0; i < b->done; i++) {
        const struct job_item *it = &b->items[i];
        if (fixes ? it->outcome == JOB_DRAFTED : it->outcome == JOB_SKIPPED) continue;
        if (first)
            jtext_lit(j, "{\"i\":");
        else
            jtext_lit(j, ",{\"i\":");
        first = false;
        jtext_int(j, it->id);
        if (it->outcome == JOB_DRAFTED) {
            const char *sub = b->arena + it->subject, *body = b->arena + it->body;
            jtext_lit(j, ",\"s\":");
            jtext_strn(j, sub, strlen(sub));
            jtext_lit(j, ",\"b\":");
            jtext_strn(j, body, strlen(body));
        } else if (it->outcome == JOB_FAILED) {
            const char *why = b->arena + it->error;
            if (fixes) jtext_lit(j, ",\"t\":\"failed\"");
            jtext_lit(j, ",\"e\":");
            jtext_strn(j, why, strlen(why));
        } else {
            jtext_lit(j, ",\"t\":\"skipped\"");
        }
        jtext_raw(j, "}", 1);
    }
    jtext_raw(j, "]", 1);
    return jtext_cstr(j) ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* Sums the first column of every row: SQLite's RETURNING gives a row per row changed,
 * PostgreSQL's statements one row with the count. */
static int count_rows(struct store *s, enum stmt_id id, const struct sval *p, size_t n,
                      long long *count, struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(s, id, p, n, &r, e);
    if (rc) return rc;
    while ((rc = store_rows_next(r, e)) == 1)
        *count += store_rows_int(r, 0);
    store_rows_free(r);
    return rc < 0 ? rc : 0;
}

/*
 * Marks the batch's targets: the batch is every pending target between its first and
 * last prospect id (it was read that way, and the lease check holds the job's row, which
 * orders this against anyone else who would mark them), so one range update marks them
 * drafted, then the failed and skipped ones are corrected. *ok is false when the counts are not the
 * batch's: some target was no longer pending, and the caller rolls back.
 */
static int write_targets(struct store *s, const struct job_lease *l, struct job_batch *b, bool *ok,
                         struct err *e)
{
    struct sval p[] = {SV_INT(l->job_id), SV_INT(b->items[0].id), SV_INT(b->items[b->done - 1].id)};
    long long done = 0, failed = 0;
    int rc = count_rows(s, STMT_JOB_TARGETS_PENDING, p, 3, &done, e);
    if (rc || !(*ok = done == (long long)b->done)) return rc;
    if ((rc = store_query(s, STMT_JOB_TARGETS_DONE, p, 3, NULL, e)) || !(b->failed + b->skipped))
        return rc;
    if ((rc = batch_json(b, true, e))) return rc;
    struct sval f[] = {SV_INT(l->job_id), SV_TEXT(b->json.p)};
    if ((rc = count_rows(s, STMT_JOB_TARGETS_FIX, f, 2, &failed, e))) return rc;
    *ok = failed == b->failed + b->skipped;
    return 0;
}

/* Writes the drafts and failures; *ok is false when a prospect was decided on since the
 * batch was read (then nothing is written, and the caller rolls back). */
static int write_prospects(struct store *s, const struct job_lease *l, struct job_batch *b,
                           bool *ok, struct err *e)
{
    long long counted = 0, want = b->drafted + b->failed;
    int rc = 0;
    /* PostgreSQL writes a batch in one statement (a round trip per prospect would
     * dominate), SQLite one prospect at a time (in-process, cheaper than parsing JSON) */
    bool rows = s->kind == DB_SQLITE && b->mode != JOBS_WRITE_SET;
    *ok = false;
    if (!rows) {
        if (want && !(rc = batch_json(b, false, e))) {
            struct sval p[] = {SV_INT(l->job_id), SV_TEXT(b->json.p)};
            rc = count_rows(s, STMT_JOB_PROSPECTS_WRITE, p, 2, &counted, e);
        }
        *ok = counted == want;
        return rc;
    }
    struct sval range[] = {SV_INT(l->job_id), SV_INT(b->items[0].id),
                           SV_INT(b->items[b->done - 1].id)};
    if ((rc = count_rows(s, STMT_JOB_BATCH_DECIDED, range, 3, &counted, e))) return rc;
    if (counted != b->skipped) return 0;
    /* two passes of eight rows a statement: first drafts and failures, then redrafts (which
     * leave the status alone) */
    for (int pass = 0; pass < 2 && !rc; pass++) {
        struct sval p[JOB_ROWS_PER_STATEMENT * 4];
        size_t k = 0, cols = pass ? 3 : 4;
        for (size_t i = 0; i <= b->done && !rc; i++) {
            if (i < b->done) {
                const struct job_item *it = &b->items[i];
                bool drafted = it->outcome == JOB_DRAFTED;
                bool redraft = drafted && it->was_drafted;
                if (it->outcome == JOB_SKIPPED || redraft != (pass == 1)) continue;
                struct sval *v = &p[k++ * cols];
                v[0] = SV_INT(it->id);
                v[1] = drafted ? SV_TEXT(b->arena + it->subject) : SV_NULL_VALUE;
                v[2] = drafted ? SV_TEXT(b->arena + it->body) : SV_NULL_VALUE;
                if (!pass) v[3] = drafted ? SV_NULL_VALUE : SV_TEXT(b->arena + it->error);
                if (k < JOB_ROWS_PER_STATEMENT) continue;
            }
            if (!k) continue;
            for (size_t x = k * cols; x < JOB_ROWS_PER_STATEMENT * cols; x++)
                p[x] = SV_NULL_VALUE;
            rc = store_query(s,
                             pass ? STMT_JOB_PROSPECTS_REDRAFT_ROWS : STMT_JOB_PROSPECTS_WRITE_ROWS,
                             p, JOB_ROWS_PER_STATEMENT * cols, NULL, e);
            k = 0;
        }
    }
    *ok = !rc;
    return rc;
}

static int end_job(struct store *s, const struct job_lease *l, const char *status,
                   const char *error, bool *ended, struct err *e)
{
    struct sval p[] = {SV_INT(l->job_id), SV_TEXT(l->owner), SV_TEXT(status), text_or_null(error)};
    long long one = 0;
    int rc = store_query(s, STMT_JOB_TARGETS_SKIP, p, 1, NULL, e);
    if (!rc) rc = count_rows(s, STMT_JOB_FINISH, p, 4, &one, e);
    *ended = one > 0;
    return rc;
}

static int complete_step(struct store *s, const struct job_lease *l, bool *ended, struct err *e)
{
    struct sval p[] = {SV_INT(l->job_id), SV_TEXT(l->owner)};
    long long one = 0;
    int rc = count_rows(s, STMT_JOB_COMPLETE, p, 2, &one, e);
    *ended = one > 0;
    return rc;
}

int jobs_batch_commit(struct store *s, const struct job_lease *l, struct job_batch *b,
                      bool maybe_last, enum job_step *step, struct err *e)
{
    struct err ignored = {0};
    bool ended = false;
    *step = JOB_STEP_OK;
    int rc = store_begin(s, e);
    if (rc) return rc;
    if ((rc = lease_step(s, l, b->drafted, b->failed, step, e))) goto fail;
    if (*step == JOB_STEP_LOST) goto undo;
    bool cancel = *step == JOB_STEP_CANCELLED;
    *step = JOB_STEP_OK;
    if (b->done) {
        bool ok = false;
        if ((rc = write_targets(s, l, b, &ok, e))) goto fail;
        if (ok && (rc = write_prospects(s, l, b, &ok, e))) goto fail;
        if (!ok) {
            *step = JOB_STEP_MISMATCH;
            goto undo;
        }
    }
    if (cancel) {
        if ((rc = end_job(s, l, "cancelled", NULL, &ended, e))) goto fail;
        if (ended) *step = JOB_STEP_CANCELLED;
    } else if (maybe_last) {
        if ((rc = complete_step(s, l, &ended, e))) goto fail;
        if (ended) *step = JOB_STEP_COMPLETED;
    }
    if ((rc = store_commit(s, e))) goto fail;
    return 0;
undo:
    return store_rollback(s, e);
fail:
    store_rollback(s, &ignored);
    *step = JOB_STEP_OK;
    return rc;
}

int jobs_finish(struct store *s, const struct job_lease *l, const char *status, const char *error,
                bool *ended, struct err *e)
{
    struct err ignored = {0};
    *ended = false;
    int rc = store_begin(s, e);
    if (!rc && !(rc = end_job(s, l, status, error, ended, e)) && !(rc = store_commit(s, e)))
        return 0;
    store_rollback(s, &ignored);
    if (rc == ERR_UNAVAILABLE) return rc;
    /* The targets could not be skipped (their table may be what broke): end the job alone. */
    struct sval p[] = {SV_INT(l->job_id), SV_TEXT(l->owner), SV_TEXT(status), text_or_null(error)};
    long long one = 0;
    struct err again = {0};
    if (count_rows(s, STMT_JOB_FINISH, p, 4, &one, &again)) return rc;
    *ended = one > 0;
    return 0;
}

int jobs_complete(struct store *s, const struct job_lease *l, bool *ended, struct err *e)
{
    return complete_step(s, l, ended, e);
}

int jobs_release(struct store *s, const struct job_lease *l, struct err *e)
{
    struct sval p[] = {SV_INT(l->job_id), SV_TEXT(l->owner)};
    return store_query(s, STMT_JOB_RELEASE, p, 2, NULL, e);
}
