/*
 * Tests the named statements (src/store/stmt.h, sql_sqlite.c, sql_pg.c, store.c):
 * every id has a unique name; SQLite has SQL for all but the advisory lock pair and
 * PostgreSQL for all but SQLite's connection settings; both dialects bind the same
 * number of parameters; and every
 * SQLite statement prepares (store_prepare_check) on a fully migrated in-memory
 * database — while one that needs a later migration does not, so the check can fail.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/memdb.h"
#include "store/stmt.h"
#include "unit.h"

static int sqlite_has_no_sql(int id)
{
    return id == STMT_MIG_LOCK || id == STMT_MIG_UNLOCK;
}

static int pg_has_no_sql(int id)
{
    return id == STMT_CONN_WAL || id == STMT_CONN_FOREIGN_KEYS || id == STMT_CONN_SYNCHRONOUS;
}

static void test_names_unique(void **state)
{
    (void)state;
    for (int id = 0; id < STMT__COUNT; id++) {
        const char *name = stmt_name((enum stmt_id)id);
        assert_non_null(name);
        assert_true(strlen(name) > 0);
        for (const char *p = name; *p; p++)
            assert_true(islower((unsigned char)*p) || *p == '_');
        for (int other = 0; other < id; other++)
            assert_string_not_equal(name, stmt_name((enum stmt_id)other));
    }
    assert_string_equal(stmt_name(STMT_JOB_INSERT), "job_insert");
    assert_string_equal(stmt_name(STMT_HEALTH_PING), "health_ping");
    assert_non_null(stmt_name(STMT__COUNT));
}

static void test_sql_present(void **state)
{
    (void)state;
    for (int id = 0; id < STMT__COUNT; id++) {
        print_message("%s\n", stmt_name((enum stmt_id)id));
        if (sqlite_has_no_sql(id))
            assert_null(sql_sqlite[id]);
        else {
            assert_non_null(sql_sqlite[id]);
            assert_true(strlen(sql_sqlite[id]) > 0);
        }
        if (pg_has_no_sql(id)) {
            assert_null(sql_pg[id]);
        } else {
            assert_non_null(sql_pg[id]);
            assert_true(strlen(sql_pg[id]) > 0);
        }
    }
}

/* The highest parameter number (?N for SQLite, $N for PostgreSQL) in sql. */
static int max_param(const char *sql, char mark)
{
    int max = 0;
    for (const char *p = sql; *p; p++) {
        if (*p != mark || !isdigit((unsigned char)p[1])) continue;
        int n = (int)strtol(p + 1, NULL, 10);
        if (n > max) max = n;
    }
    return max;
}

/* The callers bind one parameter list whatever the engine, so both must agree. */
static void test_same_parameters_in_both_dialects(void **state)
{
    (void)state;
    for (int id = 0; id < STMT__COUNT; id++) {
        if (sqlite_has_no_sql(id) || pg_has_no_sql(id)) continue;
        print_message("%s\n", stmt_name((enum stmt_id)id));
        assert_int_equal(max_param(sql_sqlite[id], '?'), max_param(sql_pg[id], '$'));
    }
    assert_int_equal(max_param(sql_pg[STMT_MIG_LOCK], '$'), 1);
    assert_int_equal(max_param(sql_pg[STMT_MIG_UNLOCK], '$'), 1);
}

static void test_all_prepare_when_migrated(void **state)
{
    struct store *s = *state;
    memdb_migrate(s, 0);
    for (int id = 0; id < STMT__COUNT; id++) {
        struct err e = {0};
        int rc = store_prepare_check(s, (enum stmt_id)id, &e);
        if (rc) print_error("%s: %s\n", stmt_name((enum stmt_id)id), e.msg);
        assert_int_equal(rc, 0);
        if (sqlite_has_no_sql(id))
            assert_null(store_sql(s, (enum stmt_id)id));
        else
            assert_ptr_equal(store_sql(s, (enum stmt_id)id), sql_sqlite[id]);
    }
    assert_null(store_sql(s, STMT__COUNT));
}

static void test_prepare_check_fails_before_migration(void **state)
{
    struct store *s = *state;
    memdb_migrate(s, 1);
    struct err e = {0};
    assert_int_equal(store_prepare_check(s, STMT_JOB_INSERT, &e), ERR_DB);
    assert_contains(e.msg, "drafts_created");
    err_clear(&e);
    assert_int_equal(store_prepare_check(s, STMT_TEMPLATE_GET, &e), ERR_DB);
    assert_contains(e.msg, "templates");
    assert_int_equal(store_prepare_check(s, STMT_PROSPECT_GET, &e), 0);
}

/* A statement with no SQL for the engine is refused, not run. */
static void test_query_without_sql(void **state)
{
    struct store *s = *state;
    struct err e = {0};
    assert_int_equal(store_query(s, STMT_MIG_LOCK, NULL, 0, NULL, &e), ERR_INTERNAL);
    assert_contains(e.msg, "migrations_lock");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_unique),
        cmocka_unit_test(test_sql_present),
        cmocka_unit_test(test_same_parameters_in_both_dialects),
        cmocka_unit_test_setup_teardown(test_all_prepare_when_migrated, memdb_setup,
                                        memdb_teardown),
        cmocka_unit_test_setup_teardown(test_prepare_check_fails_before_migration, memdb_setup,
                                        memdb_teardown),
        cmocka_unit_test_setup_teardown(test_query_without_sql, memdb_setup, memdb_teardown),
    };
    return cmocka_run_group_tests_name("stmt", tests, NULL, NULL);
}
