/*
 * test_csv_import — the CSV import service (src/core/csv_import.c) on in-memory input and
 * an in-memory migrated SQLite database (memdb.h): header mapping, the line a refused
 * record is reported by (quoted line breaks, CRLF, lone CR, blank lines, a BOM), value
 * checks, duplicates in the file and in the database, an unterminated quote, stray
 * quotes, the caps, batching and the JSON summary. Most inputs are fed whole and again
 * in tiny chunks (1, 2, 3, 7 bytes), which must give the same result.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/csv_import.h"
#include "core/prospect.h"
#include "store/memdb.h"

/* --- helpers ------------------------------------------------------------------------ */

static int setup(void **state)
{
    if (memdb_setup(state)) return -1;
    memdb_migrate(*state, 0);
    return 0;
}

/* Imports text fed in pieces of chunk bytes (0: whole); returns the import (caller frees)
 * and the rc of feed/finish in *rc. */
static struct csv_import *import_chunked(struct store *s, const char *text, size_t len,
                                         size_t chunk, int *rc, struct err *e)
{
    struct csv_import *im = NULL;
    if (csv_import_new(&im, s, e)) fail_msg("csv_import_new: %s", e->msg);
    *rc = 0;
    size_t step = chunk ? chunk : (len ? len : 1);
    for (size_t off = 0; off < len && !*rc; off += step)
        *rc = csv_import_feed(im, text + off, off + step <= len ? step : len - off, e);
    if (!*rc) *rc = csv_import_finish(im, e);
    return im;
}

static struct csv_import *import_ok(struct store *s, const char *text, size_t chunk)
{
    int rc;
    struct err e = {0};
    struct csv_import *im = import_chunked(s, text, strlen(text), chunk, &rc, &e);
    if (rc) fail_msg("import failed (%d): %s", rc, e.msg);
    return im;
}

static long long count_rows(struct store *s)
{
    long long n = -1;
    struct err e = {0};
    if (store_query_int(s, STMT_PROSPECT_COUNT, NULL, 0, &n, &e)) fail_msg("%s", e.msg);
    return n;
}

/* The prospect with this email (exact), as "first|last|company|title|website" with NULL as
 * "~"; "" when there is none. */
static void row_of(struct store *s, const char *email, char *out, size_t len)
{
    struct store_rows *r = NULL;
    struct err e = {0};
    struct sval p[2] = {SV_INT(0), SV_INT(1000000)};
    out[0] = '\0';
    if (store_query(s, STMT_CSV_EXPORT_PAGE, p, 2, &r, &e)) fail_msg("%s", e.msg);
    int rc;
    while ((rc = store_rows_next(r, &e)) == 1) {
        if (strcmp(store_rows_text(r, 1), email) != 0) continue;
        size_t used = 0;
        for (int c = 2; c <= 6; c++) {
            const char *v = store_rows_text(r, c);
            used += (size_t)snprintf(out + used, len - used, "%s%s", c > 2 ? "|" : "",
                                     v ? v : "~");
            if (used >= len) break;
        }
    }
    store_rows_free(r);
    if (rc < 0) fail_msg("%s", e.msg);
}

static void clear(struct store *s)
{
    memdb_exec(s, "DELETE FROM prospects");
}

/* Asserts error i of the result is on line with a message containing needle. */
static void assert_error(const struct csv_import *im, size_t i, long long line, const char *needle)
{
    const struct csv_import_result *r = csv_import_result(im);
    if (i >= r->nerrors) fail_msg("expected an error #%zu (line %lld), have %zu", i, line, r->nerrors);
    if (r->errors[i].line != line)
        fail_msg("error #%zu: line %lld, expected %lld (%s)", i, r->errors[i].line, line,
                 r->errors[i].message);
    assert_contains(r->errors[i].message, needle);
}

static const size_t chunks[] = {0, 1, 2, 3, 7};
#define NCHUNKS (sizeof chunks / sizeof *chunks)

/* --- header ---------------------------------------------------------------------------- */

