/*
 * prospects — the /api/prospects routes of API.md: list, create (one object or an
 * array), get, edit, delete. Each handler checks the query or the JSON body, calls the
 * prospects service (core/prospects.h) and answers. Prospect objects are written as JSON
 * text straight from the rows (jtext), without a jansson tree per row: the list is the
 * hot path. Errors use the one JSON error shape, with details naming what was refused.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/prospects.h"
#include "api.h"


/* A JSON string, or null when s is not UTF-8 (a raw byte from a query string). */
static json_t *string_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

/* Prospect objects written one after another, comma-separated. */
struct items {
    struct jtext j;
    size_t count;
};

static int write_item(void *arg, const struct prospect_row *row)
{
    struct items *o = arg;
    if (o->count++) jtext_lit(&o->j, ",");
    jtext_prospect(&o->j, row);
    return o->j.failed ? ERR_NOMEM : 0;
}

static void reply_not_found(struct http_req *r, const struct err *e)
{
    http_reply_error(r, 404, "not_found", json_pack("{s:I}", "id", (json_int_t)r->ids[0]), "%s",
                     e->msg);
}

/* The service's answer for a 409 (c says what about), 404 or any other failure. */
static void reply_failure(struct http_req *r, const struct err *e, const struct prospects_clash *c,
                          const char *email)
{
    if (e->code == ERR_NOT_FOUND) {
        reply_not_found(r, e);
    } else if (e->code == ERR_CONFLICT && c->code && strcmp(c->code, "duplicate_email") == 0) {
        json_t *d = json_object();
        json_object_set_new(d, "email", string_or_null(email));
        json_object_set_new(d, "id", c->id ? json_integer(c->id) : json_null());
        http_reply_error(r, 409, c->code, d, "%s", e->msg);
    } else if (e->code == ERR_CONFLICT && c->code && strcmp(c->code, "prospect_in_job") == 0) {
        http_reply_error(
            r, 409, c->code,
            json_pack("{s:I, s:I}", "id", (json_int_t)r->ids[0], "job_id", (json_int_t)c->id), "%s",
            e->msg);
    } else if (e->code == ERR_CONFLICT && c->code) {
        http_reply_error(r, 409, c->code, json_pack("{s:I}", "id", (json_int_t)c->id), "%s",
                         e->msg);
    } else {
        http_reply_err(r, e);
    }
}

/* --- GET /api/prospects --------------------------------------------------------------- */

void api_prospects_list(struct http_req *r)
{
    long long skip, limit, total = 0;
    struct err e = {0};
    if (http_list_args(r, &skip, &limit)) return;
    const char *status = http_query(r, "draft_status");
    if (status && !prospect_status_valid(status)) {
        json_t *d = json_pack("{s:o, s:[s,s,s,s,s]}", "draft_status", string_or_null(status),
                              "allowed", "none", "drafted", "approved", "rejected", "failed");
        http_reply_error(r, 400, "bad_draft_status", d,
                         "draft_status must be one of none, drafted, approved, rejected, "
                         "failed, not \"%.40s\"",
                         status);
        return;
    }
    const char *q = http_query(r, "q");
    if (q) {
        size_t n = strlen(q);
        if (n > PROSPECTS_Q_MAX) {
            http_reply_error(r, 400, "bad_q",
                             json_pack("{s:I, s:I}", "length", (json_int_t)n, "limit",
                                       (json_int_t)PROSPECTS_Q_MAX),
                             "q is %zu bytes long; a search text has at most %d", n,
                             PROSPECTS_Q_MAX);
            return;
        }
        if (!prospects_utf8_valid(q, n)) {
            http_reply_error(r, 400, "bad_q", NULL, "q is not valid UTF-8 text");
            return;
        }
    }
    struct store *s = api_store(r);
    if (!s) return;
    struct items o = {0};
    struct prospects_filter f = {.skip = skip, .limit = limit, .draft_status = status, .q = q};
    jtext_lit(&o.j, "{\"items\":[");
    if (prospects_list(s, &f, write_item, &o, &total, &e)) {
        jtext_release(&o.j);
        http_reply_err(r, &e);
        return;
    }
    jtext_lit(&o.j, "],\"total\":");
    jtext_int(&o.j, total);
    jtext_lit(&o.j, ",\"skip\":");
    jtext_int(&o.j, skip);
    jtext_lit(&o.j, ",\"limit\":");
    jtext_int(&o.j, limit);
    jtext_lit(&o.j, "}");
    api_reply_jtext(r, 200, &o.j);
}

