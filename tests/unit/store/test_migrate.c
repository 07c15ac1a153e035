/*
 * Tests src/store/migrate.c: migration_parse (version and name from the file name,
 * the -- +up / -- +down parts, the FNV-1a 64 checksum of the up part, rejected names
 * and texts), migration_set_builtin for both dialects, and the runner — migrate_up,
 * migrate_down, migrate_read_history — against a real in-memory SQLite database,
 * including a migration that fails half-way and histories that cannot be trusted.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/memdb.h"
#include "store/migrate.h"
#include "unit.h"

/* ---- migration_parse ------------------------------------------------------------------ */

#define MIG2_TEXT                                                                                  \
    "-- draftd migration 2: progress columns.\n"                                                   \
    "-- +up\n"                                                                                     \
    "ALTER TABLE jobs ADD COLUMN drafts_created INTEGER NOT NULL DEFAULT 0;\n"                     \
    "ALTER TABLE jobs ADD COLUMN total_targets INTEGER;\n"                                         \
    "-- +down\n"                                                                                   \
    "ALTER TABLE jobs DROP COLUMN total_targets;\n"

static void test_parse_name_and_parts(void **state)
{
    (void)state;
    static const char text[] = MIG2_TEXT;
    struct migration m;
    struct err e = {0};
    assert_int_equal(
        migration_parse(&m, "0002_add_job_progress_columns.sql", text, sizeof text - 1, &e), 0);
    assert_int_equal(m.version, 2);
    assert_string_equal(m.name, "add_job_progress_columns");
    assert_int_equal(m.up_len, strlen("ALTER TABLE jobs ADD COLUMN drafts_created INTEGER NOT "
                                      "NULL DEFAULT 0;\nALTER TABLE jobs ADD COLUMN total_targets "
                                      "INTEGER;\n"));
    assert_memory_equal(m.up, "ALTER TABLE jobs ADD COLUMN drafts_created", 42);
    assert_ptr_equal(m.up, strstr(text, "ALTER TABLE jobs ADD")); /* borrowed, not copied */
    assert_non_null(m.down);
    assert_int_equal(m.down_len, strlen("ALTER TABLE jobs DROP COLUMN total_targets;\n"));
    assert_memory_equal(m.down, "ALTER TABLE jobs DROP COLUMN total_targets;\n", m.down_len);
}

static void test_parse_versions(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int version;
        const char *name;
    } names[] = {
        {"0001_init.sql", 1, "init"},
        {"0010_x.sql", 10, "x"},
        {"12_two_digits.sql", 12, "two_digits"},
    };
    static const char text[] = "-- +up\nSELECT 1;\n";
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        struct migration m;
        struct err e = {0};
        assert_int_equal(migration_parse(&m, names[i].file, text, sizeof text - 1, &e), 0);
        assert_int_equal(m.version, names[i].version);
        assert_string_equal(m.name, names[i].name);
    }
}

/* Marker lines may carry trailing spaces, tabs and \r (files edited on Windows). */
static void test_parse_markers_with_trailing_space_and_cr(void **state)
{
    (void)state;
    static const char text[] = "-- header\r\n-- +up  \r\nCREATE TABLE a (x);\r\n"
                               "-- +down\t \r\nDROP TABLE a;\r\n";
    struct migration m;
    struct err e = {0};
    assert_int_equal(migration_parse(&m, "0001_a.sql", text, sizeof text - 1, &e), 0);
    assert_int_equal(m.up_len, strlen("CREATE TABLE a (x);\r\n"));
    assert_memory_equal(m.up, "CREATE TABLE a (x);\r\n", m.up_len);
    assert_int_equal(m.down_len, strlen("DROP TABLE a;\r\n"));
    assert_memory_equal(m.down, "DROP TABLE a;\r\n", m.down_len);
}

