/*
 * Tests src/core/jobs.c: the JSON writer (escapes, UTF-8 kept, bytes that are not UTF-8
 * replaced, the job object with its nulls), DRAFTD_LEASE_SECONDS, and the service on a
 * migrated SQLite file: creating a job (explicit ids deduplicated, unknown ids refused
 * with nothing created, one active job), claiming (targets chosen at the start, never
 * approved or rejected ones, redraft; a live lease respected, a released one taken over),
 * committing batches with both write paths (per row and set-based JSON), a lost lease and
 * a target no longer pending committing nothing, cancel (pending, running, idle) and
 * finishing failed, and the list with its filters.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/jobs.h"
#include "store/memdb.h"
#include "unit.h"

/* --- JSON writer ---------------------------------------------------------------------- */

static const char nul_in[] = "nul\0in";

/* s[0..n) through jtext_strn, parsed back by jansson. */
static void assert_json_string(const char *s, size_t n, const char *want_text, const char *want)
{
    struct jtext b = {0};
    jtext_strn(&b, s, n);
    const char *text = jtext_cstr(&b);
    assert_non_null(text);
    if (want_text) assert_string_equal(text, want_text);
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!v) fail_msg("not JSON: %s (%s)", text, je.text);
    assert_true(json_is_string(v));
    assert_int_equal(json_string_length(v), strlen(want) + (want == nul_in ? 3 : 0));
    assert_memory_equal(json_string_value(v), want, json_string_length(v));
    json_decref(v);
    jtext_release(&b);
}

