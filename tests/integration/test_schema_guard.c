/*
 * test_schema_guard — the guard that keeps draftd from serving a schema it does not
 * match: `draftd schema check`, `draftd serve` refusing (exit 3, before it listens),
 * AUTO_MIGRATE, each kind of drift made by hand in the live database, the live
 * GET /api/health/schema check, and two servers auto-migrating one database at once.
 *
 * The seed scenario is the production failure draftd exists to prevent: a database
 * left at migration 1, without jobs.drafts_created and jobs.total_targets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define LATEST 4

/* Asserts GET /api/health/schema is 200 {"status":"ok","schema_version":4,"latest_version":4}. */
static void assert_schema_endpoint_ok(int port)
{
    struct h_resp r;
    h_http(&r, port, "GET", "/api/health/schema", NULL, 0, NULL);
    if (r.status != 200) print_error("GET /api/health/schema: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 200);
    h_assert_json_type(&r);
    json_t *got = h_json(&r);
    json_t *want = json_pack("{s:s, s:i, s:i}", "status", "ok", "schema_version", LATEST,
                             "latest_version", LATEST);
    if (!json_equal(got, want)) print_error("body: %s\n", r.body);
    assert_true(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    h_resp_release(&r);
}

static void current_schema_passes(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    struct h_server srv;
    h_db_create(&db);
    h_migrate(db, NULL);

    h_run(&r, db->url, NULL, "schema", "check", NULL);
    h_assert_status(&r, 0);
    h_assert_contains(r.out, "current");
    h_result_release(&r);

    assert_int_equal(h_serve_start(&srv, db->url, NULL, NULL), H_LISTENING);
    assert_schema_endpoint_ok(srv.port);
    assert_int_equal(h_serve_stop(&srv), 0);
    h_serve_release(&srv);
    h_db_drop(db);
}

static void seed_schema_check_names_the_missing_columns(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    char last[256];
    h_db_create(&db);
    h_migrate(db, "1");

    h_run(&r, db->url, NULL, "schema", "check", NULL);
    h_assert_status(&r, 3);
    assert_true(h_line_with(r.out, "jobs.drafts_created", "missing column", NULL));
    assert_true(h_line_with(r.out, "jobs.total_targets", "missing column", NULL));
    assert_string_equal(h_last_line(r.out, last, sizeof last), "fix: draftd migrate up");
    h_result_release(&r);
    h_db_drop(db);
}

static void seed_serve_refuses_before_listening(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    char port[16];
    h_db_create(&db);
    h_migrate(db, "1");

    int p = h_free_port();
    snprintf(port, sizeof port, "%d", p);
    assert_int_equal(h_serve_start(&srv, db->url, NULL, "--port", port, NULL), 3);
    assert_true(h_line_with(srv.log, "jobs.drafts_created", NULL));
    assert_true(h_line_with(srv.log, "jobs.total_targets", NULL));
    assert_true(h_has_line(srv.log, "fix: draftd migrate up"));
    h_assert_lacks(srv.log, "msg=\"listening\"");
    assert_false(h_port_accepts(p));
    h_serve_release(&srv);

    /* Refusing changed nothing. */
    assert_int_equal(h_db_int(db, "SELECT max(version) FROM schema_migrations"), 1);
    assert_false(h_db_has_column(db, "jobs", "drafts_created"));
    h_db_drop(db);
}

/* Starts serve on the seed database with AUTO_MIGRATE given by env or by flag. */
static void seed_auto_migrate(const char *const *env, const char *flag)
{
    struct h_db *db;
    struct h_server srv;
    h_db_create(&db);
    h_migrate(db, "1");

    int rc = h_serve_start(&srv, db->url, env, flag, NULL);
    if (rc != H_LISTENING) print_error("serve exited %d:\n%s\n", rc, srv.log);
    assert_int_equal(rc, H_LISTENING);
    assert_schema_endpoint_ok(srv.port);
    h_assert_health_ok(srv.port);
    assert_int_equal(h_serve_stop(&srv), 0);
    h_serve_release(&srv);

    assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), LATEST);
    assert_true(h_db_has_column(db, "jobs", "drafts_created"));
    assert_true(h_db_has_column(db, "jobs", "total_targets"));
    h_db_drop(db);
}

static void seed_auto_migrate_env(void **state)
{
    (void)state;
    static const char *const env[] = {"AUTO_MIGRATE=true", NULL};
    seed_auto_migrate(env, NULL);
}

static void seed_auto_migrate_flag(void **state)
{
    (void)state;
    seed_auto_migrate(NULL, "--auto-migrate");
}

/*
 * Drift: a fully migrated database changed by hand. Both `schema check` and `serve`
 * must exit 3 and print a line containing each of the expected fragments.
 */
struct drift {
    const char *sqlite_sql, *pg_sql;
    const char *expect[3]; /* fragments, each on some line of the output */
};