/* --- GET /api/prospects/counts --------------------------------------------------------- */

void api_prospects_counts(struct http_req *r)
{
    long long n[PROSPECT_NSTATUSES], total = 0;
    struct err e = {0};
    struct store *s = api_store(r);
    if (!s) return;
    if (prospects_counts(s, n, &e)) {
        http_reply_err(r, &e);
        return;
    }
    struct jtext j = {0};
    jtext_lit(&j, "{");
    for (int i = 0; i < PROSPECT_NSTATUSES; i++) {
        jtext_str(&j, prospect_statuses[i]);
        jtext_lit(&j, ":");
        jtext_int(&j, n[i]);
        jtext_lit(&j, ",");
        total += n[i];
    }
    jtext_lit(&j, "\"total\":");
    jtext_int(&j, total);
    jtext_lit(&j, "}");
    api_reply_jtext(r, 200, &j);
}

/* --- request bodies ------------------------------------------------------------------- */

/* The body as JSON, or NULL after answering 400. The caller json_decref()s. */
static json_t *parse_body(struct http_req *r)
{
    if (!r->body || r->body_len == 0) {
        http_reply_error(r, 400, "bad_json", NULL, "the request body is empty; send JSON");
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(r->body, r->body_len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!j)
        http_reply_error(r, 400, "bad_json",
                         json_pack("{s:i, s:i, s:i}", "line", je.line, "column", je.column,
                                   "position", je.position),
                         "the request body is not valid JSON: %s (line %d, column %d)", je.text,
                         je.line, je.column);
    return j;
}

/* 422 for a refused object; index is its place in an array, or -1. */
static void reply_problem(struct http_req *r, const struct prospect_problem *p, long long index)
{
    json_t *d = json_object();
    if (index >= 0) json_object_set_new(d, "index", json_integer(index));
    if (p->field) json_object_set_new(d, "field", json_string(p->field));
    if (p->value && strlen(p->value) <= PROSPECT_FIELD_MAX)
        json_object_set_new(d, "value", json_string(p->value));
    if (p->reason) json_object_set_new(d, "reason", json_string(p->reason));
    if (p->limit) json_object_set_new(d, "limit", json_integer(p->limit));
    if (strcmp(p->code, "invalid_draft_status") == 0)
        json_object_set_new(d, "allowed", json_pack("[s,s]", "approved", "rejected"));
    if (index >= 0)
        http_reply_error(r, 422, p->code, d, "item %lld: %s", index, p->message);
    else
        http_reply_error(r, 422, p->code, d, "%s", p->message);
}

/* Decodes obj; on failure answers (422 or 500) and returns non-zero. */
static int decode(struct http_req *r, struct prospect_input *in, const json_t *obj,
                  enum prospect_input_kind kind, long long index)
{
    struct prospect_problem p;
    int rc = prospect_input_parse(in, obj, kind, &p);
    if (rc == ERR_INVALID)
        reply_problem(r, &p, index);
    else if (rc)
        http_reply_error(r, 500, "out_of_memory", NULL, "out of memory");
    return rc;
}

/* --- POST /api/prospects -------------------------------------------------------------- */

static void create_one(struct http_req *r, const json_t *obj)
{
    struct prospect_input in;
    struct prospects_clash c = {0};
    struct err e = {0};
    struct items o = {0};
    struct store *s;
    if (decode(r, &in, obj, PROSPECT_INPUT_CREATE, -1) || !(s = api_store(r))) goto out;
    jtext_lit(&o.j, "{\"created\":1,\"items\":[");
    if (prospects_create_one(s, &in, write_item, &o, &c, &e)) {
        reply_failure(r, &e, &c, in.v[PK_EMAIL]);
        goto out;
    }
    jtext_lit(&o.j, "]}");
    api_reply_jtext(r, 201, &o.j);
out:
    jtext_release(&o.j);
    prospect_input_release(&in);
}

struct batch_out {
    struct items created;
    struct jtext skipped;
    size_t nskipped;
    const struct prospect_input *in;
};

static void write_skipped(void *arg, size_t index)
{
    struct batch_out *o = arg;
    if (o->nskipped++) jtext_lit(&o->skipped, ",");
    jtext_lit(&o->skipped, "{\"index\":");
    jtext_int(&o->skipped, (long long)index);
    jtext_lit(&o->skipped, ",\"email\":");
    jtext_str(&o->skipped, o->in[index].v[PK_EMAIL]);
    jtext_lit(&o->skipped, ",\"reason\":\"duplicate\"}");
}

static void create_many(struct http_req *r, const json_t *arr)
{
    size_t n = json_array_size(arr), ncreated = 0;
    struct prospect_input *in = NULL;
    struct batch_out o = {0};
    struct err e = {0};
    struct store *s;
    if (n == 0) {
        http_reply_error(r, 422, "invalid_body", NULL, "the array is empty; send 1 to %d prospects",
                         PROSPECTS_BATCH_MAX);
        return;
    }
    if (n > PROSPECTS_BATCH_MAX) {
        http_reply_error(r, 422, "too_many_items",
                         json_pack("{s:I, s:I}", "count", (json_int_t)n, "limit",
                                   (json_int_t)PROSPECTS_BATCH_MAX),
                         "the array has %zu prospects; send at most %d at a time", n,
                         PROSPECTS_BATCH_MAX);
        return;
    }
    if (!(in = calloc(n, sizeof *in))) {
        http_reply_error(r, 500, "out_of_memory", NULL, "out of memory");
        return;
    }
    /* Every object is checked before anything is written: one bad item refuses all. */
    for (size_t i = 0; i < n; i++)
        if (decode(r, &in[i], json_array_get(arr, i), PROSPECT_INPUT_CREATE, (long long)i))
            goto out;
    if (!(s = api_store(r))) goto out;
    o.in = in;
    if (prospects_create_many(s, in, n, write_item, write_skipped, &o, &ncreated, &e)) {
        http_reply_err(r, &e);
        goto out;
    }
    struct jtext j = {0};
    jtext_lit(&j, "{\"created\":");
    jtext_int(&j, (long long)ncreated);
    jtext_lit(&j, ",\"items\":[");
    jtext_raw(&j, o.created.j.p, o.created.j.len);
    jtext_lit(&j, "],\"skipped\":[");
    jtext_raw(&j, o.skipped.p, o.skipped.len);
    jtext_lit(&j, "]}");
    if (o.created.j.failed || o.skipped.failed) j.failed = true;
    api_reply_jtext(r, 201, &j);
out:
    for (size_t i = 0; i < n; i++)
        prospect_input_release(&in[i]); /* calloc: all zero */
    free(in);
    jtext_release(&o.created.j);
    jtext_release(&o.skipped);
}

void api_prospects_create(struct http_req *r)
{
    json_t *body = parse_body(r);
    if (!body) return;
    if (json_is_object(body))
        create_one(r, body);
    else if (json_is_array(body))
        create_many(r, body);
    else
        http_reply_error(r, 422, "invalid_body", NULL,
                         "the body must be a prospect object or an array of 1 to %d of them",
                         PROSPECTS_BATCH_MAX);
    json_decref(body);
}

/* --- /api/prospects/{id} -------------------------------------------------------------- */

void api_prospect_get(struct http_req *r)
{
    struct err e = {0};
    struct items o = {0};
    struct store *s = api_store(r);
    if (!s) return;
    if (prospects_get(s, r->ids[0], write_item, &o, &e)) {
        jtext_release(&o.j);
        if (e.code == ERR_NOT_FOUND)
            reply_not_found(r, &e);
        else
            http_reply_err(r, &e);
        return;
    }
    api_reply_jtext(r, 200, &o.j);
}

void api_prospect_patch(struct http_req *r)
{
    struct prospect_input in = {0};
    struct prospects_clash c = {0};
    struct err e = {0};
    struct items o = {0};
    struct store *s;
    json_t *body = parse_body(r);
    if (!body) return;
    if (!json_is_object(body)) {
        http_reply_error(r, 422, "invalid_body", NULL,
                         "the body must be a JSON object of the fields to change");
        goto out;
    }
    if (decode(r, &in, body, PROSPECT_INPUT_EDIT, -1) || !(s = api_store(r))) goto out;
    if (prospects_patch(s, r->ids[0], &in, write_item, &o, &c, &e)) {
        reply_failure(r, &e, &c, in.v[PK_EMAIL]);
        goto out;
    }
    api_reply_jtext(r, 200, &o.j);
out:
    jtext_release(&o.j);
    prospect_input_release(&in);
    json_decref(body);
}

void api_prospect_delete(struct http_req *r)
{
    struct prospects_clash c = {0};
    struct err e = {0};
    struct store *s = api_store(r);
    if (!s) return;
    if (prospects_delete(s, r->ids[0], &c, &e)) {
        reply_failure(r, &e, &c, NULL);
        return;
    }
    http_reply_empty(r, 204);
}
