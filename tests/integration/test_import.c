/*
 * test_import — CSV in and out of draftd, on SQLite and PostgreSQL: POST
 * /api/prospects/import with a generated file of 3,000 rows (duplicates in the file and
 * against the database, bad emails, extra fields, quoted commas and line breaks, CRLF and
 * LF, blank lines, an unknown column) answered with exact counts and exact line numbers;
 * 413, 415 and 422; GET /api/prospects/export.csv streamed over several pages and
 * imported again into an empty database with the same prospects; and `draftd import`:
 * the JSON summary on stdout, exit statuses 0/1/2/3, --if-empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_flow.h"

/* --- helpers --------------------------------------------------------------------------- */

struct text {
    char *p;
    size_t len, cap;
    long long line; /* the physical line the next byte goes on */
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, room, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if ((size_t)n < room) {
            for (int i = 0; i < n; i++)
                if (t->p[t->len + (size_t)i] == '\n') t->line++;
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap ? t->cap * 2 : 64 * 1024;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
}

/* POST body as CSV; asserts the status and returns the JSON answer. */
static json_t *post_csv(int port, const char *body, size_t len, const char *type, long want)
{
    struct h_resp r;
    h_http(&r, port, "POST", "/api/prospects/import", body, len, type);
    if (r.status != want) print_error("import answered %ld: %.2000s\n", r.status, r.body);
    assert_int_equal(r.status, want);
    h_assert_json_type(&r);
    json_t *j = h_json(&r);
    h_resp_release(&r);
    return j;
}

static void start(struct h_db **db, struct h_server *srv)
{
    h_db_create(db);
    h_migrate(*db, NULL);
    h_serve_up(srv, (*db)->url, NULL);
}

static void stop(struct h_db *db, struct h_server *srv)
{
    h_serve_down(srv);
    h_db_drop(db);
}

/* --- import over HTTP -------------------------------------------------------------------- */

enum kind { GOOD, BAD_EMAIL, EXTRA_FIELDS, DUP_FILE, DUP_DB };

#define NROWS 3000
#define NEXISTING 10

/*
 * The generated file, and what draftd must answer for it, worked out while writing it:
 * the line each record starts on (counting the line breaks inside quotes), its kind.
 */
struct expect {
    long long imported, skipped;
    long long err_line[NROWS];
    char err_text[NROWS][64];
    size_t nerr;
};

static void generate(struct text *t, struct expect *x)
{
    static enum kind kind[NROWS];
    t->line = 1;
    put(t, "Email,First Name,Last Name,Company,Title,Website,Notes\r\n");
    for (int i = 0; i < NROWS; i++) {
        const char *eol = i % 2 ? "\n" : "\r\n";
        long long line = t->line;
        if (i % 400 == 399) { /* a blank line: no record */
            put(t, "%s", eol);
            line = t->line;
        }
        if (i % 97 == 5) {
            kind[i] = BAD_EMAIL;
            put(t, "user%d@,Bad,Email,,,,%s", i, eol);
            x->err_line[x->nerr] = line;
            snprintf(x->err_text[x->nerr++], 64, "email \"user%d@\" has nothing after the @", i);
        } else if (i % 101 == 7) {
            kind[i] = EXTRA_FIELDS;
            put(t, "extra%d@example.com,Too,Many,Co,T,https://x.example,note,surplus%s", i, eol);
            x->err_line[x->nerr] = line;
            snprintf(x->err_text[x->nerr++], 64, "the record has 8 fields but the header has 7");
        } else if (i % 50 == 49) {
            int j = i - 10;
            while (kind[j] != GOOD) j--;
            kind[i] = DUP_FILE;
            put(t, "P%d@EXAMPLE.com,Dup,Of %d,,,,%s", j, j, eol);
            x->skipped++;
        } else if (i % 250 == 3) {
            kind[i] = DUP_DB;
            put(t, "Existing%d@Example.com,Already,There,,,,%s", (i / 250) % NEXISTING, eol);
            x->skipped++;
        } else {
            kind[i] = GOOD;
            x->imported++;
            put(t, "p%d@example.com,%s,Last%d,", i, i % 17 == 0 ? "Zo\xC3\xAB" : "First", i);
            if (i % 7 == 0) put(t, "\"Acme, Inc %d\",", i);
            else put(t, "Company %d,", i);
            if (i % 11 == 0) put(t, "\"Head of\nSales\",");
            else put(t, "CTO,");
            put(t, "https://p%d.example,", i);
            if (i % 13 == 0) put(t, "\"line one\r\nline \"\"two\"\"\"");
            else put(t, "n%d", i);
            put(t, "%s", eol);
        }
    }
}

static void a_generated_file_gives_exact_counts_and_lines(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start(&db, &srv);
    for (int k = 0; k < NEXISTING; k++) {
        char sql[160];
        snprintf(sql, sizeof sql, "INSERT INTO prospects (email) VALUES ('existing%d@example.com')",
                 k);
        h_db_exec(db, sql);
    }
    struct text t = {0};
    struct expect *x = calloc(1, sizeof *x);
    assert_non_null(x);
    generate(&t, x);

    json_t *j = post_csv(srv.port, t.p, t.len, "text/csv; charset=utf-8", 200);
    assert_int_equal(h_json_int(j, "imported"), x->imported);
    assert_int_equal(h_json_int(j, "skipped_duplicates"), x->skipped);
    json_t *errors = json_object_get(j, "errors");
    assert_int_equal(json_array_size(errors), x->nerr);
    for (size_t i = 0; i < x->nerr; i++) {
        json_t *e = json_array_get(errors, i);
        if (h_json_int(e, "line") != x->err_line[i])
            fail_msg("error %zu: line %lld, expected %lld (%s)", i, h_json_int(e, "line"),
                     x->err_line[i], h_json_str(e, "message"));
        h_assert_contains(h_json_str(e, "message"), x->err_text[i]);
    }
    assert_null(json_object_get(j, "errors_truncated"));
    json_t *ignored = json_object_get(j, "ignored_columns");
    assert_int_equal(json_array_size(ignored), 1);
    assert_string_equal(json_string_value(json_array_get(ignored, 0)), "Notes");
    json_decref(j);

    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects"), NEXISTING + x->imported);
    char *row = h_db_rows(db, "SELECT first_name, company, title, website FROM prospects "
                              "WHERE email = 'p77@example.com'");
    assert_string_equal(row, "First|Acme, Inc 77|Head of\nSales|https://p77.example\n");
    h_buf_free(row);
    row = h_db_rows(db, "SELECT first_name, company FROM prospects WHERE email = 'p34@example.com'");
    assert_string_equal(row, "Zo\xC3\xAB|Company 34\n");
    h_buf_free(row);

    /* the same file again: every good row is now a duplicate of the database */
    j = post_csv(srv.port, t.p, t.len, "text/csv", 200);
    assert_int_equal(h_json_int(j, "imported"), 0);
    assert_int_equal(h_json_int(j, "skipped_duplicates"), x->imported + x->skipped);
    assert_int_equal(json_array_size(json_object_get(j, "errors")), x->nerr);
    json_decref(j);
    free(t.p);
    free(x);
    stop(db, &srv);
}

static void an_unterminated_quote_keeps_the_rows_before_it(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start(&db, &srv);
    const char *csv = "email,first_name\r\na@example.com,A\r\nb@example.com,\"B\r\nc@example.com,C\r\n";
    json_t *j = post_csv(srv.port, csv, strlen(csv), "text/csv", 200);
    assert_int_equal(h_json_int(j, "imported"), 1);
    json_t *errors = json_object_get(j, "errors");
    assert_int_equal(json_array_size(errors), 1);
    assert_int_equal(h_json_int(json_array_get(errors, 0), "line"), 3);
    h_assert_contains(h_json_str(json_array_get(errors, 0), "message"), "never closed");
    json_decref(j);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects"), 1);
    stop(db, &srv);
}

static void more_than_1000_refused_rows_are_capped(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start(&db, &srv);
    struct text t = {0};
    put(&t, "email\n");
    for (int i = 0; i < 1200; i++) put(&t, "bad%d\n", i);
    put(&t, "good@example.com\n");
    json_t *j = post_csv(srv.port, t.p, t.len, "application/csv", 200);
    assert_int_equal(h_json_int(j, "imported"), 1);
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 1000);
    assert_true(json_is_true(json_object_get(j, "errors_truncated")));
    assert_int_equal(h_json_int(j, "error_count"), 1200);
    assert_int_equal(h_json_int(json_array_get(json_object_get(j, "errors"), 999), "line"), 1001);
    json_decref(j);
    free(t.p);
    stop(db, &srv);
}