/* Without a -- +down line the up part runs to the end and there is no down part. */
static void test_parse_without_down(void **state)
{
    (void)state;
    static const char text[] = "-- +up\nCREATE TABLE a (x);\n-- +downgrade is no marker\n";
    struct migration m;
    struct err e = {0};
    assert_int_equal(migration_parse(&m, "0001_a.sql", text, sizeof text - 1, &e), 0);
    assert_int_equal(m.up_len, sizeof text - 1 - strlen("-- +up\n"));
    assert_true(m.down == NULL || m.down_len == 0);
}

static int is_checksum(const char *c)
{
    if (strlen(c) != 16) return 0;
    for (; *c; c++)
        if (!isxdigit((unsigned char)*c)) return 0;
    return 1;
}

static void parse_ok(struct migration *m, const char *text)
{
    struct err e = {0};
    if (migration_parse(m, "0001_x.sql", text, strlen(text), &e)) fail_msg("%s", e.msg);
}

static void test_checksum_covers_up_part_only(void **state)
{
    (void)state;
    struct migration base, up_changed, down_changed, header_changed, ws_changed;
    parse_ok(&base, "-- v1\n-- +up\nCREATE TABLE a (x);\n-- +down\nDROP TABLE a;\n");
    parse_ok(&up_changed, "-- v1\n-- +up\nCREATE TABLE a (y);\n-- +down\nDROP TABLE a;\n");
    parse_ok(&down_changed, "-- v1\n-- +up\nCREATE TABLE a (x);\n-- +down\nDROP TABLE b;\n");
    parse_ok(&header_changed,
             "-- v2 notes\n-- +up\nCREATE TABLE a (x);\n-- +down\nDROP TABLE a;\n");
    parse_ok(&ws_changed, "-- v1\n-- +up\nCREATE TABLE a (x); \n-- +down\nDROP TABLE a;\n");

    assert_true(is_checksum(base.checksum));
    assert_true(is_checksum(up_changed.checksum));
    assert_string_not_equal(base.checksum, up_changed.checksum);
    assert_string_not_equal(base.checksum, ws_changed.checksum);
    assert_string_equal(base.checksum, down_changed.checksum);
    assert_string_equal(base.checksum, header_changed.checksum);
}

/* The checksum is FNV-1a 64 in lower-case hex: pinned with the algorithm's known values. */
static void test_checksum_is_fnv1a64(void **state)
{
    (void)state;
    struct migration m;
    parse_ok(&m, "-- +up\n");
    assert_int_equal(m.up_len, 0);
    assert_string_equal(m.checksum, "cbf29ce484222325"); /* FNV-1a 64 of "" */
    parse_ok(&m, "-- +up\na");
    assert_string_equal(m.checksum, "af63dc4c8601ec8c"); /* FNV-1a 64 of "a" */
    parse_ok(&m, "-- +up\nfoobar\n-- +down\nanything\n");
    assert_string_equal(m.checksum, "345316a7168b8506"); /* FNV-1a 64 of "foobar\n" */
}

static void test_parse_rejects_bad_names(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "init.sql",       "0001.sql",   "0001_x.txt",
        "x_0001.sql",     "0001_.sql",  "0000_zero.sql",
        "0001_x.sql.bak", "0001-x.sql", "_0001_x.sql",
        "1234567_x.sql",  "",
    };
    static const char text[] = "-- +up\nSELECT 1;\n";
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct migration m;
        struct err e = {0};
        print_message("file \"%s\"\n", bad[i]);
        assert_int_equal(migration_parse(&m, bad[i], text, sizeof text - 1, &e), ERR_INVALID);
        assert_int_equal(e.code, ERR_INVALID);
        assert_contains(e.msg, "NNNN_name.sql");
        if (bad[i][0]) assert_contains(e.msg, bad[i]);
    }
}

