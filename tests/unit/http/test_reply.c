/*
 * Tests src/http/reply.c: http_status_for, the HTTP status each ERR_* code is
 * answered with.
 */
#include "http/http.h"
#include "unit.h"

static void test_status_for(void **state)
{
    (void)state;
    static const struct {
        int code;
        unsigned status;
    } map[] = {
        {ERR_MALFORMED, 400},   {ERR_NOT_FOUND, 404}, {ERR_CONFLICT, 409}, {ERR_INVALID, 422},
        {ERR_UNAVAILABLE, 503}, {ERR_SCHEMA, 503},    {ERR_DB, 500},       {ERR_INTERNAL, 500},
        {ERR_NOMEM, 500},       {ERR_IO, 500},        {-99, 500},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        print_message("%s\n", err_code_name(map[i].code));
        assert_int_equal(http_status_for(map[i].code), map[i].status);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_for),
    };
    return cmocka_run_group_tests_name("reply", tests, NULL, NULL);
}