static void test_json_string(void **state)
{
    (void)state;
    assert_json_string("", 0, "\"\"", "");
    assert_json_string("plain", 5, "\"plain\"", "plain");
    assert_json_string("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "a\"b\\c");
    assert_json_string("l1\nl2\r\t\b\f", 9, "\"l1\\nl2\\r\\t\\b\\f\"", "l1\nl2\r\t\b\f");
    assert_json_string("\x01\x1f", 2, "\"\\u0001\\u001f\"", "\x01\x1f");
    assert_json_string(nul_in, 6, "\"nul\\u0000in\"", nul_in);
    /* UTF-8 kept as is: 2, 3 and 4 bytes */
    assert_json_string("Zo\xc3\xab \xe6\x97\xa5 \xf0\x9f\x98\x80", 13,
                       "\"Zo\xc3\xab \xe6\x97\xa5 \xf0\x9f\x98\x80\"",
                       "Zo\xc3\xab \xe6\x97\xa5 \xf0\x9f\x98\x80");
    /* not UTF-8: a stray byte, a cut sequence, an overlong form, a surrogate — each bad
     * byte becomes U+FFFD, written as its UTF-8 (EF BF BD) */
    assert_json_string("a\xff"
                       "b",
                       3, "\"a\xef\xbf\xbd"
                          "b\"",
                       "a\xef\xbf\xbd"
                       "b");
    assert_json_string("cut\xc3", 4, "\"cut\xef\xbf\xbd\"", "cut\xef\xbf\xbd");
    assert_json_string("\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"", "\xef\xbf\xbd\xef\xbf\xbd");
    assert_json_string("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
                       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void test_job_json(void **state)
{
    (void)state;
    struct job j = {.id = 7,
                    .job_type = "draft",
                    .status = "pending",
                    .created_at = "2026-11-24T10:00:00.000Z"};
    struct jtext b = {0};
    jtext_job(&b, &j);
    assert_string_equal(jtext_cstr(&b), "{\"id\":7,\"job_type\":\"draft\",\"status\":\"pending\","
                             "\"drafts_created\":0,\"drafts_failed\":0,\"total_targets\":null,"
                             "\"error\":null,\"created_at\":\"2026-11-24T10:00:00.000Z\","
                             "\"started_at\":null,\"finished_at\":null}");
    jtext_release(&b);

    j = (struct job){.id = 8,
                     .job_type = "draft",
                     .status = "failed",
                     .drafts_created = 12,
                     .drafts_failed = 3,
                     .total_targets = 20,
                     .has_total = true,
                     .has_error = true,
                     .error = "no such column: \"draft_body\"",
                     .created_at = "c",
                     .started_at = "s",
                     .finished_at = "f"};
    jtext_job(&b, &j);
    json_t *v = json_loads(jtext_cstr(&b), 0, NULL);
    assert_non_null(v);
    assert_int_equal(json_integer_value(json_object_get(v, "total_targets")), 20);
    assert_string_equal(json_string_value(json_object_get(v, "error")),
                        "no such column: \"draft_body\"");
    assert_string_equal(json_string_value(json_object_get(v, "finished_at")), "f");
    assert_int_equal(json_object_size(v), 10);
    json_decref(v);
    size_t len = 0;
    char *text = jtext_take(&b, &len);
    assert_non_null(text);
    assert_int_equal(len, strlen(text));
    assert_null(b.p);
    free(text);
}

static void test_statuses(void **state)
{
    (void)state;
    static const char *const ok[] = {"pending", "running", "completed", "failed", "cancelled"};
    for (size_t i = 0; i < 5; i++)
        assert_true(job_status_valid(ok[i]));
    assert_false(job_status_valid(""));
    assert_false(job_status_valid("finished"));
    assert_false(job_status_valid("Pending"));
}

static void test_lease_seconds(void **state)
{
    (void)state;
    int s = 0;
    struct err e = {0};
    unsetenv("DRAFTD_LEASE_SECONDS");
    assert_int_equal(jobs_lease_seconds(&s, &e), 0);
    assert_int_equal(s, 10);
    static const char *const good[][2] = {{"1", "1"}, {"3600", "3600"}, {"42", "42"}};
    for (size_t i = 0; i < 3; i++) {
        setenv("DRAFTD_LEASE_SECONDS", good[i][0], 1);
        assert_int_equal(jobs_lease_seconds(&s, &e), 0);
        assert_int_equal(s, atoi(good[i][1]));
    }
    static const char *const bad[] = {"0", "3601", "-5", "ten", "10s", "", " 5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setenv("DRAFTD_LEASE_SECONDS", bad[i], 1);
        err_clear(&e);
        assert_int_equal(jobs_lease_seconds(&s, &e), ERR_USAGE);
        assert_contains(e.msg, "DRAFTD_LEASE_SECONDS");
    }
    unsetenv("DRAFTD_LEASE_SECONDS");
}

/* --- the service on a SQLite file ----------------------------------------------------- */

struct fx {
    char dir[64], path[128];
    struct store *s;
    sqlite3 *raw; /* a second connection, to look at the rows directly */
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct db_url url;
    struct err e = {0};
    char text[200];
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/draftd-unit-jobs-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/jobs.db", f->dir);
    snprintf(text, sizeof text, "sqlite:%s", f->path);
    if (db_url_parse(&url, text, &e) || store_open(&f->s, &url, &e)) {
        print_error("%s\n", e.msg);
        return -1;
    }
    memdb_migrate(f->s, 0);
    if (sqlite3_open(f->path, &f->raw) != SQLITE_OK) return -1;
    sqlite3_busy_timeout(f->raw, 5000);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    char p[160];
    sqlite3_close(f->raw);
    store_free(f->s);
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void raw_exec(struct fx *f, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(f->raw, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
}

static long long raw_int(struct fx *f, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(f->raw, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(f->raw));
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static long long targets(struct fx *f, long long job, const char *state)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM job_targets WHERE job_id = %lld AND state = '%s'", job, state);
    return raw_int(f, sql);
}

/* n prospects p1..pn, all with every field. */
static void add_prospects(struct fx *f, int n)
{
    char sql[300];
    for (int i = 1; i <= n; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO prospects (email, first_name, company) VALUES ('p%d@example.com', "
                 "'First%d', 'Co %d')",
                 i, i, i);
        raw_exec(f, sql);
    }
}

static struct job_claim claim_ok(struct fx *f, const char *owner)
{
    struct job_claim c;
    struct err e = {0};
    if (jobs_claim(f->s, owner, 60, &c, &e)) fail_msg("jobs_claim: %s", e.msg);
    return c;
}

static long long create_ok(struct fx *f, const long long *ids, size_t n, bool redraft)
{
    struct job_create_result r;
    struct err e = {0};
    if (jobs_create(f->s, ids, n, redraft, &r, &e)) fail_msg("jobs_create: %s", e.msg);
    assert_true(r.job_id > 0);
    return r.job_id;
}

static void test_create_explicit_missing_and_conflict(void **state)
{
    struct fx *f = *state;
    struct job_create_result r;
    struct err e = {0};
    add_prospects(f, 5);
    const long long ids[] = {4, 2, 2, 4, 1};
    long long id = create_ok(f, ids, 5, false);
    struct job j;
    assert_int_equal(jobs_get(f->s, id, &j, &e), 0);
    assert_string_equal(j.status, "pending");
    assert_true(j.has_total);
    assert_int_equal(j.total_targets, 3);
    assert_int_equal(targets(f, id, "pending"), 3);

    /* one active draft job */
    assert_int_equal(jobs_create(f->s, NULL, 0, true, &r, &e), ERR_CONFLICT);
    assert_int_equal(r.active_job_id, id);
    assert_int_equal(r.job_id, 0);

    /* unknown ids: named, and nothing created */
    struct job c;
    assert_int_equal(jobs_cancel(f->s, id, &c, &e), 0);
    assert_string_equal(c.status, "cancelled");
    assert_int_equal(targets(f, id, "skipped"), 3);
    const long long bad[] = {99, 1, 98, 99};
    err_clear(&e);
    assert_int_equal(jobs_create(f->s, bad, 4, false, &r, &e), ERR_INVALID);
    assert_int_equal(r.nmissing, 2);
    assert_int_equal(r.missing[0], 98);
    assert_int_equal(r.missing[1], 99);
    assert_int_equal(r.missing_total, 2);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs"), 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM job_targets"), 3);

    /* many missing: the first JOB_MISSING_MAX listed, all counted */
    long long many[40];
    for (int i = 0; i < 40; i++)
        many[i] = 1000 + i;
    assert_int_equal(jobs_create(f->s, many, 40, false, &r, &e), ERR_INVALID);
    assert_int_equal(r.nmissing, JOB_MISSING_MAX);
    assert_int_equal(r.missing_total, 40);
    assert_int_equal(jobs_get(f->s, 12345, &j, &e), ERR_NOT_FOUND);
}

static void test_claim_chooses_targets_at_the_start(void **state)
{
    struct fx *f = *state;
    add_prospects(f, 6);
    raw_exec(f, "UPDATE prospects SET draft_status = 'failed' WHERE id = 2;"
                "UPDATE prospects SET draft_status = 'drafted' WHERE id = 3;"
                "UPDATE prospects SET draft_status = 'approved' WHERE id = 4;"
                "UPDATE prospects SET draft_status = 'rejected' WHERE id = 5");
    long long id = create_ok(f, NULL, 0, false);
    struct job j;
    struct err e = {0};
    assert_int_equal(jobs_get(f->s, id, &j, &e), 0);
    assert_false(j.has_total); /* chosen when it starts */
    struct job_claim c = claim_ok(f, "a:1:w1");
    assert_int_equal(c.job_id, id);
    assert_false(c.taken_over);
    assert_int_equal(c.total, 3); /* none (1, 6) and failed (2) */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM job_targets WHERE prospect_id IN (1, 2, 6)"),
                     3);
    assert_int_equal(jobs_get(f->s, id, &j, &e), 0);
    assert_string_equal(j.status, "running");
    assert_true(j.started_at[0]);
    /* a prospect added now is not a target */
    raw_exec(f, "INSERT INTO prospects (email) VALUES ('late@example.com')");
    bool ended = false;
    struct job_lease l = {.job_id = id, .owner = "a:1:w1", .ttl_s = 60};
    assert_int_equal(jobs_finish(f->s, &l, "cancelled", NULL, &ended, &e), 0);
    assert_true(ended);
    assert_int_equal(targets(f, id, "skipped"), 3);

    /* redraft also takes the drafted one, never approved or rejected */
    long long id2 = create_ok(f, NULL, 0, true);
    c = claim_ok(f, "a:1:w1");
    assert_int_equal(c.job_id, id2);
    assert_true(c.redraft);
    assert_int_equal(c.total, 5); /* 1, 2, 3, 6 and the late one */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM job_targets WHERE job_id = 2 AND "
                                "prospect_id IN (4, 5)"),
                     0);
}

