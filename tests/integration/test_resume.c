/*
 * test_resume — a draft job outlives the process that ran it (API.md "Drafting",
 * DESIGN.md invariants 3 and 4), on the real binary:
 *
 *   - kill -9 mid-job: the counts in the database still equal the rows, the next server
 *     takes the same job up once its lease expires, finishes it, and drafts nobody twice;
 *   - two servers on one database (PostgreSQL, and SQLite's one file): one of them runs a
 *     job; when the one running it dies, the other takes it over;
 *   - a job pending while no server runs is run by the next start; a graceful stop hands a
 *     running job back, so the next start resumes it without waiting for the lease.
 *
 * The slow test provider (DRAFTD_TEST_DRAFT_DELAY_MS) keeps a job running long enough
 * to kill its server; DRAFTD_LEASE_SECONDS sets how long a dead worker's lease lasts.
 * "Nobody drafted twice" is checked on the rows: a prospect drafted before the kill keeps
 * its drafted_at, and the job's counters equal its job_targets and prospects rows.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_flow.h"

/* The drafted prospects with their drafted_at, one "id|drafted_at" line each. */
static char *drafted_snapshot(const struct h_db *db)
{
    return h_db_rows(db, "SELECT id, drafted_at FROM prospects WHERE draft_status = 'drafted' "
                         "ORDER BY id");
}

/* Asserts every line of before is still a line of now (nothing drafted again). */
static void assert_kept(const char *before, const char *now)
{
    size_t n = strlen(now);
    char *framed = malloc(n + 2);
    assert_non_null(framed);
    framed[0] = '\n';
    memcpy(framed + 1, now, n + 1);
    long kept = 0;
    for (const char *p = before; *p;) {
        const char *eol = strchr(p, '\n');
        assert_non_null(eol);
        char line[160];
        snprintf(line, sizeof line, "\n%.*s\n", (int)(eol - p), p);
        if (!strstr(framed, line)) {
            free(framed);
            fail_msg("drafted before the stop, changed since (drafted twice?): %.*s",
                     (int)(eol - p), p);
        }
        kept++;
        p = eol + 1;
    }
    free(framed);
    print_message("%ld drafts from before the stop kept their drafted_at\n", kept);
}

/*
 * Asserts the database agrees with itself about job id: drafts_created equals its
 * drafted job_targets, drafts_failed its failed ones; when exact_prospects, also the
 * drafted/failed prospects (only when this is the only job that drafted).
 */
