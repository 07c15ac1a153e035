/*
 * Tests src/store/schema.c and schema_model.c: schema_check against a real in-memory
 * SQLite database (fully migrated, part-migrated, empty, changed behind draftd's back,
 * with an edited or an unknown migration), the problem texts and lines, and the fix
 * that schema_report_fix names for each kind of report.
 */
#include <stdio.h>
#include <stdlib.h>

#include "store/memdb.h"
#include "store/schema.h"
#include "unit.h"

/* The first problem of kind about table.column (column may be NULL), or NULL. */
static const struct schema_problem *find_problem(const struct schema_report *r,
                                                 enum problem_kind kind, const char *table,
                                                 const char *column)
{
    for (size_t i = 0; i < r->count; i++) {
        const struct schema_problem *p = &r->items[i];
        if (p->kind != kind) continue;
        if (table && strcmp(p->table, table) != 0) continue;
        if (column && strcmp(p->column, column) != 0) continue;
        return p;
    }
    return NULL;
}

static const struct schema_problem *find_version(const struct schema_report *r,
                                                 enum problem_kind kind, int version)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->items[i].kind == kind && r->items[i].version == version) return &r->items[i];
    return NULL;
}

static const struct schema_problem *find_statement(const struct schema_report *r, const char *name)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->items[i].kind == PROBLEM_STATEMENT && strcmp(r->items[i].statement, name) == 0)
            return &r->items[i];
    return NULL;
}

static size_t count_kind(const struct schema_report *r, enum problem_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++)
        n += r->items[i].kind == kind;
    return n;
}

static void print_report(const struct schema_report *r)
{
    char line[1024];
    for (size_t i = 0; i < r->count; i++) {
        schema_problem_line(&r->items[i], line, sizeof line);
        print_message("  problem: %s\n", line);
    }
}

static void run_check(struct store *s, const struct migration_set *set, struct schema_report *r)
{
    struct err e = {0};
    int rc = schema_check(r, s, set, &e);
    if (rc) fail_msg("schema_check: %s", e.msg);
    print_report(r);
}

static void builtin(struct migration_set *set)
{
    struct err e = {0};
    if (migration_set_builtin(set, DB_SQLITE, &e)) fail_msg("%s", e.msg);
}

static void line_of(const struct schema_problem *p, char *buf, size_t len)
{
    assert_non_null(p);
    schema_problem_line(p, buf, len);
}

/* ---- against the database -------------------------------------------------------------- */

/* Each modelled index and trigger, dropped alone (in a fresh database), is reported by name
 * and purpose, and nothing else is. */
static void test_missing_objects(void **state)
{
    struct migration_set set;
    builtin(&set);
    for (size_t i = 0; i < schema_objects_count; i++) {
        const struct model_object *o = &schema_objects[i];
        memdb_teardown(state);
        assert_int_equal(memdb_setup(state), 0);
        struct store *s = *state;
        memdb_migrate(s, 0);
        char sql[256];
        snprintf(sql, sizeof sql, "DROP %s %s;", o->kind, o->name);
        memdb_exec(s, sql);
        struct schema_report r;
        run_check(s, &set, &r);
        assert_int_equal(r.count, 1);
        assert_int_equal(r.items[0].kind, PROBLEM_MISSING_OBJECT);
        assert_ptr_equal(r.items[0].object, o);
        char line[1024], want[512];
        line_of(&r.items[0], line, sizeof line);
        snprintf(want, sizeof want, "%s: missing %s %s (%s)", o->table, o->kind, o->name,
                 o->purpose);
        assert_string_equal(line, want);
        assert_contains(schema_report_fix(&r), "indexes and triggers");
        schema_report_release(&r);
    }
    migration_set_release(&set);
}

static void test_fully_migrated_has_no_problems(void **state)
{
    struct store *s = *state;
    struct migration_set set;
    builtin(&set);
    memdb_migrate(s, 0);
    struct schema_report r;
    run_check(s, &set, &r);
    assert_int_equal(r.count, 0);
    assert_int_equal(r.schema_version, (int)set.count);
    assert_int_equal(r.latest_version, (int)set.count);
    schema_report_release(&r);
    assert_null(r.items);
    assert_int_equal(r.count, 0);
    migration_set_release(&set);
}

