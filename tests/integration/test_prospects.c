/*
 * test_prospects — the prospect routes of API.md from the outside, on SQLite and on
 * PostgreSQL: create (one object, an array), get, list (pages, totals, the search text
 * and the draft status filter), edit (fields and the draft review), delete; every
 * refusal with its JSON error, and that a refused request changes nothing (the table is
 * read directly before and after).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_flow.h"

struct fx {
    struct h_db *db;
    struct h_server srv;
    int port;
};

/* A migrated database and a server on it. */
static void up(struct fx *f)
{
    h_db_create(&f->db);
    h_migrate(f->db, NULL);
    h_serve_up(&f->srv, f->db->url, NULL);
    f->port = f->srv.port;
}

static void down(struct fx *f)
{
    h_serve_down(&f->srv);
    h_db_drop(f->db);
}

/* Every prospect row as text, to compare before and after a refused request. */
static char *snapshot(const struct fx *f)
{
    return h_db_rows(f->db, "SELECT id, email, first_name, last_name, company, title, website, "
                            "draft_subject, draft_body, draft_status, draft_error, drafted_at, "
                            "created_at, updated_at FROM prospects ORDER BY id");
}

/*
 * Sends the request and asserts a JSON error with this status and code; returns its
 * details (caller json_decref()s).
 */
static json_t *expect_error(const struct fx *f, const char *method, const char *path,
                            const char *body, long status, const char *code)
{
    struct h_resp r;
    h_http(&r, f->port, method, path, body, body ? strlen(body) : 0,
           body ? "application/json" : NULL);
    if (r.status != status) {
        print_error("%s %s answered %ld (expected %ld): %.1000s\n", method, path, r.status, status,
                    r.body);
        fail_msg("%s %s: status %ld, expected %ld", method, path, r.status, status);
    }
    h_assert_json_type(&r);
    h_assert_json_error(&r, code);
    json_t *j = h_json(&r);
    json_t *d = json_incref(json_object_get(json_object_get(j, "error"), "details"));
    assert_true(json_is_object(d));
    json_decref(j);
    h_resp_release(&r);
    return d;
}

/* expect_error, and the table is exactly as it was. */
static void refused(const struct fx *f, const char *method, const char *path, const char *body,
                    long status, const char *code)
{
    char *before = snapshot(f);
    json_decref(expect_error(f, method, path, body, status, code));
    char *after = snapshot(f);
    assert_string_equal(before, after);
    h_buf_free(before);
    h_buf_free(after);
}

/* POST one object; asserts 201 {"created":1,"items":[p]} and returns p's id. */
static long long create(const struct fx *f, const char *body)
{
    json_t *j = h_req_json(f->port, "POST", "/api/prospects", body, 201);
    assert_int_equal(h_json_int(j, "created"), 1);
    json_t *items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_null(json_object_get(j, "skipped"));
    long long id = h_json_int(json_array_get(items, 0), "id");
    json_decref(j);
    return id;
}

static json_t *get(const struct fx *f, long long id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/prospects/%lld", id);
    return h_get_json(f->port, path);
}

static json_t *patch(const struct fx *f, long long id, const char *body)
{
    char path[64];
    snprintf(path, sizeof path, "/api/prospects/%lld", id);
    return h_req_json(f->port, "PATCH", path, body, 200);
}

static bool rfc3339_utc(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (!s || strlen(s) != sizeof shape - 1) return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
    return true;
}

/* The prospect object of API.md: exactly its keys, in order, with the right types. */
static void assert_prospect_shape(const json_t *p)
{
    static const char *const keys[] = {
        "id",          "email",      "first_name",    "last_name",  "company",
        "title",       "website",    "draft_subject", "draft_body", "draft_status",
        "draft_error", "drafted_at", "created_at",    "updated_at",
    };
    assert_true(json_is_object(p));
    assert_int_equal(json_object_size(p), sizeof keys / sizeof *keys);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!json_object_get(p, keys[i])) fail_msg("the prospect has no \"%s\"", keys[i]);
    assert_true(h_json_int(p, "id") > 0);
    assert_non_null(h_json_str(p, "email"));
    assert_non_null(h_json_str(p, "draft_status"));
    assert_true(rfc3339_utc(h_json_str(p, "created_at")));
    assert_true(rfc3339_utc(h_json_str(p, "updated_at")));
    const char *drafted = h_json_str(p, "drafted_at");
    if (drafted) assert_true(rfc3339_utc(drafted));
}

