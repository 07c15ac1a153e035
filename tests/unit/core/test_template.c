/*
 * Tests src/core/template.c and src/core/provider.c: every kind of template_parse
 * error (unknown placeholder, unclosed, empty, too long, a subject with a line break,
 * text that is not UTF-8, a fallback with "{{"), rendering (every field, fallbacks,
 * blank fields, the reason naming one and several missing fields, line breaks in the
 * subject, buffers reused across renders, literal braces, spaces in placeholders), the
 * built-in default template, template_load/template_save on an in-memory database, and
 * provider_open with the saved template, a template broken in the database and the
 * test-only DRAFTD_TEST_DRAFT_DELAY_MS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/provider.h"
#include "core/template.h"
#include "store/memdb.h"
#include "unit.h"

#define VALID_LIST "placeholders are first_name, last_name, company, title, website, email"

/* A prospect with every field set. */
static struct prospect full(void)
{
    return (struct prospect){
        .id = 1,
        .f = {[PF_EMAIL] = "ada@example.com", [PF_FIRST_NAME] = "Ada",
              [PF_LAST_NAME] = "Lovelace", [PF_COMPANY] = "Analytical Engines",
              [PF_TITLE] = "CTO", [PF_WEBSITE] = "https://example.com"},
    };
}

static struct draft_template *parse_ok(const char *subject, const char *body)
{
    struct draft_template *t = NULL;
    struct err e = {0};
    if (template_parse(&t, subject, body, &e)) fail_msg("template_parse: %s", e.msg);
    assert_non_null(t);
    return t;
}

/* Parses, expects ERR_INVALID and no template; returns the diagnosis, message in e. */
static struct template_diag parse_fails(const char *subject, const char *body, struct err *e)
{
    struct draft_template *t = (struct draft_template *)1;
    struct template_diag d;
    err_clear(e);
    assert_int_equal(template_parse_diag(&t, subject, body, &d, e), ERR_INVALID);
    assert_null(t);
    assert_int_equal(e->code, ERR_INVALID);
    assert_int_not_equal(d.problem, TEMPLATE_OK);
    return d;
}

/* ---- parse errors ---------------------------------------------------------------- */

static void test_unknown_placeholder_named(void **state)
{
    (void)state;
    struct err e;
    struct template_diag d = parse_fails("Hello", "Hi {{firstname}},", &e);
    assert_int_equal(d.problem, TEMPLATE_UNKNOWN_PLACEHOLDER);
    assert_string_equal(d.part, "body");
    assert_string_equal(d.placeholder, "firstname");
    assert_string_equal(e.msg, "unknown placeholder {{firstname}} in the body: " VALID_LIST);

    d = parse_fails("For {{ Company }}", "Hi", &e);
    assert_int_equal(d.problem, TEMPLATE_UNKNOWN_PLACEHOLDER);
    assert_string_equal(d.part, "subject");
    assert_string_equal(d.placeholder, "Company"); /* names are exact, case included */
    assert_contains(e.msg, "{{Company}} in the subject");

    d = parse_fails("Hello", "Hi {{}} and {{|x}}", &e);
    assert_int_equal(d.problem, TEMPLATE_UNKNOWN_PLACEHOLDER);
    assert_string_equal(d.placeholder, "");
    assert_contains(e.msg, "unknown placeholder {{}} in the body");

    /* A very long name is shown cut, not whole. */
    char body[400];
    snprintf(body, sizeof body, "{{%0300d}}", 0);
    d = parse_fails("Hello", body, &e);
    assert_int_equal(strlen(d.placeholder), TEMPLATE_NAME_SHOWN_MAX - 1);
    assert_contains(e.msg, "...}} in the body");
}

static void test_unclosed_placeholder(void **state)
{
    (void)state;
    struct err e;
    struct template_diag d = parse_fails("Hello", "Hi {{first_name,\nthanks", &e);
    assert_int_equal(d.problem, TEMPLATE_INVALID);
    assert_string_equal(d.part, "body");
    assert_contains(e.msg, "not closed");
    assert_contains(e.msg, "\"{{first_name,\"");

    d = parse_fails("Hi {{first_name", "Hello", &e);
    assert_string_equal(d.part, "subject");
    assert_contains(e.msg, "a placeholder in the subject is not closed");

    /* A single closing brace does not close it. */
    parse_fails("Hello", "{{first_name}", &e);
    assert_contains(e.msg, "not closed");
}

