/*
 * test_pipeline — the drafting pipeline of API.md end to end, over HTTP against a real
 * `draftd serve`, with the database read directly to check that the numbers the API
 * reports are the rows:
 *
 *   - the acceptance flow: a CSV of 3,000 generated rows (duplicates, bad emails,
 *     prospects without a company or a first name), one draft job over all of them,
 *     every draft personalised, every failure explained, every count exact;
 *   - the drafts follow the saved template exactly;
 *   - one active draft job at a time (409 with details.job_id);
 *   - explicit prospect_ids, redraft, and a job with nothing to do;
 *   - cancelling a running job keeps its counts exact;
 *   - every bad input of the pipeline and jobs routes, and the jobs list's filters;
 *   - reads answered 200 while a job writes, with progress that never goes back.
 *
 * DRAFTD_TEST_DRAFT_DELAY_MS makes drafting slow enough to act while a job runs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_flow.h"

/* --- the acceptance flow ------------------------------------------------------------- */

#define ACC_ROWS 3000

struct acc_row {
    bool bad_email, duplicate, no_company, no_first;
};

static struct acc_row acc_kind(int i)
{
    struct acc_row k = {0};
    k.bad_email = i % 100 == 7;
    k.duplicate = i % 100 == 13; /* repeats row i-1's email in upper case */
    k.no_company = i % 10 == 3;
    k.no_first = i % 10 == 5;
    return k;
}

/* The CSV of the acceptance flow: its header names fields loosely, has an unknown column,
 * and quotes companies with commas and quotes. */
static char *acc_csv(size_t *len_out)
{
    size_t cap = 256 + (size_t)ACC_ROWS * 200, len = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    len += (size_t)snprintf(csv + len, cap - len,
                            "Email,First Name,last-name,COMPANY,Title,Website,Notes\r\n");
    for (int i = 0; i < ACC_ROWS; i++) {
        struct acc_row k = acc_kind(i);
        char email[64], first[32], company[64];
        if (k.bad_email)
            snprintf(email, sizeof email, "not-an-email-%d", i);
        else if (k.duplicate)
            snprintf(email, sizeof email, "ACC-%d@EXAMPLE.COM", i - 1);
        else
            snprintf(email, sizeof email, "acc-%d@example.com", i);
        if (k.no_first)
            first[0] = '\0';
        else if (i % 10 == 8)
            snprintf(first, sizeof first, "Zo\xc3\xab%dx", i); /* UTF-8 */
        else
            snprintf(first, sizeof first, "Name%dx", i);
        if (k.no_company)
            company[0] = '\0';
        else if (i % 10 == 9)
            snprintf(company, sizeof company, "\"Acme \"\"Rockets\"\", Inc. %d\"", i);
        else
            snprintf(company, sizeof company, "Company %d Ltd", i);
        len += (size_t)snprintf(csv + len, cap - len,
                                "%s,%s,Last%d,%s,Engineer,https://acc-%d.example.com,note %d\r\n",
                                email, first, i, company, i, i);
        assert_true(len < cap);
    }
    *len_out = len;
    return csv;
}

/* What the row of email acc-<i>@example.com should have: its first name and company. */
static void acc_expect(int i, char *first, size_t flen, char *company, size_t clen)
{
    struct acc_row k = acc_kind(i);
    if (k.no_first)
        first[0] = '\0';
    else if (i % 10 == 8)
        snprintf(first, flen, "Zo\xc3\xab%dx", i);
    else
        snprintf(first, flen, "Name%dx", i);
    if (k.no_company)
        company[0] = '\0';
    else if (i % 10 == 9)
        snprintf(company, clen, "Acme \"Rockets\", Inc. %d", i);
    else
        snprintf(company, clen, "Company %d Ltd", i);
}

static int acc_index(const char *email)
{
    int i = -1, n = 0;
    if (sscanf(email, "acc-%d@example.com%n", &i, &n) != 1 || email[n] != '\0') return -1;
    return i >= 0 && i < ACC_ROWS ? i : -1;
}

/* Pages through GET /api/prospects?draft_status=status and calls check on each item. */
static size_t each_prospect(int port, const char *status, void (*check)(const json_t *item))
{
    size_t seen = 0;
    long long total = -1;
    char path[160];
    for (long long skip = 0;; skip += 500) {
        snprintf(path, sizeof path, "/api/prospects?draft_status=%s&skip=%lld&limit=500", status,
                 skip);
        json_t *page = h_get_json(port, path);
        json_t *items = json_object_get(page, "items");
        assert_true(json_is_array(items));
        if (total < 0) total = h_json_int(page, "total");
        assert_int_equal(h_json_int(page, "total"), total);
        assert_int_equal(h_json_int(page, "skip"), skip);
        assert_int_equal(h_json_int(page, "limit"), 500);
        for (size_t i = 0; i < json_array_size(items); i++) {
            const json_t *item = json_array_get(items, i);
            const char *st = h_json_str(item, "draft_status");
            assert_non_null(st);
            assert_string_equal(st, status);
            check(item);
            seen++;
        }
        size_t k = json_array_size(items);
        json_decref(page);
        if (k < 500) break;
    }
    assert_int_equal(seen, total);
    return seen;
}

static void check_drafted(const json_t *item)
{
    char first[64], company[96];
    const char *email = h_json_str(item, "email");
    assert_non_null(email);
    int i = acc_index(email);
    if (i < 0) fail_msg("unexpected prospect %s", email);
    acc_expect(i, first, sizeof first, company, sizeof company);
    const char *subject = h_json_str(item, "draft_subject");
    const char *body = h_json_str(item, "draft_body");
    if (!subject || !body) fail_msg("%s is drafted but has no subject or body", email);
    assert_non_null(h_json_str(item, "drafted_at"));
    assert_null(h_json_str(item, "draft_error"));
    assert_true(company[0] != '\0');
    h_assert_contains(subject, company);
    h_assert_contains(body, first[0] ? first : "there");
    h_assert_lacks(subject, "{{");
    h_assert_lacks(body, "{{");
    h_assert_lacks(subject, "}}");
    h_assert_lacks(body, "}}");
}