/* GET path; asserts the ids of the items, in order, and the total. */
static void assert_list(const struct fx *f, const char *path, const long long *ids, size_t n,
                        long long total)
{
    json_t *j = h_get_json(f->port, path);
    json_t *items = json_object_get(j, "items");
    if (json_array_size(items) != n || h_json_int(j, "total") != total) {
        char *text = json_dumps(j, JSON_COMPACT);
        print_error("GET %s: %.2000s\n", path, text);
        free(text);
        fail_msg("GET %s: %zu items (want %zu), total %lld (want %lld)", path,
                 json_array_size(items), n, h_json_int(j, "total"), total);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(items, i);
        assert_prospect_shape(p);
        if (h_json_int(p, "id") != ids[i])
            fail_msg("GET %s: item %zu is %lld, want %lld", path, i, h_json_int(p, "id"), ids[i]);
    }
    json_decref(j);
}

/* --- the flow ------------------------------------------------------------------------- */

static void create_get_list_patch_delete(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    json_t *j = h_req_json(f.port, "POST", "/api/prospects",
                           "{\"email\":\" ada@example.com \",\"first_name\":\"Ada\","
                           "\"last_name\":\"Lovelace\",\"company\":\"Analytical Engines\","
                           "\"title\":\"  \",\"website\":null}",
                           201);
    assert_int_equal(h_json_int(j, "created"), 1);
    json_t *p = json_array_get(json_object_get(j, "items"), 0);
    assert_prospect_shape(p);
    long long id = h_json_int(p, "id");
    assert_string_equal(h_json_str(p, "email"), "ada@example.com"); /* trimmed */
    assert_string_equal(h_json_str(p, "company"), "Analytical Engines");
    assert_null(h_json_str(p, "title")); /* blank is null */
    assert_null(h_json_str(p, "website"));
    assert_string_equal(h_json_str(p, "draft_status"), "none");
    assert_null(h_json_str(p, "draft_subject"));
    assert_null(h_json_str(p, "drafted_at"));
    assert_string_equal(h_json_str(p, "created_at"), h_json_str(p, "updated_at"));
    json_decref(j);

    /* Text that needs escaping comes back as it went in. */
    const char *odd = "Zo\xc3\xab \\\"Z\\\" back\\\\slash\\ttab\\nline \\u0001 \xe2\x82\xac";
    char body[256];
    snprintf(body, sizeof body, "{\"email\":\"zoe@example.com\",\"first_name\":\"%s\"}", odd);
    long long id2 = create(&f, body);
    j = get(&f, id2);
    assert_prospect_shape(j);
    assert_string_equal(h_json_str(j, "first_name"),
                        "Zo\xc3\xab \"Z\" back\\slash\ttab\nline \x01 \xe2\x82\xac");
    json_decref(j);

    j = get(&f, id);
    assert_prospect_shape(j);
    assert_string_equal(h_json_str(j, "last_name"), "Lovelace");
    json_decref(j);

    long long both[] = {id, id2};
    assert_list(&f, "/api/prospects", both, 2, 2);
    j = h_get_json(f.port, "/api/prospects");
    assert_int_equal(h_json_int(j, "skip"), 0);
    assert_int_equal(h_json_int(j, "limit"), 100);
    json_decref(j);

    j = patch(&f, id, "{\"title\":\" CTO \",\"company\":null}");
    assert_prospect_shape(j);
    assert_string_equal(h_json_str(j, "title"), "CTO");
    assert_null(h_json_str(j, "company"));
    assert_string_equal(h_json_str(j, "first_name"), "Ada");
    json_decref(j);
    j = get(&f, id);
    assert_string_equal(h_json_str(j, "title"), "CTO");
    json_decref(j);

    /* DELETE: 204 with no body, then the prospect is gone. */
    struct h_resp r;
    char path[64], ctype[64];
    snprintf(path, sizeof path, "/api/prospects/%lld", id);
    h_http(&r, f.port, "DELETE", path, NULL, 0, NULL);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    assert_null(h_header(&r, "Content-Type", ctype, sizeof ctype));
    h_resp_release(&r);
    json_decref(expect_error(&f, "GET", path, NULL, 404, "not_found"));
    json_decref(expect_error(&f, "DELETE", path, NULL, 404, "not_found"));
    assert_list(&f, "/api/prospects", &id2, 1, 1);
    assert_int_equal(h_db_int(f.db, "SELECT count(*) FROM prospects"), 1);
    down(&f);
}

/* --- lists ---------------------------------------------------------------------------- */