static void imports_rows_trimmed_with_empty_as_null(void **state)
{
    struct store *s = *state;
    const char *csv = "email,first_name,last_name,company,title,website\n"
                      "ada@example.com,  Ada ,Lovelace,Analytical Engines,CTO,https://a.example\n"
                      "bob@example.org,Bob,,,,\n"
                      "  \" carol@example.test \" ,\"  \",Ng\n";
    for (size_t c = 0; c < NCHUNKS; c++) {
        struct csv_import *im = import_ok(s, csv, chunks[c]);
        const struct csv_import_result *r = csv_import_result(im);
        assert_int_equal(r->imported, 3);
        assert_int_equal(r->skipped_duplicates, 0);
        assert_int_equal(r->error_count, 0);
        assert_int_equal(r->records, 3);
        char row[512];
        row_of(s, "ada@example.com", row, sizeof row);
        assert_string_equal(row, "Ada|Lovelace|Analytical Engines|CTO|https://a.example");
        row_of(s, "bob@example.org", row, sizeof row);
        assert_string_equal(row, "Bob|~|~|~|~");
        row_of(s, "carol@example.test", row, sizeof row);
        assert_string_equal(row, "~|Ng|~|~|~");
        csv_import_free(im);
        clear(s);
    }
}

static void header_names_match_loosely_and_unknown_columns_are_listed(void **state)
{
    struct store *s = *state;
    const char *csv = "Notes,E-Mail, First Name ,LAST_NAME,Job Title,Company,,website\n"
                      "hello,dee@example.com,Dee,Dow,Boss,Dow Inc,x,https://dow.example\n";
    struct csv_import *im = import_ok(s, csv, 0);
    const struct csv_import_result *r = csv_import_result(im);
    assert_int_equal(r->imported, 1);
    assert_int_equal(r->nignored, 2);
    assert_string_equal(r->ignored_columns[0], "Notes");
    assert_string_equal(r->ignored_columns[1], "Job Title");
    char row[512];
    row_of(s, "dee@example.com", row, sizeof row);
    assert_string_equal(row, "Dee|Dow|Dow Inc|~|https://dow.example");
    csv_import_free(im);
}

static void a_bom_before_the_header_is_skipped(void **state)
{
    struct store *s = *state;
    const char *csv = "\xEF\xBB\xBF" "Email,First Name\r\n"
                      "eve@example.com,Eve\r\n"
                      "bad,Nope\r\n";
    for (size_t c = 0; c < NCHUNKS; c++) {
        struct csv_import *im = import_ok(s, csv, chunks[c]);
        assert_int_equal(csv_import_result(im)->imported, 1);
        assert_int_equal(csv_import_result(im)->nignored, 0);
        assert_error(im, 0, 3, "email \"bad\" has no @");
        csv_import_free(im);
        clear(s);
    }
}

static void assert_refused(struct store *s, const char *csv, const char *problem,
                           const char *needle)
{
    for (size_t c = 0; c < NCHUNKS; c++) {
        int rc;
        struct err e = {0};
        struct csv_import *im = import_chunked(s, csv, strlen(csv), chunks[c], &rc, &e);
        assert_int_equal(rc, ERR_INVALID);
        assert_non_null(csv_import_problem(im));
        assert_string_equal(csv_import_problem(im), problem);
        assert_contains(e.msg, needle);
        assert_int_equal(count_rows(s), 0);
        csv_import_free(im);
    }
}

static void a_header_without_email_refuses_the_file(void **state)
{
    assert_refused(*state, "name,company\nann@example.com,Acme\n", "missing_email_column",
                   "no email column");
}

static void two_columns_for_one_field_refuse_the_file(void **state)
{
    assert_refused(*state, "email,First Name,first_name\na@example.com,A,B\n", "duplicate_column",
                   "first_name twice");
}

static void empty_input_is_refused(void **state)
{
    assert_refused(*state, "", "empty_csv", "empty");
    assert_refused(*state, "\xEF\xBB\xBF", "empty_csv", "empty");
    assert_refused(*state, "\r\n\n  \n", "empty_csv", "empty");
}

static void too_many_columns_refuse_the_file(void **state)
{
    char csv[4096] = "email";
    for (int i = 0; i < CSV_IMPORT_MAX_COLUMNS; i++) strcat(csv, ",c");
    strcat(csv, "\n");
    assert_refused(*state, csv, "too_many_columns", "more than");
}

static void a_header_only_file_imports_nothing(void **state)
{
    struct csv_import *im = import_ok(*state, "email\n", 0);
    assert_int_equal(csv_import_result(im)->imported, 0);
    assert_int_equal(csv_import_result(im)->records, 0);
    csv_import_free(im);
}

/* --- line numbers ----------------------------------------------------------------------- */