static void a_body_over_64_mib_is_413(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    start(&db, &srv);
    h_http_chunked(&r, srv.port, "/api/prospects/import", 64u * 1024 * 1024 + 4096);
    assert_int_equal(r.status, 413);
    h_assert_json_error(&r, "payload_too_large");
    h_resp_release(&r);
    h_assert_health_ok(srv.port);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects"), 0);
    stop(db, &srv);
}

static void the_media_type_must_be_the_file_itself(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start(&db, &srv);
    const char *csv = "email\na@example.com\n";
    static const char *const refused[] = {"application/json", "multipart/form-data; boundary=x",
                                          "application/x-www-form-urlencoded"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        struct h_resp r;
        h_http(&r, srv.port, "POST", "/api/prospects/import", csv, strlen(csv), refused[i]);
        assert_int_equal(r.status, 415);
        h_assert_json_error(&r, "unsupported_media_type");
        h_assert_contains(r.body, "text/csv");
        h_resp_release(&r);
    }
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects"), 0);
    static const char *const accepted[] = {"text/csv", "TEXT/CSV; charset=UTF-8", "text/plain",
                                           "application/octet-stream"};
    for (size_t i = 0; i < sizeof accepted / sizeof *accepted; i++) {
        json_t *j = post_csv(srv.port, csv, strlen(csv), accepted[i], 200);
        assert_int_equal(h_json_int(j, "imported") + h_json_int(j, "skipped_duplicates"), 1);
        json_decref(j);
    }
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects"), 1);
    stop(db, &srv);
}

