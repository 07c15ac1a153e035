/*
 * Tests src/http/assets.c's header rules and table: which Accept-Encoding values accept
 * gzip (q-values, x-gzip, "*", refusals), which If-None-Match values match an ETag
 * (lists, weak W/ tags, "*", look-alike tags that must not match), and assets_new over
 * a table of its own (a "NAME.gz" twin is paired, not served under its own name; a path
 * that is no asset is left unanswered).
 */
#include <stdbool.h>

#include "http/assets.h"
#include "unit.h"

static void test_accepts_gzip(void **state)
{
    (void)state;
    assert_true(assets_accepts_gzip("gzip"));
    assert_true(assets_accepts_gzip("gzip, deflate, br"));
    assert_true(assets_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
    assert_true(assets_accepts_gzip("x-gzip"));
    assert_true(assets_accepts_gzip("*"));
    assert_true(assets_accepts_gzip("gzip;q=0.001"));
    assert_true(assets_accepts_gzip("gzip ; q=1"));

    assert_false(assets_accepts_gzip(NULL));
    assert_false(assets_accepts_gzip(""));
    assert_false(assets_accepts_gzip("identity"));
    assert_false(assets_accepts_gzip("deflate, br"));
    assert_false(assets_accepts_gzip("gzip;q=0"));
    assert_false(assets_accepts_gzip("gzip;q=0.000, deflate"));
    assert_false(assets_accepts_gzip("*;q=0"));
    assert_false(assets_accepts_gzip("gzipx, xgzip"));
    /* An explicit refusal of gzip wins over a star that accepts everything else. */
    assert_false(assets_accepts_gzip("*, gzip;q=0"));
}

static void test_etag_matches(void **state)
{
    (void)state;
    const char *tag = "\"0123456789abcdef\"";
    assert_true(assets_etag_matches("\"0123456789abcdef\"", tag));
    assert_true(assets_etag_matches("W/\"0123456789abcdef\"", tag));
    assert_true(assets_etag_matches("\"other\", \"0123456789abcdef\"", tag));
    assert_true(assets_etag_matches("\"0123456789abcdef\" , \"other\"", tag));
    assert_true(assets_etag_matches("*", tag));

    assert_false(assets_etag_matches(NULL, tag));
    assert_false(assets_etag_matches("", tag));
    assert_false(assets_etag_matches("\"0123456789abcdee\"", tag));
    assert_false(assets_etag_matches("\"0123456789abcdef0\"", tag));
    assert_false(assets_etag_matches("0123456789abcdef", tag)); /* unquoted */
    assert_false(assets_etag_matches("\"other\"", tag));
}

static const unsigned char page[] = "<!doctype html><title>t</title>";
static const unsigned char js[] = "export const x = 1;";
static const unsigned char js_gz[] = "\x1f\x8b not really gzip";

static void test_table(void **state)
{
    (void)state;
    const struct embedded_file files[] = {
        {"app.js.gz", js_gz, sizeof js_gz - 1},
        {"index.html", page, sizeof page - 1},
        {"app.js", js, sizeof js - 1},
    };
    struct assets *a = NULL;
    struct err e = {0};
    assert_int_equal(assets_new(&a, files, 3, &e), 0);
    assert_non_null(a);
    /* A path that names nothing is not answered (the caller answers 404). The request
     * has no connection: answering it would crash, so 1 also proves nothing was sent. */
    struct http_req r = {.method = "GET", .path = "/app.js.gz"};
    assert_int_equal(assets_serve(a, &r), 1);
    r.path = "/nothing.css";
    assert_int_equal(assets_serve(a, &r), 1);
    r.path = "/index.htm";
    assert_int_equal(assets_serve(a, &r), 1);
    assert_false(r.responded);
    assets_free(a);
    assets_free(NULL);

    assert_int_equal(assets_new(&a, NULL, 0, &e), 0);
    r.path = "/";
    assert_int_equal(assets_serve(a, &r), 1);
    assets_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_gzip),
        cmocka_unit_test(test_etag_matches),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