static void check_failed(const json_t *item)
{
    char first[64], company[96];
    const char *email = h_json_str(item, "email");
    assert_non_null(email);
    int i = acc_index(email);
    if (i < 0) fail_msg("unexpected prospect %s", email);
    acc_expect(i, first, sizeof first, company, sizeof company);
    if (company[0]) fail_msg("%s has a company and yet failed", email);
    const char *error = h_json_str(item, "draft_error");
    if (!error) fail_msg("%s failed without a draft_error", email);
    h_assert_contains(error, "company");
    const char *subject = h_json_str(item, "draft_subject");
    const char *body = h_json_str(item, "draft_body");
    if (subject) h_assert_lacks(subject, "{{");
    if (body) h_assert_lacks(body, "{{");
}

static void no_check(const json_t *item)
{
    (void)item;
}

static void acceptance_flow(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, NULL);

    /* what the CSV should give */
    long long bad = 0, dups = 0, valid = 0, no_company = 0;
    for (int i = 0; i < ACC_ROWS; i++) {
        struct acc_row k = acc_kind(i);
        if (k.bad_email)
            bad++;
        else if (k.duplicate)
            dups++;
        else {
            valid++;
            if (k.no_company) no_company++;
        }
    }

    size_t len;
    char *csv = acc_csv(&len);
    struct h_resp r;
    h_http(&r, srv.port, "POST", "/api/prospects/import", csv, len, "text/csv");
    free(csv);
    if (r.status != 200) print_error("import: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 200);
    json_t *imp = h_json(&r);
    h_resp_release(&r);
    assert_int_equal(h_json_int(imp, "imported"), valid);
    assert_int_equal(h_json_int(imp, "skipped_duplicates"), dups);
    json_t *errors = json_object_get(imp, "errors");
    assert_true(json_is_array(errors));
    assert_int_equal(json_array_size(errors), bad);
    /* each bad row by its line: the header is line 1, row i is line i + 2 */
    for (size_t e = 0; e < json_array_size(errors); e++) {
        const json_t *err = json_array_get(errors, e);
        long long line = h_json_int(err, "line");
        assert_true(line >= 2 && line < ACC_ROWS + 2);
        assert_true(acc_kind((int)line - 2).bad_email);
        const char *msg = h_json_str(err, "message");
        assert_non_null(msg);
        assert_true(*msg != '\0');
    }
    json_decref(imp);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects"), valid);

    long long job_id = h_draft_start(srv.port, NULL);
    json_t *job = h_job_wait_done(srv.port, job_id, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "completed");
    assert_string_equal(h_json_str(job, "job_type"), "draft");
    assert_null(h_json_str(job, "error"));
    assert_non_null(h_json_str(job, "created_at"));
    assert_non_null(h_json_str(job, "started_at"));
    assert_non_null(h_json_str(job, "finished_at"));
    long long created = h_json_int(job, "drafts_created");
    long long failed = h_json_int(job, "drafts_failed");
    long long total = h_json_int(job, "total_targets");
    json_decref(job);
    assert_int_equal(total, valid);
    assert_int_equal(created + failed, total);
    assert_int_equal(failed, no_company);

    /* the API's view of every prospect */
    assert_int_equal(each_prospect(srv.port, "drafted", check_drafted), created);
    assert_int_equal(each_prospect(srv.port, "failed", check_failed), failed);
    assert_int_equal(each_prospect(srv.port, "none", no_check), 0);

    /* the rows themselves */
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 1);
    assert_int_equal(h_db_intf(db, "SELECT drafts_created FROM jobs WHERE id = %lld", job_id),
                     created);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"),
                     created);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'failed'"),
                     failed);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted' "
                                  "AND (draft_subject IS NULL OR draft_body IS NULL OR "
                                  "drafted_at IS NULL)"),
                     0);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_subject LIKE '%{{%' "
                                  "OR draft_body LIKE '%{{%'"),
                     0);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'failed' "
                                  "AND (company IS NOT NULL AND company <> '')"),
                     0);
    assert_int_equal(h_db_intf(db, "SELECT count(*) FROM job_targets WHERE job_id = %lld", job_id),
                     total);
    assert_int_equal(h_db_intf(db,
                               "SELECT count(*) FROM job_targets WHERE job_id = %lld AND "
                               "state = 'drafted'",
                               job_id),
                     created);
    assert_int_equal(h_db_intf(db,
                               "SELECT count(*) FROM job_targets WHERE job_id = %lld AND "
                               "state = 'failed'",
                               job_id),
                     failed);
    assert_int_equal(h_db_intf(db,
                               "SELECT count(*) FROM job_targets WHERE job_id = %lld AND "
                               "state = 'pending'",
                               job_id),
                     0);

    /* the next job retries the failed ones (and only them): they fail again ... */
    long long retry = h_draft_start(srv.port, "{}");
    job = h_job_wait_done(srv.port, retry, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "completed");
    assert_int_equal(h_json_int(job, "total_targets"), no_company);
    assert_int_equal(h_json_int(job, "drafts_failed"), no_company);
    assert_int_equal(h_json_int(job, "drafts_created"), 0);
    json_decref(job);
    /* ... until they have a company */
    long long fix = h_db_int(db, "SELECT min(id) FROM prospects WHERE draft_status = 'failed'");
    char path[64];
    snprintf(path, sizeof path, "/api/prospects/%lld", fix);
    json_t *patched = h_req_json(srv.port, "PATCH", path, "{\"company\":\"Fixed Co\"}", 200);
    json_decref(patched);
    long long last = h_draft_start(srv.port, NULL);
    job = h_job_wait_done(srv.port, last, H_JOB_TIMEOUT_MS);
    assert_int_equal(h_json_int(job, "total_targets"), no_company);
    assert_int_equal(h_json_int(job, "drafts_created"), 1);
    assert_int_equal(h_json_int(job, "drafts_failed"), no_company - 1);
    json_decref(job);
    json_t *p = h_get_json(srv.port, path);
    assert_string_equal(h_json_str(p, "draft_status"), "drafted");
    assert_null(h_json_str(p, "draft_error"));
    h_assert_contains(h_json_str(p, "draft_subject"), "Fixed Co");
    json_decref(p);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"),
                     created + 1);

    h_serve_down(&srv);
    h_db_drop(db);
}