static void test_empty_parts(void **state)
{
    (void)state;
    struct err e;
    struct template_diag d = parse_fails("", "Hello", &e);
    assert_string_equal(d.part, "subject");
    assert_string_equal(e.msg, "the subject is empty: write some text");
    d = parse_fails("Hello", " \n\t ", &e);
    assert_string_equal(d.part, "body");
    assert_string_equal(e.msg, "the body is empty: write some text");
    d = parse_fails(NULL, "Hello", &e);
    assert_string_equal(d.part, "subject");
    d = parse_fails("Hello", NULL, &e);
    assert_string_equal(d.part, "body");
}

static void test_too_long(void **state)
{
    (void)state;
    struct err e;
    char *big = malloc(TEMPLATE_BODY_MAX + 2);
    assert_non_null(big);

    memset(big, 'a', TEMPLATE_SUBJECT_MAX);
    big[TEMPLATE_SUBJECT_MAX] = '\0';
    struct draft_template *t = parse_ok(big, "Hello"); /* exactly the limit is fine */
    template_free(t);
    big[TEMPLATE_SUBJECT_MAX] = 'a';
    big[TEMPLATE_SUBJECT_MAX + 1] = '\0';
    struct template_diag d = parse_fails(big, "Hello", &e);
    assert_string_equal(d.part, "subject");
    assert_string_equal(e.msg, "the subject is 1001 bytes long; it can be at most 1000 bytes");

    memset(big, 'b', TEMPLATE_BODY_MAX);
    big[TEMPLATE_BODY_MAX] = '\0';
    t = parse_ok("Hello", big);
    template_free(t);
    big[TEMPLATE_BODY_MAX] = 'b';
    big[TEMPLATE_BODY_MAX + 1] = '\0';
    d = parse_fails("Hello", big, &e);
    assert_string_equal(d.part, "body");
    assert_string_equal(e.msg, "the body is 20481 bytes long; it can be at most 20480 bytes");
    free(big);
}

static void test_subject_line_break(void **state)
{
    (void)state;
    struct err e;
    struct template_diag d = parse_fails("Hello\nthere", "Hi", &e);
    assert_string_equal(d.part, "subject");
    assert_string_equal(e.msg, "the subject must be one line: it contains a line break");
    parse_fails("Hello\r", "Hi", &e);
    assert_contains(e.msg, "line break");
    /* The body may have as many lines as it likes. */
    template_free(parse_ok("Hello", "a\r\nb\n\nc"));
}

static void test_not_utf8(void **state)
{
    (void)state;
    struct err e;
    static const char *const bad[] = {
        "caf\xe9",          /* Latin-1 */
        "\xc0\xaf",         /* overlong '/' */
        "\xed\xa0\x80",     /* a UTF-16 surrogate */
        "\xf4\x90\x80\x80", /* beyond U+10FFFF */
        "ab\xe2\x82",       /* cut short */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct template_diag d = parse_fails("Hello", bad[i], &e);
        assert_string_equal(d.part, "body");
        assert_contains(e.msg, "the body is not valid UTF-8 text");
        d = parse_fails(bad[i], "Hello", &e);
        assert_string_equal(d.part, "subject");
    }
    parse_fails("Hello", "caf\xe9", &e);
    assert_string_equal(e.msg, "the body is not valid UTF-8 text (byte 4)");
    /* Real UTF-8, up to four bytes, is fine. */
    template_free(parse_ok("Caf\xc3\xa9 \xe2\x82\xac", "\xf0\x9f\x91\x8b {{first_name|\xc3\xa0 vous}}"));
}

static void test_fallback_with_braces(void **state)
{
    (void)state;
    struct err e;
    struct template_diag d = parse_fails("Hello", "Hi {{first_name|{{title}}", &e);
    assert_int_equal(d.problem, TEMPLATE_INVALID);
    assert_contains(e.msg, "the fallback of {{first_name|...}} in the body contains {{");
}

