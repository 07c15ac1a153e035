/*
 * test_prospect — src/core/prospect.c (the email check, field names, CSV header
 * matching) and the pure parts of src/core/prospects.c: decoding a JSON prospect
 * object, the review rules of an edit, the LIKE pattern, UTF-8 checking, the timestamp
 * rewrite and the JSON text writer. The last group runs the service on the in-memory
 * SQLite store where only a unit test can reach (a page past the end, a lost counter
 * row, batch duplicates that differ only in case); the HTTP behaviour is tested on both
 * engines in tests/integration/test_prospects.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/prospect.h"
#include "core/prospects.h"
#include "store/memdb.h"
#include "unit.h"

/* --- prospect.c ----------------------------------------------------------------------- */

static void email_valid_forms(void **state)
{
    (void)state;
    const char *ok[] = {
        "ada@example.com",
        "a.b+tag@mail.example.co.uk",
        "x@a-b.io",
        "o'brien@example.com",
        "UPPER@EXAMPLE.COM",
        "\xc3\xa4@b\xc3\xbc.de",
        "1@2.3",
        "first_last@sub-domain.example.org",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char why[64] = "";
        if (!prospect_email_valid(ok[i], why, sizeof why))
            fail_msg("\"%s\" refused: %s", ok[i], why);
    }
    /* Exactly 254 bytes is accepted, 255 is not. */
    char longest[256];
    memset(longest, 'a', sizeof longest);
    memcpy(longest + 254 - 12, "@example.com", 12);
    longest[254] = '\0';
    assert_true(prospect_email_valid(longest, NULL, 0));
    memmove(longest + 1, longest, 255);
    longest[255] = '\0';
    char why[64];
    assert_false(prospect_email_valid(longest, why, sizeof why));
    assert_contains(why, "longer than 254");
}