/* Asserts job id's counters equal its drafted and failed job_targets rows. */
static void assert_counts_are_rows_of(const struct h_db *db, long long id)
{
    assert_int_equal(h_db_intf(db, "SELECT drafts_created FROM jobs WHERE id = %lld", id),
                     h_db_intf(db,
                               "SELECT count(*) FROM job_targets WHERE job_id = %lld AND "
                               "state = 'drafted'",
                               id));
    assert_int_equal(h_db_intf(db, "SELECT drafts_failed FROM jobs WHERE id = %lld", id),
                     h_db_intf(db,
                               "SELECT count(*) FROM job_targets WHERE job_id = %lld AND "
                               "state = 'failed'",
                               id));
}

/* --- the saved template --------------------------------------------------------------- */

static void drafts_follow_saved_template(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, NULL);

    static const char csv[] = "email,first_name,last_name,company,title,website\n"
                              "ada@example.com,Ada,Lovelace,Analytical Engines,CTO,https://ae.example\n"
                              "bob@example.com,,Builder,Bob & Co,,\n";
    struct h_resp r;
    h_http(&r, srv.port, "POST", "/api/prospects/import", csv, strlen(csv), "text/csv");
    assert_int_equal(r.status, 200);
    h_resp_release(&r);
    static const char tpl[] =
        "{\"subject\":\"Hello {{first_name|friend}} at {{company}}\","
        "\"body\":\"{{title|Someone}} {{last_name}} <{{email}}> {{website|no site}}.\"}";
    json_t *saved = h_req_json(srv.port, "PUT", "/api/templates/draft", tpl, 200);
    json_decref(saved);

    long long job_id = h_draft_start(srv.port, NULL);
    json_t *job = h_job_wait_done(srv.port, job_id, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "completed");
    assert_int_equal(h_json_int(job, "drafts_created"), 2);
    assert_int_equal(h_json_int(job, "drafts_failed"), 0);
    json_decref(job);

    char *rows = h_db_rows(db, "SELECT email, draft_subject, draft_body FROM prospects ORDER BY id");
    assert_string_equal(rows,
                        "ada@example.com|Hello Ada at Analytical Engines|"
                        "CTO Lovelace <ada@example.com> https://ae.example.\n"
                        "bob@example.com|Hello friend at Bob & Co|"
                        "Someone Builder <bob@example.com> no site.\n");
    h_buf_free(rows);

    h_serve_down(&srv);
    h_db_drop(db);
}

/* --- one active job at a time ---------------------------------------------------------- */

/* Asserts r is 409 with error.details.job_id == job_id; releases r. */
static void assert_conflict(struct h_resp *r, long long job_id)
{
    if (r->status != 409) print_error("expected 409, got %ld: %s\n", r->status, r->body);
    assert_int_equal(r->status, 409);
    h_assert_json_type(r);
    h_assert_json_error(r, NULL);
    json_t *j = h_json(r);
    json_t *details = json_object_get(json_object_get(j, "error"), "details");
    assert_int_equal(h_json_int(details, "job_id"), job_id);
    json_decref(j);
    h_resp_release(r);
}

static void second_job_while_active_is_409(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=10", NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, env);
    h_import_generated(srv.port, "busy", 300);

    long long a = h_draft_start(srv.port, NULL);
    struct h_resp r;
    h_http(&r, srv.port, "POST", "/api/pipeline/draft", NULL, 0, NULL);
    assert_conflict(&r, a);
    static const char redraft[] = "{\"redraft\":true}";
    h_http(&r, srv.port, "POST", "/api/pipeline/draft", redraft, strlen(redraft),
           "application/json");
    assert_conflict(&r, a);
    /* the 409s were answered while the job was active, and created nothing */
    json_t *job = h_job_get(srv.port, a);
    if (h_job_finished(job))
        fail_msg("the job finished before the 409 could be checked: raise the delay");
    json_decref(job);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 1);

    /* a running job: started, with its targets counted; 409 as well */
    job = h_job_wait_created(srv.port, a, 1, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "running");
    assert_non_null(h_json_str(job, "started_at"));
    assert_null(h_json_str(job, "finished_at"));
    assert_int_equal(h_json_int(job, "total_targets"), 300);
    json_decref(job);
    h_http(&r, srv.port, "POST", "/api/pipeline/draft", NULL, 0, NULL);
    assert_conflict(&r, a);

    job = h_job_wait_done(srv.port, a, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "completed");
    assert_int_equal(h_json_int(job, "drafts_created"), 300);
    json_decref(job);

    long long b = h_draft_start(srv.port, NULL);
    assert_true(b != a);
    job = h_job_wait_done(srv.port, b, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "completed");
    json_decref(job);

    h_serve_down(&srv);
    h_db_drop(db);
}

/* Many POSTs at the same instant, over two servers on one database: one job. */
#define RACERS 8

