/*
 * test_cli — the command line around the database commands: usage errors exit 2 with
 * a message that says what is accepted, --database overrides DATABASE_URL, and
 * version/help/COMMAND --help exit 0 and print their usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *const bad_url_env[] = {"DATABASE_URL=mysql://x", NULL};

/*
 * libpq is loaded only for a PostgreSQL URL (src/store/pq_load.h): one that cannot be
 * loaded is a runtime error naming the package, not a crash or a hang.
 */
static void postgres_without_libpq_says_what_to_install(void **state)
{
    (void)state;
    static const char *const env[] = {"DRAFTD_LIBPQ=/nonexistent/libpq.so.5", NULL};
    struct h_result r;
    h_run(&r, NULL, env, "schema", "check", "--database", "postgres://127.0.0.1:1/nothing",
          NULL);
    h_assert_status(&r, 1);
    h_assert_contains(r.err, "PostgreSQL needs libpq");
    h_assert_contains(r.err, "/nonexistent/libpq.so.5");
    h_assert_contains(r.err, "libpq5");
    h_result_release(&r);
}

static void unsupported_database_url_is_a_usage_error(void **state)
{
    (void)state;
    struct h_result r;
    /* db_url NULL: DATABASE_URL comes only from env. */
    h_run(&r, NULL, bad_url_env, "schema", "check", NULL);
    h_assert_status(&r, 2);
    h_assert_contains(r.err, "sqlite:");
    h_assert_contains(r.err, "postgres");
    h_result_release(&r);
}

static void non_numeric_port_is_a_usage_error(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);
    h_migrate(db, NULL);
    h_run(&r, db->url, NULL, "serve", "--port", "nope", NULL);
    h_assert_status(&r, 2);
    h_assert_contains(r.err, "nope");
    h_assert_lacks(r.err, "msg=\"listening\"");
    h_result_release(&r);
    h_db_drop(db);
}

/* Flags override environment variables: a bad DATABASE_URL does not matter. */
static void database_flag_overrides_a_bad_database_url(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);
    h_run(&r, NULL, bad_url_env, "migrate", "up", "--database", db->url, NULL);
    h_assert_status(&r, 0);
    h_result_release(&r);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM schema_migrations"), 4);

    h_run(&r, NULL, bad_url_env, "schema", "check", "--database", db->url, NULL);
    h_assert_status(&r, 0);
    h_assert_contains(r.out, "current");
    h_result_release(&r);
    h_db_drop(db);
}

/* And the flag wins over a good DATABASE_URL naming another database. */
static void database_flag_overrides_a_good_database_url(void **state)
{
    (void)state;
    struct h_db *flagged, *env;
    struct h_result r;
    h_db_create(&flagged);
    h_db_create(&env);
    h_run(&r, env->url, NULL, "migrate", "up", "--to", "1", "--database", flagged->url, NULL);
    h_assert_status(&r, 0);
    h_result_release(&r);
    assert_int_equal(h_db_int(flagged, "SELECT max(version) FROM schema_migrations"), 1);
    assert_false(h_db_has_table(env, "jobs"));
    h_db_drop(flagged);
    h_db_drop(env);
}

static void unknown_command_is_a_usage_error(void **state)
{
    (void)state;
    struct h_result r;
    h_run(&r, "sqlite::memory:", NULL, "frobnicate", NULL);
    h_assert_status(&r, 2);
    h_assert_contains(r.err, "frobnicate");
    h_result_release(&r);
}

static void unknown_subcommand_and_option_are_usage_errors(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result r;
    h_db_create(&db);
    h_run(&r, db->url, NULL, "migrate", "sideways", NULL);
    h_assert_status(&r, 2);
    h_result_release(&r);
    h_run(&r, db->url, NULL, "schema", "frob", NULL);
    h_assert_status(&r, 2);
    h_result_release(&r);
    h_run(&r, db->url, NULL, "serve", "--frob", NULL);
    h_assert_status(&r, 2);
    h_assert_contains(r.err, "--frob");
    h_result_release(&r);
    h_db_drop(db);
}

static void version_exits_0(void **state)
{
    (void)state;
    struct h_result r;
    h_run(&r, "sqlite::memory:", NULL, "version", NULL);
    h_assert_status(&r, 0);
    h_assert_contains(r.out, "draftd");
    h_result_release(&r);
}

static void help_prints_usage(void **state)
{
    (void)state;
    static const char *const cmds[][2] = {
        {"help", NULL},
        {"serve", "--help"},
        {"migrate", "--help"},
        {"schema", "--help"},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        struct h_result r;
        h_run(&r, "sqlite::memory:", NULL, cmds[i][0], cmds[i][1], NULL);
        h_assert_status(&r, 0);
        h_assert_contains(r.out, "usage:");
        h_result_release(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        H_TEST(unsupported_database_url_is_a_usage_error),
        H_TEST(postgres_without_libpq_says_what_to_install),
        H_TEST(non_numeric_port_is_a_usage_error),
        H_TEST(database_flag_overrides_a_bad_database_url),
        H_TEST(database_flag_overrides_a_good_database_url),
        H_TEST(unknown_command_is_a_usage_error),
        H_TEST(unknown_subcommand_and_option_are_usage_errors),
        H_TEST(version_exits_0),
        H_TEST(help_prints_usage),
    };
    char name[64];
    snprintf(name, sizeof name, "integration_cli_%s", h_engine_name());
    return cmocka_run_group_tests_name(name, tests, NULL, h_group_teardown);
}
