/*
 * test_migrate — `draftd migrate up|down|status` against a real database: what each
 * prints, its exit status, and the live schema and schema_migrations rows afterwards
 * (read directly, not through draftd). Covers the rollback of a failing migration, a
 * history that cannot be trusted (an edited migration, a newer database) and two
 * migrators racing on one database.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define LATEST 4

/* stdout and stderr of one run, joined (callers free). */
static char *all_output(const struct h_result *r)
{
    size_t a = strlen(r->out), b = strlen(r->err);
    char *s = malloc(a + b + 2);
    assert_non_null(s);
    memcpy(s, r->out, a);
    s[a] = '\n';
    memcpy(s + a + 1, r->err, b + 1);
    return s;
}

/*
 * Runs draftd with the command words that follow (NULL-terminated), asserts its exit
 * status, and that one line of its output (stdout or stderr) holds both a and b (b may
 * be NULL).
 */
static void expect_line(const struct h_db *db, int status, const char *a, const char *b, ...)
{
    struct h_proc p;
    struct h_result r;
    va_list ap;
    va_start(ap, b);
    h_vstart(&p, db->url, NULL, ap);
    va_end(ap);
    h_finish(&p, &r);
    h_assert_status(&r, status);
    char *all = all_output(&r);
    if (!h_line_with(all, a, b, NULL)) print_error("no line with \"%s\" and \"%s\" in:\n%s\n", a, b ? b : "", all);
    assert_true(h_line_with(all, a, b, NULL));
    free(all);
    h_result_release(&r);
}

static long long version_of(const struct h_db *db)
{
    return h_db_int(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
}

static void up_applies_every_migration_then_is_idempotent(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);

    h_run(&r, db->url, NULL, "migrate", "up", NULL);
    h_assert_status(&r, 0);
    assert_true(h_line_with(r.out, "applied 1 init", NULL));
    assert_true(h_line_with(r.out, "applied 2 add_job_progress_columns", NULL));
    assert_true(h_line_with(r.out, "applied 3 pipeline", NULL));
    assert_true(h_line_with(r.out, "applied 4 prospect_counts", NULL));
    assert_true(h_line_with(r.out, "database at version 4 of 4", NULL));
    h_result_release(&r);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), LATEST);
    assert_int_equal(version_of(db), LATEST);
    assert_true(h_db_has_column(db, "jobs", "drafts_created"));
    assert_true(h_db_has_column(db, "jobs", "total_targets"));
    assert_true(h_db_has_table(db, "templates"));
    assert_true(h_db_has_table(db, "job_targets"));

    /* Again: nothing to do, still success, nothing recorded twice. */
    h_run(&r, db->url, NULL, "migrate", "up", NULL);
    h_assert_status(&r, 0);
    h_assert_contains(r.out, "nothing to apply");
    h_assert_lacks(r.out, "applied ");
    h_result_release(&r);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), LATEST);
    h_db_drop(db);
}

static void up_to_stops_there_and_up_applies_the_rest(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);

    h_run(&r, db->url, NULL, "migrate", "up", "--to", "1", NULL);
    h_assert_status(&r, 0);
    assert_true(h_line_with(r.out, "applied 1 init", NULL));
    h_assert_lacks(r.out, "applied 2");
    h_result_release(&r);
    assert_int_equal(version_of(db), 1);
    assert_true(h_db_has_table(db, "jobs"));
    assert_true(h_db_has_table(db, "prospects"));
    assert_false(h_db_has_column(db, "jobs", "drafts_created"));
    assert_false(h_db_has_column(db, "jobs", "total_targets"));

    h_run(&r, db->url, NULL, "migrate", "up", NULL);
    h_assert_status(&r, 0);
    h_assert_lacks(r.out, "applied 1");
    assert_true(h_line_with(r.out, "applied 2 add_job_progress_columns", NULL));
    assert_true(h_line_with(r.out, "applied 3 pipeline", NULL));
    h_result_release(&r);
    assert_int_equal(version_of(db), LATEST);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), LATEST);
    assert_true(h_db_has_column(db, "jobs", "drafts_created"));
    h_db_drop(db);
}

static void up_to_an_unknown_version_is_a_usage_error(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);
    h_run(&r, db->url, NULL, "migrate", "up", "--to", "9", NULL);
    h_assert_status(&r, 2);
    h_result_release(&r);
    assert_false(h_db_has_table(db, "prospects"));
    assert_false(h_db_has_table(db, "jobs"));
    h_db_drop(db);
}