static void pages_totals_and_bad_arguments(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    char body[4096] = "[";
    for (int i = 0; i < 25; i++)
        snprintf(body + strlen(body), sizeof body - strlen(body),
                 "%s{\"email\":\"p%02d@example.com\"}", i ? "," : "", i);
    strcat(body, "]");
    json_t *j = h_req_json(f.port, "POST", "/api/prospects", body, 201);
    assert_int_equal(h_json_int(j, "created"), 25);
    long long ids[25];
    json_t *items = json_object_get(j, "items");
    for (size_t i = 0; i < 25; i++) {
        ids[i] = h_json_int(json_array_get(items, i), "id");
        if (i) assert_true(ids[i] > ids[i - 1]);
        char want[32];
        snprintf(want, sizeof want, "p%02zu@example.com", i);
        assert_string_equal(h_json_str(json_array_get(items, i), "email"), want);
    }
    assert_int_equal(json_array_size(json_object_get(j, "skipped")), 0);
    json_decref(j);

    assert_list(&f, "/api/prospects?skip=0&limit=10", ids, 10, 25);
    assert_list(&f, "/api/prospects?skip=10&limit=10", ids + 10, 10, 25);
    assert_list(&f, "/api/prospects?skip=20&limit=10", ids + 20, 5, 25);
    assert_list(&f, "/api/prospects?skip=25&limit=10", NULL, 0, 25);
    assert_list(&f, "/api/prospects?skip=1000000&limit=1", NULL, 0, 25);
    assert_list(&f, "/api/prospects?limit=1", ids, 1, 25);
    assert_list(&f, "/api/prospects?limit=1000", ids, 25, 25);
    assert_list(&f, "/api/prospects?skip=24", ids + 24, 1, 25);
    j = h_get_json(f.port, "/api/prospects?skip=3&limit=7");
    assert_int_equal(h_json_int(j, "skip"), 3);
    assert_int_equal(h_json_int(j, "limit"), 7);
    json_decref(j);

    const char *bad_limit[] = {"0", "1001", "-1", "abc", "1.5", "", "10x"};
    for (size_t i = 0; i < sizeof bad_limit / sizeof *bad_limit; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/prospects?limit=%s", bad_limit[i]);
        json_decref(expect_error(&f, "GET", path, NULL, 400, "bad_limit"));
    }
    json_decref(expect_error(&f, "GET", "/api/prospects?skip=-1", NULL, 400, "bad_skip"));
    json_decref(expect_error(&f, "GET", "/api/prospects?skip=x&limit=5", NULL, 400, "bad_skip"));
    down(&f);
}

static void search_text(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    long long a = create(&f, "{\"email\":\"p1@one.example\",\"first_name\":\"Augusta\","
                             "\"last_name\":\"Byron\",\"company\":\"Analytical Engines\"}");
    long long g = create(&f, "{\"email\":\"p2@two.example\",\"first_name\":\"Grace\","
                             "\"last_name\":\"Hopper\",\"company\":\"Navy\"}");
    long long pc = create(&f, "{\"email\":\"p3@three.example\",\"first_name\":\"100%\","
                              "\"last_name\":\"Sure_Thing\",\"company\":\"Percent Co\"}");
    long long pl = create(&f, "{\"email\":\"p4@four.example\",\"first_name\":\"1000\","
                              "\"last_name\":\"SureXThing\",\"company\":\"Plain Co\"}");
    long long all[] = {a, g, pc, pl};

    assert_list(&f, "/api/prospects?q=ONE.EXAMPLE", &a, 1, 1);      /* email */
    assert_list(&f, "/api/prospects?q=augUSTA", &a, 1, 1);          /* first name */
    assert_list(&f, "/api/prospects?q=hopper", &g, 1, 1);           /* last name */
    assert_list(&f, "/api/prospects?q=analytical%20ENG", &a, 1, 1); /* company */
    assert_list(&f, "/api/prospects?q=grace%20hop", &g, 1, 1);      /* full name */
    assert_list(&f, "/api/prospects?q=Augusta%20Byron", &a, 1, 1);
    /* LIKE's wildcards match only themselves. */
    assert_list(&f, "/api/prospects?q=100%25", &pc, 1, 1);
    assert_list(&f, "/api/prospects?q=%25", &pc, 1, 1);
    assert_list(&f, "/api/prospects?q=e_t", &pc, 1, 1);
    assert_list(&f, "/api/prospects?q=_", &pc, 1, 1);
    assert_list(&f, "/api/prospects?q=%5C", NULL, 0, 0); /* a backslash */
    assert_list(&f, "/api/prospects?q=zzz", NULL, 0, 0);
    assert_list(&f, "/api/prospects?q=", all, 4, 4); /* empty: no search */
    /* Pages of a search count the search. */
    assert_list(&f, "/api/prospects?q=EXAMPLE&limit=1", all, 1, 4);
    assert_list(&f, "/api/prospects?q=example&skip=3&limit=2", all + 3, 1, 4);
    assert_list(&f, "/api/prospects?q=example&skip=9&limit=2", NULL, 0, 4);
    assert_list(&f, "/api/prospects?q=co&skip=1&limit=1", &pl, 1, 2);

    /* With the draft status filter. */
    h_db_exec(f.db, "UPDATE prospects SET draft_status = 'approved', draft_subject = 's', "
                    "draft_body = 'b' WHERE email = 'p2@two.example'");
    assert_list(&f, "/api/prospects?q=example&draft_status=approved", &g, 1, 1);
    long long rest[] = {a, pc, pl};
    assert_list(&f, "/api/prospects?q=example&draft_status=none", rest, 3, 3);

    /* At most 200 bytes. */
    char path[400];
    strcpy(path, "/api/prospects?q=");
    size_t base = strlen(path);
    memset(path + base, 'q', 200);
    path[base + 200] = '\0';
    assert_list(&f, path, NULL, 0, 0);
    strcat(path, "q");
    json_t *d = expect_error(&f, "GET", path, NULL, 400, "bad_q");
    assert_int_equal(h_json_int(d, "limit"), 200);
    json_decref(d);
    json_decref(expect_error(&f, "GET", "/api/prospects?q=%FF", NULL, 400, "bad_q"));
    down(&f);
}

