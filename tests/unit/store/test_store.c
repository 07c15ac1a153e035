/*
 * Tests the store interface (src/store/store.h) the same way on both engines: the
 * program runs once with DRAFTD_TEST_ENGINE=sqlite (a fresh file per test) and once
 * with DRAFTD_TEST_ENGINE=postgres (a fresh database per test on the suite's cluster,
 * whose URI is in $DRAFTD_PG_DIR/url; no cluster is a failure, not a skip).
 *
 * Covered: bound parameters and RETURNING, rows and NULLs, a unique violation as
 * ERR_CONFLICT (emails unique ignoring case), commit and rollback, a failing script
 * naming its statement, the per-thread connection, and (PostgreSQL) a connection
 * killed by the server is reopened on the next statement.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "store/migrate.h"
#include "store/store.h"
#include "unit.h"

struct fixture {
    struct db_url url;
    struct store *s;
    char dir[64];      /* sqlite: the temporary directory */
    char dbname[64];   /* postgres: the database */
    char admin[512];   /* postgres: the cluster's admin URI */
};

static bool is_pg(void)
{
    const char *v = getenv("DRAFTD_TEST_ENGINE");
    return v && strcmp(v, "postgres") == 0;
}

static void admin_exec(const char *admin, const char *sql)
{
    PGconn *c = PQconnectdb(admin);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        print_error("%s: %s\n", sql, PQresultErrorMessage(r));
    assert_true(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
    PQclear(r);
    PQfinish(c);
}

static int setup(void **state)
{
    static int counter;
    struct fixture *f = calloc(1, sizeof *f);
    struct err e = {0};
    char text[700];
    if (!f) return -1;
    const char *engine = getenv("DRAFTD_TEST_ENGINE");
    if (!engine || (strcmp(engine, "sqlite") != 0 && strcmp(engine, "postgres") != 0)) {
        print_error("DRAFTD_TEST_ENGINE must be sqlite or postgres\n");
        free(f);
        return -1;
    }
    if (is_pg()) {
        const char *dir = getenv("DRAFTD_PG_DIR");
        char path[512];
        FILE *fp = NULL;
        if (dir) {
            snprintf(path, sizeof path, "%s/url", dir);
            fp = fopen(path, "r");
        }
        if (!fp || !fgets(f->admin, sizeof f->admin, fp)) {
            print_error("no PostgreSQL test cluster: DRAFTD_PG_DIR/url is missing\n");
            if (fp) fclose(fp);
            free(f);
            return -1;
        }
        fclose(fp);
        f->admin[strcspn(f->admin, "\n")] = '\0';
        snprintf(f->dbname, sizeof f->dbname, "store_%ld_%d", (long)getpid(), counter++);
        char sql[128];
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", f->dbname);
        admin_exec(f->admin, sql);
        /* The admin URI ends in /postgres: swap in the test's database. */
        char *slash = strrchr(f->admin, '/');
        snprintf(text, sizeof text, "%.*s/%s", (int)(slash - f->admin), f->admin, f->dbname);
    } else {
        snprintf(f->dir, sizeof f->dir, "/tmp/draftd-store-XXXXXX");
        if (!mkdtemp(f->dir)) {
            free(f);
            return -1;
        }
        snprintf(text, sizeof text, "sqlite:%s/test.db", f->dir);
    }
    if (db_url_parse(&f->url, text, &e) || store_open(&f->s, &f->url, &e)) {
        print_error("cannot open %s: %s\n", text, e.msg);
        free(f);
        return -1;
    }
    struct migration_set set;
    if (migration_set_builtin(&set, f->url.kind, &e) || migrate_up(f->s, &set, 0, NULL, &e)) {
        print_error("cannot migrate %s: %s\n", text, e.msg);
        return -1;
    }
    migration_set_release(&set);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_free(f->s);
    if (is_pg()) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->dbname);
        admin_exec(f->admin, sql);
    } else {
        char path[128];
        const char *suffix[] = {"/test.db", "/test.db-wal", "/test.db-shm"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "%s%s", f->dir, suffix[i]);
            unlink(path);
        }
        rmdir(f->dir);
    }
    free(f);
    return 0;
}

static long long insert(struct store *s, const char *email, const char *first, int *rc_out,
                        struct err *e)
{
    struct sval p[6] = {SV_TEXT(email), first ? SV_TEXT(first) : SV_NULL_VALUE, SV_NULL_VALUE,
                        SV_TEXT("Analytical Engines"), SV_NULL_VALUE, SV_NULL_VALUE};
    long long id = 0;
    *rc_out = store_query_int(s, STMT_PROSPECT_INSERT, p, 6, &id, e);
    return id;
}

