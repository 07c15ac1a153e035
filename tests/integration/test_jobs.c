/*
 * test_jobs — the drafting runner seen from outside, on the real binary and both
 * engines: what the database says about leases, and what the workers do about it.
 *
 *   - a running job whose owner died (a row written straight into the database with an
 *     expired lease and pending targets) is taken over and completed with exact counts,
 *     keeping what the dead owner had drafted; a live lease is respected until it ends;
 *   - a worker whose lease was taken commits nothing more; given back, the job completes;
 *   - cancelling a running job skips the targets left and ends it cancelled, also when
 *     the cancel was asked while another process held the job;
 *   - a column dropped under a running job fails it with the database's message;
 *   - `draftd draft` and `draftd jobs`: output and exit statuses (0, 1 for an active job
 *     and an interrupted run, 2 usage, 3 schema), and an interrupted run resumed by serve;
 *   - a bad DRAFTD_LEASE_SECONDS refuses to start.
 *
 * DRAFTD_TEST_DRAFT_DELAY_MS keeps a job running long enough to act on it;
 * DRAFTD_LEASE_SECONDS shortens a lease so takeovers happen within the test.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_flow.h"

#define LONG_AGO "2000-01-01T00:00:00.000Z"
#define FAR_AHEAD "2999-01-01T00:00:00.000Z"

/* --- helpers ------------------------------------------------------------------------ */

/* A migrated database with n prospects (p<i>@example.com, all draftable), via draftd import. */
static void seed(struct h_db **db, int n)
{
    h_db_create(db);
    h_migrate(*db, NULL);
    char path[400];
    snprintf(path, sizeof path, "%s/seed.csv", (*db)->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "email,first_name,last_name,company,title,website\n");
    for (int i = 1; i <= n; i++)
        fprintf(f, "p%d@example.com,First%d,Last%d,Company %d,CTO,https://c%d.example\n", i, i, i,
                i, i);
    assert_int_equal(fclose(f), 0);
    struct h_result r;
    h_run(&r, (*db)->url, NULL, "import", path, NULL);
    h_assert_status(&r, 0);
    h_result_release(&r);
    assert_int_equal(h_db_int(*db, "SELECT count(*) FROM prospects"), n);
}

static long long targets_in(const struct h_db *db, long long job, const char *state)
{
    return h_db_intf(db, "SELECT count(*) FROM job_targets WHERE job_id = %lld AND state = '%s'",
                     job, state);
}

static long long job_int(const struct h_db *db, long long job, const char *column)
{
    return h_db_intf(db, "SELECT %s FROM jobs WHERE id = %lld", column, job);
}

/* The job's counters are its rows: drafted and failed targets, drafted prospects. */
static void assert_counts_are_rows(const struct h_db *db, long long job)
{
    assert_int_equal(job_int(db, job, "drafts_created"), targets_in(db, job, "drafted"));
    assert_int_equal(job_int(db, job, "drafts_failed"), targets_in(db, job, "failed"));
    assert_int_equal(job_int(db, job, "drafts_created"),
                     h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"));
}

/* Polls the database until the job's status is want (or fails after the job timeout). */
static void wait_status(const struct h_db *db, long long job, const char *want)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM jobs WHERE id = %lld AND status = '%s'", job,
             want);
    for (long waited = 0; h_db_int(db, sql) != 1; waited += 20) {
        if (waited > H_JOB_TIMEOUT_MS) fail_msg("job %lld never became %s", job, want);
        h_sleep_ms(20);
    }
}

/* Polls until the job has drafted at least k prospects. */
static void wait_drafted(const struct h_db *db, long long job, long long k)
{
    for (long waited = 0; job_int(db, job, "drafts_created") < k; waited += 10) {
        if (waited > H_JOB_TIMEOUT_MS) fail_msg("job %lld never drafted %lld", job, k);
        h_sleep_ms(10);
    }
}

/*
 * Writes, behind draftd's back, a draft job running under owner's lease (until `until`)
 * over prospects 1..total, of which 1..drafted are already drafted (prospects too).
 */