struct racer {
    pthread_t thread;
    int port;
    pthread_barrier_t *go;
    long status;
    long long job_id; /* of the 202, or the 409's details.job_id */
    char body[300];
};

static void *race_post(void *arg)
{
    struct racer *r = arg;
    pthread_barrier_wait(r->go);
    char *body = h_raw_request(r->port, "POST", "/api/pipeline/draft", NULL, &r->status);
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;
    json_t *id = r->status == 202 ? json_object_get(j, "job_id")
                                  : json_object_get(json_object_get(json_object_get(j, "error"),
                                                                    "details"),
                                                    "job_id");
    r->job_id = json_is_integer(id) ? json_integer_value(id) : -1;
    snprintf(r->body, sizeof r->body, "%s", body ? body : "(no answer)");
    json_decref(j);
    free(body);
    return NULL;
}

static void simultaneous_starts_make_one_job(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server a, b;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=10", NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&a, db->url, env);
    h_serve_up(&b, db->url, env);
    h_import_generated(a.port, "race", 100);
    h_assert_health_ok(b.port); /* libcurl is initialised before the threads start */

    pthread_barrier_t go;
    assert_int_equal(pthread_barrier_init(&go, NULL, RACERS), 0);
    struct racer r[RACERS];
    memset(r, 0, sizeof r);
    for (int i = 0; i < RACERS; i++) {
        r[i].port = i % 2 ? b.port : a.port;
        r[i].go = &go;
        assert_int_equal(pthread_create(&r[i].thread, NULL, race_post, &r[i]), 0);
    }
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_join(r[i].thread, NULL), 0);
    pthread_barrier_destroy(&go);

    int created = 0, conflicts = 0;
    long long job = -1;
    for (int i = 0; i < RACERS; i++)
        if (r[i].status == 202) {
            created++;
            job = r[i].job_id;
        }
    for (int i = 0; i < RACERS; i++) {
        if (r[i].status == 409 && r[i].job_id == job) conflicts++;
        if (r[i].status != 202 && !(r[i].status == 409 && r[i].job_id == job))
            print_error("racer %d: %ld %s\n", i, r[i].status, r[i].body);
    }
    assert_int_equal(created, 1);
    assert_int_equal(conflicts, RACERS - 1);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 1);

    json_t *j = h_job_wait_done(a.port, job, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(j, "status"), "completed");
    assert_int_equal(h_json_int(j, "drafts_created"), 100);
    json_decref(j);
    assert_counts_are_rows_of(db, job);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"),
                     100);

    h_serve_down(&a);
    h_serve_down(&b);
    h_db_drop(db);
}

/* --- targets: explicit ids, redraft, nothing to do -------------------------------------- */

static json_t *run_job(int port, const char *body, long long *id)
{
    *id = h_draft_start(port, body);
    json_t *job = h_job_wait_done(port, *id, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "completed");
    assert_int_equal(h_json_int(job, "drafts_created") + h_json_int(job, "drafts_failed"),
                     h_json_int(job, "total_targets"));
    return job;
}

static void targets_ids_redraft_and_nothing(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, NULL);
    h_import_generated(srv.port, "t", 12);
    long long *ids;
    assert_int_equal(h_prospect_ids(srv.port, &ids), 12);

    /* explicit ids: exactly those */
    char body[256];
    long long j1, j2, j3, j4;
    snprintf(body, sizeof body, "{\"prospect_ids\":[%lld,%lld,%lld]}", ids[7], ids[1], ids[4]);
    json_t *job = run_job(srv.port, body, &j1);
    assert_int_equal(h_json_int(job, "total_targets"), 3);
    assert_int_equal(h_json_int(job, "drafts_created"), 3);
    json_decref(job);
    char want[256];
    snprintf(want, sizeof want, "%lld\n%lld\n%lld\n", ids[1], ids[4], ids[7]);
    char *rows = h_db_rows(db, "SELECT id FROM prospects WHERE draft_status = 'drafted' ORDER BY id");
    assert_string_equal(rows, want);
    h_buf_free(rows);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT prospect_id FROM job_targets WHERE job_id = %lld ORDER BY prospect_id", j1);
    rows = h_db_rows(db, sql);
    assert_string_equal(rows, want);
    h_buf_free(rows);
    for (int i = 0; i < 12; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/prospects/%lld", ids[i]);
        json_t *p = h_get_json(srv.port, path);
        bool chosen = i == 1 || i == 4 || i == 7;
        assert_string_equal(h_json_str(p, "draft_status"), chosen ? "drafted" : "none");
        json_decref(p);
    }

    /* no body: every prospect without a draft */
    job = run_job(srv.port, NULL, &j2);
    assert_int_equal(h_json_int(job, "total_targets"), 9);
    assert_int_equal(h_json_int(job, "drafts_created"), 9);
    json_decref(job);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"),
                     12);

    /* again without redraft: nothing new to do, and the job still completes */
    job = run_job(srv.port, "{\"redraft\":false}", &j3);
    assert_int_equal(h_json_int(job, "total_targets"), 0);
    assert_int_equal(h_json_int(job, "drafts_created"), 0);
    assert_int_equal(h_json_int(job, "drafts_failed"), 0);
    assert_non_null(h_json_str(job, "finished_at"));
    json_decref(job);

    /* an id given twice is one target */
    snprintf(body, sizeof body, "{\"prospect_ids\":[%lld,%lld],\"redraft\":true}", ids[3], ids[3]);
    long long jd;
    job = run_job(srv.port, body, &jd);
    assert_int_equal(h_json_int(job, "total_targets"), 1);
    assert_int_equal(h_json_int(job, "drafts_created"), 1);
    json_decref(job);

    /* redraft: drafted ones again, never approved or rejected ones */
    snprintf(sql, sizeof sql,
             "UPDATE prospects SET draft_status = 'approved' WHERE id = %lld;"
             "UPDATE prospects SET draft_status = 'rejected' WHERE id = %lld",
             ids[0], ids[5]);
    h_db_exec(db, sql);
    char *before = h_db_rows(db, "SELECT id, draft_status, drafted_at FROM prospects ORDER BY id");
    h_sleep_ms(20); /* drafted_at has millisecond precision: let the clock move on */
    job = run_job(srv.port, "{\"redraft\":true}", &j4);
    assert_int_equal(h_json_int(job, "total_targets"), 10);
    assert_int_equal(h_json_int(job, "drafts_created"), 10);
    json_decref(job);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM job_targets WHERE job_id = %lld AND prospect_id IN (%lld, %lld)",
             j4, ids[0], ids[5]);
    assert_int_equal(h_db_int(db, sql), 0);
    char *after = h_db_rows(db, "SELECT id, draft_status, drafted_at FROM prospects ORDER BY id");
    /* line by line: approved/rejected unchanged, the others drafted again (a new drafted_at) */
    const char *b = before, *a = after;
    for (int i = 0; i < 12; i++) {
        const char *be = strchr(b, '\n'), *ae = strchr(a, '\n');
        assert_non_null(be);
        assert_non_null(ae);
        bool same = be - b == ae - a && memcmp(b, a, (size_t)(be - b)) == 0;
        if (i == 0 || i == 5) {
            if (!same) fail_msg("prospect %lld changed: %.*s -> %.*s", ids[i], (int)(be - b), b,
                                (int)(ae - a), a);
        } else {
            if (same) fail_msg("prospect %lld was not drafted again: %.*s", ids[i], (int)(be - b), b);
            if (!strstr(a, "|drafted|") || strstr(a, "|drafted|") > ae)
                fail_msg("prospect %lld is not drafted: %.*s", ids[i], (int)(ae - a), a);
        }
        b = be + 1;
        a = ae + 1;
    }
    h_buf_free(before);
    h_buf_free(after);
    h_buf_free(ids);

    h_serve_down(&srv);
    h_db_drop(db);
}