static void down_without_to_is_a_usage_error(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);
    h_migrate(db, NULL);
    h_run(&r, db->url, NULL, "migrate", "down", NULL);
    h_assert_status(&r, 2);
    h_result_release(&r);
    assert_int_equal(version_of(db), LATEST);
    assert_true(h_db_has_column(db, "jobs", "drafts_created"));
    h_db_drop(db);
}

static void down_reverts_newest_first(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);
    h_migrate(db, NULL);

    h_run(&r, db->url, NULL, "migrate", "down", "--to", "1", NULL);
    h_assert_status(&r, 0);
    const char *three = strstr(r.out, "reverted 3");
    const char *two = strstr(r.out, "reverted 2");
    assert_non_null(three);
    assert_non_null(two);
    assert_true(three < two);
    h_assert_lacks(r.out, "reverted 1");
    h_result_release(&r);
    assert_int_equal(version_of(db), 1);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), 1);
    assert_false(h_db_has_column(db, "jobs", "drafts_created"));
    assert_false(h_db_has_column(db, "jobs", "total_targets"));
    assert_false(h_db_has_column(db, "jobs", "drafts_failed"));
    assert_false(h_db_has_table(db, "templates"));
    assert_false(h_db_has_table(db, "job_targets"));
    assert_true(h_db_has_table(db, "jobs"));
    assert_true(h_db_has_table(db, "prospects"));

    h_run(&r, db->url, NULL, "migrate", "down", "--to", "0", NULL);
    h_assert_status(&r, 0);
    h_result_release(&r);
    assert_false(h_db_has_table(db, "jobs"));
    assert_false(h_db_has_table(db, "prospects"));
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), 0);

    /* And all the way up again. */
    h_migrate(db, NULL);
    assert_int_equal(version_of(db), LATEST);
    h_db_drop(db);
}

static void status_exits_3_while_pending_and_0_when_current(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);

    /* An empty database: everything pending. */
    h_run(&r, db->url, NULL, "migrate", "status", NULL);
    h_assert_status(&r, 3);
    assert_true(h_line_with(r.out, "1", "init", "pending", NULL));
    h_result_release(&r);

    h_run(&r, db->url, NULL, "migrate", "up", "--to", "1", NULL);
    h_assert_status(&r, 0);
    h_result_release(&r);
    h_run(&r, db->url, NULL, "migrate", "status", NULL);
    h_assert_status(&r, 3);
    assert_true(h_line_with(r.out, " init ", NULL));
    assert_false(h_line_with(r.out, " init ", "pending", NULL));
    assert_true(h_line_with(r.out, "2", "add_job_progress_columns", "pending", NULL));
    assert_true(h_line_with(r.out, "3", "pipeline", "pending", NULL));
    assert_true(h_line_with(r.out, "4", "prospect_counts", "pending", NULL));
    h_result_release(&r);

    h_migrate(db, NULL);
    h_run(&r, db->url, NULL, "migrate", "status", NULL);
    h_assert_status(&r, 0);
    assert_true(h_line_with(r.out, "init", NULL));
    assert_true(h_line_with(r.out, "add_job_progress_columns", NULL));
    assert_true(h_line_with(r.out, "pipeline", NULL));
    assert_false(h_line_with(r.out, "add_job_progress_columns", "pending", NULL));
    assert_false(h_line_with(r.out, "pipeline", "pending", NULL));
    h_result_release(&r);
    h_db_drop(db);
}

/*
 * Migration 3 adds jobs columns, then creates templates, then job_targets. With a
 * job_targets table already there its CREATE TABLE fails: everything before it in the
 * same migration must be rolled back with it.
 */
static void failing_migration_rolls_back(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);
    h_run(&r, db->url, NULL, "migrate", "up", "--to", "2", NULL);
    h_assert_status(&r, 0);
    h_result_release(&r);
    h_db_exec(db, "CREATE TABLE job_targets (handmade INTEGER)");

    h_run(&r, db->url, NULL, "migrate", "up", NULL);
    h_assert_status(&r, 1);
    h_assert_contains(r.err, "pipeline");
    h_assert_contains(r.err, "statement");
    h_assert_contains(r.err, "job_targets");
    assert_true(h_line_with(r.err, "3", "pipeline", NULL));
    h_assert_lacks(r.out, "applied 3");
    h_result_release(&r);

    assert_int_equal(version_of(db), 2);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations WHERE version = 3"), 0);
    assert_false(h_db_has_table(db, "templates"));
    assert_false(h_db_has_column(db, "jobs", "drafts_failed"));
    assert_false(h_db_has_column(db, "jobs", "lease_owner"));
    assert_true(h_db_has_column(db, "job_targets", "handmade"));
    /* Migration 2's work is untouched. */
    assert_true(h_db_has_column(db, "jobs", "drafts_created"));

    /* With the obstacle gone, the same command completes. */
    h_db_exec(db, "DROP TABLE job_targets");
    h_migrate(db, NULL);
    assert_int_equal(version_of(db), LATEST);
    assert_true(h_db_has_table(db, "templates"));
    assert_true(h_db_has_column(db, "jobs", "drafts_failed"));
    h_db_drop(db);
}