static void test_parse_rejects_missing_up(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "CREATE TABLE a (x);\n",
        "CREATE TABLE a (x);\n-- +down\nDROP TABLE a;\n",
        "-- +down\nDROP TABLE a;\n-- +up\nCREATE TABLE a (x);\n", /* down before up */
        "--+up\nCREATE TABLE a (x);\n",
        "-- +UP\nCREATE TABLE a (x);\n",
        "SELECT 1; -- +up\n",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct migration m;
        struct err e = {0};
        print_message("text #%zu\n", i);
        assert_int_equal(migration_parse(&m, "0001_a.sql", bad[i], strlen(bad[i]), &e),
                         ERR_INVALID);
        assert_contains(e.msg, "0001_a.sql");
        assert_contains(e.msg, "-- +up");
    }
}

/* ---- the built-in sets ------------------------------------------------------------------ */

static void check_builtin(enum db_kind kind)
{
    struct migration_set set = {0};
    struct err e = {0};
    assert_int_equal(migration_set_builtin(&set, kind, &e), 0);
    assert_true(set.count >= 3);
    for (size_t i = 0; i < set.count; i++) {
        assert_int_equal(set.items[i].version, (int)i + 1);
        assert_true(is_checksum(set.items[i].checksum));
        assert_true(set.items[i].up_len > 0);
        assert_non_null(set.items[i].down); /* every built-in migration can be reverted */
        assert_true(set.items[i].down_len > 0);
        assert_ptr_equal(migration_set_find(&set, (int)i + 1), &set.items[i]);
    }
    assert_string_equal(set.items[0].name, "init");
    assert_string_equal(set.items[1].name, "add_job_progress_columns");
    assert_string_equal(set.items[2].name, "pipeline");
    assert_true(unit_span_has(set.items[1].up, set.items[1].up_len, "drafts_created"));
    assert_true(unit_span_has(set.items[1].up, set.items[1].up_len, "total_targets"));
    assert_false(unit_span_has(set.items[1].up, set.items[1].up_len, "-- +down"));
    assert_int_equal(migration_set_latest(&set), (int)set.count);
    assert_null(migration_set_find(&set, 0));
    assert_null(migration_set_find(&set, (int)set.count + 1));

    migration_set_release(&set);
    assert_null(set.items);
    assert_int_equal(set.count, 0);
    assert_int_equal(migration_set_latest(&set), 0);
}

static void test_builtin_sqlite(void **state)
{
    (void)state;
    check_builtin(DB_SQLITE);
}

static void test_builtin_postgres(void **state)
{
    (void)state;
    check_builtin(DB_POSTGRES);
}

/* ---- the runner on a real database ----------------------------------------------------- */

static void history(struct store *s, struct migration_history *h)
{
    struct err e = {0};
    if (migrate_read_history(h, s, &e)) fail_msg("migrate_read_history: %s", e.msg);
}

static void test_up_all(void **state)
{
    struct store *s = *state;
    struct migration_set set;
    struct err e = {0};
    assert_int_equal(migration_set_builtin(&set, DB_SQLITE, &e), 0);

    struct migration_history h;
    history(s, &h); /* no schema_migrations table yet */
    assert_int_equal(h.count, 0);
    assert_int_equal(migration_history_version(&h), 0);

    struct memout out;
    memout_open(&out);
    int rc = migrate_up(s, &set, 0, out.f, &e);
    if (rc) print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_contains(memout_text(&out), "applied 1 init");
    assert_contains(memout_text(&out), "applied 2 add_job_progress_columns");
    assert_contains(memout_text(&out), "applied 3 pipeline");
    assert_contains(memout_text(&out), "applied 4 prospect_counts");
    memout_close(&out);

    history(s, &h);
    assert_int_equal(h.count, set.count);
    assert_int_equal(migration_history_version(&h), (int)set.count);
    for (size_t i = 0; i < h.count; i++) {
        assert_int_equal(h.items[i].version, (int)i + 1);
        assert_string_equal(h.items[i].name, set.items[i].name);
        assert_string_equal(h.items[i].checksum, set.items[i].checksum);
        assert_true(strlen(h.items[i].applied_at) >= 20); /* 2026-01-01T00:00:00Z */
    }
    migration_history_release(&h);
    assert_null(h.items);

    assert_true(memdb_has_column(s, "jobs", "drafts_created"));
    assert_true(memdb_has_column(s, "jobs", "lease_owner"));
    assert_true(memdb_column_count(s, "job_targets") > 0);

    /* A second run has nothing to do and says so. */
    memout_open(&out);
    assert_int_equal(migrate_up(s, &set, 0, out.f, &e), 0);
    assert_contains(memout_text(&out), "nothing to apply");
    char latest[32];
    snprintf(latest, sizeof latest, "version %zu", set.count);
    assert_contains(memout_text(&out), latest);
    assert_not_contains(memout_text(&out), "applied 1");
    memout_close(&out);
    history(s, &h);
    assert_int_equal(h.count, set.count);
    migration_history_release(&h);
    migration_set_release(&set);
}