/* ---- rendering ------------------------------------------------------------------- */

static void test_render_all_fields(void **state)
{
    (void)state;
    struct draft_template *t =
        parse_ok("{{first_name}} at {{company}}",
                 "{{first_name}} {{last_name}} <{{email}}>, {{title}} at {{company}} "
                 "({{website}}).");
    struct prospect p = full();
    struct draft_result r = {0};
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_string_equal(r.subject, "Ada at Analytical Engines");
    assert_int_equal(r.subject_len, strlen(r.subject));
    assert_string_equal(r.body, "Ada Lovelace <ada@example.com>, CTO at Analytical Engines "
                                "(https://example.com).");
    assert_int_equal(r.body_len, strlen(r.body));
    assert_string_equal(r.reason, "");
    draft_result_release(&r);
    template_free(t);
}

static void test_render_fallbacks(void **state)
{
    (void)state;
    struct draft_template *t =
        parse_ok("Hi {{first_name|there}}", "Hello {{first_name|there}}, {{title|friend}}.");
    struct prospect p = full();
    struct draft_result r = {0};
    /* Present: the value, not the fallback. */
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_string_equal(r.subject, "Hi Ada");
    assert_string_equal(r.body, "Hello Ada, CTO.");
    /* NULL, empty and whitespace-only all take the fallback. */
    p.f[PF_FIRST_NAME] = NULL;
    p.f[PF_TITLE] = "";
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_string_equal(r.subject, "Hi there");
    assert_string_equal(r.body, "Hello there, friend.");
    p.f[PF_FIRST_NAME] = " \t\r\n ";
    p.f[PF_TITLE] = "  ";
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_string_equal(r.subject, "Hi there");
    assert_string_equal(r.body, "Hello there, friend.");
    draft_result_release(&r);
    template_free(t);
}

static void test_render_missing_one_field(void **state)
{
    (void)state;
    struct draft_template *t = parse_ok("For {{company}}", "About {{company}} and {{company}}");
    struct prospect p = full();
    struct draft_result r = {0};
    p.f[PF_COMPANY] = "   ";
    assert_int_equal(template_render(t, &p, &r), ERR_INVALID);
    /* Named once, though the template uses it three times. */
    assert_string_equal(r.reason, "company is empty and the template has no fallback for {{company}}");
    assert_int_equal(r.subject_len, 0);
    assert_int_equal(r.body_len, 0);
    draft_result_release(&r);
    template_free(t);
}

static void test_render_missing_several_fields(void **state)
{
    (void)state;
    /* first_name has a fallback in the subject but none in the body: still required. */
    struct draft_template *t =
        parse_ok("{{company}}: hi {{first_name|there}}", "Hi {{first_name}}, {{ title }}");
    struct prospect p = full();
    struct draft_result r = {0};
    p.f[PF_COMPANY] = NULL;
    p.f[PF_FIRST_NAME] = "";
    assert_int_equal(template_render(t, &p, &r), ERR_INVALID);
    assert_string_equal(r.reason,
                        "company and first_name are empty and the template has no fallback for them");
    p.f[PF_TITLE] = NULL;
    assert_int_equal(template_render(t, &p, &r), ERR_INVALID);
    assert_string_equal(
        r.reason,
        "company, first_name and title are empty and the template has no fallback for them");
    /* After a failure the same buffers render the next prospect. */
    p = full();
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_string_equal(r.subject, "Analytical Engines: hi Ada");
    assert_string_equal(r.body, "Hi Ada, CTO");
    assert_string_equal(r.reason, "");
    draft_result_release(&r);
    template_free(t);
}