static void check_drift(const struct drift *d)
{
    struct h_db *db;
    struct h_result r;
    struct h_server srv;
    h_db_create(&db);
    h_migrate(db, NULL);
    h_db_exec(db, h_engine() == H_SQLITE ? d->sqlite_sql : d->pg_sql);

    h_run(&r, db->url, NULL, "schema", "check", NULL);
    h_assert_status(&r, 3);
    for (int i = 0; i < 3 && d->expect[i]; i++) {
        if (!h_line_with(r.out, d->expect[i], NULL)) print_error("schema check:\n%s\n", r.out);
        assert_true(h_line_with(r.out, d->expect[i], NULL));
    }
    h_result_release(&r);

    assert_int_equal(h_serve_start(&srv, db->url, NULL, NULL), 3);
    for (int i = 0; i < 3 && d->expect[i]; i++) {
        if (!h_line_with(srv.log, d->expect[i], NULL)) print_error("serve:\n%s\n", srv.log);
        assert_true(h_line_with(srv.log, d->expect[i], NULL));
    }
    h_assert_lacks(srv.log, "msg=\"listening\"");
    h_serve_release(&srv);
    h_db_drop(db);
}

static void drift_missing_table(void **state)
{
    (void)state;
    static const struct drift d = {
        "DROP TABLE templates", "DROP TABLE templates", {"templates: missing table", NULL, NULL}};
    check_drift(&d);
}

static void drift_missing_column(void **state)
{
    (void)state;
    static const struct drift d = {"ALTER TABLE jobs DROP COLUMN total_targets",
                                   "ALTER TABLE jobs DROP COLUMN total_targets",
                                   {"jobs.total_targets: missing column (expected", NULL, NULL}};
    check_drift(&d);
}

static void drift_wrong_type(void **state)
{
    (void)state;
    static const struct drift d = {"ALTER TABLE jobs DROP COLUMN total_targets; ALTER TABLE jobs "
                                   "ADD COLUMN total_targets TEXT",
                                   "ALTER TABLE jobs ALTER COLUMN total_targets TYPE text",
                                   {"jobs.total_targets: wrong type:", NULL, NULL}};
    check_drift(&d);
}

static void drift_wrong_nullability(void **state)
{
    (void)state;
    static const struct drift d = {
        "ALTER TABLE jobs DROP COLUMN total_targets; "
        "ALTER TABLE jobs ADD COLUMN total_targets INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE jobs ALTER COLUMN total_targets SET NOT NULL",
        {"jobs.total_targets: wrong nullability:", NULL, NULL}};
    check_drift(&d);
}

/* The objects correctness needs: without them a second active job or a wrong count. */
static void drift_missing_index_and_trigger(void **state)
{
    (void)state;
    static const struct drift d = {
        "DROP INDEX jobs_one_active_per_type; DROP TRIGGER prospect_counts_update",
        "DROP INDEX jobs_one_active_per_type; DROP TRIGGER prospect_counts_update ON prospects",
        {"jobs: missing index jobs_one_active_per_type (one pending or running job per type",
         "prospects: missing trigger prospect_counts_update (keeps prospect_counts", NULL}};
    check_drift(&d);
}

static void drift_statement_does_not_prepare(void **state)
{
    (void)state;
    static const struct drift d = {
        "ALTER TABLE prospects RENAME COLUMN company TO company_name",
        "ALTER TABLE prospects RENAME COLUMN company TO company_name",
        {"statement prospect_insert: does not prepare:", "prospects.company", NULL}};
    check_drift(&d);
}

/* GET /api/health/schema checks the live database on every call. */
static void health_schema_sees_drift_behind_a_running_server(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    h_db_create(&db);
    h_migrate(db, NULL);
    assert_int_equal(h_serve_start(&srv, db->url, NULL, NULL), H_LISTENING);
    assert_schema_endpoint_ok(srv.port);

    h_db_exec(db, "ALTER TABLE jobs DROP COLUMN drafts_created");

    h_http(&r, srv.port, "GET", "/api/health/schema", NULL, 0, NULL);
    if (r.status != 503) print_error("GET /api/health/schema: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 503);
    h_assert_json_type(&r);
    h_assert_contains(r.body, "status\":\"mismatch");
    json_t *j = h_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "mismatch");
    assert_true(json_is_integer(json_object_get(j, "schema_version")));
    assert_int_equal(json_integer_value(json_object_get(j, "latest_version")), LATEST);
    json_t *problems = json_object_get(j, "problems");
    assert_true(json_is_array(problems));
    bool found = false;
    size_t i;
    json_t *p;
    json_array_foreach(problems, i, p)
    {
        const char *t = json_string_value(json_object_get(p, "table"));
        const char *c = json_string_value(json_object_get(p, "column"));
        const char *what = json_string_value(json_object_get(p, "problem"));
        if (t && c && what && strcmp(t, "jobs") == 0 && strcmp(c, "drafts_created") == 0 &&
            strcmp(what, "missing") == 0)
            found = true;
    }
    if (!found) print_error("no jobs.drafts_created \"missing\" problem in: %s\n", r.body);
    assert_true(found);
    const char *fix = json_string_value(json_object_get(j, "fix"));
    assert_non_null(fix);
    assert_true(strlen(fix) > 0);
    json_decref(j);
    h_assert_json_error(&r, NULL);
    h_resp_release(&r);

    /* The plain health check only asks whether the database answers. */
    h_assert_health_ok(srv.port);
    assert_int_equal(h_serve_stop(&srv), 0);
    h_serve_release(&srv);
    h_db_drop(db);
}