static void draft_status_filter(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    long long a = create(&f, "{\"email\":\"a@example.com\"}");
    long long b = create(&f, "{\"email\":\"b@example.com\"}");
    long long c = create(&f, "{\"email\":\"c@example.com\"}");
    long long d = create(&f, "{\"email\":\"d@example.com\"}");
    h_db_exec(f.db, "UPDATE prospects SET draft_status = 'drafted', draft_subject = 's', "
                    "draft_body = 'b' WHERE email IN ('b@example.com', 'd@example.com')");
    h_db_exec(f.db, "UPDATE prospects SET draft_status = 'failed', draft_error = 'no name' "
                    "WHERE email = 'c@example.com'");
    long long drafted[] = {b, d};
    assert_list(&f, "/api/prospects?draft_status=drafted", drafted, 2, 2);
    assert_list(&f, "/api/prospects?draft_status=drafted&limit=1", drafted, 1, 2);
    assert_list(&f, "/api/prospects?draft_status=drafted&skip=1&limit=1", drafted + 1, 1, 2);
    assert_list(&f, "/api/prospects?draft_status=drafted&skip=2", NULL, 0, 2);
    assert_list(&f, "/api/prospects?draft_status=failed", &c, 1, 1);
    assert_list(&f, "/api/prospects?draft_status=none", &a, 1, 1);
    assert_list(&f, "/api/prospects?draft_status=approved", NULL, 0, 0);
    assert_list(&f, "/api/prospects?draft_status=rejected&skip=5", NULL, 0, 0);
    json_t *j = get(&f, c);
    assert_string_equal(h_json_str(j, "draft_error"), "no name");
    json_decref(j);

    const char *bad[] = {"DRAFTED", "pending", "", "none%20"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/prospects?draft_status=%s", bad[i]);
        json_t *det = expect_error(&f, "GET", path, NULL, 400, "bad_draft_status");
        assert_int_equal(json_array_size(json_object_get(det, "allowed")), 5);
        json_decref(det);
    }
    down(&f);
}

/* --- creating ------------------------------------------------------------------------- */

static void duplicate_email_is_409_for_one_object(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    long long id = create(&f, "{\"email\":\"Ada@Example.com\"}");
    char *before = snapshot(&f);
    json_t *d = expect_error(&f, "POST", "/api/prospects", "{\"email\":\"ada@example.COM\"}", 409,
                             "duplicate_email");
    assert_string_equal(h_json_str(d, "email"), "ada@example.COM");
    assert_int_equal(h_json_int(d, "id"), id);
    json_decref(d);
    char *after = snapshot(&f);
    assert_string_equal(before, after);
    h_buf_free(before);
    h_buf_free(after);
    down(&f);
}