static void assert_counts_are_rows(const struct h_db *db, long long id, bool exact_prospects)
{
    long long created = h_db_intf(db, "SELECT drafts_created FROM jobs WHERE id = %lld", id);
    long long failed = h_db_intf(db, "SELECT drafts_failed FROM jobs WHERE id = %lld", id);
    assert_int_equal(h_db_intf(db,
                               "SELECT count(*) FROM job_targets WHERE job_id = %lld AND "
                               "state = 'drafted'",
                               id),
                     created);
    assert_int_equal(h_db_intf(db,
                               "SELECT count(*) FROM job_targets WHERE job_id = %lld AND "
                               "state = 'failed'",
                               id),
                     failed);
    if (exact_prospects) {
        assert_int_equal(
            h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"), created);
        assert_int_equal(
            h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'failed'"), failed);
    }
}

/* Asserts job id finished completed with every one of its want targets done once, of
 * which want_failed failed. */
static void assert_completed_failing(const struct h_db *db, int port, long long id,
                                     long long want, long long want_failed)
{
    json_t *job = h_job_wait_done(port, id, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "completed");
    assert_null(h_json_str(job, "error"));
    long long created = h_json_int(job, "drafts_created");
    long long failed = h_json_int(job, "drafts_failed");
    assert_int_equal(h_json_int(job, "total_targets"), want);
    assert_int_equal(created + failed, want);
    assert_int_equal(failed, want_failed);
    json_decref(job);
    assert_int_equal(h_db_intf(db, "SELECT count(*) FROM job_targets WHERE job_id = %lld", id),
                     want);
    assert_int_equal(h_db_intf(db,
                               "SELECT count(*) FROM job_targets WHERE job_id = %lld AND "
                               "state = 'pending'",
                               id),
                     0);
    assert_counts_are_rows(db, id, false);
}

static void assert_completed_exactly(const struct h_db *db, int port, long long id, long long want)
{
    assert_completed_failing(db, port, id, want, 0);
}

/* Waits until the job has drafted at least k and is still running (fails if it finished). */
static long long wait_mid_job(int port, long long id, long long k)
{
    json_t *job = h_job_wait_created(port, id, k, H_JOB_TIMEOUT_MS);
    if (h_job_finished(job))
        fail_msg("job %lld finished before the test could stop it mid-job", id);
    assert_string_equal(h_json_str(job, "status"), "running");
    long long created = h_json_int(job, "drafts_created");
    json_decref(job);
    return created;
}

/* --- kill -9 mid-job -------------------------------------------------------------------- */

static void kill9_mid_job_resumes_same_job(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=5", "DRAFTD_LEASE_SECONDS=2",
                                      NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, env);
    /* 40 prospects without a company (they fail), then 400 that draft */
    char batch[40 * 64 + 8];
    size_t len = 0;
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(batch + len, sizeof batch - len, "%s{\"email\":\"nc-%d@example.com\"}",
                                i ? "," : "[", i);
    snprintf(batch + len, sizeof batch - len, "]");
    json_t *made = h_req_json(srv.port, "POST", "/api/prospects", batch, 201);
    assert_int_equal(h_json_int(made, "created"), 40);
    json_decref(made);
    h_import_generated(srv.port, "k", 400);

    long long id = h_draft_start(srv.port, NULL);
    long long seen = wait_mid_job(srv.port, id, 40);
    h_serve_kill9(&srv);
    h_serve_release(&srv);

    /* the crash kept the counts exact: what the API showed, and what the rows say */
    assert_int_equal(h_db_intf(db, "SELECT count(*) FROM jobs WHERE id = %lld AND status = "
                                   "'running'", id),
                     1);
    long long created = h_db_intf(db, "SELECT drafts_created FROM jobs WHERE id = %lld", id);
    assert_true(created >= seen);
    assert_true(created < 400);
    assert_counts_are_rows(db, id, true);
    print_message("killed at %lld drafted, %lld failed\n", created,
                  h_db_intf(db, "SELECT drafts_failed FROM jobs WHERE id = %lld", id));
    char *before = drafted_snapshot(db);

    /* the next server takes the same job up */
    h_serve_up(&srv, db->url, env);
    assert_completed_failing(db, srv.port, id, 440, 40);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 1);
    assert_counts_are_rows(db, id, true);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"),
                     400);
    char *after = drafted_snapshot(db);
    assert_kept(before, after);
    h_buf_free(before);
    h_buf_free(after);

    h_serve_down(&srv);
    h_db_drop(db);
}

/* --- two servers on one database ---------------------------------------------------------- */

/* The job's lease_owner as text ("NULL" when none), into buf. */
static const char *lease_owner(const struct h_db *db, long long id, char *buf, size_t len)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT status, lease_owner FROM jobs WHERE id = %lld", id);
    char *row = h_db_rows(db, sql);
    snprintf(buf, len, "%s", row);
    h_buf_free(row);
    char *nl = strchr(buf, '\n');
    if (nl) *nl = '\0';
    return buf;
}

