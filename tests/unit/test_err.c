/*
 * Tests src/err.c: err_set (code and formatted message, NULL-safe, truncation),
 * err_prefix (prefix added, original text and code kept), err_clear, err_code_name
 * (the stable name of every code) and err_errno.
 */
#include <errno.h>
#include <stdio.h>

#include "err.h"
#include "unit.h"

static void test_set_formats_and_returns_code(void **state)
{
    (void)state;
    struct err e = {0};
    assert_int_equal(err_set(&e, ERR_NOT_FOUND, "prospect %d not found (%s)", 42, "gone"),
                     ERR_NOT_FOUND);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_string_equal(e.msg, "prospect 42 not found (gone)");

    /* A second call replaces, it does not append. */
    assert_int_equal(err_set(&e, ERR_DB, "x"), ERR_DB);
    assert_int_equal(e.code, ERR_DB);
    assert_string_equal(e.msg, "x");
}

static void test_set_null_is_safe(void **state)
{
    (void)state;
    assert_int_equal(err_set(NULL, ERR_CONFLICT, "ignored %d", 1), ERR_CONFLICT);
    assert_int_equal(err_prefix(NULL, "p"), ERR_INTERNAL);
    err_clear(NULL);
}

static void test_set_truncates_within_buffer(void **state)
{
    (void)state;
    char big[3 * ERR_MSG_MAX];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct err e = {0};
    assert_int_equal(err_set(&e, ERR_INVALID, "%s", big), ERR_INVALID);
    assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
}

static void test_prefix_keeps_original(void **state)
{
    (void)state;
    struct err e = {0};
    err_set(&e, ERR_DB, "no such table: jobs");
    assert_int_equal(err_prefix(&e, "migration %d (%s)", 2, "add_job_progress_columns"), ERR_DB);
    assert_int_equal(e.code, ERR_DB);
    assert_string_equal(e.msg, "migration 2 (add_job_progress_columns): no such table: jobs");

    /* Prefixes stack outermost first. */
    assert_int_equal(err_prefix(&e, "migrate up"), ERR_DB);
    assert_string_equal(e.msg,
                        "migrate up: migration 2 (add_job_progress_columns): no such table: jobs");
}

static void test_prefix_long_message_stays_terminated(void **state)
{
    (void)state;
    struct err e = {0};
    char body[ERR_MSG_MAX];
    memset(body, 'b', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    err_set(&e, ERR_UNAVAILABLE, "%s", body);
    assert_int_equal(err_prefix(&e, "head"), ERR_UNAVAILABLE);
    assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
    assert_memory_equal(e.msg, "head: bbb", 9);
}

static void test_clear(void **state)
{
    (void)state;
    struct err e = {0};
    err_set(&e, ERR_IO, "disk full");
    err_clear(&e);
    assert_int_equal(e.code, ERR_OK);
    assert_string_equal(e.msg, "");
}

static const struct {
    int code;
    const char *name;
} code_names[] = {
    {ERR_OK, "ok"},
    {ERR_INTERNAL, "internal_error"},
    {ERR_NOMEM, "out_of_memory"},
    {ERR_INVALID, "invalid"},
    {ERR_MALFORMED, "malformed"},
    {ERR_NOT_FOUND, "not_found"},
    {ERR_CONFLICT, "conflict"},
    {ERR_DB, "database_error"},
    {ERR_UNAVAILABLE, "database_unavailable"},
    {ERR_SCHEMA, "schema_mismatch"},
    {ERR_USAGE, "usage"},
    {ERR_IO, "io_error"},
};
#define N_CODES (sizeof code_names / sizeof *code_names)

static void test_code_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_CODES; i++) {
        const char *name = err_code_name(code_names[i].code);
        assert_non_null(name);
        assert_string_equal(name, code_names[i].name);
        /* snake_case: lower-case letters and underscores only */
        for (const char *p = name; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(name, code_names[j].name);
    }
}

static void test_code_name_unknown(void **state)
{
    (void)state;
    static const int unknown[] = {-12, -99, 1, 12345};
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++)
        assert_string_equal(err_code_name(unknown[i]), "internal_error");
}

static void test_errno_text(void **state)
{
    (void)state;
    char buf[256];
    assert_ptr_equal(err_errno(ENOENT, buf, sizeof buf), buf);
    assert_true(strlen(buf) > 0);

    /* Too small a buffer still gives a terminated string within it. */
    char small[6];
    memset(small, 'z', sizeof small);
    err_errno(ENOENT, small, sizeof small);
    assert_non_null(memchr(small, '\0', sizeof small));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_formats_and_returns_code),
        cmocka_unit_test(test_set_null_is_safe),
        cmocka_unit_test(test_set_truncates_within_buffer),
        cmocka_unit_test(test_prefix_keeps_original),
        cmocka_unit_test(test_prefix_long_message_stays_terminated),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_code_names),
        cmocka_unit_test(test_code_name_unknown),
        cmocka_unit_test(test_errno_text),
    };
    return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}
