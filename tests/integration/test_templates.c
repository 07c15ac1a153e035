/*
 * test_templates — GET and PUT /api/templates/draft from the outside, on both engines:
 * the built-in default before anything is saved; a saved template read back, also by
 * a new server; and every rejected PUT (an unknown placeholder named with its part, an
 * unclosed placeholder, a body over the size limit, bad JSON, a body that is not an
 * object, a missing, unknown or non-string field) answered with its status and code
 * while the stored template stays as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PATH "/api/templates/draft"

static void start_server(struct h_db **db, struct h_server *srv)
{
    h_db_create(db);
    h_migrate(*db, NULL);
    int rc = h_serve_start(srv, (*db)->url, NULL, NULL);
    if (rc != H_LISTENING) print_error("serve exited %d:\n%s\n", rc, srv->log);
    assert_int_equal(rc, H_LISTENING);
}

static void stop_server(struct h_server *srv)
{
    int rc = h_serve_stop(srv);
    if (rc != 0) print_error("serve log:\n%s\n", srv->log);
    assert_int_equal(rc, 0);
    h_serve_release(srv);
}

static void put(struct h_resp *r, int port, const char *body)
{
    h_http(r, port, "PUT", PATH, body, strlen(body), "application/json");
}

/* GET, asserts 200 and the shape of API.md, returns the object (json_decref it). */
static json_t *get_template(int port)
{
    struct h_resp r;
    h_http(&r, port, "GET", PATH, NULL, 0, NULL);
    if (r.status != 200) print_error("GET %s: %ld %s\n", PATH, r.status, r.body);
    assert_int_equal(r.status, 200);
    h_assert_json_type(&r);
    json_t *o = h_json(&r);
    h_resp_release(&r);
    assert_true(json_is_string(json_object_get(o, "subject")));
    assert_true(json_is_string(json_object_get(o, "body")));
    assert_true(json_is_boolean(json_object_get(o, "is_default")));
    json_t *names = json_object_get(o, "placeholders");
    static const char *const want[] = {"first_name", "last_name", "company",
                                       "title",      "website",   "email"};
    assert_int_equal(json_array_size(names), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(json_string_value(json_array_get(names, i)), want[i]);
    return o;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s) fail_msg("\"%s\" is not a string", key);
    return s;
}

/* Asserts the stored template is the default: GET says so and the table is empty. */
static void assert_default(const struct h_db *db, int port)
{
    json_t *o = get_template(port);
    assert_true(json_is_true(json_object_get(o, "is_default")));
    assert_true(json_is_null(json_object_get(o, "updated_at")));
    json_decref(o);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM templates"), 0);
}

/* Asserts r is status with error code, and returns error.details (borrowed from *err). */
static json_t *assert_error(struct h_resp *r, long status, const char *code, json_t **err)
{
    if (r->status != status) print_error("expected %ld, got %ld: %s\n", status, r->status, r->body);
    assert_int_equal(r->status, status);
    h_assert_json_type(r);
    h_assert_json_error(r, code);
    *err = h_json(r);
    return json_object_get(json_object_get(*err, "error"), "details");
}

static const char *error_message(json_t *err)
{
    return json_string_value(json_object_get(json_object_get(err, "error"), "message"));
}

static void get_default(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    start_server(&db, &srv);
    json_t *o = get_template(srv.port);
    assert_true(json_is_true(json_object_get(o, "is_default")));
    assert_true(json_is_null(json_object_get(o, "updated_at")));
    h_assert_contains(str(o, "subject"), "{{company}}");
    h_assert_contains(str(o, "body"), "{{first_name|there}}");
    h_assert_contains(str(o, "body"), "{{company}}");
    h_assert_contains(str(o, "body"), "{{title|");
    h_assert_lacks(str(o, "body"), "[");
    json_decref(o);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM templates"), 0);
    stop_server(&srv);
    h_db_drop(db);
}