static void test_leases(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    add_prospects(f, 3);
    long long id = create_ok(f, NULL, 0, false);
    struct job_claim c = claim_ok(f, "a:1:w1");
    assert_int_equal(c.job_id, id);
    /* a live lease is another's */
    c = claim_ok(f, "b:2:w1");
    assert_int_equal(c.job_id, 0);
    /* but its own owner may take it up again (a worker that paused on an error) */
    c = claim_ok(f, "a:1:w1");
    assert_int_equal(c.job_id, id);
    assert_true(c.taken_over);
    /* handed back: anyone takes it at once, with its counts */
    raw_exec(f, "UPDATE jobs SET drafts_created = 1 WHERE id = 1");
    struct job_lease l = {.job_id = id, .owner = "a:1:w1", .ttl_s = 60};
    assert_int_equal(jobs_release(f->s, &l, &e), 0);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs WHERE lease_owner IS NULL AND "
                                "status = 'running'"),
                     1);
    c = claim_ok(f, "b:2:w1");
    assert_int_equal(c.job_id, id);
    assert_true(c.taken_over);
    assert_int_equal(c.created, 1);
    assert_int_equal(c.total, 3);
    /* expired: taken over too */
    raw_exec(f, "UPDATE jobs SET lease_expires_at = '2000-01-01T00:00:00.000Z' WHERE id = 1");
    c = claim_ok(f, "c:3:w1");
    assert_int_equal(c.job_id, id);
    /* `draftd draft` while it runs: refused, naming it */
    long long active = 0;
    assert_int_equal(jobs_create_claimed(f->s, false, "d:4:cli", 60, &c, &active, &e),
                     ERR_CONFLICT);
    assert_int_equal(active, id);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs"), 1);
}