/*
 * The seed's failure under a running server: a column the job statements need is dropped.
 * Every call that needs it is a 503 schema_mismatch naming the column and pointing at the
 * schema report — never a 500 that reads like a passing glitch, never an empty list — and
 * calls that do not touch it go on working.
 */
static void drift_under_a_server_is_503_schema_mismatch(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    h_db_create(&db);
    h_migrate(db, NULL);
    assert_int_equal(h_serve_start(&srv, db->url, NULL, NULL), H_LISTENING);
    const char *one = "{\"email\":\"ada@x.example\",\"company\":\"Engines\"}";
    h_http(&r, srv.port, "POST", "/api/prospects", one, strlen(one), "application/json");
    assert_int_equal(r.status, 201);
    h_resp_release(&r);
    /* Prepared before the drop, so the statements are cached on the server's connections. */
    h_http(&r, srv.port, "GET", "/api/jobs", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    h_resp_release(&r);

    h_db_exec(db, "ALTER TABLE jobs DROP COLUMN drafts_created");

    static const struct {
        const char *method, *path;
    } calls[] = {{"POST", "/api/pipeline/draft"}, {"GET", "/api/jobs"}, {"GET", "/api/jobs"}};
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        h_http(&r, srv.port, calls[i].method, calls[i].path, NULL, 0, NULL);
        if (r.status != 503)
            fail_msg("%s %s: want 503, got %ld %s", calls[i].method, calls[i].path, r.status,
                     r.body);
        h_assert_json_error(&r, "schema_mismatch");
        h_assert_contains(r.body, "drafts_created");
        h_assert_contains(r.body, "/api/health/schema");
        h_resp_release(&r);
    }
    /* Nothing was created by the refused start. */
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM jobs"), 0);
    /* The prospects do not need the column. */
    h_http(&r, srv.port, "GET", "/api/prospects", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    h_assert_contains(r.body, "ada@x.example");
    h_resp_release(&r);

    assert_int_equal(h_serve_stop(&srv), 0);
    h_serve_release(&srv);
    h_db_drop(db);
}

/*
 * Two servers started at the same instant on one empty database, both with
 * --auto-migrate: both listen, the schema is current, each migration recorded once.
 */
static void concurrent_auto_migrate(void **state)
{
    (void)state;
    for (int round = 0; round < 5; round++) {
        struct h_db *db;
        struct h_server a, b;
        h_db_create(&db);
        h_gate_hold();
        h_serve_spawn(&a, db->url, NULL, "--auto-migrate", NULL);
        h_serve_spawn(&b, db->url, NULL, "--auto-migrate", NULL);
        h_gate_release();
        int ra = h_serve_wait(&a);
        int rb = h_serve_wait(&b);
        if (ra != H_LISTENING) print_error("first server exited %d:\n%s\n", ra, a.log);
        if (rb != H_LISTENING) print_error("second server exited %d:\n%s\n", rb, b.log);
        assert_int_equal(ra, H_LISTENING);
        assert_int_equal(rb, H_LISTENING);
        assert_schema_endpoint_ok(a.port);
        assert_schema_endpoint_ok(b.port);
        assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), LATEST);
        assert_int_equal(h_db_int(db, "SELECT count(DISTINCT version) FROM schema_migrations"),
                         LATEST);
        assert_int_equal(h_serve_stop(&a), 0);
        assert_int_equal(h_serve_stop(&b), 0);
        h_serve_release(&a);
        h_serve_release(&b);
        h_db_drop(db);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        H_TEST(current_schema_passes),
        H_TEST(seed_schema_check_names_the_missing_columns),
        H_TEST(seed_serve_refuses_before_listening),
        H_TEST(seed_auto_migrate_env),
        H_TEST(seed_auto_migrate_flag),
        H_TEST(drift_missing_table),
        H_TEST(drift_missing_column),
        H_TEST(drift_wrong_type),
        H_TEST(drift_wrong_nullability),
        H_TEST(drift_statement_does_not_prepare),
        H_TEST(drift_missing_index_and_trigger),
        H_TEST(health_schema_sees_drift_behind_a_running_server),
        H_TEST(drift_under_a_server_is_503_schema_mismatch),
        H_TEST(concurrent_auto_migrate),
    };
    char name[64];
    snprintf(name, sizeof name, "integration_schema_guard_%s", h_engine_name());
    return cmocka_run_group_tests_name(name, tests, NULL, h_group_teardown);
}