static void array_skips_duplicates(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    long long taken = create(&f, "{\"email\":\"taken@example.com\"}");
    json_t *j = h_req_json(f.port, "POST", "/api/prospects",
                           "[{\"email\":\"new1@example.com\"},{\"email\":\"TAKEN@example.com\"},"
                           "{\"email\":\"New1@Example.com\"},"
                           "{\"email\":\"new2@example.com\",\"first_name\":\"Two\"},"
                           "{\"email\":\"new1@example.com\"}]",
                           201);
    assert_int_equal(h_json_int(j, "created"), 2);
    json_t *items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_prospect_shape(json_array_get(items, 0));
    assert_string_equal(h_json_str(json_array_get(items, 0), "email"), "new1@example.com");
    assert_string_equal(h_json_str(json_array_get(items, 1), "email"), "new2@example.com");
    assert_string_equal(h_json_str(json_array_get(items, 1), "first_name"), "Two");
    json_t *skipped = json_object_get(j, "skipped");
    assert_int_equal(json_array_size(skipped), 3);
    const long long idx[] = {1, 2, 4};
    const char *emails[] = {"TAKEN@example.com", "New1@Example.com", "new1@example.com"};
    for (size_t i = 0; i < 3; i++) {
        json_t *s = json_array_get(skipped, i);
        assert_int_equal(h_json_int(s, "index"), idx[i]);
        assert_string_equal(h_json_str(s, "email"), emails[i]);
        assert_string_equal(h_json_str(s, "reason"), "duplicate");
    }
    json_decref(j);
    assert_int_equal(h_db_int(f.db, "SELECT count(*) FROM prospects"), 3);
    assert_true(taken > 0);

    /* All duplicates: 201 with nothing created. */
    j = h_req_json(f.port, "POST", "/api/prospects", "[{\"email\":\"NEW2@example.com\"}]", 201);
    assert_int_equal(h_json_int(j, "created"), 0);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "skipped")), 1);
    json_decref(j);
    assert_list(&f, "/api/prospects?limit=1", &taken, 1, 3);
    down(&f);
}

static void array_with_one_bad_item_creates_nothing(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    create(&f, "{\"email\":\"first@example.com\"}");
    char *before = snapshot(&f);
    json_t *d = expect_error(&f, "POST", "/api/prospects",
                             "[{\"email\":\"ok@example.com\"},{\"email\":\"bad\"},"
                             "{\"email\":\"ok2@example.com\"}]",
                             422, "invalid_email");
    assert_int_equal(h_json_int(d, "index"), 1);
    assert_string_equal(h_json_str(d, "field"), "email");
    assert_string_equal(h_json_str(d, "value"), "bad");
    json_decref(d);
    d = expect_error(&f, "POST", "/api/prospects",
                     "[{\"email\":\"ok@example.com\"},{\"email\":\"ok2@example.com\",\"id\":3}]",
                     422, "unknown_field");
    assert_int_equal(h_json_int(d, "index"), 1);
    assert_string_equal(h_json_str(d, "field"), "id");
    json_decref(d);
    d = expect_error(&f, "POST", "/api/prospects", "[{\"email\":\"ok@example.com\"},5]", 422,
                     "invalid_body");
    assert_int_equal(h_json_int(d, "index"), 1);
    json_decref(d);
    d = expect_error(&f, "POST", "/api/prospects",
                     "[{\"email\":\"ok@example.com\",\"company\":[1]}]", 422, "invalid_type");
    assert_int_equal(h_json_int(d, "index"), 0);
    assert_string_equal(h_json_str(d, "field"), "company");
    json_decref(d);
    char *after = snapshot(&f);
    assert_string_equal(before, after);
    h_buf_free(before);
    h_buf_free(after);
    down(&f);
}