static void put_then_get_survives_restart(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    start_server(&db, &srv);
    put(&r, srv.port,
        "{\"subject\":\"Hello {{ company }}\",\"body\":\"Hi {{first_name|there}},\\n\\n"
        "Caf\\u00e9 {{title|}}?\"}");
    if (r.status != 200) print_error("PUT: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 200);
    json_t *o = h_json(&r);
    h_resp_release(&r);
    assert_string_equal(str(o, "subject"), "Hello {{ company }}");
    assert_string_equal(str(o, "body"), "Hi {{first_name|there}},\n\nCaf\xc3\xa9 {{title|}}?");
    assert_true(json_is_false(json_object_get(o, "is_default")));
    char saved_at[64];
    snprintf(saved_at, sizeof saved_at, "%s", str(o, "updated_at"));
    assert_true(strlen(saved_at) >= 20 && saved_at[strlen(saved_at) - 1] == 'Z');
    assert_int_equal(json_array_size(json_object_get(o, "placeholders")), 6);
    json_decref(o);

    o = get_template(srv.port);
    assert_string_equal(str(o, "subject"), "Hello {{ company }}");
    assert_string_equal(str(o, "body"), "Hi {{first_name|there}},\n\nCaf\xc3\xa9 {{title|}}?");
    assert_string_equal(str(o, "updated_at"), saved_at);
    json_decref(o);
    stop_server(&srv);

    /* A new server reads the same template from the database. */
    int rc = h_serve_start(&srv, db->url, NULL, NULL);
    assert_int_equal(rc, H_LISTENING);
    o = get_template(srv.port);
    assert_string_equal(str(o, "subject"), "Hello {{ company }}");
    assert_string_equal(str(o, "body"), "Hi {{first_name|there}},\n\nCaf\xc3\xa9 {{title|}}?");
    assert_true(json_is_false(json_object_get(o, "is_default")));
    assert_string_equal(str(o, "updated_at"), saved_at);
    json_decref(o);

    /* A second PUT replaces it (one row). */
    put(&r, srv.port, "{\"body\":\"Second {{email}}\",\"subject\":\"Two\"}");
    assert_int_equal(r.status, 200);
    h_resp_release(&r);
    o = get_template(srv.port);
    assert_string_equal(str(o, "subject"), "Two");
    assert_string_equal(str(o, "body"), "Second {{email}}");
    json_decref(o);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM templates"), 1);
    stop_server(&srv);
    h_db_drop(db);
}

static void unknown_placeholder_changes_nothing(void **state)
{
    (void)state;
    struct h_db *db;
    struct h_server srv;
    struct h_resp r;
    json_t *err;
    start_server(&db, &srv);
    put(&r, srv.port, "{\"subject\":\"Kept {{company}}\",\"body\":\"Kept body\"}");
    assert_int_equal(r.status, 200);
    h_resp_release(&r);

    put(&r, srv.port, "{\"subject\":\"Hi\",\"body\":\"Dear {{firstname}},\"}");
    json_t *d = assert_error(&r, 422, "unknown_placeholder", &err);
    assert_string_equal(json_string_value(json_object_get(d, "placeholder")), "firstname");
    assert_string_equal(json_string_value(json_object_get(d, "part")), "body");
    assert_string_equal(error_message(err),
                        "unknown placeholder {{firstname}} in the body: placeholders are "
                        "first_name, last_name, company, title, website, email");
    json_decref(err);
    h_resp_release(&r);

    put(&r, srv.port, "{\"subject\":\"For {{ Company|you }}\",\"body\":\"Hi\"}");
    d = assert_error(&r, 422, "unknown_placeholder", &err);
    assert_string_equal(json_string_value(json_object_get(d, "placeholder")), "Company");
    assert_string_equal(json_string_value(json_object_get(d, "part")), "subject");
    json_decref(err);
    h_resp_release(&r);

    json_t *o = get_template(srv.port);
    assert_string_equal(str(o, "subject"), "Kept {{company}}");
    assert_string_equal(str(o, "body"), "Kept body");
    json_decref(o);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM templates WHERE subject = 'Kept "
                                  "{{company}}' AND body = 'Kept body'"),
                     1);
    assert_int_equal(h_db_int(db, "SELECT count(*) FROM templates"), 1);
    stop_server(&srv);
    h_db_drop(db);
}