static void test_subject_line_breaks_become_spaces(void **state)
{
    (void)state;
    struct draft_template *t = parse_ok("Re: {{company}} / {{title|x}}", "{{company}}");
    struct prospect p = full();
    struct draft_result r = {0};
    p.f[PF_COMPANY] = "Acme\r\nWidgets\nand\rGadgets";
    p.f[PF_TITLE] = "Head of\n\nSales";
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_string_equal(r.subject, "Re: Acme Widgets and Gadgets / Head of Sales");
    assert_int_equal(r.subject_len, strlen(r.subject));
    assert_null(strpbrk(r.subject, "\r\n"));
    /* The body takes the value as it is. */
    assert_string_equal(r.body, "Acme\r\nWidgets\nand\rGadgets");
    draft_result_release(&r);
    template_free(t);
}

static void test_buffers_reused(void **state)
{
    (void)state;
    struct draft_template *t = parse_ok("{{company}}", "{{company}} {{title|-}}");
    struct prospect p = full();
    struct draft_result r = {0};
    char *longname = malloc(5001);
    assert_non_null(longname);
    memset(longname, 'x', 5000);
    longname[5000] = '\0';

    p.f[PF_COMPANY] = longname;
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_int_equal(r.subject_len, 5000);
    assert_int_equal(r.body_len, 5004);
    assert_true(r.body_cap > 5004);
    char *subject = r.subject, *body = r.body;
    size_t body_cap = r.body_cap;

    p.f[PF_COMPANY] = "Acme";
    p.f[PF_TITLE] = NULL;
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_string_equal(r.subject, "Acme");
    assert_string_equal(r.body, "Acme -");
    assert_int_equal(r.body_len, 6);
    /* Smaller renders keep the grown buffers. */
    assert_ptr_equal(r.subject, subject);
    assert_ptr_equal(r.body, body);
    assert_int_equal(r.body_cap, body_cap);

    p.f[PF_COMPANY] = longname;
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_int_equal(r.body_len, 5002);
    assert_int_equal(strlen(r.body), 5002);
    assert_memory_equal(r.body + 5000, " -", 3);
    assert_ptr_equal(r.body, body);
    free(longname);
    draft_result_release(&r);
    assert_null(r.subject);
    assert_null(r.body);
    assert_int_equal(r.body_cap, 0);
    draft_result_release(&r); /* twice is harmless */
    template_free(t);
}

static void test_literal_braces(void **state)
{
    (void)state;
    struct draft_template *t =
        parse_ok("{x} {company} }}", "a {b} c } { d }} {first_name}} {{first_name}}}");
    struct prospect p = full();
    struct draft_result r = {0};
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_string_equal(r.subject, "{x} {company} }}");
    assert_string_equal(r.body, "a {b} c } { d }} {first_name}} Ada}");
    draft_result_release(&r);
    template_free(t);
}

static void test_spaces_in_placeholders(void **state)
{
    (void)state;
    struct draft_template *t =
        parse_ok("{{ company }}", "Hi {{  first_name\t| there  }}, {{title | }}{{ last_name|}}!");
    struct prospect p = full();
    struct draft_result r = {0};
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_string_equal(r.subject, "Analytical Engines");
    assert_string_equal(r.body, "Hi Ada, CTOLovelace!");
    /* Fallbacks are trimmed; an empty fallback renders nothing. */
    p.f[PF_FIRST_NAME] = NULL;
    p.f[PF_TITLE] = NULL;
    p.f[PF_LAST_NAME] = "";
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_string_equal(r.body, "Hi there, !");
    draft_result_release(&r);
    template_free(t);
}

/* ---- the default template -------------------------------------------------------- */

static void test_default_template(void **state)
{
    (void)state;
    struct draft_template *t = parse_ok(template_default_subject, template_default_body);
    struct prospect p = full();
    struct draft_result r = {0};
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_not_contains(r.subject, "{{");
    assert_not_contains(r.body, "{{");
    assert_not_contains(r.body, "}}");
    assert_not_contains(r.body, "[");
    assert_contains(r.subject, "Analytical Engines");
    assert_contains(r.body, "Hi Ada,");
    assert_contains(r.body, "Analytical Engines");
    assert_contains(r.body, "CTO");
    assert_contains(r.body, "Best regards");

    /* No first name or title: their fallbacks, never "Hi ,". */
    p.f[PF_FIRST_NAME] = NULL;
    p.f[PF_TITLE] = " ";
    assert_int_equal(template_render(t, &p, &r), 0);
    assert_contains(r.body, "Hi there,");
    assert_not_contains(r.body, "Hi ,");
    assert_not_contains(r.body, "{{");

    /* No company: the prospect fails, naming the field. */
    p.f[PF_COMPANY] = "";
    assert_int_equal(template_render(t, &p, &r), ERR_INVALID);
    assert_string_equal(r.reason,
                        "company is empty and the template has no fallback for {{company}}");
    draft_result_release(&r);
    template_free(t);
}