/* Reads a batch of up to limit and gives each prospect a draft, a failure when its id is
 * fail_id, or a skip when a person decided on it, as the runner does. */
static void draft_batch(struct fx *f, long long job, long long after, size_t limit,
                        struct job_batch *b, long long fail_id)
{
    struct err e = {0};
    if (jobs_batch_read(f->s, job, after, limit, b, &e)) fail_msg("batch read: %s", e.msg);
    for (size_t i = 0; i < b->n; i++) {
        struct prospect p;
        job_batch_prospect(b, i, &p);
        assert_non_null(p.f[PF_EMAIL]);
        if (b->items[i].decided) {
            job_batch_set_skipped(b);
            continue;
        }
        if (p.id == fail_id) {
            assert_int_equal(job_batch_set_failed(b, "company is empty \"x\""), 0);
            continue;
        }
        char subject[64], body[128];
        snprintf(subject, sizeof subject, "Hi %s", p.f[PF_FIRST_NAME] ? p.f[PF_FIRST_NAME] : "");
        snprintf(body, sizeof body, "Body for \"%s\"\n\\ at %s", p.f[PF_EMAIL],
                 p.f[PF_COMPANY] ? p.f[PF_COMPANY] : "");
        assert_int_equal(job_batch_set_drafted(b, subject, strlen(subject), body, strlen(body)), 0);
    }
}