static void lines_count_quoted_line_breaks_crlf_and_blank_lines(void **state)
{
    struct store *s = *state;
    const char *csv = "email,first_name,company\n"                    /* 1 */
                      "a@example.com,Ann,\"Acme\n"                    /* 2 */
                      "Widgets, Inc\"\n"                              /* 3 */
                      "bad-email,Bob,Foo\n"                           /* 4: refused */
                      "\"c@example.com\",\"Multi\r\nLine\nName\",Z\r\n" /* 5-7 */
                      "\n"                                            /* 8: blank */
                      "   \n"                                         /* 9: blank */
                      ",,\n"                                          /* 10: blank */
                      "d@,Dan,Q\r\n"                                  /* 11: refused */
                      "\"e@example.com\",\"lone\rcr\",E\n"            /* 12-13 */
                      "f@example.com,\"\r\n\r\n\",F\n"                /* 14-16 */
                      "x@y,Xavier,X\n";                              /* 17: refused */
    for (size_t c = 0; c < NCHUNKS; c++) {
        struct csv_import *im = import_ok(s, csv, chunks[c]);
        const struct csv_import_result *r = csv_import_result(im);
        assert_int_equal(r->imported, 4);
        assert_int_equal(r->error_count, 3);
        assert_int_equal(r->records, 7);
        assert_error(im, 0, 4, "email \"bad-email\" has no @");
        assert_error(im, 1, 11, "email \"d@\" has nothing after the @");
        assert_error(im, 2, 17, "email \"x@y\" has a domain without a dot");
        char row[512];
        row_of(s, "a@example.com", row, sizeof row);
        assert_string_equal(row, "Ann|~|Acme\nWidgets, Inc|~|~");
        row_of(s, "c@example.com", row, sizeof row);
        assert_string_equal(row, "Multi\r\nLine\nName|~|Z|~|~");
        row_of(s, "e@example.com", row, sizeof row);
        assert_string_equal(row, "lone\rcr|~|E|~|~");
        row_of(s, "f@example.com", row, sizeof row); /* only line breaks: trimmed to NULL */
        assert_string_equal(row, "~|~|F|~|~");
        csv_import_free(im);
        clear(s);
    }
}

static void lone_cr_line_ends_count_as_lines(void **state)
{
    struct store *s = *state;
    const char *csv = "email,first_name\ra@example.com,A\r\rnope,N\rb@example.com,B";
    for (size_t c = 0; c < NCHUNKS; c++) {
        struct csv_import *im = import_ok(s, csv, chunks[c]);
        assert_int_equal(csv_import_result(im)->imported, 2);
        assert_error(im, 0, 4, "has no @");
        csv_import_free(im);
        clear(s);
    }
}

static void blank_lines_before_the_header_are_counted(void **state)
{
    struct csv_import *im = import_ok(*state, "\n\r\nemail\nok@example.com\n\n@x.example\n", 0);
    assert_int_equal(csv_import_result(im)->imported, 1);
    assert_error(im, 0, 6, "has nothing before the @");
    csv_import_free(im);
}

static void a_record_whose_first_field_spans_lines_is_reported_where_it_starts(void **state)
{
    struct store *s = *state;
    const char *csv = "email,first_name\r\n"
                      "  \"two\r\nlines@example.com\",A\r\n" /* 2-3: refused */
                      "\t\"ok@example.com\",\"B\r\n\r\nB\"\r\n" /* 4-6 */
                      "\"\n\nthree@\",C\n";                      /* 7-9: refused */
    for (size_t c = 0; c < NCHUNKS; c++) {
        struct csv_import *im = import_ok(s, csv, chunks[c]);
        assert_int_equal(csv_import_result(im)->imported, 1);
        assert_error(im, 0, 2, "email \"two\\r\\nlines@example.com\" has a space or a character");
        assert_error(im, 1, 7, "email \"three@\" has nothing after the @");
        csv_import_free(im);
        clear(s);
    }
}

static void unknown_columns_with_invalid_utf8_are_listed_cleaned(void **state)
{
    struct csv_import *im = import_ok(*state, "email,Not\xFF" "es\na@example.com,x\n", 0);
    assert_int_equal(csv_import_result(im)->nignored, 1);
    assert_string_equal(csv_import_result(im)->ignored_columns[0], "Not?es");
    json_t *j = csv_import_summary(im);
    assert_non_null(j);
    json_decref(j);
    csv_import_free(im);
}