static void a_refused_file_is_422_and_writes_nothing(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    start(&db, &srv);
    static const struct {
        const char *body, *code;
    } cases[] = {
        {"name,company\nAnn,Acme\n", "missing_email_column"},
        {"email,E-Mail\na@example.com,b@example.com\n", "duplicate_column"},
        {"", "empty_csv"},
        {"\r\n\r\n", "empty_csv"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        h_http(&r, srv.port, "POST", "/api/prospects/import", cases[i].body,
               strlen(cases[i].body), "text/csv");
        if (r.status != 422) print_error("case %zu: %ld %s\n", i, r.status, r.body);
        assert_int_equal(r.status, 422);
        h_assert_json_error(&r, cases[i].code);
        h_resp_release(&r);
    }
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects"), 0);
    stop(db, &srv);
}

/* --- export ---------------------------------------------------------------------------- */

#define NEXPORT 2500

static void export_then_import_gives_the_same_prospects(void **state)
{
    (void)state;
    struct h_db *db, *db2;
    struct h_server srv, srv2;
    struct h_resp r;
    char v[256];
    start(&db, &srv);
    /* more than one page, and a body over the default 1 MiB limit */
    struct text t = {0};
    put(&t, "email,first_name,last_name,company,title,website,notes\n");
    for (int i = 0; i < NEXPORT; i++) {
        put(&t, "x%d@example.com,", i);
        if (i % 5 == 0) put(&t, ",");
        else put(&t, "\"N\xC3\xBA\xC3\xB1" "ez, \"\"%d\"\"\",", i);
        put(&t, "\"Last\r\nLine %d\",", i);
        if (i % 3) put(&t, "\"Co, %d\",", i);
        else put(&t, ",");
        put(&t, "\"Head\nof %d\",https://x%d.example,%0500d\n", i, i, i);
    }
    assert_true(t.len > 1024 * 1024);
    json_t *j = post_csv(srv.port, t.p, t.len, "text/csv", 200);
    assert_int_equal(h_json_int(j, "imported"), NEXPORT);
    json_decref(j);
    free(t.p);
    h_db_exec(db, "UPDATE prospects SET draft_status = 'drafted', "
                  "draft_subject = 'Hello, \"Ann\"', draft_body = 'Line 1\nLine 2', "
                  "title = '  spaced title  ' WHERE email = 'x7@example.com'");

    h_http(&r, srv.port, "GET", "/api/prospects/export.csv", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(h_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "text/csv; charset=utf-8");
    assert_non_null(h_header(&r, "Content-Disposition", v, sizeof v));
    assert_string_equal(v, "attachment; filename=\"prospects.csv\"");
    const char *header = "id,email,first_name,last_name,company,title,website,draft_status,"
                         "draft_subject,draft_body,draft_error,drafted_at,created_at,updated_at\r\n";
    assert_true(strncmp(r.body, header, strlen(header)) == 0);
    h_assert_contains(r.body, ",x7@example.com,\"N\xC3\xBA\xC3\xB1" "ez, \"\"7\"\"\",\"Last\r\nLine 7\","
                              "\"Co, 7\",\"  spaced title  \",https://x7.example,drafted,"
                              "\"Hello, \"\"Ann\"\"\",\"Line 1\nLine 2\",,");
    h_assert_contains(r.body, ",x2499@example.com,");

    h_db_create(&db2);
    h_migrate(db2, NULL);
    h_serve_up(&srv2, db2->url, NULL);
    j = post_csv(srv2.port, r.body, r.body_len, "text/csv", 200);
    h_resp_release(&r);
    assert_int_equal(h_json_int(j, "imported"), NEXPORT);
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 0);
    json_t *ignored = json_object_get(j, "ignored_columns");
    static const char *const extra[] = {"id",          "draft_status", "draft_subject",
                                        "draft_body",  "draft_error",  "drafted_at",
                                        "created_at",  "updated_at"};
    assert_int_equal(json_array_size(ignored), 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(json_string_value(json_array_get(ignored, i)), extra[i]);
    json_decref(j);

    /* the import trims every field: the spaced title comes back as "spaced title" */
    const char *q = "SELECT email, first_name, last_name, company, trim(title), website "
                    "FROM prospects ORDER BY id";
    char *a = h_db_rows(db, q), *b = h_db_rows(db2, q);
    assert_string_equal(a, b);
    h_assert_contains(b, "x7@example.com|N\xC3\xBA\xC3\xB1" "ez, \"7\"|Last\r\nLine 7|Co, 7|spaced title|");
    h_buf_free(a);
    h_buf_free(b);
    h_serve_down(&srv2);
    h_db_drop(db2);
    stop(db, &srv);
}

static void an_empty_export_is_the_header(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    start(&db, &srv);
    h_http(&r, srv.port, "GET", "/api/prospects/export.csv", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "id,email,first_name,last_name,company,title,website,draft_status,"
                                "draft_subject,draft_body,draft_error,drafted_at,created_at,"
                                "updated_at\r\n");
    h_resp_release(&r);
    stop(db, &srv);
}

static void an_export_that_cannot_start_is_a_json_error(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    start(&db, &srv);
    h_db_exec(db, "ALTER TABLE prospects RENAME TO prospects_moved");
    h_http(&r, srv.port, "GET", "/api/prospects/export.csv", NULL, 0, NULL);
    /* A table gone from under the server is schema drift: 503, not a CSV of nothing. */
    assert_int_equal(r.status, 503);
    h_assert_json_type(&r);
    h_assert_json_error(&r, "schema_mismatch");
    h_assert_contains(r.body, "prospects");
    h_resp_release(&r);
    h_db_exec(db, "ALTER TABLE prospects_moved RENAME TO prospects");
    stop(db, &srv);
}

/* --- draftd import ------------------------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void the_command_imports_a_file(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_result res;
    char good[400], bad[400];
    h_db_create(&db);
    h_migrate(db, NULL);
    snprintf(good, sizeof good, "%s/good.csv", db->dir);
    snprintf(bad, sizeof bad, "%s/bad.csv", db->dir);
    write_file(good, "Email,First Name,Company\r\nann@example.com,Ann,\"Acme, Inc\"\r\n"
                     "bob@example.com,Bob,Bobco\r\nANN@example.com,Dup,\r\n");
    write_file(bad, "email,first_name\ncat@example.com,Cat\nnot-an-email,X\n");

    h_run(&res, db->url, NULL, "import", good, NULL);
    h_assert_status(&res, 0);
    assert_string_equal(res.out, "{\"imported\":2,\"skipped_duplicates\":1,\"errors\":[],"
                                 "\"ignored_columns\":[]}\n");
    h_assert_contains(res.err, "imported 2 prospects, skipped 1 duplicate");
    h_result_release(&res);
    char *row = h_db_rows(db, "SELECT first_name, company FROM prospects WHERE email = 'ann@example.com'");
    assert_string_equal(row, "Ann|Acme, Inc\n");
    h_buf_free(row);

    /* a refused row: exit 1, the good one kept, the JSON and the line on the outputs */
    h_run(&res, NULL, NULL, "import", "--database", db->url, bad, NULL);
    h_assert_status(&res, 1);
    h_assert_contains(res.out, "\"imported\":1");
    h_assert_contains(res.out, "{\"line\":3,\"message\":\"email \\\"not-an-email\\\" has no @\"}");
    h_assert_contains(res.err, "bad.csv:3: email \"not-an-email\" has no @");
    h_assert_contains(res.err, "refused 1 row");
    h_result_release(&res);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects"), 3);
    h_db_drop(db);
}

static void the_command_exit_statuses(void **state)
{
    (void)state;
    struct h_db *db, *fresh;
    struct h_result res;
    char path[400], missing[400], empty[400];
    h_db_create(&db);
    h_migrate(db, NULL);
    snprintf(path, sizeof path, "%s/p.csv", db->dir);
    snprintf(missing, sizeof missing, "%s/missing.csv", db->dir);
    snprintf(empty, sizeof empty, "%s/empty.csv", db->dir);
    write_file(path, "email\na@example.com\n");
    write_file(empty, "");

    h_run(&res, db->url, NULL, "import", NULL);
    h_assert_status(&res, 2);
    h_assert_contains(res.err, "FILE");
    h_result_release(&res);
    h_run(&res, db->url, NULL, "import", path, path, NULL);
    h_assert_status(&res, 2);
    h_result_release(&res);
    h_run(&res, db->url, NULL, "import", path, "--nope", NULL);
    h_assert_status(&res, 2);
    h_result_release(&res);

    h_run(&res, db->url, NULL, "import", missing, NULL);
    h_assert_status(&res, 1);
    h_assert_contains(res.err, "cannot read");
    assert_string_equal(res.out, "");
    h_result_release(&res);
    h_run(&res, db->url, NULL, "import", empty, NULL);
    h_assert_status(&res, 1);
    h_assert_contains(res.err, "the CSV is empty");
    assert_string_equal(res.out, "");
    h_result_release(&res);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects"), 0);

    /* --if-empty twice imports once */
    h_run(&res, db->url, NULL, "import", "--if-empty", path, NULL);
    h_assert_status(&res, 0);
    h_assert_contains(res.out, "\"imported\":1");
    h_result_release(&res);
    h_run(&res, db->url, NULL, "import", path, "--if-empty", NULL);
    h_assert_status(&res, 0);
    h_assert_contains(res.err, "the database already has 1 prospect; not importing");
    assert_string_equal(res.out, "");
    h_result_release(&res);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM prospects"), 1);

    /* an unmigrated database: the schema guard first, exit 3 */
    h_db_create(&fresh);
    h_run(&res, fresh->url, NULL, "import", path, NULL);
    h_assert_status(&res, 3);
    h_assert_contains(res.err, "draftd migrate up");
    assert_string_equal(res.out, "");
    h_result_release(&res);
    h_db_drop(fresh);
    h_db_drop(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        H_TEST(a_generated_file_gives_exact_counts_and_lines),
        H_TEST(an_unterminated_quote_keeps_the_rows_before_it),
        H_TEST(more_than_1000_refused_rows_are_capped),
        H_TEST(a_body_over_64_mib_is_413),
        H_TEST(the_media_type_must_be_the_file_itself),
        H_TEST(a_refused_file_is_422_and_writes_nothing),
        H_TEST(export_then_import_gives_the_same_prospects),
        H_TEST(an_empty_export_is_the_header),
        H_TEST(an_export_that_cannot_start_is_a_json_error),
        H_TEST(the_command_imports_a_file),
        H_TEST(the_command_exit_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, h_group_teardown);
}