static long long write_running_job(const struct h_db *db, const char *owner, const char *until,
                                   int total, int drafted)
{
    char sql[1200];
    snprintf(sql, sizeof sql,
             "INSERT INTO jobs (job_type, status, drafts_created, drafts_failed, total_targets, "
             "lease_owner, lease_expires_at, started_at) VALUES ('draft', 'running', %d, 0, %d, "
             "'%s', '%s', '" LONG_AGO "');"
             "INSERT INTO job_targets (job_id, prospect_id, state) "
             "SELECT (SELECT max(id) FROM jobs), id, CASE WHEN id <= %d THEN 'drafted' "
             "ELSE 'pending' END FROM prospects WHERE id <= %d;"
             "UPDATE prospects SET draft_status = 'drafted', draft_subject = 'old subject', "
             "draft_body = 'old body', drafted_at = '" LONG_AGO "' WHERE id <= %d",
             drafted, total, owner, until, drafted, total, drafted);
    h_db_exec(db, sql);
    long long id = h_db_int(db, "SELECT max(id) FROM jobs");
    assert_int_equal(id, 1); /* a fresh database: the tests' SQL names it 1 */
    return id;
}

/* --- leases --------------------------------------------------------------------------- */

static void dead_owners_job_is_taken_over(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_LEASE_SECONDS=1", NULL};
    seed(&db, 50);
    long long job = write_running_job(db, "dead-host:1:0:w1", LONG_AGO, 40, 15);

    h_serve_up(&srv, db->url, env);
    wait_status(db, job, "completed");
    assert_int_equal(job_int(db, job, "drafts_created"), 40);
    assert_int_equal(job_int(db, job, "drafts_failed"), 0);
    assert_int_equal(job_int(db, job, "total_targets"), 40);
    assert_int_equal(targets_in(db, job, "drafted"), 40);
    assert_int_equal(targets_in(db, job, "pending"), 0);
    assert_counts_are_rows(db, job);
    /* what the dead owner drafted was not drafted again; the rest was, and only that */
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_subject = "
                                  "'old subject' AND drafted_at = '" LONG_AGO "'"),
                     15);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE id > 40 AND "
                                  "draft_status <> 'none'"),
                     0);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs WHERE id = 1 AND lease_owner IS NULL "
                                  "AND finished_at IS NOT NULL"),
                     1);
    /* the API tells the same story */
    json_t *j = h_job_get(srv.port, job);
    assert_string_equal(h_json_str(j, "status"), "completed");
    assert_int_equal(h_json_int(j, "drafts_created"), 40);
    assert_null(h_json_str(j, "error"));
    json_decref(j);
    h_serve_down(&srv);
    h_db_drop(db);
}

static void live_lease_is_respected_until_it_ends(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    seed(&db, 30);
    long long job = write_running_job(db, "other-host:2:0:w1", FAR_AHEAD, 30, 5);

    h_serve_up(&srv, db->url, NULL);
    /* several polls of the workers: the job is another live process's */
    h_sleep_ms(2500);
    assert_int_equal(job_int(db, job, "drafts_created"), 5);
    assert_int_equal(targets_in(db, job, "pending"), 25);
    char *owner = h_db_rows(db, "SELECT lease_owner FROM jobs WHERE id = 1");
    assert_string_equal(owner, "other-host:2:0:w1\n");
    h_buf_free(owner);
    /* and a new job is refused while it is active */
    struct h_resp r;
    h_http(&r, srv.port, "POST", "/api/pipeline/draft", NULL, 0, NULL);
    assert_int_equal(r.status, 409);
    h_assert_json_error(&r, "job_active");
    json_t *body = h_json(&r);
    assert_int_equal(
        h_json_int(json_object_get(json_object_get(body, "error"), "details"), "job_id"), job);
    json_decref(body);
    h_resp_release(&r);

    /* the other process dies: its lease runs out */
    h_db_exec(db, "UPDATE jobs SET lease_expires_at = '" LONG_AGO "' WHERE id = 1");
    wait_status(db, job, "completed");
    assert_int_equal(job_int(db, job, "drafts_created"), 30);
    assert_counts_are_rows(db, job);
    h_serve_down(&srv);
    h_db_drop(db);
}