static void batches_commit(struct fx *f, enum jobs_write_mode mode)
{
    struct err e = {0};
    struct job_batch b = {.mode = mode};
    enum job_step step;
    add_prospects(f, 6);
    raw_exec(f, "UPDATE prospects SET draft_status = 'failed', draft_subject = 'old', "
                "draft_error = 'old error' WHERE id = 2");
    long long id = create_ok(f, NULL, 0, false);
    struct job_claim c = claim_ok(f, "a:1:w1");
    struct job_lease l = {.job_id = id, .owner = "a:1:w1", .ttl_s = 60};
    assert_int_equal(c.total, 6);

    draft_batch(f, id, 0, 4, &b, 3);
    assert_int_equal(b.n, 4);
    assert_int_equal(b.done, 4);
    assert_int_equal(jobs_batch_commit(f->s, &l, &b, false, &step, &e), 0);
    assert_int_equal(step, JOB_STEP_OK);
    assert_int_equal(raw_int(f, "SELECT drafts_created FROM jobs"), 3);
    assert_int_equal(raw_int(f, "SELECT drafts_failed FROM jobs"), 1);
    assert_int_equal(targets(f, id, "drafted"), 3);
    assert_int_equal(targets(f, id, "failed"), 1);
    assert_int_equal(targets(f, id, "pending"), 2);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM prospects WHERE id = 1 AND "
                                "draft_status = 'drafted' AND draft_subject = 'Hi First1' AND "
                                "draft_body = 'Body for \"p1@example.com\"' || char(10) || "
                                "'\\ at Co 1' AND draft_error IS NULL AND drafted_at IS NOT NULL"),
                     1);
    /* failed before, drafted now: the error is gone */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM prospects WHERE id = 2 AND "
                                "draft_status = 'drafted' AND draft_error IS NULL"),
                     1);
    /* failed: the reason, the old draft left as it was */
    assert_int_equal(raw_int(f,
                             "SELECT count(*) FROM prospects WHERE id = 3 AND "
                             "draft_status = 'failed' AND draft_error = 'company is empty \"x\"' "
                             "AND draft_subject IS NULL AND drafted_at IS NULL"),
                     1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM job_targets WHERE prospect_id = 3 AND "
                                "error = 'company is empty \"x\"' AND finished_at IS NOT NULL"),
                     1);

    /* the last batch completes the job in the same transaction */
    draft_batch(f, id, b.items[b.done - 1].id, 4, &b, 0);
    assert_int_equal(b.n, 2);
    assert_int_equal(jobs_batch_commit(f->s, &l, &b, true, &step, &e), 0);
    assert_int_equal(step, JOB_STEP_COMPLETED);
    struct job j;
    assert_int_equal(jobs_get(f->s, id, &j, &e), 0);
    assert_string_equal(j.status, "completed");
    assert_int_equal(j.drafts_created, 5);
    assert_int_equal(j.drafts_failed, 1);
    assert_true(j.finished_at[0]);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs WHERE lease_owner IS NULL"), 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"),
                     5);
    job_batch_release(&b);
}

/*
 * A redraft writes drafted prospects without touching their status (per row). A person's
 * decision outranks the job: a prospect approved after the job was asked for is skipped,
 * also when the approval comes between the batch's read and its commit (which then rolls
 * back and is read again); one approved before an explicit job named it is drafted.
 */
static void redraft(struct fx *f, enum jobs_write_mode mode)
{
    struct err e = {0};
    struct job_batch b = {.mode = mode};
    enum job_step step;
    add_prospects(f, 5);
    raw_exec(f, "UPDATE prospects SET draft_status = 'drafted', draft_subject = 'old', "
                "updated_at = '2000-01-01T00:00:00.000Z' WHERE id <= 3");
    long long id = create_ok(f, NULL, 0, true);
    claim_ok(f, "a:1:w1");
    struct job_lease l = {.job_id = id, .owner = "a:1:w1", .ttl_s = 60};
    raw_exec(f, "UPDATE prospects SET draft_status = 'rejected', "
                "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 second') WHERE id = 5");
    draft_batch(f, id, 0, 10, &b, 0);
    assert_int_equal(b.n, 5);
    assert_true(b.items[0].was_drafted);
    assert_false(b.items[3].was_drafted);
    assert_true(b.items[4].decided);
    assert_int_equal(b.skipped, 1);
    assert_int_equal(b.drafted, 4);
    /* approved between read and commit */
    raw_exec(f, "UPDATE prospects SET draft_status = 'approved', "
                "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 second') WHERE id = 2");
    assert_int_equal(jobs_batch_commit(f->s, &l, &b, true, &step, &e), 0);
    assert_int_equal(step, JOB_STEP_MISMATCH);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM prospects WHERE draft_subject = 'old'"), 3);
    assert_int_equal(targets(f, id, "pending"), 5);

    draft_batch(f, id, 0, 10, &b, 0);
    assert_true(b.items[1].decided);
    assert_int_equal(b.skipped, 2);
    assert_int_equal(jobs_batch_commit(f->s, &l, &b, true, &step, &e), 0);
    assert_int_equal(step, JOB_STEP_COMPLETED);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted' "
                                "AND draft_subject LIKE 'Hi First%' AND drafted_at IS NOT NULL"),
                     3);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM prospects WHERE id = 2 AND "
                                "draft_status = 'approved' AND draft_subject = 'old'"),
                     1);
    assert_int_equal(targets(f, id, "skipped"), 2);
    assert_int_equal(targets(f, id, "drafted"), 3);
    assert_int_equal(raw_int(f, "SELECT drafts_created FROM jobs WHERE id = 1"), 3);
    /* migration 4's counters still agree with the rows */
    assert_int_equal(raw_int(f, "SELECT n_drafted FROM prospect_counts"), 3);
    assert_int_equal(raw_int(f, "SELECT n_approved + n_rejected FROM prospect_counts"), 2);

    /* an explicit job names the approved one (approved before it was asked for): drafted,
     * whatever its status */
    raw_exec(f, "UPDATE prospects SET updated_at = '2000-01-01T00:00:00.000Z' WHERE id = 2");
    const long long ids[] = {2};
    long long id2 = create_ok(f, ids, 1, false);
    claim_ok(f, "a:1:w1");
    l.job_id = id2;
    draft_batch(f, id2, 0, 10, &b, 0);
    assert_false(b.items[0].decided);
    assert_int_equal(jobs_batch_commit(f->s, &l, &b, true, &step, &e), 0);
    assert_int_equal(step, JOB_STEP_COMPLETED);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM prospects WHERE id = 2 AND "
                                "draft_status = 'drafted' AND draft_subject = 'Hi First2'"),
                     1);
    job_batch_release(&b);
}