static void two_servers_share_and_take_over(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server a, b;
    /* first a long lease: while both live, one of them keeps the job to the end */
    static const char *const steady[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=5",
                                         "DRAFTD_LEASE_SECONDS=30", NULL};
    static const char *const brief[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=10",
                                        "DRAFTD_LEASE_SECONDS=2", NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&a, db->url, steady);
    h_serve_up(&b, db->url, steady);
    h_import_generated(a.port, "one", 300);

    long long j1 = h_draft_start(b.port, NULL);
    char first_owner[256] = "", row[256];
    long samples = 0;
    long long deadline = h_now_ms() + H_JOB_TIMEOUT_MS;
    for (;;) {
        if (h_now_ms() > deadline) fail_msg("job %lld did not finish in time", j1);
        json_t *job = h_job_get(a.port, j1);
        bool done = h_job_finished(job);
        bool running = strcmp(h_json_str(job, "status"), "running") == 0;
        json_decref(job);
        if (done) break;
        lease_owner(db, j1, row, sizeof row);
        /* "running|owner": a running job has exactly one owner, the same one throughout */
        if (running && strncmp(row, "running|", 8) == 0) {
            if (strcmp(row, "running|NULL") == 0) fail_msg("job %lld runs without a lease owner", j1);
            if (!first_owner[0]) snprintf(first_owner, sizeof first_owner, "%s", row);
            if (strcmp(row, first_owner) != 0)
                fail_msg("the job moved from one live server to another: %s then %s",
                         first_owner, row);
            samples++;
        }
        h_sleep_ms(20);
    }
    print_message("job %lld held by %s over %ld samples\n", j1, first_owner + 8, samples);
    assert_true(samples > 0);
    assert_completed_exactly(db, a.port, j1, 300);
    assert_counts_are_rows(db, j1, true);
    /* the logs agree: exactly one server started it, as that owner, and none took it over */
    char job_key[48], owner_key[300];
    snprintf(job_key, sizeof job_key, "job_id=%lld ", j1);
    snprintf(owner_key, sizeof owner_key, "owner=%s", first_owner + 8);
    bool a_ran = h_line_with(h_serve_log(&a), "msg=\"job started\"", job_key, owner_key, NULL);
    bool b_ran = h_line_with(h_serve_log(&b), "msg=\"job started\"", job_key, owner_key, NULL);
    if (a_ran == b_ran) print_error("A:\n%s\nB:\n%s\n", a.log, b.log);
    assert_true(a_ran != b_ran);
    assert_false(h_line_with(a.log, "msg=\"job taken over\"", job_key, NULL));
    assert_false(h_line_with(b.log, "msg=\"job taken over\"", job_key, NULL));
    h_serve_down(&a);
    h_serve_down(&b);

    /* then a short lease: the job starts on A (the only server then), B joins; whichever
     * holds the lease when we look dies, and the other takes the job over */
    h_serve_up(&a, db->url, brief);
    h_import_generated(a.port, "two", 400);
    long long j2 = h_draft_start(a.port, NULL);
    wait_mid_job(a.port, j2, 1);
    h_serve_up(&b, db->url, brief);
    long long seen = wait_mid_job(b.port, j2, 40);
    char dead_owner[256];
    lease_owner(db, j2, dead_owner, sizeof dead_owner);
    if (strncmp(dead_owner, "running|", 8) != 0 || strcmp(dead_owner, "running|NULL") == 0)
        fail_msg("job %lld mid-job is not running under a lease: %s", j2, dead_owner);
    snprintf(job_key, sizeof job_key, "job_id=%lld ", j2);
    snprintf(owner_key, sizeof owner_key, "owner=%s", dead_owner + 8);
    bool on_a = h_line_with(h_serve_log(&a), job_key, owner_key, NULL);
    bool on_b = h_line_with(h_serve_log(&b), job_key, owner_key, NULL);
    if (on_a == on_b) print_error("A:\n%s\nB:\n%s\n", a.log, b.log);
    assert_true(on_a != on_b);
    struct h_server *holder = on_a ? &a : &b, *other = on_a ? &b : &a;
    print_message("job %lld: killing %s, the holder (%s)\n", j2, on_a ? "A" : "B",
                  dead_owner + 8);
    h_serve_kill9(holder);
    h_serve_release(holder);

    long long created = h_db_intf(db, "SELECT drafts_created FROM jobs WHERE id = %lld", j2);
    assert_true(created >= seen);
    assert_counts_are_rows(db, j2, false);
    char *before = drafted_snapshot(db);

    /* the other takes it over: a new owner while running, then completed */
    bool new_owner_seen = false;
    deadline = h_now_ms() + H_JOB_TIMEOUT_MS;
    for (;;) {
        if (h_now_ms() > deadline) fail_msg("job %lld was not taken over in time", j2);
        json_t *job = h_job_get(other->port, j2);
        bool done = h_job_finished(job);
        long long now = h_json_int(job, "drafts_created");
        json_decref(job);
        if (done) break;
        if (now > created) {
            lease_owner(db, j2, row, sizeof row);
            if (strncmp(row, "running|", 8) == 0) {
                if (strcmp(row, dead_owner) == 0)
                    fail_msg("job %lld progressed under the dead server's lease %s", j2, row);
                new_owner_seen = true;
            }
        }
        h_sleep_ms(20);
    }
    assert_true(new_owner_seen);
    assert_completed_exactly(db, other->port, j2, 400);
    if (!h_line_with(h_serve_log(other), "msg=\"job taken over\"", job_key, NULL))
        print_error("survivor:\n%s\n", other->log);
    assert_true(h_line_with(other->log, "msg=\"job taken over\"", job_key, NULL));
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 2);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"),
                     700);
    char *after = drafted_snapshot(db);
    assert_kept(before, after);
    h_buf_free(before);
    h_buf_free(after);

    h_serve_down(other);
    h_db_drop(db);
}