/*
 * A person's decision outranks a bulk job: a prospect approved while a redraft job that
 * targets it is still running stays approved, with the draft that was approved.
 */
static void approval_during_redraft_is_kept(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=10", NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, env);
    h_import_generated(srv.port, "ap", 200);
    long long first;
    json_t *job = run_job(srv.port, NULL, &first);
    json_decref(job);

    long long id = h_draft_start(srv.port, "{\"redraft\":true}");
    job = h_job_wait_created(srv.port, id, 1, H_JOB_TIMEOUT_MS);
    json_decref(job);
    long long target = h_db_int(db, "SELECT max(id) FROM prospects");
    char sql[200], path[64];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM job_targets WHERE job_id = %lld AND prospect_id = %lld "
             "AND state = 'pending'",
             id, target);
    if (h_db_int(db, sql) != 1) fail_msg("prospect %lld was redrafted before the test could approve it", target);
    snprintf(path, sizeof path, "/api/prospects/%lld", target);
    json_t *p = h_req_json(srv.port, "PATCH", path, "{\"draft_status\":\"approved\"}", 200);
    assert_string_equal(h_json_str(p, "draft_status"), "approved");
    char approved_subject[256], approved_at[64];
    snprintf(approved_subject, sizeof approved_subject, "%s", h_json_str(p, "draft_subject"));
    snprintf(approved_at, sizeof approved_at, "%s", h_json_str(p, "drafted_at"));
    json_decref(p);

    job = h_job_wait_done(srv.port, id, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "completed");
    json_decref(job);
    assert_counts_are_rows_of(db, id);
    p = h_get_json(srv.port, path);
    char status[32], subject[256], at[64];
    snprintf(status, sizeof status, "%s", h_json_str(p, "draft_status"));
    snprintf(subject, sizeof subject, "%s", h_json_str(p, "draft_subject"));
    snprintf(at, sizeof at, "%s", h_json_str(p, "drafted_at"));
    json_decref(p);
    if (strcmp(status, "approved") != 0)
        print_error("prospect %lld after the job: %s, drafted_at %s (approved at %s)\n", target,
                    status, at, approved_at);
    assert_string_equal(status, "approved");
    assert_string_equal(subject, approved_subject);
    assert_string_equal(at, approved_at);

    h_serve_down(&srv);
    h_db_drop(db);
}

/* --- cancel --------------------------------------------------------------------------- */