static void test_at_version_1(void **state)
{
    struct store *s = *state;
    struct migration_set set;
    builtin(&set);
    memdb_migrate(s, 1);
    struct schema_report r;
    run_check(s, &set, &r);
    assert_int_equal(r.schema_version, 1);
    assert_int_equal(r.latest_version, (int)set.count);

    /* History: 2 and later pending, 1 not. */
    const struct schema_problem *p2 = find_version(&r, PROBLEM_PENDING, 2);
    const struct schema_problem *p3 = find_version(&r, PROBLEM_PENDING, 3);
    assert_non_null(p2);
    assert_non_null(p3);
    assert_string_equal(p2->name, "add_job_progress_columns");
    assert_string_equal(p3->name, "pipeline");
    assert_null(find_version(&r, PROBLEM_PENDING, 1));
    assert_int_equal(count_kind(&r, PROBLEM_PENDING), (int)set.count - 1);
    assert_int_equal(count_kind(&r, PROBLEM_CHECKSUM), 0);
    assert_int_equal(count_kind(&r, PROBLEM_UNKNOWN), 0);

    /* Columns of migration 2, with what the model expects. */
    const struct schema_problem *dc =
        find_problem(&r, PROBLEM_MISSING_COLUMN, "jobs", "drafts_created");
    const struct schema_problem *tt =
        find_problem(&r, PROBLEM_MISSING_COLUMN, "jobs", "total_targets");
    assert_non_null(dc);
    assert_non_null(tt);
    assert_string_equal(dc->expected, "INTEGER NOT NULL");
    assert_string_equal(tt->expected, "INTEGER NULL");
    assert_non_null(find_problem(&r, PROBLEM_MISSING_COLUMN, "jobs", "drafts_failed"));
    /* Columns migration 1 created are not reported. */
    assert_null(find_problem(&r, PROBLEM_MISSING_COLUMN, "jobs", "job_type"));
    assert_null(find_problem(&r, PROBLEM_MISSING_COLUMN, "prospects", NULL));
    assert_int_equal(count_kind(&r, PROBLEM_WRONG_TYPE), 0);
    assert_int_equal(count_kind(&r, PROBLEM_WRONG_NULLABILITY), 0);

    /* Tables of migration 3. */
    assert_non_null(find_problem(&r, PROBLEM_MISSING_TABLE, "templates", NULL));
    assert_non_null(find_problem(&r, PROBLEM_MISSING_TABLE, "job_targets", NULL));
    assert_null(find_problem(&r, PROBLEM_MISSING_TABLE, "jobs", NULL));

    /* Statements that use what is missing do not prepare; the others do. */
    const struct schema_problem *ji = find_statement(&r, "job_insert");
    assert_non_null(ji);
    assert_true(strlen(ji->detail) > 0);
    assert_non_null(find_statement(&r, "job_get"));
    assert_non_null(find_statement(&r, "template_get"));
    assert_null(find_statement(&r, "prospect_get"));
    assert_null(find_statement(&r, "health_ping"));

    /* The lines a person reads. */
    char line[1024], want[1024];
    line_of(dc, line, sizeof line);
    assert_string_equal(line, "jobs.drafts_created: missing column (expected INTEGER NOT NULL)");
    line_of(tt, line, sizeof line);
    assert_string_equal(line, "jobs.total_targets: missing column (expected INTEGER NULL)");
    line_of(find_problem(&r, PROBLEM_MISSING_TABLE, "templates", NULL), line, sizeof line);
    assert_string_equal(line, "templates: missing table");
    line_of(p2, line, sizeof line);
    assert_string_equal(line, "migration 2 (add_job_progress_columns): pending");
    line_of(ji, line, sizeof line);
    snprintf(want, sizeof want, "statement job_insert: does not prepare: %s", ji->detail);
    assert_string_equal(line, want);

    assert_string_equal(schema_report_fix(&r), "draftd migrate up");

    /* schema_report_print: every line, then the fix. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    schema_report_print(&r, f);
    fclose(f);
    assert_contains(text, "migration 3 (pipeline): pending\n");
    assert_contains(text, "templates: missing table\n");
    assert_contains(text, "\nfix: draftd migrate up\n");
    size_t lines = 0;
    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    free(text);
    assert_int_equal(lines, r.count + 1);

    schema_report_release(&r);
    migration_set_release(&set);
}

static void test_empty_database(void **state)
{
    struct store *s = *state;
    struct migration_set set;
    builtin(&set);
    struct schema_report r;
    run_check(s, &set, &r);
    assert_int_equal(r.schema_version, 0);
    assert_int_equal(count_kind(&r, PROBLEM_PENDING), (int)set.count);
    for (size_t i = 0; i < schema_model_count; i++)
        assert_non_null(find_problem(&r, PROBLEM_MISSING_TABLE, schema_model[i].name, NULL));
    assert_int_equal(count_kind(&r, PROBLEM_MISSING_COLUMN), 0);
    assert_string_equal(schema_report_fix(&r), "draftd migrate up");
    schema_report_release(&r);
    migration_set_release(&set);
}

/* Changed outside the migrations: nothing pending, so migrate up is not the fix. */
static void test_changed_behind_drafts_back(void **state)
{
    struct store *s = *state;
    struct migration_set set;
    builtin(&set);
    memdb_migrate(s, 0);
    memdb_exec(s, "ALTER TABLE jobs DROP COLUMN total_targets;"
                  "DROP TABLE templates;"
                  "CREATE TABLE templates (name TEXT NOT NULL PRIMARY KEY, subject TEXT, "
                  "body INTEGER NOT NULL, updated_at TEXT NOT NULL);");
    struct schema_report r;
    run_check(s, &set, &r);
    assert_int_equal(count_kind(&r, PROBLEM_PENDING), 0);
    assert_int_equal(r.schema_version, (int)set.count);

    assert_non_null(find_problem(&r, PROBLEM_MISSING_COLUMN, "jobs", "total_targets"));
    const struct schema_problem *body = find_problem(&r, PROBLEM_WRONG_TYPE, "templates", "body");
    const struct schema_problem *subj =
        find_problem(&r, PROBLEM_WRONG_NULLABILITY, "templates", "subject");
    assert_non_null(body);
    assert_non_null(subj);
    assert_string_equal(body->expected, "TEXT NOT NULL");
    assert_string_equal(body->actual, "INTEGER NOT NULL");
    assert_string_equal(subj->expected, "TEXT NOT NULL");
    assert_string_equal(subj->actual, "TEXT NULL");
    assert_null(find_problem(&r, PROBLEM_WRONG_TYPE, "templates", "name"));
    assert_non_null(find_statement(&r, "job_get")); /* selects total_targets */

    char line[1024];
    line_of(body, line, sizeof line);
    assert_string_equal(line,
                        "templates.body: wrong type: INTEGER NOT NULL, expected TEXT NOT NULL");
    line_of(subj, line, sizeof line);
    assert_string_equal(line,
                        "templates.subject: wrong nullability: TEXT NULL, expected TEXT NOT NULL");

    const char *fix = schema_report_fix(&r);
    assert_string_not_equal(fix, "draftd migrate up");
    assert_contains(fix, "outside");
    schema_report_release(&r);
    migration_set_release(&set);
}

static void test_edited_migration(void **state)
{
    struct store *s = *state;
    struct migration_set set;
    builtin(&set);
    memdb_migrate(s, 0);
    char applied[17];
    memcpy(applied, set.items[1].checksum, sizeof applied);
    /* This "build" has a different migration 2 than the one applied. */
    memcpy(set.items[1].checksum, "0123456789abcdef", 17);

    struct schema_report r;
    run_check(s, &set, &r);
    const struct schema_problem *p = find_version(&r, PROBLEM_CHECKSUM, 2);
    assert_non_null(p);
    assert_int_equal(r.count, 1);
    assert_string_equal(p->name, "add_job_progress_columns");
    assert_string_equal(p->expected, "0123456789abcdef");
    assert_string_equal(p->actual, applied);
    char line[1024], want[1024];
    line_of(p, line, sizeof line);
    snprintf(want, sizeof want,
             "migration 2 (add_job_progress_columns): edited after it was applied (applied "
             "checksum %s, this build 0123456789abcdef)",
             applied);
    assert_string_equal(line, want);
    assert_contains(schema_report_fix(&r), "restore the edited migration");
    schema_report_release(&r);
    migration_set_release(&set);
}

static void test_unknown_migration(void **state)
{
    struct store *s = *state;
    struct migration_set set;
    builtin(&set);
    memdb_migrate(s, 0);
    size_t all = set.count;
    set.count = 2; /* an older build: it knows 1 and 2 only */

    struct schema_report r;
    run_check(s, &set, &r);
    const struct schema_problem *p = find_version(&r, PROBLEM_UNKNOWN, 3);
    assert_non_null(p);
    assert_string_equal(p->name, "pipeline");
    assert_int_equal(r.latest_version, 2);
    assert_int_equal(r.schema_version, (int)all);
    char line[1024];
    line_of(p, line, sizeof line);
    assert_string_equal(line, "migration 3 (pipeline): applied but unknown to this build");
    assert_contains(schema_report_fix(&r), "newer draftd");
    schema_report_release(&r);
    migration_set_release(&set);
}

/* ---- formatting, without a database ----------------------------------------------------- */

static void test_problem_lines(void **state)
{
    (void)state;
    static const struct {
        struct schema_problem p;
        const char *text, *line;
    } cases[] = {
        {{.kind = PROBLEM_PENDING, .version = 2, .name = "add_job_progress_columns"},
         "pending",
         "migration 2 (add_job_progress_columns): pending"},
        {{.kind = PROBLEM_UNKNOWN, .version = 9, .name = "future"},
         "applied but unknown to this build",
         "migration 9 (future): applied but unknown to this build"},
        {{.kind = PROBLEM_MISSING_TABLE, .table = "templates"},
         "missing",
         "templates: missing table"},
        {{.kind = PROBLEM_MISSING_COLUMN,
          .table = "jobs",
          .column = "drafts_created",
          .expected = "INTEGER NOT NULL"},
         "missing",
         "jobs.drafts_created: missing column (expected INTEGER NOT NULL)"},
        {{.kind = PROBLEM_MISSING_COLUMN,
          .table = "jobs",
          .column = "drafts_created",
          .expected = "integer NOT NULL"},
         "missing",
         "jobs.drafts_created: missing column (expected integer NOT NULL)"},
        {{.kind = PROBLEM_WRONG_TYPE,
          .table = "jobs",
          .column = "redraft",
          .expected = "boolean NOT NULL",
          .actual = "integer NOT NULL"},
         "wrong type: integer NOT NULL, expected boolean NOT NULL",
         "jobs.redraft: wrong type: integer NOT NULL, expected boolean NOT NULL"},
        {{.kind = PROBLEM_WRONG_NULLABILITY,
          .table = "prospects",
          .column = "email",
          .expected = "TEXT NOT NULL",
          .actual = "TEXT NULL"},
         "wrong nullability: TEXT NULL, expected TEXT NOT NULL",
         "prospects.email: wrong nullability: TEXT NULL, expected TEXT NOT NULL"},
        {{.kind = PROBLEM_STATEMENT,
          .statement = "job_insert",
          .detail = "table jobs has no column named drafts_created"},
         "does not prepare: table jobs has no column named drafts_created",
         "statement job_insert: does not prepare: table jobs has no column named drafts_created"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024], line[1024];
        schema_problem_text(&cases[i].p, text, sizeof text);
        schema_problem_line(&cases[i].p, line, sizeof line);
        assert_string_equal(text, cases[i].text);
        assert_string_equal(line, cases[i].line);
    }

    /* A short buffer truncates but stays terminated. */
    char small[10];
    memset(small, 'z', sizeof small);
    schema_problem_line(&cases[3].p, small, sizeof small);
    assert_string_equal(small, "jobs.draf");
}

static void test_report_fix_precedence(void **state)
{
    (void)state;
    struct schema_problem items[3];
    memset(items, 0, sizeof items);
    struct schema_report r = {.items = items};

    items[0].kind = PROBLEM_MISSING_COLUMN;
    r.count = 1;
    const char *outside = schema_report_fix(&r);
    assert_string_not_equal(outside, "draftd migrate up");

    items[1].kind = PROBLEM_PENDING;
    r.count = 2;
    assert_string_equal(schema_report_fix(&r), "draftd migrate up");

    items[2].kind = PROBLEM_CHECKSUM; /* an edited file is fixed first */
    r.count = 3;
    const char *edited = schema_report_fix(&r);
    assert_contains(edited, "restore the edited migration");

    items[0].kind = PROBLEM_UNKNOWN; /* a newer database trumps everything */
    assert_contains(schema_report_fix(&r), "newer draftd");
}

static void test_model_type_names(void **state)
{
    (void)state;
    assert_string_equal(schema_type_name(DB_SQLITE, COL_ID), "INTEGER");
    assert_string_equal(schema_type_name(DB_SQLITE, COL_BOOL), "INTEGER");
    assert_string_equal(schema_type_name(DB_SQLITE, COL_TIME), "TEXT");
    assert_string_equal(schema_type_name(DB_POSTGRES, COL_ID), "bigint");
    assert_string_equal(schema_type_name(DB_POSTGRES, COL_INT), "integer");
    assert_string_equal(schema_type_name(DB_POSTGRES, COL_BOOL), "boolean");
    assert_string_equal(schema_type_name(DB_POSTGRES, COL_TIME), "timestamp with time zone");

    /* The model names every table once, and every table has columns. */
    assert_true(schema_model_count >= 5);
    for (size_t i = 0; i < schema_model_count; i++) {
        assert_true(schema_model[i].ncolumns > 0);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(schema_model[i].name, schema_model[j].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fully_migrated_has_no_problems, memdb_setup,
                                        memdb_teardown),
        cmocka_unit_test_setup_teardown(test_at_version_1, memdb_setup, memdb_teardown),
        cmocka_unit_test_setup_teardown(test_missing_objects, memdb_setup, memdb_teardown),
        cmocka_unit_test_setup_teardown(test_empty_database, memdb_setup, memdb_teardown),
        cmocka_unit_test_setup_teardown(test_changed_behind_drafts_back, memdb_setup,
                                        memdb_teardown),
        cmocka_unit_test_setup_teardown(test_edited_migration, memdb_setup, memdb_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_migration, memdb_setup, memdb_teardown),
        cmocka_unit_test(test_problem_lines),
        cmocka_unit_test(test_report_fix_precedence),
        cmocka_unit_test(test_model_type_names),
    };
    return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