/* --- records ------------------------------------------------------------------------------ */

static void more_fields_than_the_header_is_refused_fewer_is_fine(void **state)
{
    struct store *s = *state;
    const char *csv = "email,first_name,last_name\n"
                      "a@example.com\n"
                      "b@example.com,B,Bee,extra\n"
                      "c@example.com,C\n";
    struct csv_import *im = import_ok(s, csv, 0);
    assert_int_equal(csv_import_result(im)->imported, 2);
    assert_error(im, 0, 3, "the record has 4 fields but the header has 3 columns");
    char row[256];
    row_of(s, "c@example.com", row, sizeof row);
    assert_string_equal(row, "C|~|~|~|~");
    csv_import_free(im);
}

static void invalid_utf8_and_nul_bytes_are_refused(void **state)
{
    struct store *s = *state;
    static const char csv[] = "email,first_name,company\n"
                              "a@example.com,Jos\xC3\xA9,Caf\xC3\xA9 \xE2\x82\xAC\n" /* valid */
                              "b@example.com,Bad\xC3,X\n"           /* truncated sequence */
                              "c@example.com,Ok,\xED\xA0\x80\n"      /* a surrogate */
                              "d@example.com,\xC0\xAF,X\n"           /* overlong */
                              "e@example.com,N\0L,X\n";             /* a NUL byte */
    for (size_t c = 0; c < NCHUNKS; c++) {
        int rc;
        struct err e = {0};
        struct csv_import *im = import_chunked(s, csv, sizeof csv - 1, chunks[c], &rc, &e);
        assert_int_equal(rc, 0);
        assert_int_equal(csv_import_result(im)->imported, 1);
        assert_error(im, 0, 3, "first_name is not valid UTF-8 (byte 4");
        assert_error(im, 1, 4, "company is not valid UTF-8 (byte 1");
        assert_error(im, 2, 5, "first_name is not valid UTF-8");
        assert_error(im, 3, 6, "first_name contains a NUL byte");
        char row[256];
        row_of(s, "a@example.com", row, sizeof row);
        assert_string_equal(row, "Jos\xC3\xA9|~|Caf\xC3\xA9 \xE2\x82\xAC|~|~");
        /* the summary is JSON text (jansson refuses invalid UTF-8) */
        json_t *j = csv_import_summary(im);
        assert_non_null(j);
        json_decref(j);
        csv_import_free(im);
        clear(s);
    }
}

static void values_over_the_limits_are_refused(void **state)
{
    struct store *s = *state;
    size_t cap = 8192;
    char *csv = malloc(cap);
    assert_non_null(csv);
    char longname[PROSPECT_FIELD_MAX + 2], longmail[PROSPECT_EMAIL_MAX + 2];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    memset(longmail, 'm', sizeof longmail - 1);
    memcpy(longmail + sizeof longmail - 13, "@example.com", 13);
    snprintf(csv, cap, "email,company\nok@example.com,%.*s\nx@example.com,%s\n%s,Z\n",
             PROSPECT_FIELD_MAX, longname, longname, longmail);
    struct csv_import *im = import_ok(s, csv, 0);
    assert_int_equal(csv_import_result(im)->imported, 1); /* 1000 bytes is allowed */
    assert_error(im, 0, 3, "company is 1001 bytes long; at most 1000 are allowed");
    assert_error(im, 1, 4, "email is 255 bytes long; at most 254 are allowed");
    csv_import_free(im);
    free(csv);
}

static void an_empty_email_is_refused(void **state)
{
    struct csv_import *im = import_ok(*state, "first_name,email\nAnn,\nBea\n", 0);
    assert_int_equal(csv_import_result(im)->imported, 0);
    assert_error(im, 0, 2, "email is empty");
    assert_error(im, 1, 3, "email is empty");
    csv_import_free(im);
}

static void a_long_bad_email_is_quoted_cut_short(void **state)
{
    char csv[512] = "email\n", want[128] = "email \"";
    memset(csv + 6, 'a', 200);
    strcpy(csv + 206, "@\n");
    memset(want + 7, 'a', 80);
    strcpy(want + 87, "...\" has nothing after the @");
    struct csv_import *im = import_ok(*state, csv, 0);
    assert_error(im, 0, 2, want);
    assert_true(strlen(csv_import_result(im)->errors[0].message) < 128);
    csv_import_free(im);
}