static void bad_create_bodies(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    create(&f, "{\"email\":\"first@example.com\"}");
    json_t *d =
        expect_error(&f, "POST", "/api/prospects", "{\"email\":\n \"x@y.z\",", 400, "bad_json");
    assert_int_equal(h_json_int(d, "line"), 2);
    assert_true(h_json_int(d, "column") > 0);
    json_decref(d);
    refused(&f, "POST", "/api/prospects", "", 400, "bad_json");
    refused(&f, "POST", "/api/prospects", "{\"email\":\"a@b.co\",\"email\":\"c@d.co\"}", 400,
            "bad_json"); /* a key twice */
    refused(&f, "POST", "/api/prospects", "{\"email\":\"a@b.co\\u0000\"}", 400, "bad_json");
    refused(&f, "POST", "/api/prospects", "[]", 422, "invalid_body");
    refused(&f, "POST", "/api/prospects", "42", 422, "invalid_body");
    refused(&f, "POST", "/api/prospects", "\"a@b.co\"", 422, "invalid_body");
    refused(&f, "POST", "/api/prospects", "null", 422, "invalid_body");
    d = expect_error(&f, "POST", "/api/prospects", "{\"email\":\"nope\"}", 422, "invalid_email");
    assert_string_equal(h_json_str(d, "field"), "email");
    assert_string_equal(h_json_str(d, "value"), "nope");
    assert_non_null(h_json_str(d, "reason"));
    json_decref(d);
    refused(&f, "POST", "/api/prospects", "{\"first_name\":\"Ada\"}", 422, "invalid_email");
    refused(&f, "POST", "/api/prospects", "{\"email\":null}", 422, "invalid_email");
    d = expect_error(&f, "POST", "/api/prospects", "{\"email\":\"a@b.co\",\"nick\":\"x\"}", 422,
                     "unknown_field");
    assert_string_equal(h_json_str(d, "field"), "nick");
    json_decref(d);
    refused(&f, "POST", "/api/prospects", "{\"email\":\"a@b.co\",\"draft_status\":\"none\"}", 422,
            "unknown_field");
    refused(&f, "POST", "/api/prospects", "{\"email\":\"a@b.co\",\"created_at\":null}", 422,
            "unknown_field");
    refused(&f, "POST", "/api/prospects", "{\"email\":\"a@b.co\",\"first_name\":5}", 422,
            "invalid_type");
    refused(&f, "POST", "/api/prospects", "{\"email\":[\"a@b.co\"]}", 422, "invalid_type");

    char *big = malloc(2000);
    assert_non_null(big);
    strcpy(big, "{\"email\":\"a@b.co\",\"title\":\"");
    size_t n = strlen(big);
    memset(big + n, 't', 1001);
    strcpy(big + n + 1001, "\"}");
    d = expect_error(&f, "POST", "/api/prospects", big, 422, "too_long");
    assert_string_equal(h_json_str(d, "field"), "title");
    assert_int_equal(h_json_int(d, "limit"), 1000);
    json_decref(d);
    free(big);

    /* At most 1000 objects in one array. */
    size_t cap = 1001 * 32 + 8;
    char *many = malloc(cap);
    assert_non_null(many);
    strcpy(many, "[");
    for (int i = 0; i < 1001; i++)
        snprintf(many + strlen(many), cap - strlen(many), "%s{\"email\":\"m%d@e.co\"}",
                 i ? "," : "", i);
    strcat(many, "]");
    refused(&f, "POST", "/api/prospects", many, 422, "too_many_items");
    free(many);
    assert_int_equal(h_db_int(f.db, "SELECT count(*) FROM prospects"), 1);
    down(&f);
}

/* --- editing -------------------------------------------------------------------------- */