static void test_up_to_version_then_rest(void **state)
{
    struct store *s = *state;
    struct migration_set set;
    struct err e = {0};
    assert_int_equal(migration_set_builtin(&set, DB_SQLITE, &e), 0);

    struct memout out;
    memout_open(&out);
    assert_int_equal(migrate_up(s, &set, 1, out.f, &e), 0);
    assert_contains(memout_text(&out), "applied 1 init");
    assert_not_contains(memout_text(&out), "applied 2");
    memout_close(&out);

    struct migration_history h;
    history(s, &h);
    assert_int_equal(h.count, 1);
    assert_int_equal(migration_history_version(&h), 1);
    migration_history_release(&h);
    assert_true(memdb_column_count(s, "jobs") > 0);
    assert_false(memdb_has_column(s, "jobs", "drafts_created"));

    memout_open(&out);
    assert_int_equal(migrate_up(s, &set, 0, out.f, &e), 0);
    assert_not_contains(memout_text(&out), "applied 1 ");
    assert_contains(memout_text(&out), "applied 2 add_job_progress_columns");
    assert_contains(memout_text(&out), "applied 3 pipeline");
    memout_close(&out);
    history(s, &h);
    assert_int_equal(h.count, set.count);
    migration_history_release(&h);
    migration_set_release(&set);
}

static void test_down_to_zero_and_back(void **state)
{
    struct store *s = *state;
    struct migration_set set;
    struct err e = {0};
    assert_int_equal(migration_set_builtin(&set, DB_SQLITE, &e), 0);
    memdb_migrate(s, 0);

    struct memout out;
    memout_open(&out);
    assert_int_equal(migrate_down(s, &set, 1, out.f, &e), 0);
    assert_contains(memout_text(&out), "reverted 3 pipeline");
    assert_contains(memout_text(&out), "reverted 2 add_job_progress_columns");
    assert_not_contains(memout_text(&out), "reverted 1");
    memout_close(&out);
    struct migration_history h;
    history(s, &h);
    assert_int_equal(h.count, 1);
    migration_history_release(&h);
    assert_false(memdb_has_column(s, "jobs", "drafts_created"));
    assert_int_equal(memdb_column_count(s, "templates"), 0);

    memout_open(&out);
    assert_int_equal(migrate_down(s, &set, 0, out.f, &e), 0);
    assert_contains(memout_text(&out), "reverted 1 init");
    memout_close(&out);
    history(s, &h);
    assert_int_equal(h.count, 0);
    assert_int_equal(migration_history_version(&h), 0);
    migration_history_release(&h);
    assert_int_equal(memdb_column_count(s, "jobs"), 0);
    assert_int_equal(memdb_column_count(s, "prospects"), 0);

    memout_open(&out);
    assert_int_equal(migrate_down(s, &set, 0, out.f, &e), 0);
    assert_contains(memout_text(&out), "nothing to revert");
    memout_close(&out);

    /* Every down part really undid its up part: the whole history applies again. */
    memout_open(&out);
    int rc = migrate_up(s, &set, 0, out.f, &e);
    if (rc) print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
    memout_close(&out);
    history(s, &h);
    assert_int_equal(h.count, set.count);
    migration_history_release(&h);
    migration_set_release(&set);
}