static void test_redraft_per_row(void **state)
{
    redraft(*state, JOBS_WRITE_ROWS);
}

static void test_redraft_set_based(void **state)
{
    redraft(*state, JOBS_WRITE_SET);
}

static void test_batches_per_row(void **state)
{
    batches_commit(*state, JOBS_WRITE_ROWS);
}

static void test_batches_set_based(void **state)
{
    batches_commit(*state, JOBS_WRITE_SET);
}

static void test_lost_lease_and_mismatch_write_nothing(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct job_batch b = {0};
    enum job_step step;
    add_prospects(f, 4);
    long long id = create_ok(f, NULL, 0, false);
    claim_ok(f, "a:1:w1");
    struct job_lease l = {.job_id = id, .owner = "a:1:w1", .ttl_s = 60};

    draft_batch(f, id, 0, 10, &b, 0);
    raw_exec(f, "UPDATE jobs SET lease_owner = 'thief' WHERE id = 1");
    assert_int_equal(jobs_batch_commit(f->s, &l, &b, true, &step, &e), 0);
    assert_int_equal(step, JOB_STEP_LOST);
    assert_int_equal(jobs_lease_renew(f->s, &l, &step, &e), 0);
    assert_int_equal(step, JOB_STEP_LOST);
    assert_int_equal(raw_int(f, "SELECT drafts_created FROM jobs"), 0);
    assert_int_equal(targets(f, id, "pending"), 4);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM prospects WHERE draft_status <> 'none'"), 0);

    /* back to its owner; a target written behind its back makes the batch roll back */
    raw_exec(f, "UPDATE jobs SET lease_owner = 'a:1:w1' WHERE id = 1;"
                "UPDATE job_targets SET state = 'drafted' WHERE prospect_id = 3");
    for (int m = 0; m < 2; m++) {
        b.mode = m ? JOBS_WRITE_SET : JOBS_WRITE_ROWS;
        assert_int_equal(jobs_batch_commit(f->s, &l, &b, true, &step, &e), 0);
        assert_int_equal(step, JOB_STEP_MISMATCH);
        assert_int_equal(raw_int(f, "SELECT drafts_created FROM jobs"), 0);
        assert_int_equal(targets(f, id, "pending"), 3);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM prospects WHERE draft_status <> 'none'"),
                         0);
    }
    job_batch_release(&b);
}