static void edited_migration_is_refused_everywhere(void **state)
{
    (void)state;
    struct h_db *db;
    h_db_create(&db);
    h_migrate(db, NULL);
    h_db_exec(db, "UPDATE schema_migrations SET checksum = '0000000000000000' WHERE version = 2");

    expect_line(db, 3, "2", "add_job_progress_columns", "schema", "check", NULL);
    expect_line(db, 3, "2", "add_job_progress_columns", "migrate", "up", NULL);
    /* The listing shows which migration's recorded checksum differs. */
    expect_line(db, 3, "add_job_progress_columns", "0000000000000000", "migrate", "status", NULL);

    struct h_server srv;
    assert_int_equal(h_serve_start(&srv, db->url, NULL, NULL), 3);
    assert_true(h_line_with(srv.log, "2", "add_job_progress_columns", NULL));
    h_assert_lacks(srv.log, "msg=\"listening\"");
    h_serve_release(&srv);

    /* Nothing "repaired" the history behind the user's back. */
    assert_int_equal(
        h_db_int(db, "SELECT count(*) FROM schema_migrations WHERE checksum = '0000000000000000'"),
        1);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), LATEST);
    h_db_drop(db);
}

static void newer_database_is_refused(void **state)
{
    (void)state;
    struct h_db *db;
    h_db_create(&db);
    h_migrate(db, NULL);
    h_db_exec(db, "INSERT INTO schema_migrations (version, name, checksum) "
                  "VALUES (99, 'from_the_future', 'x')");

    expect_line(db, 3, "99", NULL, "schema", "check", NULL);
    expect_line(db, 3, "99", NULL, "migrate", "up", NULL);
    expect_line(db, 3, "99", "from_the_future", "migrate", "status", NULL);

    struct h_server srv;
    assert_int_equal(h_serve_start(&srv, db->url, NULL, NULL), 3);
    assert_true(h_line_with(srv.log, "99", NULL));
    h_assert_lacks(srv.log, "msg=\"listening\"");
    h_serve_release(&srv);

    assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), LATEST + 1);
    h_db_drop(db);
}

/*
 * Two `migrate up` at once on one fresh database: both succeed, each version once.
 * Several rounds, since a race shows only sometimes.
 */
static void concurrent_migrate_up(void **state)
{
    (void)state;
    for (int round = 0; round < 10; round++) {
        struct h_db *db;
        struct h_proc a, b;
        struct h_result ra, rb;
        h_db_create(&db);
        h_gate_hold();
        h_start(&a, db->url, NULL, "migrate", "up", NULL);
        h_start(&b, db->url, NULL, "migrate", "up", NULL);
        h_gate_release();
        h_finish(&a, &ra);
        h_finish(&b, &rb);
        h_assert_status(&ra, 0);
        h_assert_status(&rb, 0);
        h_result_release(&ra);
        h_result_release(&rb);
        assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), LATEST);
        assert_int_equal(h_db_int(db, "SELECT count(DISTINCT version) FROM schema_migrations"),
                         LATEST);
        assert_int_equal(version_of(db), LATEST);
        assert_true(h_db_has_column(db, "jobs", "drafts_created"));
        h_db_drop(db);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        H_TEST(up_applies_every_migration_then_is_idempotent),
        H_TEST(up_to_stops_there_and_up_applies_the_rest),
        H_TEST(up_to_an_unknown_version_is_a_usage_error),
        H_TEST(down_without_to_is_a_usage_error),
        H_TEST(down_reverts_newest_first),
        H_TEST(status_exits_3_while_pending_and_0_when_current),
        H_TEST(failing_migration_rolls_back),
        H_TEST(edited_migration_is_refused_everywhere),
        H_TEST(newer_database_is_refused),
        H_TEST(concurrent_migrate_up),
    };
    char name[64];
    snprintf(name, sizeof name, "integration_migrate_%s", h_engine_name());
    return cmocka_run_group_tests_name(name, tests, NULL, h_group_teardown);
}