static void stolen_lease_commits_nothing_more(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=10", NULL};
    seed(&db, 200);
    h_serve_up(&srv, db->url, env);
    long long job = h_draft_start(srv.port, NULL);
    wait_drafted(db, job, 5);

    /* another process takes the job: from its commit on, the worker must not write */
    h_db_exec(db, "UPDATE jobs SET lease_owner = 'thief:3:0:w1', lease_expires_at = '" FAR_AHEAD
                  "' WHERE id = 1");
    long long at_theft = job_int(db, job, "drafts_created");
    h_sleep_ms(1500); /* many batches' worth of 10 ms drafts */
    assert_int_equal(job_int(db, job, "drafts_created"), at_theft);
    assert_int_equal(targets_in(db, job, "drafted"), at_theft);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"),
                     at_theft);
    assert_true(at_theft < 200);

    /* the thief gives it back: the server finishes it, each prospect drafted once */
    h_db_exec(db, "UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = 1");
    wait_status(db, job, "completed");
    assert_int_equal(job_int(db, job, "drafts_created"), 200);
    assert_int_equal(job_int(db, job, "total_targets"), 200);
    assert_int_equal(targets_in(db, job, "drafted"), 200);
    assert_counts_are_rows(db, job);
    h_serve_down(&srv);
    h_db_drop(db);
}

/* --- cancel ------------------------------------------------------------------------- */

static void cancel_skips_the_rest(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=10", NULL};
    seed(&db, 300);
    h_serve_up(&srv, db->url, env);
    long long job = h_draft_start(srv.port, NULL);
    wait_drafted(db, job, 3);

    char path[96];
    snprintf(path, sizeof path, "/api/pipeline/draft/jobs/%lld/cancel", job);
    json_t *j = h_req_json(srv.port, "POST", path, NULL, 200);
    json_decref(j);
    j = h_job_wait_done(srv.port, job, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(j, "status"), "cancelled");
    long long created = h_json_int(j, "drafts_created");
    json_decref(j);
    assert_true(created >= 3 && created < 300);
    assert_int_equal(targets_in(db, job, "drafted"), created);
    assert_int_equal(targets_in(db, job, "skipped"), 300 - created);
    assert_int_equal(targets_in(db, job, "pending"), 0);
    assert_counts_are_rows(db, job);
    /* cancelling again is no change */
    j = h_req_json(srv.port, "POST", path, NULL, 200);
    assert_string_equal(h_json_str(j, "status"), "cancelled");
    assert_int_equal(h_json_int(j, "drafts_created"), created);
    json_decref(j);
    h_serve_down(&srv);
    h_db_drop(db);
}

/* A cancel asked while another process held the job reaches whoever takes it over. */
static void cancel_reaches_the_next_owner(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    seed(&db, 20);
    long long job = write_running_job(db, "other-host:4:0:w1", FAR_AHEAD, 20, 4);
    h_serve_up(&srv, db->url, NULL);
    json_t *j = h_req_json(srv.port, "POST", "/api/pipeline/draft/jobs/1/cancel", NULL, 200);
    assert_string_equal(h_json_str(j, "status"), "running"); /* asked; the owner decides */
    json_decref(j);
    assert_int_equal(job_int(db, job, "CAST(cancel_requested AS INTEGER)"), 1);

    h_db_exec(db, "UPDATE jobs SET lease_expires_at = '" LONG_AGO "' WHERE id = 1");
    wait_status(db, job, "cancelled");
    assert_int_equal(job_int(db, job, "drafts_created"), 4);
    assert_int_equal(targets_in(db, job, "skipped"), 16);
    assert_int_equal(targets_in(db, job, "pending"), 0);
    h_serve_down(&srv);
    h_db_drop(db);
}

/* --- failures ----------------------------------------------------------------------- */

static void dropped_column_fails_the_job_with_the_database_message(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=10", NULL};
    seed(&db, 300);
    h_serve_up(&srv, db->url, env);
    long long job = h_draft_start(srv.port, NULL);
    wait_drafted(db, job, 3);

    h_db_exec(db, "ALTER TABLE prospects DROP COLUMN draft_body");
    json_t *j = h_job_wait_done(srv.port, job, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(j, "status"), "failed");
    const char *error = h_json_str(j, "error");
    assert_non_null(error);
    h_assert_contains(error, "draft_body");
    assert_non_null(h_json_str(j, "finished_at"));
    long long created = h_json_int(j, "drafts_created");
    json_decref(j);
    assert_int_equal(targets_in(db, job, "drafted"), created);
    assert_int_equal(targets_in(db, job, "pending"), 0);
    h_assert_contains(h_serve_log(&srv), "job failed");
    h_serve_down(&srv);
    h_db_drop(db);
}