/* ---- storage and the provider (in-memory SQLite) ----------------------------------- */

static int migrated_setup(void **state)
{
    if (memdb_setup(state)) return -1;
    memdb_migrate(*state, 0);
    unsetenv("DRAFTD_TEST_DRAFT_DELAY_MS");
    return 0;
}

static int migrated_teardown(void **state)
{
    unsetenv("DRAFTD_TEST_DRAFT_DELAY_MS");
    return memdb_teardown(state);
}

static void test_load_default_then_saved(void **state)
{
    struct store *s = *state;
    struct err e = {0};
    char *subject, *body, *updated_at;
    assert_int_equal(template_load(s, &subject, &body, &updated_at, &e), 0);
    assert_string_equal(subject, template_default_subject);
    assert_string_equal(body, template_default_body);
    assert_null(updated_at);
    free(subject);
    free(body);

    char *saved_at = NULL;
    assert_int_equal(template_save_at(s, "Hi {{first_name|you}}", "About {{company}}", &saved_at, &e), 0);
    assert_non_null(saved_at);
    assert_int_equal(template_load(s, &subject, &body, &updated_at, &e), 0);
    assert_string_equal(subject, "Hi {{first_name|you}}");
    assert_string_equal(body, "About {{company}}");
    assert_non_null(updated_at);
    assert_string_equal(updated_at, saved_at);
    free(subject);
    free(body);
    free(updated_at);
    free(saved_at);

    /* Saving again replaces it. */
    assert_int_equal(template_save(s, "Second", "Body two", &e), 0);
    assert_int_equal(template_load(s, &subject, &body, &updated_at, &e), 0);
    assert_string_equal(subject, "Second");
    assert_string_equal(body, "Body two");
    free(subject);
    free(body);
    free(updated_at);
}

static void test_save_invalid_writes_nothing(void **state)
{
    struct store *s = *state;
    struct err e = {0};
    assert_int_equal(template_save(s, "Kept", "Kept {{title|body}}", &e), 0);
    assert_int_equal(template_save(s, "Hi {{nope}}", "x", &e), ERR_INVALID);
    assert_contains(e.msg, "unknown placeholder {{nope}} in the subject");
    assert_int_equal(template_save(s, "ok", "{{company", &e), ERR_INVALID);
    char *subject, *body, *updated_at;
    assert_int_equal(template_load(s, &subject, &body, &updated_at, &e), 0);
    assert_string_equal(subject, "Kept");
    assert_string_equal(body, "Kept {{title|body}}");
    free(subject);
    free(body);
    free(updated_at);
}

static void test_provider_default_and_saved(void **state)
{
    struct store *s = *state;
    struct err e = {0};
    struct provider *p = NULL;
    struct draft_result r = {0};
    struct prospect in = full();

    assert_int_equal(provider_open(&p, s, &e), 0);
    assert_non_null(p);
    assert_string_equal(p->name, "template");
    assert_int_equal(provider_draft(p, &in, &r, &e), 0);
    assert_string_equal(r.subject, "A quick idea for Analytical Engines");
    in.f[PF_COMPANY] = NULL;
    assert_int_equal(provider_draft(p, &in, &r, &e), ERR_INVALID);
    assert_contains(r.reason, "company is empty");
    provider_free(p);

    /* A provider opened after a save uses the saved template. */
    assert_int_equal(template_save(s, "For {{first_name}}", "Dear {{last_name|friend}}", &e), 0);
    assert_int_equal(provider_open(&p, s, &e), 0);
    in = full();
    assert_int_equal(provider_draft(p, &in, &r, &e), 0);
    assert_string_equal(r.subject, "For Ada");
    assert_string_equal(r.body, "Dear Lovelace");
    provider_free(p);
    provider_free(NULL);
    draft_result_release(&r);
}