static void duplicates_in_the_file_and_in_the_database_are_skipped(void **state)
{
    struct store *s = *state;
    const char *csv = "email,first_name\n"
                      "Ann@Example.com,First\n"
                      "ann@example.COM,Second\n"
                      "bob@example.com,Bob\n"
                      "ANN@EXAMPLE.COM,Third\n";
    struct csv_import *im = import_ok(s, csv, 0);
    assert_int_equal(csv_import_result(im)->imported, 2);
    assert_int_equal(csv_import_result(im)->skipped_duplicates, 2);
    assert_int_equal(csv_import_result(im)->error_count, 0);
    char row[256];
    row_of(s, "Ann@Example.com", row, sizeof row); /* the first one wins, as written */
    assert_string_equal(row, "First|~|~|~|~");
    csv_import_free(im);

    im = import_ok(s, "email\nBOB@example.com\nnew@example.com\n", 0);
    assert_int_equal(csv_import_result(im)->imported, 1);
    assert_int_equal(csv_import_result(im)->skipped_duplicates, 1);
    assert_int_equal(count_rows(s), 3);
    csv_import_free(im);
}

static void an_unterminated_quote_is_one_error_at_its_start(void **state)
{
    struct store *s = *state;
    const char *csv = "email,first_name\n"
                      "a@example.com,A\n"
                      "b@example.com,\"B\n"
                      "c@example.com,C\n"
                      "d@example.com,D\n";
    for (size_t c = 0; c < NCHUNKS; c++) {
        struct csv_import *im = import_ok(s, csv, chunks[c]);
        const struct csv_import_result *r = csv_import_result(im);
        assert_int_equal(r->imported, 1);
        assert_int_equal(r->error_count, 1);
        assert_error(im, 0, 3, "never closed");
        csv_import_free(im);
        clear(s);
    }
}

static void stray_quotes(void **state)
{
    struct store *s = *state;
    /* a quote inside a field that is not in quotes is text; text after a closing quote
     * refuses the record, and reading goes on at the next line */
    const char *csv = "email,title\n"
                      "a@example.com,5\" screen\n"
                      "b@example.com,\"Head\"of sales,x\n"
                      "c@example.com,\"Says \"\"hi\"\"\"\n";
    for (size_t c = 0; c < NCHUNKS; c++) {
        struct csv_import *im = import_ok(s, csv, chunks[c]);
        assert_int_equal(csv_import_result(im)->imported, 2);
        assert_error(im, 0, 3, "text after its closing quote");
        char row[256];
        row_of(s, "a@example.com", row, sizeof row);
        assert_string_equal(row, "~|~|~|5\" screen|~");
        row_of(s, "c@example.com", row, sizeof row);
        assert_string_equal(row, "~|~|~|Says \"hi\"|~");
        csv_import_free(im);
        clear(s);
    }
}

static void a_field_past_the_cap_stops_the_import(void **state)
{
    struct store *s = *state;
    size_t big = CSV_IMPORT_FIELD_MAX + 4096;
    char *csv = malloc(big + 200);
    assert_non_null(csv);
    int head = snprintf(csv, 200, "email,notes\nok@example.com,fine\nx@example.com,\"");
    memset(csv + head, 'z', big);
    strcpy(csv + head + big, "\"\nlate@example.com,never\n");
    struct csv_import *im = import_ok(s, csv, 64 * 1024);
    assert_int_equal(csv_import_result(im)->imported, 1);
    assert_int_equal(csv_import_result(im)->error_count, 1);
    assert_error(im, 0, 3, "longer than");
    csv_import_free(im);
    free(csv);
}

/* --- batches, progress, the answer ----------------------------------------------------- */

struct seen_progress {
    long long calls, last;
};

static void on_progress(void *cls, long long records, long long refused)
{
    struct seen_progress *p = cls;
    (void)refused;
    p->calls++;
    p->last = records;
}