static void cancel_running_job(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=10", NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, env);
    h_import_generated(srv.port, "c", 400);

    long long id = h_draft_start(srv.port, NULL);
    json_t *job = h_job_wait_created(srv.port, id, 5, H_JOB_TIMEOUT_MS);
    if (h_job_finished(job)) fail_msg("the job finished before it could be cancelled");
    json_decref(job);

    char path[96];
    snprintf(path, sizeof path, "/api/pipeline/draft/jobs/%lld/cancel", id);
    job = h_req_json(srv.port, "POST", path, NULL, 200);
    assert_int_equal(h_json_int(job, "id"), id);
    assert_string_equal(h_json_str(job, "job_type"), "draft");
    const char *st = h_json_str(job, "status");
    assert_non_null(st);
    if (strcmp(st, "running") != 0 && strcmp(st, "cancelled") != 0)
        fail_msg("the cancel answer's job is \"%s\", expected running or cancelled", st);
    json_decref(job);

    job = h_job_wait_done(srv.port, id, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "cancelled");
    assert_non_null(h_json_str(job, "finished_at"));
    long long created = h_json_int(job, "drafts_created");
    long long failed = h_json_int(job, "drafts_failed");
    long long total = h_json_int(job, "total_targets");
    json_decref(job);
    assert_int_equal(total, 400);
    assert_true(created >= 5);
    assert_true(created + failed < total);

    /* the counts are the rows, and they stay put now that the job is over */
    h_sleep_ms(300);
    job = h_job_get(srv.port, id);
    assert_string_equal(h_json_str(job, "status"), "cancelled");
    assert_int_equal(h_json_int(job, "drafts_created"), created);
    assert_int_equal(h_json_int(job, "drafts_failed"), failed);
    json_decref(job);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'drafted'"),
                     created);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status = 'failed'"),
                     failed);
    assert_int_equal(h_db_intf(db,
                               "SELECT count(*) FROM job_targets WHERE job_id = %lld AND "
                               "state = 'drafted'",
                               id),
                     created);
    assert_int_equal(h_db_intf(db, "SELECT drafts_created FROM jobs WHERE id = %lld", id), created);

    /* a cancelled job is no longer active: a new one drafts the rest */
    long long next = h_draft_start(srv.port, NULL);
    job = h_job_wait_done(srv.port, next, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "completed");
    assert_int_equal(h_json_int(job, "total_targets"), 400 - created);
    assert_int_equal(h_json_int(job, "drafts_created"), 400 - created);
    json_decref(job);

    /* cancelling a finished job does not change it (200 with the job, or 409) */
    snprintf(path, sizeof path, "/api/pipeline/draft/jobs/%lld/cancel", next);
    struct h_resp r;
    h_http(&r, srv.port, "POST", path, NULL, 0, NULL);
    if (r.status != 200 && r.status != 409)
        fail_msg("cancel of a completed job answered %ld: %s", r.status, r.body);
    if (r.status == 409) h_assert_json_error(&r, NULL);
    h_resp_release(&r);
    job = h_job_get(srv.port, next);
    assert_string_equal(h_json_str(job, "status"), "completed");
    json_decref(job);

    h_serve_down(&srv);
    h_db_drop(db);
}

/* --- bad input ------------------------------------------------------------------------ */

static void expect_error(int port, const char *method, const char *path, const char *body,
                         long status, const char *code)
{
    struct h_resp r;
    h_http(&r, port, method, path, body, body ? strlen(body) : 0,
           body ? "application/json" : NULL);
    if (r.status != status)
        print_error("%s %s %s: expected %ld, got %ld: %s\n", method, path, body ? body : "",
                    status, r.status, r.body);
    assert_int_equal(r.status, status);
    h_assert_json_type(&r);
    h_assert_json_error(&r, code);
    h_resp_release(&r);
}

static void bad_input_is_refused_and_changes_nothing(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, NULL);
    h_import_generated(srv.port, "bad", 3);
    long long *ids;
    assert_int_equal(h_prospect_ids(srv.port, &ids), 3);
    int p = srv.port;
    char body[128];

    /* malformed: 400 */
    expect_error(p, "POST", "/api/pipeline/draft", "{\"redraft\":", 400, NULL);
    expect_error(p, "POST", "/api/pipeline/draft", "not json", 400, NULL);
    expect_error(p, "POST", "/api/pipeline/draft", "{\"prospect_ids\":[\"1\"]}", 400, NULL);
    expect_error(p, "POST", "/api/pipeline/draft", "{\"prospect_ids\":[1.5]}", 400, NULL);
    expect_error(p, "POST", "/api/pipeline/draft", "{\"prospect_ids\":7}", 400, NULL);
    /* well-formed but invalid: 422 */
    expect_error(p, "POST", "/api/pipeline/draft", "{\"prospect_ids\":[]}", 422, NULL);
    expect_error(p, "POST", "/api/pipeline/draft", "{\"prospectids\":[1]}", 422, NULL);
    expect_error(p, "POST", "/api/pipeline/draft", "{\"redraft\":false,\"extra\":1}", 422, NULL);
    snprintf(body, sizeof body, "{\"prospect_ids\":[%lld,%lld]}", ids[0], ids[2] + 1000);
    expect_error(p, "POST", "/api/pipeline/draft", body, 422, "unknown_prospects");
    /* an id no prospect can have: 422 (whether called unknown or invalid) */
    expect_error(p, "POST", "/api/pipeline/draft", "{\"prospect_ids\":[0]}", 422, NULL);
    expect_error(p, "POST", "/api/pipeline/draft", "{\"prospect_ids\":[-5]}", 422, NULL);
    /* unknown jobs: 404 */
    expect_error(p, "GET", "/api/pipeline/draft/jobs/999999", NULL, 404, NULL);
    expect_error(p, "POST", "/api/pipeline/draft/jobs/999999/cancel", NULL, 404, NULL);
    /* list arguments: 400 */
    expect_error(p, "GET", "/api/jobs?skip=-1", NULL, 400, NULL);
    expect_error(p, "GET", "/api/jobs?skip=x", NULL, 400, NULL);
    expect_error(p, "GET", "/api/jobs?limit=0", NULL, 400, NULL);
    expect_error(p, "GET", "/api/jobs?limit=1001", NULL, 400, NULL);
    expect_error(p, "GET", "/api/jobs?limit=1.5", NULL, 400, NULL);
    expect_error(p, "GET", "/api/jobs?status=finished", NULL, 400, NULL);
    expect_error(p, "GET", "/api/jobs?status=", NULL, 400, NULL);
    /* the wrong method */
    expect_error(p, "GET", "/api/pipeline/draft", NULL, 405, NULL);

    /* nothing of it reached the database */
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 0);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM job_targets"), 0);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects WHERE draft_status <> 'none'"), 0);
    json_t *list = h_get_json(p, "/api/jobs");
    assert_int_equal(h_json_int(list, "total"), 0);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 0);
    json_decref(list);

    /* and a good request still works after them */
    snprintf(body, sizeof body, "{\"prospect_ids\":[%lld]}", ids[0]);
    long long id = h_draft_start(p, body);
    json_t *job = h_job_wait_done(p, id, H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "completed");
    assert_int_equal(h_json_int(job, "drafts_created"), 1);
    json_decref(job);
    h_buf_free(ids);

    h_serve_down(&srv);
    h_db_drop(db);
}