/* One rejected PUT: status, code, and (when not NULL) details.field or details.part. */
struct bad_put {
    const char *body;
    long status;
    const char *code;
    const char *detail_key, *detail_value;
    const char *message_has;
};

static void check_rejections(const struct bad_put *cases, size_t n)
{
    struct h_db *db;
    struct h_server srv;
    start_server(&db, &srv);
    for (size_t i = 0; i < n; i++) {
        struct h_resp r;
        json_t *err;
        put(&r, srv.port, cases[i].body);
        json_t *d = assert_error(&r, cases[i].status, cases[i].code, &err);
        if (cases[i].detail_key)
            assert_string_equal(json_string_value(json_object_get(d, cases[i].detail_key)),
                                cases[i].detail_value);
        h_assert_contains(error_message(err), cases[i].message_has);
        json_decref(err);
        h_resp_release(&r);
    }
    assert_default(db, srv.port);
    stop_server(&srv);
    h_db_drop(db);
}

static void invalid_templates_are_422(void **state)
{
    (void)state;
    static const struct bad_put cases[] = {
        {"{\"subject\":\"Hi\",\"body\":\"Hello {{first_name, thanks\"}", 422, "invalid_template",
         "part", "body", "not closed"},
        {"{\"subject\":\"Hi {{company\",\"body\":\"Hello\"}", 422, "invalid_template", "part",
         "subject", "not closed"},
        {"{\"subject\":\"\",\"body\":\"Hello\"}", 422, "invalid_template", "part", "subject",
         "the subject is empty"},
        {"{\"subject\":\"one\\ntwo\",\"body\":\"Hello\"}", 422, "invalid_template", "part",
         "subject", "one line"},
        {"{\"subject\":\"Hi\",\"body\":\"{{title|{{company}}\"}", 422, "invalid_template", "part",
         "body", "fallback"},
    };
    check_rejections(cases, sizeof cases / sizeof cases[0]);
}

static void malformed_bodies(void **state)
{
    (void)state;
    static const struct bad_put cases[] = {
        {"{\"subject\":\"Hi\",\"body\":", 400, "bad_json", NULL, NULL, "not valid JSON"},
        {"", 400, "bad_json", NULL, NULL, "empty"},
        {"[\"Hi\",\"Hello\"]", 422, "invalid_body", NULL, NULL, "JSON object"},
        {"{\"subject\":\"Hi\"}", 422, "missing_field", "field", "body", "\"body\" is required"},
        {"{\"body\":\"Hi\"}", 422, "missing_field", "field", "subject", "\"subject\" is required"},
        {"{\"subject\":\"Hi\",\"body\":\"Hello\",\"reset\":true}", 422, "unknown_field", "field",
         "reset", "unknown field \"reset\""},
        {"{\"subject\":\"Hi\",\"body\":42}", 422, "invalid_field", "field", "body",
         "\"body\" must be a string"},
        {"{\"subject\":null,\"body\":\"Hello\"}", 422, "invalid_field", "field", "subject",
         "\"subject\" must be a string"},
    };
    check_rejections(cases, sizeof cases / sizeof cases[0]);
}

static void oversize_body_is_422(void **state)
{
    (void)state;
    /* 20481 bytes of body: over the template limit, far under the route's 1 MiB. */
    size_t n = 20 * 1024 + 1;
    char *json = malloc(n + 64);
    assert_non_null(json);
    int k = snprintf(json, 64, "{\"subject\":\"Hi\",\"body\":\"");
    memset(json + k, 'x', n);
    memcpy(json + k + n, "\"}", 3);
    struct bad_put cases[] = {
        {json, 422, "invalid_template", "part", "body",
         "the body is 20481 bytes long; it can be at most 20480 bytes"},
    };
    check_rejections(cases, 1);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        H_TEST(get_default),
        H_TEST(put_then_get_survives_restart),
        H_TEST(unknown_placeholder_changes_nothing),
        H_TEST(invalid_templates_are_422),
        H_TEST(malformed_bodies),
        H_TEST(oversize_body_is_422),
    };
    return cmocka_run_group_tests(tests, NULL, h_group_teardown);
}