static void many_rows_go_in_batches_with_progress(void **state)
{
    struct store *s = *state;
    size_t n = 2 * CSV_IMPORT_BATCH_ROWS + 500;
    size_t cap = 64 + n * 64;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t used = (size_t)snprintf(csv, cap, "email,company\n");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(csv + used, cap - used, "p%zu@example.com,\"Co %zu, Ltd\"\n", i,
                                 i % 10 ? i : 0);
    struct csv_import *im = NULL;
    struct err e = {0};
    struct seen_progress p = {0};
    assert_int_equal(csv_import_new(&im, s, &e), 0);
    csv_import_set_progress(im, on_progress, &p);
    assert_int_equal(csv_import_feed(im, csv, used, &e), 0);
    /* two full batches are written before the end of the input */
    assert_int_equal(count_rows(s), 2 * CSV_IMPORT_BATCH_ROWS);
    assert_int_equal(csv_import_finish(im, &e), 0);
    assert_int_equal(csv_import_result(im)->imported, (long long)n);
    assert_int_equal(count_rows(s), (long long)n);
    assert_int_equal(p.calls, (long long)(n / 1000) + 1);
    assert_int_equal(p.last, (long long)n);
    csv_import_free(im);
    free(csv);
}

static void the_summary_caps_the_error_list(void **state)
{
    struct store *s = *state;
    size_t n = CSV_IMPORT_MAX_ERRORS + 500;
    size_t cap = 64 + n * 16;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t used = (size_t)snprintf(csv, cap, "email,Extra Column\nok@example.com,1\n");
    for (size_t i = 0; i < n; i++) used += (size_t)snprintf(csv + used, cap - used, "bad%zu,x\n", i);
    struct csv_import *im = import_ok(s, csv, 0);
    const struct csv_import_result *r = csv_import_result(im);
    assert_int_equal(r->error_count, (long long)n);
    assert_int_equal(r->nerrors, CSV_IMPORT_MAX_ERRORS);
    assert_error(im, 0, 3, "bad0");
    assert_error(im, CSV_IMPORT_MAX_ERRORS - 1, CSV_IMPORT_MAX_ERRORS + 2, "bad999");

    json_t *j = csv_import_summary(im);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "imported")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "skipped_duplicates")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "errors")), CSV_IMPORT_MAX_ERRORS);
    assert_true(json_is_true(json_object_get(j, "errors_truncated")));
    assert_int_equal(json_integer_value(json_object_get(j, "error_count")), (long long)n);
    json_t *first = json_array_get(json_object_get(j, "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "line")), 3);
    assert_string_equal(json_string_value(json_object_get(first, "message")),
                        "email \"bad0\" has no @");
    json_t *ign = json_object_get(j, "ignored_columns");
    assert_int_equal(json_array_size(ign), 1);
    assert_string_equal(json_string_value(json_array_get(ign, 0)), "Extra Column");
    json_decref(j);
    csv_import_free(im);
    free(csv);
}

static void a_short_summary_has_no_truncation_keys(void **state)
{
    struct csv_import *im = import_ok(*state, "email\na@example.com\n", 0);
    json_t *j = csv_import_summary(im);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_string_equal(text, "{\"imported\":1,\"skipped_duplicates\":0,\"errors\":[],"
                              "\"ignored_columns\":[]}");
    free(text);
    json_decref(j);
    csv_import_free(im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, memdb_teardown)
        T(imports_rows_trimmed_with_empty_as_null),
        T(header_names_match_loosely_and_unknown_columns_are_listed),
        T(a_bom_before_the_header_is_skipped),
        T(a_header_without_email_refuses_the_file),
        T(two_columns_for_one_field_refuse_the_file),
        T(empty_input_is_refused),
        T(too_many_columns_refuse_the_file),
        T(a_header_only_file_imports_nothing),
        T(lines_count_quoted_line_breaks_crlf_and_blank_lines),
        T(lone_cr_line_ends_count_as_lines),
        T(blank_lines_before_the_header_are_counted),
        T(a_record_whose_first_field_spans_lines_is_reported_where_it_starts),
        T(unknown_columns_with_invalid_utf8_are_listed_cleaned),
        T(more_fields_than_the_header_is_refused_fewer_is_fine),
        T(invalid_utf8_and_nul_bytes_are_refused),
        T(values_over_the_limits_are_refused),
        T(an_empty_email_is_refused),
        T(a_long_bad_email_is_quoted_cut_short),
        T(duplicates_in_the_file_and_in_the_database_are_skipped),
        T(an_unterminated_quote_is_one_error_at_its_start),
        T(stray_quotes),
        T(a_field_past_the_cap_stops_the_import),
        T(many_rows_go_in_batches_with_progress),
        T(the_summary_caps_the_error_list),
        T(a_short_summary_has_no_truncation_keys),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