/* Asserts GET path lists exactly the jobs want (n of them, in order) out of total. */
static void expect_jobs(int port, const char *path, long long total, const long long *want,
                        size_t n)
{
    json_t *list = h_get_json(port, path);
    json_t *items = json_object_get(list, "items");
    assert_true(json_is_array(items));
    char *text = json_dumps(list, JSON_COMPACT);
    bool ok = h_json_int(list, "total") == total && json_array_size(items) == n;
    for (size_t i = 0; ok && i < n; i++) {
        const json_t *job = json_array_get(items, i);
        ok = h_json_int(job, "id") == want[i] && h_json_str(job, "job_type") &&
             strcmp(h_json_str(job, "job_type"), "draft") == 0 && h_job_finished(job);
    }
    if (!ok) print_error("GET %s answered %s\n", path, text ? text : "?");
    free(text);
    json_decref(list);
    if (!ok) fail_msg("GET %s is not the expected list of %zu of %lld jobs", path, n, total);
}

static void jobs_list_filters_and_pages(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=20", NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, env);
    h_import_generated(srv.port, "f", 200);
    long long *ids;
    assert_int_equal(h_prospect_ids(srv.port, &ids), 200);
    char body[128], path[128];

    long long j[4];
    json_t *job;
    snprintf(body, sizeof body, "{\"prospect_ids\":[%lld]}", ids[0]);
    job = run_job(srv.port, body, &j[0]);
    json_decref(job);
    snprintf(body, sizeof body, "{\"prospect_ids\":[%lld]}", ids[1]);
    job = run_job(srv.port, body, &j[1]);
    json_decref(job);
    /* 198 targets at 20 ms each: cancelled long before the end */
    j[2] = h_draft_start(srv.port, NULL);
    snprintf(path, sizeof path, "/api/pipeline/draft/jobs/%lld/cancel", j[2]);
    job = h_req_json(srv.port, "POST", path, NULL, 200);
    json_decref(job);
    job = h_job_wait_done(srv.port, j[2], H_JOB_TIMEOUT_MS);
    assert_string_equal(h_json_str(job, "status"), "cancelled");
    json_decref(job);
    snprintf(body, sizeof body, "{\"prospect_ids\":[%lld],\"redraft\":true}", ids[0]);
    job = run_job(srv.port, body, &j[3]);
    json_decref(job);
    h_buf_free(ids);

    const long long all[] = {j[3], j[2], j[1], j[0]};
    const long long done[] = {j[3], j[1], j[0]};
    expect_jobs(srv.port, "/api/jobs", 4, all, 4);
    expect_jobs(srv.port, "/api/jobs?job_type=draft", 4, all, 4);
    expect_jobs(srv.port, "/api/jobs?status=completed", 3, done, 3);
    expect_jobs(srv.port, "/api/jobs?status=cancelled", 1, all + 1, 1);
    expect_jobs(srv.port, "/api/jobs?status=running", 0, NULL, 0);
    expect_jobs(srv.port, "/api/jobs?status=pending", 0, NULL, 0);
    expect_jobs(srv.port, "/api/jobs?limit=2", 4, all, 2);
    expect_jobs(srv.port, "/api/jobs?skip=2&limit=2", 4, all + 2, 2);
    expect_jobs(srv.port, "/api/jobs?skip=3", 4, all + 3, 1);
    expect_jobs(srv.port, "/api/jobs?skip=4", 4, NULL, 0);
    expect_jobs(srv.port, "/api/jobs?status=completed&skip=1&limit=1", 3, done + 1, 1);
    expect_jobs(srv.port, "/api/jobs?status=completed&job_type=draft&limit=1000", 3, done, 3);

    json_t *list = h_get_json(srv.port, "/api/jobs?skip=1&limit=2");
    assert_int_equal(h_json_int(list, "skip"), 1);
    assert_int_equal(h_json_int(list, "limit"), 2);
    json_decref(list);
    list = h_get_json(srv.port, "/api/jobs");
    assert_int_equal(h_json_int(list, "skip"), 0);
    assert_int_equal(h_json_int(list, "limit"), 100);
    /* every item is the job object of API.md */
    static const char *const keys[] = {"id", "job_type", "status", "drafts_created",
                                       "drafts_failed", "total_targets", "error", "created_at",
                                       "started_at", "finished_at"};
    json_t *items = json_object_get(list, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
            if (!json_object_get(json_array_get(items, i), keys[k]))
                fail_msg("a job in the list has no \"%s\"", keys[k]);
    json_decref(list);

    h_serve_down(&srv);
    h_db_drop(db);
}

/* --- reads while a job writes ---------------------------------------------------------- */

#define RW_PROSPECTS 3000

enum rw_kind { RW_PROSPECTS_PAGE, RW_JOB, RW_JOBS };

struct rw_reader {
    pthread_t thread;
    enum rw_kind kind;
    int port;
    long long job_id;
    volatile int *stop;
    /* results, read after the join */
    long requests, non_200, not_json, violations;
    long long last_created;
    char first_problem[300];
};

static void rw_problem(struct rw_reader *rd, long *counter, const char *what, const char *body)
{
    (*counter)++;
    if (!rd->first_problem[0])
        snprintf(rd->first_problem, sizeof rd->first_problem, "%s: %.200s", what,
                 body ? body : "(no body)");
}

/* One answer of the reader's kind: checks it and records what it saw. */
static void rw_check(struct rw_reader *rd, json_t *j, const char *body)
{
    if (rd->kind == RW_PROSPECTS_PAGE) {
        json_t *items = json_object_get(j, "items");
        if (json_integer_value(json_object_get(j, "total")) != RW_PROSPECTS ||
            !json_is_array(items) || json_array_size(items) != 100)
            rw_problem(rd, &rd->violations, "prospects page", body);
    } else if (rd->kind == RW_JOB) {
        json_t *c = json_object_get(j, "drafts_created"), *f = json_object_get(j, "drafts_failed");
        json_t *t = json_object_get(j, "total_targets");
        if (!json_is_integer(c) || !json_is_integer(f) || (!json_is_integer(t) && !json_is_null(t)))
            return rw_problem(rd, &rd->violations, "job shape", body);
        long long created = json_integer_value(c);
        if (created < rd->last_created) rw_problem(rd, &rd->violations, "drafts_created went back", body);
        if (json_is_integer(t) && created + json_integer_value(f) > json_integer_value(t))
            rw_problem(rd, &rd->violations, "more drafts than targets", body);
        if (json_is_null(t) && created > 0)
            rw_problem(rd, &rd->violations, "drafts before total_targets", body);
        rd->last_created = created;
    } else {
        json_t *first = json_array_get(json_object_get(j, "items"), 0);
        if (json_integer_value(json_object_get(j, "total")) != 1 ||
            json_integer_value(json_object_get(first, "id")) != rd->job_id)
            rw_problem(rd, &rd->violations, "jobs list", body);
    }
}

static void *rw_run(void *arg)
{
    struct rw_reader *rd = arg;
    char path[128];
    long page = 0;
    while (!*rd->stop) {
        if (rd->kind == RW_PROSPECTS_PAGE)
            snprintf(path, sizeof path, "/api/prospects?limit=100&skip=%ld", (page++ % 30) * 100);
        else if (rd->kind == RW_JOB)
            snprintf(path, sizeof path, "/api/pipeline/draft/jobs/%lld", rd->job_id);
        else
            snprintf(path, sizeof path, "/api/jobs?limit=10");
        long status;
        char *body = h_raw_get(rd->port, path, &status);
        rd->requests++;
        if (status != 200) {
            rw_problem(rd, &rd->non_200, path, body);
        } else {
            json_t *j = body ? json_loads(body, 0, NULL) : NULL;
            if (!j)
                rw_problem(rd, &rd->not_json, path, body);
            else
                rw_check(rd, j, body);
            json_decref(j);
        }
        free(body);
    }
    return NULL;
}

static void reads_answered_while_a_job_writes(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    static const char *const env[] = {"DRAFTD_TEST_DRAFT_DELAY_MS=1", NULL};
    h_db_create(&db);
    h_migrate(db, NULL);
    h_serve_up(&srv, db->url, env);
    h_import_generated(srv.port, "rw", RW_PROSPECTS);
    h_assert_health_ok(srv.port); /* libcurl is initialised before the threads start */

    long long id = h_draft_start(srv.port, NULL);
    volatile int stop = 0;
    struct rw_reader rd[4] = {
        {.kind = RW_PROSPECTS_PAGE}, {.kind = RW_JOB}, {.kind = RW_JOBS}, {.kind = RW_JOB}};
    for (size_t i = 0; i < 4; i++) {
        rd[i].port = srv.port;
        rd[i].job_id = id;
        rd[i].stop = &stop;
        assert_int_equal(pthread_create(&rd[i].thread, NULL, rw_run, &rd[i]), 0);
    }
    /* the test's thread watches the job too, through the harness */
    long long deadline_polls = H_JOB_TIMEOUT_MS / 50, polls = 0, running_seen = 0;
    json_t *job = NULL;
    for (;;) {
        job = h_job_get(srv.port, id);
        const char *st = h_json_str(job, "status");
        if (st && strcmp(st, "running") == 0) running_seen++;
        if (h_job_finished(job) || ++polls > deadline_polls) break;
        json_decref(job);
        h_sleep_ms(50);
    }
    stop = 1;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(pthread_join(rd[i].thread, NULL), 0);

    if (!h_job_finished(job)) fail_msg("the job did not finish in time");
    assert_string_equal(h_json_str(job, "status"), "completed");
    assert_int_equal(h_json_int(job, "drafts_created"), RW_PROSPECTS);
    json_decref(job);
    assert_true(running_seen > 0);
    long total = 0;
    for (size_t i = 0; i < 4; i++) {
        if (rd[i].first_problem[0]) print_error("reader %zu: %s\n", i, rd[i].first_problem);
        print_message("reader %zu: %ld requests\n", i, rd[i].requests);
        assert_true(rd[i].requests > 0);
        assert_int_equal(rd[i].non_200, 0);
        assert_int_equal(rd[i].not_json, 0);
        assert_int_equal(rd[i].violations, 0);
        total += rd[i].requests;
    }
    assert_true(total >= 8);
    assert_true(rd[1].last_created <= RW_PROSPECTS);

    h_serve_down(&srv);
    h_db_drop(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        H_TEST(acceptance_flow),
        H_TEST(drafts_follow_saved_template),
        H_TEST(second_job_while_active_is_409),
        H_TEST(simultaneous_starts_make_one_job),
        H_TEST(targets_ids_redraft_and_nothing),
        H_TEST(approval_during_redraft_is_kept),
        H_TEST(cancel_running_job),
        H_TEST(bad_input_is_refused_and_changes_nothing),
        H_TEST(jobs_list_filters_and_pages),
        H_TEST(reads_answered_while_a_job_writes),
    };
    return cmocka_run_group_tests(tests, NULL, h_group_teardown);
}