static void review_flow(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    long long id = create(&f, "{\"email\":\"ada@example.com\",\"first_name\":\"Ada\"}");
    char path[64];
    snprintf(path, sizeof path, "/api/prospects/%lld", id);

    /* No draft yet: nothing to approve or reject. */
    json_t *d = expect_error(&f, "PATCH", path, "{\"draft_status\":\"approved\"}", 409, "no_draft");
    assert_int_equal(h_json_int(d, "id"), id);
    json_decref(d);
    refused(&f, "PATCH", path, "{\"draft_status\":\"rejected\"}", 409, "no_draft");
    refused(&f, "PATCH", path,
            "{\"draft_subject\":\"Only a subject\",\"draft_status\":\"approved\"}", 409,
            "no_draft");

    /* A hand-written draft. The stored updated_at is put in the past first, so that the
     * edit's new one must differ whatever the clock's resolution. */
    h_db_exec(f.db, "UPDATE prospects SET updated_at = '2000-01-01T00:00:00.000Z'");
    json_t *p = patch(&f, id, "{\"draft_subject\":\"Hello Ada\",\"draft_body\":\"Dear Ada\"}");
    assert_prospect_shape(p);
    assert_string_equal(h_json_str(p, "draft_status"), "drafted");
    assert_string_equal(h_json_str(p, "draft_subject"), "Hello Ada");
    assert_string_equal(h_json_str(p, "draft_body"), "Dear Ada");
    assert_non_null(h_json_str(p, "drafted_at"));
    assert_null(h_json_str(p, "draft_error"));
    assert_true(strcmp(h_json_str(p, "updated_at"), "2000-01-01T00:00:00.000Z") > 0);
    char drafted_at[40];
    snprintf(drafted_at, sizeof drafted_at, "%s", h_json_str(p, "drafted_at"));
    json_decref(p);

    /* Edited, still drafted; then approved; then rejected. */
    p = patch(&f, id, "{\"draft_body\":\"Dear Ada,\\nan edited draft.\"}");
    assert_string_equal(h_json_str(p, "draft_status"), "drafted");
    assert_string_equal(h_json_str(p, "draft_body"), "Dear Ada,\nan edited draft.");
    assert_string_equal(h_json_str(p, "draft_subject"), "Hello Ada");
    assert_string_equal(h_json_str(p, "drafted_at"), drafted_at);
    json_decref(p);
    p = patch(&f, id, "{\"draft_status\":\"approved\"}");
    assert_string_equal(h_json_str(p, "draft_status"), "approved");
    assert_string_equal(h_json_str(p, "draft_body"), "Dear Ada,\nan edited draft.");
    json_decref(p);
    /* Editing an approved draft keeps it approved. */
    p = patch(&f, id, "{\"draft_subject\":\"Hello again\"}");
    assert_string_equal(h_json_str(p, "draft_status"), "approved");
    json_decref(p);
    p = patch(&f, id, "{\"draft_status\":\"rejected\"}");
    assert_string_equal(h_json_str(p, "draft_status"), "rejected");
    json_decref(p);
    assert_list(&f, "/api/prospects?draft_status=rejected", &id, 1, 1);
    assert_list(&f, "/api/prospects?draft_status=drafted", NULL, 0, 0);

    /* A failed prospect given a draft by hand is drafted, its error gone. */
    long long failed = create(&f, "{\"email\":\"grace@example.com\"}");
    h_db_exec(f.db,
              "UPDATE prospects SET draft_status = 'failed', "
              "draft_error = 'the template needs first_name' WHERE email = 'grace@example.com'");
    p = patch(&f, failed, "{\"draft_subject\":\"S\",\"draft_body\":\"B\"}");
    assert_string_equal(h_json_str(p, "draft_status"), "drafted");
    assert_null(h_json_str(p, "draft_error"));
    json_decref(p);
    p = patch(&f, failed, "{\"draft_status\":\"approved\"}");
    assert_string_equal(h_json_str(p, "draft_status"), "approved");
    json_decref(p);
    down(&f);
}

static void bad_edits_change_nothing(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    long long id = create(&f, "{\"email\":\"ada@example.com\",\"first_name\":\"Ada\"}");
    long long other = create(&f, "{\"email\":\"grace@example.com\"}");
    char path[64];
    snprintf(path, sizeof path, "/api/prospects/%lld", id);

    refused(&f, "PATCH", path, "{\"first_name\":", 400, "bad_json");
    refused(&f, "PATCH", path, "", 400, "bad_json");
    refused(&f, "PATCH", path, "[]", 422, "invalid_body");
    refused(&f, "PATCH", path, "[{\"first_name\":\"x\"}]", 422, "invalid_body");
    const char *statuses[] = {"\"drafted\"", "\"none\"", "\"failed\"", "\"maybe\"", "null", "1"};
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
        char body[64];
        snprintf(body, sizeof body, "{\"draft_status\":%s}", statuses[i]);
        char *before = snapshot(&f);
        json_t *d = expect_error(&f, "PATCH", path, body, 422, "invalid_draft_status");
        assert_int_equal(json_array_size(json_object_get(d, "allowed")), 2);
        json_decref(d);
        char *after = snapshot(&f);
        assert_string_equal(before, after);
        h_buf_free(before);
        h_buf_free(after);
    }
    refused(&f, "PATCH", path, "{\"email\":null}", 422, "invalid_email");
    refused(&f, "PATCH", path, "{\"email\":\"not-an-email\"}", 422, "invalid_email");
    refused(&f, "PATCH", path, "{\"first_name\":\"Ada\",\"id\":9}", 422, "unknown_field");
    refused(&f, "PATCH", path, "{\"draft_error\":null}", 422, "unknown_field");
    refused(&f, "PATCH", path, "{\"first_name\":true}", 422, "invalid_type");
    refused(&f, "PATCH", path, "{\"draft_body\":{\"text\":\"x\"}}", 422, "invalid_type");

    /* The email of another prospect, in any case. */
    char *before = snapshot(&f);
    json_t *d = expect_error(&f, "PATCH", path,
                             "{\"first_name\":\"Changed\",\"email\":\"GRACE@example.com\"}", 409,
                             "duplicate_email");
    assert_int_equal(h_json_int(d, "id"), other);
    assert_string_equal(h_json_str(d, "email"), "GRACE@example.com");
    json_decref(d);
    char *after = snapshot(&f);
    assert_string_equal(before, after);
    h_buf_free(before);
    h_buf_free(after);
    /* Its own email in another case is no clash. */
    json_t *p = patch(&f, id, "{\"email\":\"ADA@example.com\"}");
    assert_string_equal(h_json_str(p, "email"), "ADA@example.com");
    json_decref(p);

    refused(&f, "PATCH", "/api/prospects/999999", "{\"first_name\":\"x\"}", 404, "not_found");
    d = expect_error(&f, "GET", "/api/prospects/999999", NULL, 404, "not_found");
    assert_int_equal(h_json_int(d, "id"), 999999);
    json_decref(d);
    down(&f);
}

