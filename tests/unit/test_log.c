/*
 * Tests src/log.c: log_quote (logfmt quoting of quotes, backslashes, newlines and
 * control bytes; truncation that never splits an escape and keeps the closing quote;
 * tiny buffers), log_level_parse and log_enabled.
 */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "unit.h"

static const struct {
    const char *in, *out;
} quoted[] = {
    {"hello", "\"hello\""},
    {"", "\"\""},
    {"two words", "\"two words\""},
    {"say \"hi\"", "\"say \\\"hi\\\"\""},
    {"C:\\dir\\f", "\"C:\\\\dir\\\\f\""},
    {"line1\nline2", "\"line1\\nline2\""},
    {"end\\", "\"end\\\\\""},
    {"key=value", "\"key=value\""},
    {"caf\xc3\xa9", "\"caf\xc3\xa9\""}, /* UTF-8 passes through */
};

static void test_quote_escapes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof quoted / sizeof *quoted; i++) {
        char buf[128];
        assert_ptr_equal(log_quote(buf, sizeof buf, quoted[i].in), buf);
        assert_string_equal(buf, quoted[i].out);
    }
}

static void test_quote_null_is_empty(void **state)
{
    (void)state;
    char buf[16];
    assert_string_equal(log_quote(buf, sizeof buf, NULL), "\"\"");
}

/* Control bytes other than \n must not reach the log line raw (they would break it). */
static void test_quote_control_bytes(void **state)
{
    (void)state;
    char buf[64];
    log_quote(buf, sizeof buf,
              "a\tb\rc\x01"
              "d\x1b[0m");
    assert_int_equal(buf[0], '"');
    assert_int_equal(buf[strlen(buf) - 1], '"');
    for (const char *p = buf; *p; p++)
        assert_true((unsigned char)*p >= 0x20);
    assert_contains(buf, "a");
    assert_contains(buf, "[0m");
}

/*
 * 1 when buf is one complete logfmt quoted string: opening quote, then plain bytes or
 * backslash pairs, then the closing quote as the last byte.
 */
static int well_formed(const char *buf)
{
    size_t n = strlen(buf);
    if (n < 2 || buf[0] != '"' || buf[n - 1] != '"') return 0;
    for (size_t i = 1; i < n - 1; i++) {
        if (buf[i] == '"') return 0;
        if (buf[i] == '\\') {
            if (i + 1 >= n - 1) return 0; /* a backslash escaping the closing quote */
            i++;
        }
    }
    return 1;
}

static void test_quote_truncation_keeps_closing_quote(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "abcdefghijklmnopqrstuvwxyz",
        "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"",
        "\\\\\\\\\\\\\\\\\\\\\\\\\\\\",
        "a\"b\\c\nd\"e\\f\ng\"h\\i\nj",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        for (size_t len = 3; len <= 24; len++) {
            /* A heap buffer of exactly len bytes: ASan catches any write past it. */
            char *buf = malloc(len);
            assert_non_null(buf);
            log_quote(buf, len, inputs[i]);
            size_t n = strnlen(buf, len);
            int ok = n < len && well_formed(buf);
            if (!ok) print_error("len %zu input #%zu gave [%.*s]\n", len, i, (int)n, buf);
            free(buf);
            assert_true(ok);
        }
    }
}

/* A string that fits exactly (quotes and terminator included) is not cut. */
static void test_quote_exact_fit_not_truncated(void **state)
{
    (void)state;
    char buf[6]; /* "abc" + 2 quotes + NUL */
    assert_string_equal(log_quote(buf, sizeof buf, "abc"), "\"abc\"");
    char buf2[7]; /* "a\"b" quoted: "a\"b" is 6 bytes + NUL */
    assert_string_equal(log_quote(buf2, sizeof buf2, "a\"b"), "\"a\\\"b\"");
}

static void test_quote_tiny_buffers(void **state)
{
    (void)state;
    char buf[3];
    assert_string_equal(log_quote(buf, 3, "abc"), "\"\"");
    memset(buf, 'z', sizeof buf);
    log_quote(buf, 2, "abc");
    assert_int_equal(buf[0], '\0');
    memset(buf, 'z', sizeof buf);
    log_quote(buf, 1, "abc");
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'z');
}

static void test_level_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum log_level level;
    } good[] = {{"debug", LOG_DEBUG}, {"info", LOG_INFO}, {"warn", LOG_WARN}, {"error", LOG_ERROR}};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        enum log_level l = (enum log_level)99;
        assert_int_equal(log_level_parse(good[i].text, &l), 0);
        assert_int_equal(l, good[i].level);
    }
    static const char *const bad[] = {"verbose", "", "warning", "info ", "err", "trace", "5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        enum log_level l = LOG_WARN;
        assert_int_equal(log_level_parse(bad[i], &l), -1);
        assert_int_equal(l, LOG_WARN); /* untouched */
    }
}

static void test_enabled_follows_level(void **state)
{
    (void)state;
    log_set_level(LOG_WARN);
    assert_false(log_enabled(LOG_DEBUG));
    assert_false(log_enabled(LOG_INFO));
    assert_true(log_enabled(LOG_WARN));
    assert_true(log_enabled(LOG_ERROR));
    log_set_level(LOG_DEBUG);
    assert_true(log_enabled(LOG_DEBUG));
    log_set_level(LOG_INFO);
    assert_false(log_enabled(LOG_DEBUG));
    assert_true(log_enabled(LOG_INFO));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_escapes),
        cmocka_unit_test(test_quote_null_is_empty),
        cmocka_unit_test(test_quote_control_bytes),
        cmocka_unit_test(test_quote_truncation_keeps_closing_quote),
        cmocka_unit_test(test_quote_exact_fit_not_truncated),
        cmocka_unit_test(test_quote_tiny_buffers),
        cmocka_unit_test(test_level_parse),
        cmocka_unit_test(test_enabled_follows_level),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