static long long count(struct store *s)
{
    struct err e = {0};
    long long n = -1;
    assert_int_equal(store_query_int(s, STMT_PROSPECT_COUNT, NULL, 0, &n, &e), 0);
    return n;
}

static void test_bound_parameters_and_rows(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    int rc;
    long long a = insert(f->s, "ada@example.com", "Ada", &rc, &e);
    assert_int_equal(rc, 0);
    long long b = insert(f->s, "o'brien; DROP TABLE prospects; --@example.com", NULL, &rc, &e);
    assert_int_equal(rc, 0);
    assert_true(b > a && a > 0);

    struct store_rows *r = NULL;
    struct sval p[2] = {SV_INT(10), SV_INT(0)};
    assert_int_equal(store_query(f->s, STMT_PROSPECT_LIST, p, 2, &r, &e), 0);
    assert_int_equal(store_rows_next(r, &e), 1);
    assert_int_equal(store_rows_int(r, 0), a);
    assert_string_equal(store_rows_text(r, 1), "ada@example.com");
    assert_string_equal(store_rows_text(r, 2), "Ada");
    assert_string_equal(store_rows_text(r, 9), "none"); /* draft_status default */
    assert_true(store_rows_null(r, 7));                 /* draft_subject */
    assert_int_equal(store_rows_next(r, &e), 1);
    assert_string_equal(store_rows_text(r, 1), "o'brien; DROP TABLE prospects; --@example.com");
    assert_true(store_rows_null(r, 2));
    /* Timestamps come back as RFC 3339 UTC text on both engines. */
    const char *created = store_rows_text(r, 12);
    assert_non_null(created);
    assert_int_equal(strlen(created), 24);
    assert_int_equal(created[10], 'T');
    assert_int_equal(created[23], 'Z');
    assert_int_equal(store_rows_next(r, &e), 0);
    store_rows_free(r);
    assert_int_equal(count(f->s), 2);
}

static void test_unique_violation_is_conflict(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    int rc;
    insert(f->s, "grace@example.com", "Grace", &rc, &e);
    assert_int_equal(rc, 0);
    insert(f->s, "GRACE@Example.com", "Grace", &rc, &e);
    assert_int_equal(rc, ERR_CONFLICT);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_contains(e.msg, "prospect_insert");
    assert_int_equal(count(f->s), 1);
}

static void test_commit_and_rollback(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    int rc;
    assert_int_equal(store_begin(f->s, &e), 0);
    insert(f->s, "kept@example.com", NULL, &rc, &e);
    assert_int_equal(rc, 0);
    assert_int_equal(store_commit(f->s, &e), 0);

    assert_int_equal(store_begin(f->s, &e), 0);
    insert(f->s, "dropped@example.com", NULL, &rc, &e);
    assert_int_equal(rc, 0);
    assert_int_equal(count(f->s), 2);
    assert_int_equal(store_rollback(f->s, &e), 0);
    assert_int_equal(count(f->s), 1);
    /* A rollback outside a transaction is a no-op, not an error. */
    assert_int_equal(store_rollback(f->s, &e), 0);
}

static void test_failing_script_names_its_statement(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    const char *script = "CREATE TABLE scratch_a (x INTEGER);\n"
                         "-- a comment; with a semicolon\n"
                         "INSERT INTO scratch_a (x) VALUES (1);\n"
                         "INSERT INTO no_such_table (x) VALUES (2);\n"
                         "CREATE TABLE scratch_b (x INTEGER);\n";
    assert_int_equal(store_begin(f->s, &e), 0);
    int rc = store_exec_script(f->s, script, strlen(script), &e);
    assert_int_equal(rc, ERR_DB);
    assert_contains(e.msg, "statement 3");
    assert_contains(e.msg, "no_such_table");
    assert_int_equal(store_rollback(f->s, &e), 0);
}

struct thread_arg {
    const struct db_url *url;
    pthread_barrier_t *both_open; /* so that both connections are alive at once */
    struct store *first, *second;
    int rc;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    struct err e = {0};
    a->rc = store_thread_get(&a->first, a->url, &e);
    if (!a->rc) a->rc = store_thread_get(&a->second, a->url, &e);
    if (!a->rc) a->rc = store_query(a->first, STMT_HEALTH_PING, NULL, 0, NULL, &e);
    pthread_barrier_wait(a->both_open);
    return NULL; /* the key's destructor closes the connection here */
}

