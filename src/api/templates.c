/*
 * templates — GET and PUT /api/templates/draft: the drafting template as
 * {"subject","body","placeholders","is_default","updated_at"}. PUT validates the whole
 * template (template.c) before anything is written, so a rejected PUT changes nothing;
 * an unknown placeholder is 422 unknown_placeholder naming it and the part it is in.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/template.h"
#include "api.h"

/* The template as the API shows it; NULL when out of memory. */
static json_t *template_json(const char *subject, const char *body, const char *updated_at)
{
    json_t *names = json_array();
    for (int i = 0; names && i < PF__COUNT; i++)
        json_array_append_new(names, json_string(prospect_field_names[template_fields[i]]));
    return json_pack("{s:s, s:s, s:o*, s:b, s:s?}", "subject", subject, "body", body,
                     "placeholders", names, "is_default", updated_at == NULL, "updated_at",
                     updated_at);
}

static void reply_template(struct http_req *r, const char *subject, const char *body,
                           const char *updated_at)
{
    json_t *o = template_json(subject, body, updated_at);
    if (!o) {
        http_reply_error(r, 500, "out_of_memory", NULL, "out of memory");
        return;
    }
    http_reply_json(r, 200, o);
}

void api_template_get(struct http_req *r)
{
    struct app *app = r->app;
    struct store *s = NULL;
    struct err e = {0};
    char *subject = NULL, *body = NULL, *updated_at = NULL;
    if (store_thread_get(&s, &app->cfg->db, &e) ||
        template_load(s, &subject, &body, &updated_at, &e)) {
        http_reply_err(r, &e);
        goto out;
    }
    reply_template(r, subject, body, updated_at);
out:
    free(subject);
    free(body);
    free(updated_at);
}

/*
 * Reads {"subject": string, "body": string} from the request body. On a problem
 * answers (400 bad_json, 422 otherwise) and returns nonzero. *doc is the caller's.
 */
static int read_body(struct http_req *r, json_t **doc, const char **subject, const char **body)
{
    static const char *const keys[] = {"subject", "body"};
    const char *values[2] = {NULL, NULL};
    json_error_t jerr;
    *doc = NULL;
    if (!r->body || r->body_len == 0) {
        http_reply_error(r, 400, "bad_json", NULL,
                         "the body is empty: send {\"subject\": \"...\", \"body\": \"...\"}");
        return -1;
    }
    *doc = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*doc) {
        http_reply_error(r, 400, "bad_json",
                         json_pack("{s:i, s:i}", "line", jerr.line, "column", jerr.column),
                         "the body is not valid JSON: %s (line %d, column %d)", jerr.text,
                         jerr.line, jerr.column);
        return -1;
    }
    if (!json_is_object(*doc)) {
        http_reply_error(r, 422, "invalid_body", NULL,
                         "the body must be a JSON object {\"subject\": \"...\", \"body\": \"...\"}");
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(*doc, key, v) {
        int k = strcmp(key, "subject") == 0 ? 0 : strcmp(key, "body") == 0 ? 1 : -1;
        if (k < 0) {
            http_reply_error(r, 422, "unknown_field", json_pack("{s:s}", "field", key),
                             "unknown field \"%.100s\": a template has only \"subject\" and "
                             "\"body\"",
                             key);
            return -1;
        }
        if (!json_is_string(v)) {
            http_reply_error(r, 422, "invalid_field", json_pack("{s:s}", "field", key),
                             "\"%s\" must be a string", key);
            return -1;
        }
        values[k] = json_string_value(v);
    }
    for (int k = 0; k < 2; k++)
        if (!values[k]) {
            http_reply_error(r, 422, "missing_field", json_pack("{s:s}", "field", keys[k]),
                             "\"%s\" is required: send both \"subject\" and \"body\"", keys[k]);
            return -1;
        }
    *subject = values[0];
    *body = values[1];
    return 0;
}

void api_template_put(struct http_req *r)
{
    struct app *app = r->app;
    struct store *s = NULL;
    struct err e = {0};
    struct template_diag d;
    json_t *doc = NULL;
    const char *subject, *body;
    char *updated_at = NULL;
    if (read_body(r, &doc, &subject, &body)) goto out;
    if (template_parse_diag(NULL, subject, body, &d, &e)) {
        if (d.problem == TEMPLATE_UNKNOWN_PLACEHOLDER)
            http_reply_error(r, 422, "unknown_placeholder",
                             json_pack("{s:s, s:s}", "placeholder", d.placeholder, "part", d.part),
                             "%s", e.msg);
        else if (d.problem == TEMPLATE_INVALID)
            http_reply_error(r, 422, "invalid_template", json_pack("{s:s}", "part", d.part), "%s",
                             e.msg);
        else
            http_reply_err(r, &e);
        goto out;
    }
    if (store_thread_get(&s, &app->cfg->db, &e) ||
        template_save_at(s, subject, body, &updated_at, &e)) {
        http_reply_err(r, &e);
        goto out;
    }
    reply_template(r, subject, body, updated_at);
out:
    free(updated_at);
    json_decref(doc);
}