/* PostgreSQL: the workers' connections are cut mid-job; they reconnect and the job ends
 * with exact counts. */
static void worker_survives_a_lost_connection(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=5", NULL};
    seed(&db, 300);
    h_serve_up(&srv, db->url, env);
    long long job = h_draft_start(srv.port, NULL);
    wait_drafted(db, job, 3);
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s' AND "
             "application_name = 'draftd-worker'",
             db->name);
    h_pg_admin_exec(sql);
    wait_status(db, job, "completed");
    assert_int_equal(job_int(db, job, "drafts_created"), 300);
    assert_int_equal(targets_in(db, job, "drafted"), 300);
    assert_counts_are_rows(db, job);
    /* the connection was cut (and reopened, idle or after a pause), and nothing was lost */
    h_assert_contains(h_serve_log(&srv), "reconnected to PostgreSQL");
    h_serve_down(&srv);
    h_db_drop(db);
}

static void bad_lease_seconds_refuse_to_start(void **state)
{
    (void)state;
    struct h_db *db;
    static const char *const env[] = {"DRAFTD_LEASE_SECONDS=0", NULL};
    static const char *const env2[] = {"DRAFTD_LEASE_SECONDS=ten", NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    struct h_server srv;
    assert_int_equal(h_serve_start(&srv, db->url, env, NULL), 2);
    h_assert_contains(srv.log, "DRAFTD_LEASE_SECONDS");
    h_assert_lacks(srv.log, "msg=\"listening\"");
    h_serve_release(&srv);
    struct h_result r;
    h_run(&r, db->url, env2, "draft", NULL);
    h_assert_status(&r, 2);
    h_assert_contains(r.err, "DRAFTD_LEASE_SECONDS");
    h_result_release(&r);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 0);
    h_db_drop(db);
}

/* --- the command line ------------------------------------------------------------------ */

static void draft_and_jobs_commands(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    seed(&db, 25);
    h_db_exec(db, "UPDATE prospects SET company = NULL WHERE id IN (3, 4)");

    h_run(&r, db->url, NULL, "draft", NULL);
    h_assert_status(&r, 0);
    h_assert_contains(r.out, "job 1 completed: 23 drafted, 2 failed, 25 targets");
    h_result_release(&r);
    assert_counts_are_rows(db, 1);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs WHERE status = 'completed' AND "
                                  "started_at IS NOT NULL AND finished_at IS NOT NULL AND "
                                  "lease_owner IS NULL"),
                     1);

    /* only the failed ones are left to draft; --redraft takes the drafted ones too */
    h_run(&r, db->url, NULL, "draft", NULL);
    h_assert_status(&r, 0);
    h_assert_contains(r.out, "job 2 completed: 0 drafted, 2 failed, 2 targets");
    h_result_release(&r);
    h_run(&r, db->url, NULL, "draft", "--redraft", NULL);
    h_assert_status(&r, 0);
    h_assert_contains(r.out, "job 3 completed: 23 drafted, 2 failed, 25 targets");
    h_result_release(&r);

    h_run(&r, db->url, NULL, "jobs", NULL);
    h_assert_status(&r, 0);
    assert_true(h_line_with(r.out, "ID", "STATUS", "CREATED", "DRAFTED", "FAILED", "TOTAL", NULL));
    const char *third = strstr(r.out, "\n3 "), *first = strstr(r.out, "\n1 ");
    assert_non_null(third);
    assert_non_null(first);
    assert_true(third < first); /* newest first */
    assert_true(h_line_with(r.out, "3 ", "completed", "23", "25", NULL));
    h_result_release(&r);

    /* usage */
    h_run(&r, db->url, NULL, "draft", "now", NULL);
    h_assert_status(&r, 2);
    h_result_release(&r);
    h_run(&r, db->url, NULL, "draft", "--frob", NULL);
    h_assert_status(&r, 2);
    h_assert_contains(r.err, "--frob");
    h_result_release(&r);
    h_run(&r, db->url, NULL, "jobs", "--redraft", NULL);
    h_assert_status(&r, 2);
    h_result_release(&r);
    h_run(&r, db->url, NULL, "draft", "--help", NULL);
    h_assert_status(&r, 0);
    h_assert_contains(r.out, "usage: draftd draft");
    h_result_release(&r);
    h_db_drop(db);
}

