/*
 * Tests src/store/sqlsplit.c: sqlsplit_next splitting PostgreSQL scripts into
 * statements — never inside '...' strings (with doubled quotes), "..." identifiers,
 * -- comments, nested block comments or dollar quotes ($$ and $tag$), treating $1 as a
 * parameter, flagging spans of only comments and whitespace as blank, and taking a
 * final statement without ';'. Each script is copied into a heap buffer of exactly its
 * length (no terminator), so reading past len is caught by ASan.
 */
#include <stdio.h>
#include <stdlib.h>

#include "store/sqlsplit.h"
#include "unit.h"

#define MAX_PARTS 6

struct part {
    const char *text; /* the exact span sqlsplit_next must return */
    int blank;
};

static const struct {
    const char *what;
    struct part parts[MAX_PARTS]; /* the script is their concatenation; ends at text NULL */
} scripts[] = {
    {"plain statements", {{"SELECT 1;", 0}, {" SELECT 2;", 0}, {"\nSELECT 3;", 0}}},
    {"semicolon in a string", {{"SELECT 'a;b';", 0}, {" SELECT 2;", 0}}},
    {"doubled quote in a string", {{"INSERT INTO t VALUES ('it''s;');", 0}, {" SELECT ';''';", 0}}},
    {"quoted identifier", {{"SELECT \"a;b\" FROM \"we\"\"ird;\";", 0}, {" SELECT 2;", 0}}},
    {"line comment with a semicolon",
     {{"SELECT 1;", 0}, {" -- not here; nor here\nSELECT 2;", 0}, {"-- x;\n;", 1}}},
    {"nested block comment",
     {{"/* outer /* inner ; */ still ; */ SELECT 1;", 0}, {" SELECT 2;", 0}}},
    {"dollar quote $$",
     {{"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql;", 0},
      {" SELECT 3;", 0}}},
    {"tagged dollar quote with $$ inside",
     {{"DO $fn$ BEGIN PERFORM 1; RAISE NOTICE $$x;y$$; END $fn$;", 0}, {" SELECT 2;", 0}}},
    {"dollar quote with another tag inside", {{"SELECT $a$ ; $b$ ; $a$;", 0}, {"SELECT 2;", 0}}},
    {"parameters are not dollar quotes",
     {{"SELECT $1;", 0}, {" UPDATE t SET a = $2 WHERE b = $10;", 0}, {" SELECT 3;", 0}}},
    /* A tag cannot start with a digit: $1$ is parameter 1 and a '$', never an opening tag. */
    {"parameter followed by a dollar sign",
     {{"SELECT $1$;", 0}, {" SELECT $2$x;", 0}, {" SELECT 3;", 0}}},
    {"blank spans",
     {{"-- only a comment; really\n  /* and ; this */ ;", 1},
      {"SELECT 1;", 0},
      {"\n\t ;", 1},
      {" ;", 1},
      {"SELECT 2;", 0}}},
    {"last statement without semicolon", {{"SELECT 1;", 0}, {"\nSELECT 2", 0}}},
    {"trailing whitespace and comment after the last statement",
     {{"SELECT 1;", 0}, {"\n  -- bye\n", 1}}},
    {"comment marker inside a string", {{"SELECT '--;' , '/*;';", 0}, {" SELECT 2;", 0}}},
    {"string quote inside a comment",
     {{"SELECT 1 /* it's ; */ ;", 0}, {" -- don't;\nSELECT 2;", 0}}},
    {"unterminated string runs to the end", {{"SELECT 'abc; SELECT 2;", 0}}},
    {"unterminated block comment runs to the end, blank", {{"/* never closed; SELECT 1;", 1}}},
    {"unterminated dollar quote runs to the end", {{"SELECT $$ body; more;", 0}}},
    {"only whitespace", {{" \n\t\r\n", 1}}},
};

static void test_scripts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof scripts / sizeof *scripts; i++) {
        size_t len = 0, nparts = 0;
        while (nparts < MAX_PARTS && scripts[i].parts[nparts].text)
            len += strlen(scripts[i].parts[nparts++].text);
        char *sql = malloc(len);
        assert_non_null(sql);
        size_t o = 0;
        for (size_t k = 0; k < nparts; k++) {
            size_t n = strlen(scripts[i].parts[k].text);
            memcpy(sql + o, scripts[i].parts[k].text, n);
            o += n;
        }

        print_message("script: %s\n", scripts[i].what);
        size_t off = 0, k = 0;
        int ok = 1;
        while (off < len && ok) {
            int blank = -1;
            size_t n = sqlsplit_next(sql + off, len - off, &blank);
            const struct part *want = k < nparts ? &scripts[i].parts[k] : NULL;
            if (!want || n != strlen(want->text) || memcmp(sql + off, want->text, n) != 0 ||
                blank != want->blank) {
                print_error("part %zu: got [%.*s] blank=%d, want [%s] blank=%d\n", k,
                            (int)(n <= len - off ? n : len - off), sql + off, blank,
                            want ? want->text : "(none)", want ? want->blank : -1);
                ok = 0;
            }
            if (n == 0) ok = 0; /* no progress would loop forever */
            off += n;
            k++;
        }
        free(sql);
        assert_true(ok);
        assert_int_equal(k, nparts);
    }
}

static void test_empty_input(void **state)
{
    (void)state;
    int blank = -1;
    assert_int_equal(sqlsplit_next("", 0, &blank), 0);
    assert_int_equal(blank, 1);
}

/* len bounds the scan: a ';' beyond it is not seen. */
static void test_respects_len(void **state)
{
    (void)state;
    const char *sql = "SELECT 1; SELECT 2;";
    int blank = -1;
    assert_int_equal(sqlsplit_next(sql, 6, &blank), 6);
    assert_int_equal(blank, 0);
    assert_int_equal(sqlsplit_next(sql, 9, &blank), 9);
    assert_int_equal(sqlsplit_next(sql, strlen(sql), &blank), 9);
}

/* A lone ';' is a (blank) statement of its own, one byte long. */
static void test_lone_semicolon(void **state)
{
    (void)state;
    int blank = -1;
    assert_int_equal(sqlsplit_next(";SELECT 1;", 10, &blank), 1);
    assert_int_equal(blank, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_respects_len),
        cmocka_unit_test(test_lone_semicolon),
    };
    return cmocka_run_group_tests_name("sqlsplit", tests, NULL, NULL);
}