static void email_invalid_forms_say_why(void **state)
{
    (void)state;
    const struct {
        const char *email, *why;
    } bad[] = {
        {"", "is empty"},
        {"ada.example.com", "has no @"},
        {"a@b@example.com", "more than one @"},
        {"@example.com", "nothing before the @"},
        {"ada@", "nothing after the @"},
        {"ada@localhost", "without a dot"},
        {"ada lovelace@example.com", "space"},
        {"ada\t@example.com", "space"},
        {"<ada>@example.com", "not allowed before the @"},
        {".ada@example.com", "misplaced dot"},
        {"ada.@example.com", "misplaced dot"},
        {"a..da@example.com", "misplaced dot"},
        /* Two dots after the @ are an empty domain part, not a misplaced local dot. */
        {"ada@example..com", "empty part"},
        {"ada@.example.com", "empty part"},
        {"ada@example.com.", "empty part"},
        {"ada@-example.com", "starts or ends with -"},
        {"ada@example-.com", "starts or ends with -"},
        {"ada@exa_mple.com", "not allowed in the domain"},
        {"ada@exa mple.com", "not allowed in the domain"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char why[96] = "";
        if (prospect_email_valid(bad[i].email, why, sizeof why))
            fail_msg("\"%s\" accepted", bad[i].email);
        if (!strstr(why, bad[i].why))
            fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", bad[i].email, why, bad[i].why);
    }
    assert_false(prospect_email_valid(NULL, NULL, 0));
}

static void field_names_and_lookup(void **state)
{
    (void)state;
    for (int i = 0; i < PF__COUNT; i++)
        assert_int_equal(prospect_field_lookup(prospect_field_names[i]), i);
    assert_string_equal(prospect_field_names[PF_FIRST_NAME], "first_name");
    assert_int_equal(prospect_field_lookup("First_Name"), -1); /* exact only */
    assert_int_equal(prospect_field_lookup("id"), -1);
}

static void header_names_match_loosely(void **state)
{
    (void)state;
    const struct {
        const char *header;
        int field;
    } cases[] = {
        {"email", PF_EMAIL},
        {"E-mail", PF_EMAIL},
        {"EMAIL", PF_EMAIL},
        {"\xef\xbb\xbf"
         "email",
         PF_EMAIL}, /* a byte order mark before the first header */
        {"First Name", PF_FIRST_NAME},
        {"first-name", PF_FIRST_NAME},
        {"FIRSTNAME", PF_FIRST_NAME},
        {"first_name", PF_FIRST_NAME},
        {" Last\tName ", PF_LAST_NAME},
        {"Company", PF_COMPANY},
        {"TITLE", PF_TITLE},
        {"Web-Site", PF_WEBSITE},
        {"phone", -1},
        {"", -1},
        {"first name x", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (prospect_field_from_header(cases[i].header) != cases[i].field)
            fail_msg("header \"%s\": got %d, want %d", cases[i].header,
                     prospect_field_from_header(cases[i].header), cases[i].field);
    /* A header too long to be any field name is unknown, not truncated into one. */
    char longname[200];
    memset(longname, ' ', sizeof longname);
    memcpy(longname + 150, "email", 6);
    assert_int_equal(prospect_field_from_header(longname), -1);
}

/* --- decoding input ------------------------------------------------------------------- */

static json_t *js(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    if (!j) fail_msg("bad test JSON %s: %s", text, je.text);
    return j;
}

/* Decodes text as kind; asserts the outcome code ("" for success). */
static void decode_expect(const char *text, enum prospect_input_kind kind, const char *code,
                          const char *field)
{
    json_t *j = js(text);
    struct prospect_input in;
    struct prospect_problem p;
    int rc = prospect_input_parse(&in, j, kind, &p);
    if (!*code) {
        if (rc) fail_msg("%s refused: %s", text, p.message);
    } else {
        if (rc != ERR_INVALID) fail_msg("%s accepted (rc %d)", text, rc);
        if (strcmp(p.code, code) != 0) fail_msg("%s: code %s, want %s", text, p.code, code);
        if (field && (!p.field || strcmp(p.field, field) != 0))
            fail_msg("%s: field %s, want %s", text, p.field ? p.field : "(none)", field);
        if (field && !strstr(p.message, field))
            fail_msg("%s: message \"%s\" does not name %s", text, p.message, field);
    }
    prospect_input_release(&in);
    json_decref(j);
}

static void create_input_trims_and_nulls(void **state)
{
    (void)state;
    json_t *j = js("{\"email\":\"  ada@example.com\\n\",\"first_name\":\" Ada \","
                   "\"last_name\":\"   \",\"company\":null,\"title\":\"\"}");
    struct prospect_input in;
    struct prospect_problem p;
    assert_int_equal(prospect_input_parse(&in, j, PROSPECT_INPUT_CREATE, &p), 0);
    assert_string_equal(in.v[PK_EMAIL], "ada@example.com");
    assert_string_equal(in.v[PK_FIRST_NAME], "Ada");
    assert_true(in.set[PK_LAST_NAME]);
    assert_null(in.v[PK_LAST_NAME]); /* only spaces: empty, stored as NULL */
    assert_true(in.set[PK_COMPANY]);
    assert_null(in.v[PK_COMPANY]);
    assert_null(in.v[PK_TITLE]);
    assert_false(in.set[PK_WEBSITE]);
    assert_null(in.v[PK_WEBSITE]);
    prospect_input_release(&in);
    json_decref(j);
}

static void create_input_refusals(void **state)
{
    (void)state;
    const enum prospect_input_kind C = PROSPECT_INPUT_CREATE;
    decode_expect("{\"email\":\"ada@example.com\"}", C, "", NULL);
    decode_expect("{}", C, "invalid_email", "email");
    decode_expect("{\"first_name\":\"Ada\"}", C, "invalid_email", "email");
    decode_expect("{\"email\":null}", C, "invalid_email", "email");
    decode_expect("{\"email\":\"   \"}", C, "invalid_email", "email");
    decode_expect("{\"email\":\"ada.example.com\"}", C, "invalid_email", "email");
    decode_expect("{\"email\":42}", C, "invalid_type", "email");
    decode_expect("{\"email\":\"a@b.co\",\"first_name\":7}", C, "invalid_type", "first_name");
    decode_expect("{\"email\":\"a@b.co\",\"company\":true}", C, "invalid_type", "company");
    decode_expect("{\"email\":\"a@b.co\",\"title\":[\"x\"]}", C, "invalid_type", "title");
    decode_expect("{\"email\":\"a@b.co\",\"website\":{}}", C, "invalid_type", "website");
    decode_expect("{\"email\":\"a@b.co\",\"phone\":\"1\"}", C, "unknown_field", "phone");
    decode_expect("{\"email\":\"a@b.co\",\"id\":1}", C, "unknown_field", "id");
    decode_expect("{\"email\":\"a@b.co\",\"created_at\":\"x\"}", C, "unknown_field", "created_at");
    decode_expect("{\"email\":\"a@b.co\",\"draft_status\":\"approved\"}", C, "unknown_field",
                  "draft_status");
    decode_expect("{\"email\":\"a@b.co\",\"draft_body\":\"x\"}", C, "unknown_field", "draft_body");
    decode_expect("[]", C, "invalid_body", NULL);
    decode_expect("\"ada@example.com\"", C, "invalid_body", NULL);
}

static void invalid_email_names_value_and_reason(void **state)
{
    (void)state;
    json_t *j = js("{\"email\":\"ada@localhost\"}");
    struct prospect_input in;
    struct prospect_problem p;
    assert_int_equal(prospect_input_parse(&in, j, PROSPECT_INPUT_CREATE, &p), ERR_INVALID);
    assert_string_equal(p.code, "invalid_email");
    assert_string_equal(p.value, "ada@localhost");
    assert_contains(p.reason, "without a dot");
    assert_contains(p.message, "ada@localhost");
    prospect_input_release(&in);
    json_decref(j);
}

static void field_length_limits(void **state)
{
    (void)state;
    char *text = malloc(PROSPECT_DRAFT_BODY_MAX + 200);
    assert_non_null(text);
    char *v = malloc(PROSPECT_DRAFT_BODY_MAX + 2);
    assert_non_null(v);

    memset(v, 'x', PROSPECT_FIELD_MAX);
    v[PROSPECT_FIELD_MAX] = '\0';
    snprintf(text, PROSPECT_DRAFT_BODY_MAX + 200, "{\"email\":\"a@b.co\",\"company\":\"%s\"}", v);
    decode_expect(text, PROSPECT_INPUT_CREATE, "", NULL);
    /* Trimmed before it is measured: spaces around do not count. */
    snprintf(text, PROSPECT_DRAFT_BODY_MAX + 200, "{\"email\":\"a@b.co\",\"company\":\"  %s  \"}",
             v);
    decode_expect(text, PROSPECT_INPUT_CREATE, "", NULL);
    v[PROSPECT_FIELD_MAX] = 'x';
    v[PROSPECT_FIELD_MAX + 1] = '\0';
    snprintf(text, PROSPECT_DRAFT_BODY_MAX + 200, "{\"email\":\"a@b.co\",\"company\":\"%s\"}", v);
    decode_expect(text, PROSPECT_INPUT_CREATE, "too_long", "company");

    /* A draft body may be much longer than a field, up to its own limit. */
    memset(v, 'y', PROSPECT_DRAFT_BODY_MAX);
    v[PROSPECT_DRAFT_BODY_MAX] = '\0';
    snprintf(text, PROSPECT_DRAFT_BODY_MAX + 200, "{\"draft_body\":\"%s\"}", v);
    decode_expect(text, PROSPECT_INPUT_EDIT, "", NULL);
    v[PROSPECT_DRAFT_BODY_MAX] = 'y';
    v[PROSPECT_DRAFT_BODY_MAX + 1] = '\0';
    snprintf(text, PROSPECT_DRAFT_BODY_MAX + 200, "{\"draft_body\":\"%s\"}", v);
    decode_expect(text, PROSPECT_INPUT_EDIT, "too_long", "draft_body");
    free(v);
    free(text);
}

static void edit_input_refusals(void **state)
{
    (void)state;
    const enum prospect_input_kind E = PROSPECT_INPUT_EDIT;
    decode_expect("{}", E, "", NULL);
    decode_expect("{\"first_name\":null,\"draft_subject\":\"Hi\",\"draft_body\":null}", E, "",
                  NULL);
    decode_expect("{\"draft_status\":\"approved\"}", E, "", NULL);
    decode_expect("{\"draft_status\":\"rejected\"}", E, "", NULL);
    decode_expect("{\"draft_status\":\"drafted\"}", E, "invalid_draft_status", "draft_status");
    decode_expect("{\"draft_status\":\"none\"}", E, "invalid_draft_status", "draft_status");
    decode_expect("{\"draft_status\":\"failed\"}", E, "invalid_draft_status", "draft_status");
    decode_expect("{\"draft_status\":\"Approved\"}", E, "invalid_draft_status", "draft_status");
    decode_expect("{\"draft_status\":null}", E, "invalid_draft_status", "draft_status");
    decode_expect("{\"draft_status\":1}", E, "invalid_draft_status", "draft_status");
    decode_expect("{\"email\":null}", E, "invalid_email", "email");
    decode_expect("{\"email\":\"nope\"}", E, "invalid_email", "email");
    decode_expect("{\"draft_subject\":5}", E, "invalid_type", "draft_subject");
    decode_expect("{\"draft_error\":\"x\"}", E, "unknown_field", "draft_error");
    decode_expect("{\"drafted_at\":null}", E, "unknown_field", "drafted_at");
    decode_expect("{\"id\":3}", E, "unknown_field", "id");
    decode_expect("{\"nickname\":\"x\"}", E, "unknown_field", "nickname");

    json_t *j = js("{\"draft_status\":\"drafted\"}");
    struct prospect_input in;
    struct prospect_problem p;
    assert_int_equal(prospect_input_parse(&in, j, E, &p), ERR_INVALID);
    assert_contains(p.message, "approved");
    assert_contains(p.message, "rejected");
    prospect_input_release(&in);
    json_decref(j);
}

/* --- the review rules ----------------------------------------------------------------- */

static struct prospect_row row_with(const char *status, const char *subject, const char *body)
{
    struct prospect_row r = {{NULL}};
    r.v[PC_ID] = "7";
    r.v[PC_EMAIL] = "ada@example.com";
    r.v[PC_FIRST_NAME] = "Ada";
    r.v[PC_DRAFT_STATUS] = status;
    r.v[PC_DRAFT_SUBJECT] = subject;
    r.v[PC_DRAFT_BODY] = body;
    r.v[PC_DRAFT_ERROR] = strcmp(status, "failed") == 0 ? "no first_name" : NULL;
    r.v[PC_DRAFTED_AT] = subject ? "2026-01-01T00:00:00.000Z" : NULL;
    return r;
}

/* Plans the edit text on cur; returns the rc and fills plan. */
static int plan(struct prospect_plan *out, const struct prospect_row *cur, const char *text,
                struct prospect_input *in, struct err *e)
{
    json_t *j = js(text);
    struct prospect_problem p;
    if (prospect_input_parse(in, j, PROSPECT_INPUT_EDIT, &p)) fail_msg("%s", p.message);
    json_decref(j);
    return prospect_patch_plan(out, cur, in, e);
}

static void plan_hand_written_draft(void **state)
{
    (void)state;
    const char *open[] = {"none", "failed"};
    for (size_t i = 0; i < 2; i++) {
        struct prospect_row cur = row_with(open[i], NULL, NULL);
        struct prospect_input in;
        struct prospect_plan out;
        struct err e = {0};
        assert_int_equal(
            plan(&out, &cur, "{\"draft_subject\":\"Hi\",\"draft_body\":\"Hello\"}", &in, &e), 0);
        assert_string_equal(out.v[PK_DRAFT_STATUS], "drafted");
        assert_int_equal(out.drafted_at, DRAFTED_AT_NOW);
        assert_null(out.draft_error);
        assert_string_equal(out.v[PK_DRAFT_SUBJECT], "Hi");
        assert_string_equal(out.v[PK_EMAIL], "ada@example.com"); /* untouched fields kept */
        assert_string_equal(out.v[PK_FIRST_NAME], "Ada");
        prospect_input_release(&in);
    }
    /* On a reviewed draft an edit keeps the status and the time it was drafted. */
    const char *kept[] = {"drafted", "approved", "rejected"};
    for (size_t i = 0; i < 3; i++) {
        struct prospect_row cur = row_with(kept[i], "Old", "Old body");
        struct prospect_input in;
        struct prospect_plan out;
        struct err e = {0};
        assert_int_equal(plan(&out, &cur, "{\"draft_body\":\"New body\"}", &in, &e), 0);
        assert_string_equal(out.v[PK_DRAFT_STATUS], kept[i]);
        assert_int_equal(out.drafted_at, DRAFTED_AT_KEEP);
        assert_string_equal(out.v[PK_DRAFT_SUBJECT], "Old");
        assert_string_equal(out.v[PK_DRAFT_BODY], "New body");
        prospect_input_release(&in);
    }
}

static void plan_review_needs_a_draft(void **state)
{
    (void)state;
    struct prospect_input in;
    struct prospect_plan out;
    struct err e = {0};
    struct prospect_row none = row_with("none", NULL, NULL);
    assert_int_equal(plan(&out, &none, "{\"draft_status\":\"approved\"}", &in, &e), ERR_CONFLICT);
    assert_contains(e.msg, "no draft");
    prospect_input_release(&in);

    struct prospect_row half = row_with("drafted", "Subject only", NULL);
    assert_int_equal(plan(&out, &half, "{\"draft_status\":\"rejected\"}", &in, &e), ERR_CONFLICT);
    prospect_input_release(&in);

    /* Clearing the body in the same edit leaves nothing to approve. */
    struct prospect_row full = row_with("drafted", "S", "B");
    assert_int_equal(
        plan(&out, &full, "{\"draft_body\":null,\"draft_status\":\"approved\"}", &in, &e),
        ERR_CONFLICT);
    prospect_input_release(&in);

    assert_int_equal(plan(&out, &full, "{\"draft_status\":\"approved\"}", &in, &e), 0);
    assert_string_equal(out.v[PK_DRAFT_STATUS], "approved");
    assert_int_equal(out.drafted_at, DRAFTED_AT_KEEP);
    prospect_input_release(&in);

    /* A draft written and approved in one edit. */
    assert_int_equal(plan(&out, &none,
                          "{\"draft_subject\":\"S\",\"draft_body\":\"B\",\"draft_status\":"
                          "\"approved\"}",
                          &in, &e),
                     0);
    assert_string_equal(out.v[PK_DRAFT_STATUS], "approved");
    assert_int_equal(out.drafted_at, DRAFTED_AT_NOW);
    prospect_input_release(&in);

    struct prospect_row approved = row_with("approved", "S", "B");
    assert_int_equal(plan(&out, &approved, "{\"draft_status\":\"rejected\"}", &in, &e), 0);
    assert_string_equal(out.v[PK_DRAFT_STATUS], "rejected");
    prospect_input_release(&in);
}

static void plan_clearing_the_draft(void **state)
{
    (void)state;
    struct prospect_input in;
    struct prospect_plan out;
    struct err e = {0};
    struct prospect_row approved = row_with("approved", "S", "B");
    assert_int_equal(plan(&out, &approved, "{\"draft_subject\":null,\"draft_body\":\"\"}", &in, &e),
                     0);
    assert_string_equal(out.v[PK_DRAFT_STATUS], "none");
    assert_int_equal(out.drafted_at, DRAFTED_AT_CLEAR);
    assert_null(out.v[PK_DRAFT_SUBJECT]);
    assert_null(out.v[PK_DRAFT_BODY]);
    prospect_input_release(&in);

    /* Only one part cleared: the status stays. */
    assert_int_equal(plan(&out, &approved, "{\"draft_subject\":null}", &in, &e), 0);
    assert_string_equal(out.v[PK_DRAFT_STATUS], "approved");
    prospect_input_release(&in);

    /* A failed prospect keeps its status and error when nothing is written. */
    struct prospect_row failed = row_with("failed", NULL, NULL);
    assert_int_equal(plan(&out, &failed, "{\"draft_subject\":null,\"company\":\"Acme\"}", &in, &e),
                     0);
    assert_string_equal(out.v[PK_DRAFT_STATUS], "failed");
    assert_string_equal(out.draft_error, "no first_name");
    assert_string_equal(out.v[PK_COMPANY], "Acme");
    prospect_input_release(&in);
}

/* --- helpers -------------------------------------------------------------------------- */

static void like_pattern_escapes_wildcards(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(prospects_like_pattern(out, sizeof out, "ada"), 0);
    assert_string_equal(out, "%ada%");
    assert_int_equal(prospects_like_pattern(out, sizeof out, "50%_off\\x"), 0);
    assert_string_equal(out, "%50\\%\\_off\\\\x%");
    assert_int_equal(prospects_like_pattern(out, sizeof out, ""), 0);
    assert_string_equal(out, "%%");
    /* The documented size: 2 * strlen(q) + 3 fits, one byte less does not. */
    const char *q = "%%%%";
    assert_int_equal(prospects_like_pattern(out, 2 * strlen(q) + 3, q), 0);
    assert_string_equal(out, "%\\%\\%\\%\\%%");
    assert_int_equal(prospects_like_pattern(out, 2 * strlen(q) + 2, q), -1);
    assert_int_equal(prospects_like_pattern(out, 2, ""), -1);
}

static void utf8_validation(void **state)
{
    (void)state;
    const char *good[] = {"",
                          "plain",
                          "caf\xc3\xa9",
                          "\xe2\x82\xac",
                          "\xf0\x9f\x98\x80",
                          "\xed\x9f\xbf",
                          "\xf4\x8f\xbf\xbf"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!prospects_utf8_valid(good[i], strlen(good[i]))) fail_msg("good[%zu] refused", i);
    const char *bad[] = {
        "\x80",             /* a lone continuation byte */
        "\xc3",             /* cut short */
        "\xc0\x80",         /* overlong NUL */
        "\xc1\xbf",         /* overlong */
        "\xe0\x80\x80",     /* overlong */
        "\xed\xa0\x80",     /* a surrogate */
        "\xf0\x80\x80\x80", /* overlong */
        "\xf4\x90\x80\x80", /* past U+10FFFF */
        "\xf5\x80\x80\x80",
        "\xff",
        "ok\xe2\x82",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (prospects_utf8_valid(bad[i], strlen(bad[i]))) fail_msg("bad[%zu] accepted", i);
    /* The length bounds the check: a valid prefix of a longer buffer is valid. */
    assert_true(prospects_utf8_valid("ab\xff", 2));
}

static void timestamps_become_rfc3339(void **state)
{
    (void)state;
    char buf[PROSPECT_TS_BUF];
    const char *sqlite_text = "2026-01-02T03:04:05.678Z";
    assert_ptr_equal(prospect_ts_rfc3339(buf, sizeof buf, sqlite_text), sqlite_text);
    assert_null(prospect_ts_rfc3339(buf, sizeof buf, NULL));
    const struct {
        const char *in, *out;
    } cases[] = {
        {"\"2026-01-02T03:04:05\"", "2026-01-02T03:04:05.000Z"},
        {"\"2026-01-02T03:04:05.6\"", "2026-01-02T03:04:05.600Z"},
        {"\"2026-01-02T03:04:05.67\"", "2026-01-02T03:04:05.670Z"},
        {"\"2026-01-02T03:04:05.678\"", "2026-01-02T03:04:05.678Z"},
        {"\"2026-01-02T03:04:05.678999\"", "2026-01-02T03:04:05.678Z"}, /* cut, as MS does */
        {"\"infinity\"", "infinity"},
        {"\"0044-03-15T00:00:00 BC\"", "0044-03-15T00:00:00 BC"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(prospect_ts_rfc3339(buf, sizeof buf, cases[i].in), cases[i].out);
}

static void statuses(void **state)
{
    (void)state;
    const char *ok[] = {"none", "drafted", "approved", "rejected", "failed"};
    for (size_t i = 0; i < 5; i++)
        assert_true(prospect_status_valid(ok[i]));
    assert_false(prospect_status_valid("NONE"));
    assert_false(prospect_status_valid(""));
    assert_false(prospect_status_valid(NULL));
    assert_false(prospect_status_valid("approved "));
}

/* The text jtext wrote, NUL-terminated and owned by the caller. */
static char *take(struct jtext *j)
{
    size_t len = 0;
    char *t = jtext_take(j, &len);
    assert_non_null(t);
    assert_int_equal(strlen(t), len);
    return t;
}

static void jtext_escapes_strings(void **state)
{
    (void)state;
    struct jtext j = {0};
    jtext_str(&j, "a\"b\\c\n\r\t\b\f\x01\x1f\x7f/\xc3\xa9");
    jtext_lit(&j, " ");
    jtext_str(&j, NULL);
    jtext_lit(&j, " ");
    jtext_str(&j, "bad\xff\xc3(");
    jtext_lit(&j, " ");
    jtext_int(&j, -1234567890123LL);
    jtext_raw(&j, NULL, 0); /* nothing to add: no copy from NULL */
    char *t = take(&j);
    assert_string_equal(t, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f/\xc3\xa9\" null "
                           "\"bad\xef\xbf\xbd\xef\xbf\xbd(\" -1234567890123");
    free(t);
    jtext_release(&j); /* after take: empty, and a no-op */
}

/* Every byte 1..255 in one string: jansson reads back what went in (or U+FFFD). */
static void jtext_round_trips_through_jansson(void **state)
{
    (void)state;
    char in[128];
    for (int i = 1; i < 128; i++)
        in[i - 1] = (char)i;
    in[127] = '\0';
    struct jtext j = {0};
    jtext_lit(&j, "[");
    jtext_str(&j, in);
    jtext_lit(&j, ",");
    jtext_str(&j, "\xe2\x82\xac \xf0\x9f\x98\x80");
    jtext_lit(&j, "]");
    char *t = take(&j);
    json_error_t je;
    json_t *arr = json_loads(t, 0, &je);
    if (!arr) fail_msg("not JSON: %s in %s", je.text, t);
    assert_string_equal(json_string_value(json_array_get(arr, 0)), in);
    assert_string_equal(json_string_value(json_array_get(arr, 1)), "\xe2\x82\xac \xf0\x9f\x98\x80");
    json_decref(arr);
    free(t);

    /* Invalid UTF-8 never makes invalid JSON. */
    char bytes[256];
    for (int i = 1; i < 256; i++)
        bytes[i - 1] = (char)i;
    bytes[255] = '\0';
    jtext_lit(&j, "[");
    jtext_str(&j, bytes);
    jtext_lit(&j, "]");
    t = take(&j);
    arr = json_loads(t, 0, &je);
    if (!arr) fail_msg("not JSON: %s", je.text);
    json_decref(arr);
    free(t);
}

static void jtext_writes_a_prospect(void **state)
{
    (void)state;
    struct prospect_row r = {{NULL}};
    r.v[PC_ID] = "42";
    r.v[PC_EMAIL] = "ada@example.com";
    r.v[PC_LAST_NAME] = "Love\"lace";
    r.v[PC_DRAFT_STATUS] = "none";
    r.v[PC_CREATED_AT] = "2026-01-02T03:04:05.678Z";
    r.v[PC_UPDATED_AT] = "2026-01-02T03:04:05.678Z";
    struct jtext j = {0};
    jtext_prospect(&j, &r);
    char *t = take(&j);
    json_error_t je;
    json_t *o = json_loads(t, 0, &je);
    if (!o) fail_msg("not JSON: %s in %s", je.text, t);
    assert_int_equal(json_object_size(o), PC__COUNT);
    /* Keys in the order of API.md, every one present. */
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) assert_string_equal(key, prospect_col_names[i++]);
    assert_true(json_is_integer(json_object_get(o, "id")));
    assert_int_equal(json_integer_value(json_object_get(o, "id")), 42);
    assert_string_equal(json_string_value(json_object_get(o, "last_name")), "Love\"lace");
    assert_true(json_is_null(json_object_get(o, "first_name")));
    assert_true(json_is_null(json_object_get(o, "drafted_at")));
    assert_string_equal(json_string_value(json_object_get(o, "draft_status")), "none");
    json_decref(o);
    free(t);
}

static void jtext_grows(void **state)
{
    (void)state;
    struct jtext j = {0};
    char chunk[1000];
    memset(chunk, 'z', sizeof chunk - 1);
    chunk[sizeof chunk - 1] = '\0';
    jtext_lit(&j, "[");
    for (int i = 0; i < 100; i++) {
        if (i) jtext_lit(&j, ",");
        jtext_str(&j, chunk);
    }
    jtext_lit(&j, "]");
    assert_false(j.failed);
    char *t = take(&j);
    assert_int_equal(strlen(t), 2 + 100 * 1001 + 99);
    json_t *arr = json_loads(t, 0, NULL);
    assert_int_equal(json_array_size(arr), 100);
    json_decref(arr);
    free(t);
}

/* --- the service on the in-memory SQLite store ---------------------------------------- */

static int migrated_setup(void **state)
{
    if (memdb_setup(state)) return -1;
    memdb_migrate(*state, 0);
    return 0;
}

static int count_rows(void *arg, const struct prospect_row *row)
{
    (void)row;
    (*(long long *)arg)++;
    return 0;
}

static void service_totals(void **state)
{
    struct store *s = *state;
    memdb_exec(s, "INSERT INTO prospects (email, draft_status) VALUES ('a@x.io', 'none'), "
                  "('b@x.io', 'approved'), ('c@x.io', 'none'), ('d@x.io', 'failed');");
    struct err e = {0};
    long long total = -1, seen = 0;
    struct prospects_filter f = {.skip = 0, .limit = 2};
    assert_int_equal(prospects_list(s, &f, count_rows, &seen, &total, &e), 0);
    assert_int_equal(seen, 2);
    assert_int_equal(total, 4);
    /* Past the end: no row carries the total, which is asked for again. */
    f.skip = 10;
    seen = 0;
    total = -1;
    assert_int_equal(prospects_list(s, &f, count_rows, &seen, &total, &e), 0);
    assert_int_equal(seen, 0);
    assert_int_equal(total, 4);
    f.draft_status = "none";
    assert_int_equal(prospects_list(s, &f, count_rows, &seen, &total, &e), 0);
    assert_int_equal(total, 2);
    f.skip = 0;
    f.draft_status = "rejected";
    assert_int_equal(prospects_list(s, &f, count_rows, &seen, &total, &e), 0);
    assert_int_equal(total, 0);
    f.draft_status = NULL;
    f.q = "X.IO";
    f.skip = 3;
    seen = 0;
    assert_int_equal(prospects_list(s, &f, count_rows, &seen, &total, &e), 0);
    assert_int_equal(seen, 1);
    assert_int_equal(total, 4);
    f.skip = 9;
    assert_int_equal(prospects_list(s, &f, count_rows, &seen, &total, &e), 0);
    assert_int_equal(total, 4);
}

/* A lost counter row is an error, never a total of 0. */
static void service_lost_counter_row_is_an_error(void **state)
{
    struct store *s = *state;
    memdb_exec(s, "INSERT INTO prospects (email) VALUES ('a@x.io');"
                  "DELETE FROM prospect_counts;");
    struct err e = {0};
    long long total = -1, seen = 0;
    struct prospects_filter f = {.skip = 0, .limit = 10};
    assert_int_equal(prospects_list(s, &f, count_rows, &seen, &total, &e), ERR_DB);
    assert_contains(e.msg, "prospect_counts");
    f.skip = 5;
    err_clear(&e);
    assert_int_equal(prospects_list(s, &f, count_rows, &seen, &total, &e), ERR_DB);
    assert_contains(e.msg, "prospect_counts");
}

struct batch_log {
    char created[8][64];
    size_t ncreated;
    size_t skipped[8];
    size_t nskipped;
};

static int log_created(void *arg, const struct prospect_row *row)
{
    struct batch_log *b = arg;
    snprintf(b->created[b->ncreated++], sizeof b->created[0], "%s", row->v[PC_EMAIL]);
    return 0;
}

static void log_skipped(void *arg, size_t index)
{
    struct batch_log *b = arg;
    b->skipped[b->nskipped++] = index;
}

static void service_batch_duplicates(void **state)
{
    struct store *s = *state;
    memdb_exec(s, "INSERT INTO prospects (email) VALUES ('Taken@X.io');");
    const char *emails[] = {"new@x.io", "taken@x.io", "NEW@X.IO", "other@x.io", "new@x.io"};
    struct prospect_input in[5];
    memset(in, 0, sizeof in);
    for (size_t i = 0; i < 5; i++) {
        in[i].set[PK_EMAIL] = true;
        in[i].v[PK_EMAIL] = strdup(emails[i]);
    }
    struct batch_log b = {0};
    struct err e = {0};
    size_t n = 0;
    assert_int_equal(prospects_create_many(s, in, 5, log_created, log_skipped, &b, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(b.ncreated, 2);
    assert_string_equal(b.created[0], "new@x.io"); /* in input order */
    assert_string_equal(b.created[1], "other@x.io");
    assert_int_equal(b.nskipped, 3);
    assert_int_equal(b.skipped[0], 1);
    assert_int_equal(b.skipped[1], 2);
    assert_int_equal(b.skipped[2], 4);
    long long total = 0;
    assert_int_equal(store_query_int(s, STMT_PROSPECT_COUNT, NULL, 0, &total, &e), 0);
    assert_int_equal(total, 3);
    for (size_t i = 0; i < 5; i++)
        prospect_input_release(&in[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(email_valid_forms),
        cmocka_unit_test(email_invalid_forms_say_why),
        cmocka_unit_test(field_names_and_lookup),
        cmocka_unit_test(header_names_match_loosely),
        cmocka_unit_test(create_input_trims_and_nulls),
        cmocka_unit_test(create_input_refusals),
        cmocka_unit_test(invalid_email_names_value_and_reason),
        cmocka_unit_test(field_length_limits),
        cmocka_unit_test(edit_input_refusals),
        cmocka_unit_test(plan_hand_written_draft),
        cmocka_unit_test(plan_review_needs_a_draft),
        cmocka_unit_test(plan_clearing_the_draft),
        cmocka_unit_test(like_pattern_escapes_wildcards),
        cmocka_unit_test(utf8_validation),
        cmocka_unit_test(timestamps_become_rfc3339),
        cmocka_unit_test(statuses),
        cmocka_unit_test(jtext_escapes_strings),
        cmocka_unit_test(jtext_round_trips_through_jansson),
        cmocka_unit_test(jtext_writes_a_prospect),
        cmocka_unit_test(jtext_grows),
        cmocka_unit_test_setup_teardown(service_totals, migrated_setup, memdb_teardown),
        cmocka_unit_test_setup_teardown(service_lost_counter_row_is_an_error, migrated_setup,
                                        memdb_teardown),
        cmocka_unit_test_setup_teardown(service_batch_duplicates, migrated_setup, memdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