static void draft_refuses_while_a_job_is_active(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    seed(&db, 5);
    long long job = write_running_job(db, "other-host:5:0:w1", FAR_AHEAD, 5, 0);
    h_run(&r, db->url, NULL, "draft", NULL);
    h_assert_status(&r, 1);
    h_assert_contains(r.err, "draft job 1 is already pending or running");
    h_result_release(&r);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 1);
    assert_int_equal(job_int(db, job, "drafts_created"), 0);
    h_db_drop(db);
}

static void commands_refuse_a_database_behind_the_build(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);
    h_migrate(db, "2");
    h_run(&r, db->url, NULL, "draft", NULL);
    h_assert_status(&r, 3);
    h_assert_contains(r.err, "draftd migrate up");
    h_result_release(&r);
    h_run(&r, db->url, NULL, "jobs", NULL);
    h_assert_status(&r, 3);
    h_result_release(&r);
    h_db_drop(db);
}

/* Ctrl-C stops `draftd draft` between prospects and leaves the job for a server. */
static void interrupted_draft_is_finished_by_serve(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_proc p;
    struct h_result r;
    struct h_server srv;
    static const char *const slow[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=10", NULL};
    seed(&db, 200);
    h_start(&p, db->url, slow, "draft", NULL);
    for (long waited = 0;
         h_db_int(db, "SELECT count(*) FROM jobs") == 0 || job_int(db, 1, "drafts_created") < 3;
         waited += 10) {
        if (waited > H_JOB_TIMEOUT_MS) fail_msg("draftd draft never drafted");
        h_sleep_ms(10);
    }
    assert_int_equal(kill(p.pid, SIGINT), 0);
    h_finish(&p, &r);
    h_assert_status(&r, 1);
    h_assert_contains(r.err, "left running");
    h_assert_contains(r.out, "job 1 running");
    h_result_release(&r);
    long long done = job_int(db, 1, "drafts_created");
    assert_true(done >= 3 && done < 200);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs WHERE status = 'running' AND "
                                  "lease_owner IS NULL"),
                     1);
    assert_counts_are_rows(db, 1);

    /* the lease was handed back: a server takes the job up at once and finishes it */
    static const char *const long_lease[] = {"DRAFTD_LEASE_SECONDS=3600", NULL};
    h_serve_up(&srv, db->url, long_lease);
    wait_status(db, 1, "completed");
    assert_int_equal(job_int(db, 1, "drafts_created"), 200);
    assert_int_equal(targets_in(db, 1, "drafted"), 200);
    assert_counts_are_rows(db, 1);
    h_serve_down(&srv);
    h_db_drop(db);
}

int main(void)
{
    const struct CMUnitTest pg_only[] = {
        H_TEST(worker_survives_a_lost_connection),
    };
    const struct CMUnitTest tests[] = {
        H_TEST(dead_owners_job_is_taken_over),
        H_TEST(live_lease_is_respected_until_it_ends),
        H_TEST(stolen_lease_commits_nothing_more),
        H_TEST(cancel_skips_the_rest),
        H_TEST(cancel_reaches_the_next_owner),
        H_TEST(dropped_column_fails_the_job_with_the_database_message),
        H_TEST(bad_lease_seconds_refuse_to_start),
        H_TEST(draft_and_jobs_commands),
        H_TEST(draft_refuses_while_a_job_is_active),
        H_TEST(commands_refuse_a_database_behind_the_build),
        H_TEST(interrupted_draft_is_finished_by_serve),
    };
    char name[64];
    snprintf(name, sizeof name, "integration_jobs_%s", h_engine_name());
    int failed = cmocka_run_group_tests_name(name, tests, NULL, h_group_teardown);
    if (h_engine() != H_POSTGRES) {
        print_message("worker_survives_a_lost_connection runs on PostgreSQL only (it cuts "
                      "the worker's server connection)\n");
        return failed;
    }
    return failed + cmocka_run_group_tests_name("integration_jobs_postgres_only", pg_only, NULL,
                                                h_group_teardown);
}