static void test_cancel(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct job_batch b = {0};
    enum job_step step;
    struct job j;
    add_prospects(f, 5);
    long long id = create_ok(f, NULL, 0, false);
    claim_ok(f, "a:1:w1");
    struct job_lease l = {.job_id = id, .owner = "a:1:w1", .ttl_s = 60};

    /* running under a live lease: asked, and the owner stops at its next commit */
    draft_batch(f, id, 0, 2, &b, 0);
    assert_int_equal(jobs_cancel(f->s, id, &j, &e), 0);
    assert_string_equal(j.status, "running");
    assert_int_equal(jobs_lease_renew(f->s, &l, &step, &e), 0);
    assert_int_equal(step, JOB_STEP_CANCELLED);
    assert_int_equal(jobs_batch_commit(f->s, &l, &b, false, &step, &e), 0);
    assert_int_equal(step, JOB_STEP_CANCELLED);
    assert_int_equal(jobs_get(f->s, id, &j, &e), 0);
    assert_string_equal(j.status, "cancelled");
    assert_int_equal(j.drafts_created, 2);
    assert_int_equal(targets(f, id, "drafted"), 2);
    assert_int_equal(targets(f, id, "skipped"), 3);
    /* again: no change; a completed job: 409 material */
    assert_int_equal(jobs_cancel(f->s, id, &j, &e), 0);
    assert_string_equal(j.status, "cancelled");
    assert_int_equal(jobs_cancel(f->s, 77, &j, &e), ERR_NOT_FOUND);

    /* running without a live lease (its process died): cancelled at once */
    long long id2 = create_ok(f, NULL, 0, false);
    claim_ok(f, "a:1:w1");
    raw_exec(f, "UPDATE jobs SET lease_expires_at = '2000-01-01T00:00:00.000Z' WHERE id = 2");
    assert_int_equal(jobs_cancel(f->s, id2, &j, &e), 0);
    assert_string_equal(j.status, "cancelled");
    assert_true(j.finished_at[0]);
    assert_int_equal(targets(f, id2, "pending"), 0);

    /* finished failed with its error; a finished job cannot be cancelled */
    long long id3 = create_ok(f, NULL, 0, false);
    claim_ok(f, "a:1:w1");
    struct job_lease l3 = {.job_id = id3, .owner = "a:1:w1", .ttl_s = 60};
    bool ended = false;
    assert_int_equal(jobs_finish(f->s, &l3, "failed", "the provider failed: timeout", &ended, &e),
                     0);
    assert_true(ended);
    err_clear(&e);
    assert_int_equal(jobs_cancel(f->s, id3, &j, &e), ERR_CONFLICT);
    assert_string_equal(j.status, "failed");
    assert_true(j.has_error);
    assert_string_equal(j.error, "the provider failed: timeout");
    assert_contains(e.msg, "already failed");
    /* and not twice: another owner cannot end it */
    struct job_lease other = {.job_id = id3, .owner = "b:2:w1", .ttl_s = 60};
    assert_int_equal(jobs_finish(f->s, &other, "cancelled", NULL, &ended, &e), 0);
    assert_false(ended);
    job_batch_release(&b);
}

struct seen {
    long long ids[8];
    size_t n;
};

static int collect(void *cls, const struct job *j)
{
    struct seen *s = cls;
    if (s->n < 8) s->ids[s->n++] = j->id;
    return 0;
}

static void test_list(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    raw_exec(f, "INSERT INTO jobs (job_type, status) VALUES ('draft', 'completed'), "
                "('draft', 'failed'), ('draft', 'completed'), ('other', 'completed')");
    struct seen s = {0};
    long long total = 0;
    assert_int_equal(jobs_list(f->s, NULL, NULL, 0, 100, collect, &s, &total, &e), 0);
    assert_int_equal(total, 4);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.ids[0], 4); /* newest first */
    assert_int_equal(s.ids[3], 1);
    s.n = 0;
    assert_int_equal(jobs_list(f->s, "completed", "draft", 1, 5, collect, &s, &total, &e), 0);
    assert_int_equal(total, 2);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ids[0], 1);
    s.n = 0;
    assert_int_equal(jobs_list(f->s, "running", NULL, 0, 5, collect, &s, &total, &e), 0);
    assert_int_equal(total, 0);
    assert_int_equal(s.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_job_json),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_lease_seconds),
        cmocka_unit_test_setup_teardown(test_create_explicit_missing_and_conflict, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_claim_chooses_targets_at_the_start, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_leases, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_batches_per_row, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_batches_set_based, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_redraft_per_row, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_redraft_set_based, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_lost_lease_and_mismatch_write_nothing, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_cancel, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_list, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