static void test_provider_broken_saved_template(void **state)
{
    struct store *s = *state;
    struct err e = {0};
    struct provider *p = (struct provider *)1;
    /* Edited in the database directly, past the API's validation. */
    memdb_exec(s, "INSERT INTO templates (name, subject, body) "
                  "VALUES ('draft', 'Hi {{firstname}}', 'Body')");
    assert_int_equal(provider_open(&p, s, &e), ERR_INVALID);
    assert_null(p);
    assert_contains(e.msg, "the saved drafting template");
    assert_contains(e.msg, "no longer parses");
    assert_contains(e.msg, "unknown placeholder {{firstname}} in the subject");
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_provider_delay(void **state)
{
    struct store *s = *state;
    struct err e = {0};
    struct provider *p = NULL;
    struct draft_result r = {0};
    struct prospect in = full();
    assert_int_equal(setenv("DRAFTD_TEST_DRAFT_DELAY_MS", "30", 1), 0);
    assert_int_equal(provider_open(&p, s, &e), 0);
    double t0 = now_ms();
    assert_int_equal(provider_draft(p, &in, &r, &e), 0);
    /* A lower bound that nanosleep guarantees (not a speed assertion): the delay happened. */
    assert_true(now_ms() - t0 >= 30.0);
    assert_string_equal(r.subject, "A quick idea for Analytical Engines");
    /* The wrapped provider still fails a prospect with the reason. */
    in.f[PF_COMPANY] = "";
    assert_int_equal(provider_draft(p, &in, &r, &e), ERR_INVALID);
    assert_contains(r.reason, "company is empty");
    provider_free(p);
    draft_result_release(&r);
}

static void test_provider_delay_invalid(void **state)
{
    struct store *s = *state;
    static const char *const bad[] = {"0", "-5", "60001", "", "abc", "10ms", " 10", "1e3",
                                      "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct err e = {0};
        struct provider *p = (struct provider *)1;
        assert_int_equal(setenv("DRAFTD_TEST_DRAFT_DELAY_MS", bad[i], 1), 0);
        assert_int_equal(provider_open(&p, s, &e), ERR_USAGE);
        assert_null(p);
        assert_contains(e.msg, "DRAFTD_TEST_DRAFT_DELAY_MS must be");
    }
    /* The bounds themselves are accepted. */
    struct err e = {0};
    struct provider *p = NULL;
    assert_int_equal(setenv("DRAFTD_TEST_DRAFT_DELAY_MS", "60000", 1), 0);
    assert_int_equal(provider_open(&p, s, &e), 0);
    provider_free(p);
    assert_int_equal(setenv("DRAFTD_TEST_DRAFT_DELAY_MS", "1", 1), 0);
    assert_int_equal(provider_open(&p, s, &e), 0);
    provider_free(p);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, migrated_setup, migrated_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_placeholder_named),
        cmocka_unit_test(test_unclosed_placeholder),
        cmocka_unit_test(test_empty_parts),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_subject_line_break),
        cmocka_unit_test(test_not_utf8),
        cmocka_unit_test(test_fallback_with_braces),
        cmocka_unit_test(test_render_all_fields),
        cmocka_unit_test(test_render_fallbacks),
        cmocka_unit_test(test_render_missing_one_field),
        cmocka_unit_test(test_render_missing_several_fields),
        cmocka_unit_test(test_subject_line_breaks_become_spaces),
        cmocka_unit_test(test_buffers_reused),
        cmocka_unit_test(test_literal_braces),
        cmocka_unit_test(test_spaces_in_placeholders),
        cmocka_unit_test(test_default_template),
        DB_TEST(test_load_default_then_saved),
        DB_TEST(test_save_invalid_writes_nothing),
        DB_TEST(test_provider_default_and_saved),
        DB_TEST(test_provider_broken_saved_template),
        DB_TEST(test_provider_delay),
        DB_TEST(test_provider_delay_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