/* --- stops --------------------------------------------------------------------------- */

/*
 * A graceful stop mid-job hands the job back. The lease is 120 s and the next server
 * gets 60 s to finish: it can only make it if the stop released the lease.
 */
static void sigterm_mid_job_hands_job_back(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=10",
                                      "DRAFTD_LEASE_SECONDS=120", NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, env);
    h_import_generated(srv.port, "g", 300);

    long long id = h_draft_start(srv.port, NULL);
    long long seen = wait_mid_job(srv.port, id, 20);
    assert_int_equal(h_serve_stop(&srv), 0);
    h_serve_release(&srv);

    long long created = h_db_intf(db, "SELECT drafts_created FROM jobs WHERE id = %lld", id);
    assert_true(created >= seen);
    assert_true(created < 300);
    assert_int_equal(h_db_intf(db,
                               "SELECT count(*) FROM jobs WHERE id = %lld AND status IN "
                               "('pending', 'running')",
                               id),
                     1);
    assert_counts_are_rows(db, id, true);
    char *before = drafted_snapshot(db);

    h_serve_up(&srv, db->url, env);
    assert_completed_exactly(db, srv.port, id, 300);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 1);
    assert_counts_are_rows(db, id, true);
    char *after = drafted_snapshot(db);
    assert_kept(before, after);
    h_buf_free(before);
    h_buf_free(after);

    h_serve_down(&srv);
    h_db_drop(db);
}

/*
 * A job left pending while no server runs (as a server that created it and died before
 * any worker claimed it leaves it: the row POST /api/pipeline/draft writes) is run by
 * the next start.
 */
static void pending_job_runs_on_next_start(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, NULL);
    h_import_generated(srv.port, "p", 50);
    assert_int_equal(h_serve_stop(&srv), 0);
    h_serve_release(&srv);

    h_db_exec(db, "INSERT INTO jobs (job_type, status) VALUES ('draft', 'pending')");
    long long id = h_db_int(db, "SELECT max(id) FROM jobs");

    h_serve_up(&srv, db->url, NULL);
    assert_completed_exactly(db, srv.port, id, 50);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 1);
    assert_counts_are_rows(db, id, true);
    h_serve_down(&srv);
    h_db_drop(db);
}

/*
 * A job created just before a graceful stop, whether a worker had claimed it yet or not,
 * runs on the next start (the lease is long: the stop must not leave it leased).
 */
static void job_created_before_a_stop_runs_on_next_start(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=20",
                                      "DRAFTD_LEASE_SECONDS=120", NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, env);
    h_import_generated(srv.port, "q", 200);
    long long id = h_draft_start(srv.port, NULL);
    assert_int_equal(h_serve_stop(&srv), 0);
    h_serve_release(&srv);
    assert_int_equal(h_db_intf(db,
                               "SELECT count(*) FROM jobs WHERE id = %lld AND status IN "
                               "('pending', 'running')",
                               id),
                     1);
    assert_counts_are_rows(db, id, true);

    h_serve_up(&srv, db->url, env);
    assert_completed_exactly(db, srv.port, id, 200);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 1);
    assert_counts_are_rows(db, id, true);
    h_serve_down(&srv);
    h_db_drop(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        H_TEST(kill9_mid_job_resumes_same_job),
        H_TEST(two_servers_share_and_take_over),
        H_TEST(sigterm_mid_job_hands_job_back),
        H_TEST(pending_job_runs_on_next_start),
        H_TEST(job_created_before_a_stop_runs_on_next_start),
    };
    return cmocka_run_group_tests(tests, NULL, h_group_teardown);
}