/* A custom set, parsed from text: 1 creates t1; 2 fails at its second statement. */
static const char custom1[] = "-- +up\nCREATE TABLE t1 (a INTEGER);\n-- +down\nDROP TABLE t1;\n";
static const char custom2_broken[] = "-- +up\n"
                                     "CREATE TABLE t2 (b INTEGER);\n"
                                     "INSERT INTO no_such_table VALUES (1);\n"
                                     "CREATE TABLE t3 (c INTEGER);\n"
                                     "-- +down\n"
                                     "DROP TABLE t2;\n";
static const char custom2_good[] =
    "-- +up\nCREATE TABLE t2 (b INTEGER);\n-- +down\nDROP TABLE t2;\n";
static const char custom1_edited[] =
    "-- +up\nCREATE TABLE t1 (a INTEGER, z TEXT);\n-- +down\nDROP TABLE t1;\n";

static void make_set(struct migration_set *set, struct migration *items, const char *const *files,
                     const char *const *texts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct err e = {0};
        if (migration_parse(&items[i], files[i], texts[i], strlen(texts[i]), &e))
            fail_msg("%s", e.msg);
    }
    set->items = items;
    set->count = n;
}

static void test_failing_migration_rolls_back(void **state)
{
    struct store *s = *state;
    struct migration items[2];
    struct migration_set set;
    const char *files[] = {"0001_first.sql", "0002_broken.sql"};
    const char *texts[] = {custom1, custom2_broken};
    make_set(&set, items, files, texts, 2);

    struct memout out;
    struct err e = {0};
    memout_open(&out);
    int rc = migrate_up(s, &set, 0, out.f, &e);
    assert_int_equal(rc, ERR_DB);
    assert_int_equal(e.code, ERR_DB);
    assert_contains(e.msg, "migration 2 (broken)");
    assert_contains(e.msg, "statement 2");
    assert_contains(e.msg, "no_such_table");
    assert_contains(e.msg, "version 1");
    /* Migration 1 went through before 2 failed. */
    assert_contains(memout_text(&out), "applied 1 first");
    assert_not_contains(memout_text(&out), "applied 2");
    memout_close(&out);

    /* Statement 1 of migration 2 ran, and was rolled back with the rest. */
    assert_int_equal(memdb_column_count(s, "t2"), 0);
    assert_int_equal(memdb_column_count(s, "t3"), 0);
    assert_int_equal(memdb_column_count(s, "t1"), 1);

    struct migration_history h;
    history(s, &h);
    assert_int_equal(h.count, 1);
    assert_int_equal(migration_history_version(&h), 1);
    migration_history_release(&h);

    /* Once the file is fixed, the same database migrates on. */
    const char *fixed[] = {custom1, custom2_good};
    make_set(&set, items, files, fixed, 2);
    memout_open(&out);
    assert_int_equal(migrate_up(s, &set, 0, out.f, &e), 0);
    assert_contains(memout_text(&out), "applied 2 broken");
    memout_close(&out);
    assert_int_equal(memdb_column_count(s, "t2"), 1);
}