static void test_a_connection_per_thread(void **state)
{
    struct fixture *f = *state;
    pthread_barrier_t both_open;
    assert_int_equal(pthread_barrier_init(&both_open, NULL, 2), 0);
    struct thread_arg a = {.url = &f->url, .both_open = &both_open};
    struct thread_arg b = {.url = &f->url, .both_open = &both_open};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, thread_main, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, thread_main, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&both_open);
    assert_int_equal(a.rc, 0);
    assert_int_equal(b.rc, 0);
    assert_ptr_equal(a.first, a.second); /* the same thread gets its own one back */
    assert_ptr_not_equal(a.first, b.first);
}

/* PostgreSQL: the server ends the connection (restart, failover, idle kill); the next
 * statement reconnects instead of failing. */
static void test_killed_connection_is_reopened(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    int rc;
    insert(f->s, "before@example.com", NULL, &rc, &e);
    assert_int_equal(rc, 0);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE datname = '%s' AND application_name = 'draftd'",
             f->dbname);
    admin_exec(f->admin, sql);
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
    nanosleep(&nap, NULL);
    assert_int_equal(count(f->s), 1);
    insert(f->s, "after@example.com", NULL, &rc, &e);
    assert_int_equal(rc, 0);
    assert_int_equal(count(f->s), 2);
}

static void script(struct store *s, const char *sql)
{
    struct err e = {0};
    int rc = store_exec_script(s, sql, strlen(sql), &e);
    if (rc) print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
}

/* Asserts prospect_counts holds none/drafted/approved/rejected/failed. */
static void assert_counts(struct store *s, long long none, long long drafted, long long approved,
                          long long rejected, long long failed)
{
    struct err e = {0};
    struct store_rows *r = NULL;
    long long want[5] = {none, drafted, approved, rejected, failed};
    assert_int_equal(store_query(s, STMT_PROSPECT_COUNTS_GET, NULL, 0, &r, &e), 0);
    assert_int_equal(store_rows_next(r, &e), 1);
    for (int i = 0; i < 5; i++) {
        if (store_rows_int(r, i) != want[i]) print_error("count %d\n", i);
        assert_int_equal(store_rows_int(r, i), want[i]);
    }
    assert_int_equal(store_rows_next(r, &e), 0);
    store_rows_free(r);
}

/*
 * Migration 4's triggers keep prospect_counts exact through inserts (one and many rows
 * per statement), status changes (and updates that change no status), deletes, and a
 * rolled-back transaction.
 */
static void test_prospect_counts_follow_every_change(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    assert_counts(f->s, 0, 0, 0, 0, 0);
    script(f->s, "INSERT INTO prospects (email) VALUES ('a@x.example');"
                 "INSERT INTO prospects (email, draft_status) VALUES ('b@x.example', 'drafted'),"
                 " ('c@x.example', 'drafted'), ('d@x.example', 'failed');");
    assert_counts(f->s, 1, 2, 0, 0, 1);
    script(f->s, "UPDATE prospects SET draft_status = 'approved' WHERE email = 'b@x.example';"
                 "UPDATE prospects SET company = 'Acme';"
                 "UPDATE prospects SET draft_status = 'drafted' WHERE draft_status IN ('none', 'failed');");
    assert_counts(f->s, 0, 3, 1, 0, 0);
    script(f->s, "DELETE FROM prospects WHERE email IN ('a@x.example', 'b@x.example');");
    assert_counts(f->s, 0, 2, 0, 0, 0);

    assert_int_equal(store_begin(f->s, &e), 0);
    script(f->s, "UPDATE prospects SET draft_status = 'rejected';"
                 "INSERT INTO prospects (email) VALUES ('e@x.example');");
    assert_counts(f->s, 1, 0, 0, 2, 0);
    assert_int_equal(store_rollback(f->s, &e), 0);
    assert_counts(f->s, 0, 2, 0, 0, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = {
        T(test_bound_parameters_and_rows),  T(test_unique_violation_is_conflict),
        T(test_commit_and_rollback),        T(test_failing_script_names_its_statement),
        T(test_a_connection_per_thread),    T(test_prospect_counts_follow_every_change),
    };
    const struct CMUnitTest pg_tests[] = {
        T(test_bound_parameters_and_rows),  T(test_unique_violation_is_conflict),
        T(test_commit_and_rollback),        T(test_failing_script_names_its_statement),
        T(test_a_connection_per_thread),    T(test_killed_connection_is_reopened),
        T(test_prospect_counts_follow_every_change),
    };
    int failed = is_pg()
                     ? cmocka_run_group_tests_name("unit_store_postgres", pg_tests, NULL, NULL)
                     : cmocka_run_group_tests_name("unit_store_sqlite", sqlite_tests, NULL, NULL);
    store_global_release();
    return failed;
}
