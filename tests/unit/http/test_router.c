/*
 * Tests src/http/router.c: router_match over a small route table of its own — literal
 * and {id} routes, a literal listed before an {id} route on the same prefix, several
 * methods on one path — for found routes with their captured ids, 404 (unknown path,
 * trailing slash, extra segments), 405 with the allowed mask, and bad ids; HEAD
 * matching GET; http_method_parse and http_methods_text.
 */
#include <stdio.h>

#include "http/router.h"
#include "unit.h"

static void h_health(struct http_req *r)
{
    (void)r;
}
static void h_list(struct http_req *r)
{
    (void)r;
}
static void h_create(struct http_req *r)
{
    (void)r;
}
static void h_export(struct http_req *r)
{
    (void)r;
}
static void h_get(struct http_req *r)
{
    (void)r;
}
static void h_delete(struct http_req *r)
{
    (void)r;
}
static void h_replace(struct http_req *r)
{
    (void)r;
}
static void h_target(struct http_req *r)
{
    (void)r;
}

static const struct route routes[] = {
    /* 0 */ {HTTP_GET, "/api/health", h_health, 0},
    /* 1 */ {HTTP_GET, "/api/prospects", h_list, 0},
    /* 2 */ {HTTP_POST, "/api/prospects", h_create, 1 << 20},
    /* 3 */ {HTTP_GET, "/api/prospects/export.csv", h_export, 0},
    /* 4 */ {HTTP_GET, "/api/prospects/{id}", h_get, 0},
    /* 5 */ {HTTP_DELETE, "/api/prospects/{id}", h_delete, 0},
    /* 6 */ {HTTP_PUT | HTTP_PATCH, "/api/prospects/{id}", h_replace, 4096},
    /* 7 */ {HTTP_PATCH, "/api/jobs/{id}/targets/{id}", h_target, 0},
};
#define NROUTES (sizeof routes / sizeof *routes)

#define NONE (-1)

static const struct {
    const char *method, *path;
    enum route_result result;
    int route; /* index into routes, NONE for none */
    size_t nids;
    long long ids[2];
    unsigned allowed; /* checked for ROUTE_NO_METHOD */
    const char *bad;  /* checked for ROUTE_BAD_ID */
} cases[] = {
    /* found */
    {"GET", "/api/health", ROUTE_FOUND, 0, 0, {0}, 0, NULL},
    {"HEAD", "/api/health", ROUTE_FOUND, 0, 0, {0}, 0, NULL},
    {"GET", "/api/prospects", ROUTE_FOUND, 1, 0, {0}, 0, NULL},
    {"POST", "/api/prospects", ROUTE_FOUND, 2, 0, {0}, 0, NULL},
    {"GET", "/api/prospects/export.csv", ROUTE_FOUND, 3, 0, {0}, 0, NULL},
    {"HEAD", "/api/prospects/export.csv", ROUTE_FOUND, 3, 0, {0}, 0, NULL},
    {"GET", "/api/prospects/42", ROUTE_FOUND, 4, 1, {42}, 0, NULL},
    {"HEAD", "/api/prospects/42", ROUTE_FOUND, 4, 1, {42}, 0, NULL},
    {"DELETE", "/api/prospects/7", ROUTE_FOUND, 5, 1, {7}, 0, NULL},
    {"PUT", "/api/prospects/8", ROUTE_FOUND, 6, 1, {8}, 0, NULL},
    {"PATCH", "/api/prospects/9", ROUTE_FOUND, 6, 1, {9}, 0, NULL},
    {"PATCH", "/api/jobs/3/targets/19", ROUTE_FOUND, 7, 2, {3, 19}, 0, NULL},
    {"GET",
     "/api/prospects/9223372036854775807",
     ROUTE_FOUND,
     4,
     1,
     {9223372036854775807LL},
     0,
     NULL},
    /* no such path */
    {"GET", "/api/unknown", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "/api/health/", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "/api/prospects/", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "/api/prospects/1/extra", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "/api/prospects/export.csv/x", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "/api/prospects//1", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "/api/healthz", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "/api/healt", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "/api", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "/", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "api/health", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"GET", "/API/HEALTH", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"PATCH", "/api/jobs/3/targets", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    {"DELETE", "/nowhere", ROUTE_NO_PATH, NONE, 0, {0}, 0, NULL},
    /* path known, method not */
    {"DELETE", "/api/health", ROUTE_NO_METHOD, 0, 0, {0}, HTTP_GET, NULL},
    {"POST", "/api/health", ROUTE_NO_METHOD, 0, 0, {0}, HTTP_GET, NULL},
    {"PUT", "/api/prospects", ROUTE_NO_METHOD, 1, 0, {0}, HTTP_GET | HTTP_POST, NULL},
    {"POST",
     "/api/prospects/5",
     ROUTE_NO_METHOD,
     4,
     0,
     {0},
     HTTP_GET | HTTP_DELETE | HTTP_PUT | HTTP_PATCH,
     NULL},
    {"GET", "/api/jobs/3/targets/4", ROUTE_NO_METHOD, 7, 0, {0}, HTTP_PATCH, NULL},
    {"BREW", "/api/health", ROUTE_NO_METHOD, 0, 0, {0}, HTTP_GET, NULL},
    {"get", "/api/health", ROUTE_NO_METHOD, 0, 0, {0}, HTTP_GET, NULL},
    /* {id} segments that are not positive integers */
    {"GET", "/api/prospects/abc", ROUTE_BAD_ID, 4, 0, {0}, 0, "abc"},
    {"GET", "/api/prospects/0", ROUTE_BAD_ID, 4, 0, {0}, 0, "0"},
    {"GET", "/api/prospects/-1", ROUTE_BAD_ID, 4, 0, {0}, 0, "-1"},
    {"GET", "/api/prospects/+1", ROUTE_BAD_ID, 4, 0, {0}, 0, "+1"},
    {"GET", "/api/prospects/1x", ROUTE_BAD_ID, 4, 0, {0}, 0, "1x"},
    {"GET", "/api/prospects/1.5", ROUTE_BAD_ID, 4, 0, {0}, 0, "1.5"},
    {"GET", "/api/prospects/%201", ROUTE_BAD_ID, 4, 0, {0}, 0, "%201"},
    {"GET",
     "/api/prospects/1234567890123456789012345678901234567890",
     ROUTE_BAD_ID,
     4,
     0,
     {0},
     0,
     "1234567890123456789012345678901234567890"},
    {"GET",
     "/api/prospects/9223372036854775808",
     ROUTE_BAD_ID,
     4,
     0,
     {0},
     0,
     "9223372036854775808"},
    {"DELETE", "/api/prospects/abc", ROUTE_BAD_ID, 5, 0, {0}, 0, "abc"},
    {"PATCH", "/api/jobs/x/targets/2", ROUTE_BAD_ID, 7, 0, {0}, 0, "x"},
    {"PATCH", "/api/jobs/1/targets/0", ROUTE_BAD_ID, 7, 0, {0}, 0, "0"},
};

static void test_match_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct route_match m;
        print_message("%s %s\n", cases[i].method, cases[i].path);
        enum route_result got = router_match(routes, NROUTES, cases[i].method, cases[i].path, &m);
        assert_int_equal(got, cases[i].result);
        if (cases[i].route == NONE)
            assert_null(m.route);
        else
            assert_ptr_equal(m.route, &routes[cases[i].route]);
        if (got == ROUTE_FOUND) {
            assert_int_equal(m.nids, cases[i].nids);
            for (size_t k = 0; k < cases[i].nids; k++)
                assert_int_equal(m.ids[k], cases[i].ids[k]);
        }
        if (got == ROUTE_NO_METHOD) assert_int_equal(m.allowed, cases[i].allowed);
        if (got == ROUTE_BAD_ID) assert_string_equal(m.bad_segment, cases[i].bad);
    }
}