static void test_edited_migration_is_refused(void **state)
{
    struct store *s = *state;
    struct migration items[2];
    struct migration_set set;
    const char *files[] = {"0001_first.sql", "0002_second.sql"};
    const char *texts[] = {custom1, custom2_good};
    make_set(&set, items, files, texts, 1);
    struct memout out;
    struct err e = {0};
    memout_open(&out);
    assert_int_equal(migrate_up(s, &set, 0, out.f, &e), 0);

    /* The same version 1 with a different up part, plus a pending version 2. */
    const char *edited[] = {custom1_edited, custom2_good};
    make_set(&set, items, files, edited, 2);
    assert_int_equal(migrate_up(s, &set, 0, out.f, &e), ERR_SCHEMA);
    assert_int_equal(e.code, ERR_SCHEMA);
    assert_contains(e.msg, "migration 1 (first)");
    assert_contains(e.msg, "edited");
    assert_contains(e.msg, items[0].checksum);
    assert_int_equal(memdb_column_count(s, "t2"), 0); /* nothing was applied */

    err_clear(&e);
    assert_int_equal(migrate_down(s, &set, 0, out.f, &e), ERR_SCHEMA);
    assert_int_equal(memdb_column_count(s, "t1"), 1); /* nothing was reverted */
    memout_close(&out);
}

static void test_newer_database_is_refused(void **state)
{
    struct store *s = *state;
    struct migration items[2];
    struct migration_set set;
    const char *files[] = {"0001_first.sql", "0002_second.sql"};
    const char *texts[] = {custom1, custom2_good};
    make_set(&set, items, files, texts, 2);
    struct memout out;
    struct err e = {0};
    memout_open(&out);
    assert_int_equal(migrate_up(s, &set, 0, out.f, &e), 0);

    set.count = 1; /* an older build that knows only migration 1 */
    assert_int_equal(migrate_up(s, &set, 0, out.f, &e), ERR_SCHEMA);
    assert_contains(e.msg, "migration 2 (second)");
    assert_contains(e.msg, "newer");
    memout_close(&out);

    struct migration_history h;
    history(s, &h);
    assert_int_equal(h.count, 2);
    migration_history_release(&h);
}

static void test_down_without_down_part(void **state)
{
    struct store *s = *state;
    static const char no_down[] = "-- +up\nCREATE TABLE t1 (a INTEGER);\n";
    struct migration items[1];
    struct migration_set set;
    const char *files[] = {"0001_oneway.sql"};
    const char *texts[] = {no_down};
    make_set(&set, items, files, texts, 1);
    struct memout out;
    struct err e = {0};
    memout_open(&out);
    assert_int_equal(migrate_up(s, &set, 0, out.f, &e), 0);
    assert_int_equal(migrate_down(s, &set, 0, out.f, &e), ERR_INVALID);
    assert_contains(e.msg, "migration 1 (oneway)");
    assert_contains(e.msg, "-- +down");
    memout_close(&out);
    assert_int_equal(memdb_column_count(s, "t1"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_name_and_parts),
        cmocka_unit_test(test_parse_versions),
        cmocka_unit_test(test_parse_markers_with_trailing_space_and_cr),
        cmocka_unit_test(test_parse_without_down),
        cmocka_unit_test(test_checksum_covers_up_part_only),
        cmocka_unit_test(test_checksum_is_fnv1a64),
        cmocka_unit_test(test_parse_rejects_bad_names),
        cmocka_unit_test(test_parse_rejects_missing_up),
        cmocka_unit_test(test_builtin_sqlite),
        cmocka_unit_test(test_builtin_postgres),
        cmocka_unit_test_setup_teardown(test_up_all, memdb_setup, memdb_teardown),
        cmocka_unit_test_setup_teardown(test_up_to_version_then_rest, memdb_setup, memdb_teardown),
        cmocka_unit_test_setup_teardown(test_down_to_zero_and_back, memdb_setup, memdb_teardown),
        cmocka_unit_test_setup_teardown(test_failing_migration_rolls_back, memdb_setup,
                                        memdb_teardown),
        cmocka_unit_test_setup_teardown(test_edited_migration_is_refused, memdb_setup,
                                        memdb_teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_is_refused, memdb_setup,
                                        memdb_teardown),
        cmocka_unit_test_setup_teardown(test_down_without_down_part, memdb_setup, memdb_teardown),
    };
    return cmocka_run_group_tests_name("migrate", tests, NULL, NULL);
}