/* --- deleting ------------------------------------------------------------------------- */

static void delete_refused_while_a_job_waits_for_it(void **state)
{
    (void)state;
    struct fx f;
    up(&f);
    long long a = create(&f, "{\"email\":\"a@example.com\"}");
    long long b = create(&f, "{\"email\":\"b@example.com\"}");
    /* A running job held by another (live) instance, so that no worker here takes it. */
    h_db_exec(f.db, "INSERT INTO jobs (job_type, status, lease_owner, lease_expires_at, "
                    "total_targets) VALUES ('draft', 'running', 'elsewhere', "
                    "'2999-01-01T00:00:00.000Z', 2)");
    long long job = h_db_int(f.db, "SELECT id FROM jobs");
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO job_targets (job_id, prospect_id, state) VALUES (%lld, %lld, "
             "'pending'), (%lld, %lld, 'drafted')",
             job, a, job, b);
    h_db_exec(f.db, sql);

    char pa[64], pb[64];
    snprintf(pa, sizeof pa, "/api/prospects/%lld", a);
    snprintf(pb, sizeof pb, "/api/prospects/%lld", b);
    char *before = snapshot(&f);
    json_t *d = expect_error(&f, "DELETE", pa, NULL, 409, "prospect_in_job");
    assert_int_equal(h_json_int(d, "job_id"), job);
    json_decref(d);
    char *after = snapshot(&f);
    assert_string_equal(before, after);
    h_buf_free(before);
    h_buf_free(after);
    assert_int_equal(
        h_db_intf(f.db, "SELECT count(*) FROM job_targets WHERE prospect_id = %lld", a), 1);

    /* A target already drafted is not waited for. */
    struct h_resp r;
    h_http(&r, f.port, "DELETE", pb, NULL, 0, NULL);
    assert_int_equal(r.status, 204);
    h_resp_release(&r);

    /* A pending job holds its targets too. (Of a type no worker here takes, so that it
     * stays pending.) */
    h_db_exec(f.db, "UPDATE jobs SET status = 'completed'");
    h_db_exec(f.db, "INSERT INTO jobs (job_type, status) VALUES ('held', 'pending')");
    long long job2 = h_db_int(f.db, "SELECT max(id) FROM jobs");
    assert_true(job2 > job);
    snprintf(sql, sizeof sql,
             "INSERT INTO job_targets (job_id, prospect_id, state) VALUES (%lld, %lld, 'pending')",
             job2, a);
    h_db_exec(f.db, sql);
    d = expect_error(&f, "DELETE", pa, NULL, 409, "prospect_in_job");
    assert_int_equal(h_json_int(d, "job_id"), job2);
    json_decref(d);

    /* Once no active job waits for it, the prospect can go (its old targets with it). */
    h_db_exec(f.db, "UPDATE jobs SET status = 'cancelled' WHERE status = 'pending'");
    h_http(&r, f.port, "DELETE", pa, NULL, 0, NULL);
    assert_int_equal(r.status, 204);
    h_resp_release(&r);
    assert_int_equal(h_db_int(f.db, "SELECT count(*) FROM prospects"), 0);
    assert_list(&f, "/api/prospects", NULL, 0, 0);
    down(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        H_TEST(create_get_list_patch_delete),
        H_TEST(pages_totals_and_bad_arguments),
        H_TEST(search_text),
        H_TEST(draft_status_filter),
        H_TEST(duplicate_email_is_409_for_one_object),
        H_TEST(array_skips_duplicates),
        H_TEST(array_with_one_bad_item_creates_nothing),
        H_TEST(bad_create_bodies),
        H_TEST(review_flow),
        H_TEST(bad_edits_change_nothing),
        H_TEST(delete_refused_while_a_job_waits_for_it),
    };
    return cmocka_run_group_tests(tests, NULL, h_group_teardown);
}