/* The handler reached is the one of the route the table lists first for the path. */
static void test_literal_before_id(void **state)
{
    (void)state;
    struct route_match m;
    assert_int_equal(router_match(routes, NROUTES, "GET", "/api/prospects/export.csv", &m),
                     ROUTE_FOUND);
    assert_ptr_equal(m.route->handler, h_export);
    assert_int_equal(m.nids, 0);

    /* With the literal listed after the {id} route, the {id} route wins and rejects it. */
    const struct route reversed[] = {
        {HTTP_GET, "/api/prospects/{id}", h_get, 0},
        {HTTP_GET, "/api/prospects/export.csv", h_export, 0},
    };
    assert_int_equal(router_match(reversed, 2, "GET", "/api/prospects/export.csv", &m),
                     ROUTE_BAD_ID);
    assert_ptr_equal(m.route->handler, h_get);
    assert_string_equal(m.bad_segment, "export.csv");
}

static void test_match_fills_body_limit_route(void **state)
{
    (void)state;
    struct route_match m;
    assert_int_equal(router_match(routes, NROUTES, "POST", "/api/prospects", &m), ROUTE_FOUND);
    assert_ptr_equal(m.route->handler, h_create);
    assert_int_equal(m.route->max_body, 1 << 20);
}

static void test_empty_table(void **state)
{
    (void)state;
    struct route_match m;
    assert_int_equal(router_match(routes, 0, "GET", "/api/health", &m), ROUTE_NO_PATH);
    assert_null(m.route);
}

static void test_bad_segment_truncated(void **state)
{
    (void)state;
    char path[200] = "/api/prospects/";
    size_t o = strlen(path);
    memset(path + o, '9', 100);
    path[o + 100] = '\0';
    struct route_match m;
    assert_int_equal(router_match(routes, NROUTES, "GET", path, &m), ROUTE_BAD_ID);
    assert_int_equal(strlen(m.bad_segment), sizeof m.bad_segment - 1);
}

static void test_method_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned bit;
    } methods[] = {
        {"GET", HTTP_GET}, {"HEAD", HTTP_GET},    {"POST", HTTP_POST},
        {"PUT", HTTP_PUT}, {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE},
        {"get", 0},        {"OPTIONS", 0},        {"", 0},
        {"GETX", 0},
    };
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        assert_int_equal(http_method_parse(methods[i].text), methods[i].bit);
}

static void test_methods_text(void **state)
{
    (void)state;
    static const struct {
        unsigned mask;
        const char *text;
    } texts[] = {
        {HTTP_GET | HTTP_POST, "GET, POST"},
        {HTTP_GET, "GET"},
        {HTTP_DELETE | HTTP_GET, "GET, DELETE"},
        {HTTP_PATCH, "PATCH"},
        {HTTP_GET | HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE,
         "GET, POST, PUT, PATCH, DELETE"},
        {0, ""},
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char buf[64];
        memset(buf, 'z', sizeof buf);
        http_methods_text(texts[i].mask, buf, sizeof buf);
        assert_string_equal(buf, texts[i].text);
    }
    /* A short buffer stays terminated inside its length. */
    char small[5];
    memset(small, 'z', sizeof small);
    http_methods_text(HTTP_GET | HTTP_POST, small, sizeof small);
    assert_non_null(memchr(small, '\0', sizeof small));
    assert_memory_equal(small, "GET", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_table),
        cmocka_unit_test(test_literal_before_id),
        cmocka_unit_test(test_match_fills_body_limit_route),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_bad_segment_truncated),
        cmocka_unit_test(test_method_parse),
        cmocka_unit_test(test_methods_text),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
