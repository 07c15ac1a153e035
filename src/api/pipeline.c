/*
 * pipeline — the drafting routes of API.md: POST /api/pipeline/draft starts a job,
 * GET /api/pipeline/draft/jobs/{id} reads it, POST .../cancel stops it, GET /api/jobs
 * lists jobs. Jobs are written as JSON text once (jtext), without building a tree, since
 * the job page is polled while drafting runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/jobs.h"
#include "../core/runner.h"
#include "api.h"


static void reply_job(struct http_req *r, unsigned status, const struct job *j)
{
    struct jtext b = {0};
    jtext_job(&b, j);
    api_reply_jtext(r, status, &b);
}

/* --- POST /api/pipeline/draft ------------------------------------------------------------ */

struct draft_request {
    long long *ids;
    size_t n;
    bool redraft;
};

/* prospect_ids: an array of integers (400 otherwise), not empty, positive, bounded (422). */
static int read_ids(struct http_req *r, const json_t *v, struct draft_request *out)
{
    if (!json_is_array(v)) {
        http_reply_error(r, 400, "bad_prospect_ids", json_pack("{s:s}", "field", "prospect_ids"),
                         "prospect_ids must be an array of prospect ids (integers)");
        return -1;
    }
    size_t n = json_array_size(v);
    if (n == 0) {
        http_reply_error(r, 422, "invalid_prospect_ids",
                         json_pack("{s:s}", "field", "prospect_ids"),
                         "prospect_ids is empty: name at least one prospect, or leave "
                         "prospect_ids out to draft every prospect without a draft");
        return -1;
    }
    if (n > JOB_MAX_IDS) {
        http_reply_error(r, 422, "invalid_prospect_ids",
                         json_pack("{s:s, s:i, s:I}", "field", "prospect_ids", "limit", JOB_MAX_IDS,
                                   "count", (json_int_t)n),
                         "prospect_ids names %zu prospects; one job takes at most %d: split it, "
                         "or leave prospect_ids out to draft every prospect without a draft",
                         n, JOB_MAX_IDS);
        return -1;
    }
    if (!(out->ids = malloc(n * sizeof *out->ids))) {
        http_reply_error(r, 500, "out_of_memory", NULL, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *id = json_array_get(v, i);
        if (!json_is_integer(id)) {
            http_reply_error(
                r, 400, "bad_prospect_ids",
                json_pack("{s:s, s:I}", "field", "prospect_ids", "index", (json_int_t)i),
                "prospect_ids[%zu] is not an integer: ids are positive integers", i);
            return -1;
        }
        out->ids[i] = json_integer_value(id);
        if (out->ids[i] <= 0) {
            http_reply_error(r, 422, "invalid_prospect_ids",
                             json_pack("{s:s, s:I, s:I}", "field", "prospect_ids", "index",
                                       (json_int_t)i, "value", (json_int_t)out->ids[i]),
                             "prospect_ids[%zu] is %lld: ids are positive integers", i,
                             out->ids[i]);
            return -1;
        }
    }
    out->n = n;
    return 0;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return false;
    return true;
}

/* The optional body {"prospect_ids": [...], "redraft": false}. On a problem answers. */
static int read_request(struct http_req *r, struct draft_request *out)
{
    json_error_t je;
    json_t *doc = NULL;
    int rc = -1;
    if (!r->body || blank(r->body, r->body_len)) return 0; /* no body: the defaults */
    doc = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!doc) {
        http_reply_error(
            r, 400, "bad_json", json_pack("{s:i, s:i}", "line", je.line, "column", je.column),
            "the body is not valid JSON: %s (line %d, column %d)", je.text, je.line, je.column);
        goto out;
    }
    if (!json_is_object(doc)) {
        http_reply_error(r, 422, "invalid_body", NULL,
                         "the body must be a JSON object such as "
                         "{\"prospect_ids\": [1, 2], \"redraft\": false}, or nothing");
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        if (strcmp(key, "prospect_ids") == 0) {
            if (read_ids(r, v, out)) goto out;
        } else if (strcmp(key, "redraft") == 0) {
            if (!json_is_boolean(v)) {
                http_reply_error(r, 400, "bad_redraft", json_pack("{s:s}", "field", "redraft"),
                                 "redraft must be true or false");
                goto out;
            }
            out->redraft = json_is_true(v);
        } else {
            http_reply_error(r, 422, "unknown_field", json_pack("{s:s}", "field", key),
                             "unknown field \"%.100s\": the body takes \"prospect_ids\" and "
                             "\"redraft\"",
                             key);
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

static void reply_create_error(struct http_req *r, const struct job_create_result *res,
                               const struct err *e)
{
    if (e->code == ERR_INVALID && res->nmissing) {
        json_t *missing = json_array();
        for (size_t i = 0; i < res->nmissing; i++)
            json_array_append_new(missing, json_integer(res->missing[i]));
        http_reply_error(r, 422, "unknown_prospects",
                         json_pack("{s:o, s:I}", "missing", missing, "missing_count",
                                   (json_int_t)res->missing_total),
                         "%lld of the prospect_ids name no prospect (%lld%s); no job was created",
                         res->missing_total, res->missing[0],
                         res->missing_total > 1 ? ", ..." : "");
        return;
    }
    if (e->code == ERR_CONFLICT && res->active_job_id) {
        long long id = res->active_job_id;
        http_reply_error(r, 409, "job_active", json_pack("{s:I}", "job_id", (json_int_t)id),
                         "draft job %lld is already pending or running: wait for it to finish "
                         "(GET /api/pipeline/draft/jobs/%lld) or cancel it "
                         "(POST /api/pipeline/draft/jobs/%lld/cancel)",
                         id, id, id);
        return;
    }
    http_reply_err(r, e);
}

void api_draft_start(struct http_req *r)
{
    struct app *app = r->app;
    struct draft_request req = {0};
    struct job_create_result res;
    struct err e = {0};
    struct store *s;
    if (read_request(r, &req) || !(s = api_store(r))) goto out;
    if (jobs_create(s, req.ids, req.n, req.redraft, &res, &e)) {
        reply_create_error(r, &res, &e);
        goto out;
    }
    char location[64];
    snprintf(location, sizeof location, "/api/pipeline/draft/jobs/%lld", res.job_id);
    struct jtext b = {0};
    jtext_lit(&b, "{\"job_id\":");
    jtext_int(&b, res.job_id);
    jtext_lit(&b, ",\"status\":\"pending\"}");
    r->location = location;
    api_reply_jtext(r, 202, &b);
    r->location = NULL;
    runner_wake(app->runner);
out:
    free(req.ids);
}

/* --- the job ----------------------------------------------------------------------------- */

void api_job_get(struct http_req *r)
{
    struct job j;
    struct err e = {0};
    struct store *s = api_store(r);
    if (!s) return;
    if (jobs_get(s, r->ids[0], &j, &e)) {
        if (e.code == ERR_NOT_FOUND)
            http_reply_error(r, 404, "job_not_found",
                             json_pack("{s:I}", "job_id", (json_int_t)r->ids[0]), "%s", e.msg);
        else
            http_reply_err(r, &e);
        return;
    }
    reply_job(r, 200, &j);
}

void api_job_cancel(struct http_req *r)
{
    struct job j;
    struct err e = {0};
    struct store *s = api_store(r);
    if (!s) return;
    if (!jobs_cancel(s, r->ids[0], &j, &e)) {
        reply_job(r, 200, &j);
        return;
    }
    if (e.code == ERR_NOT_FOUND)
        http_reply_error(r, 404, "job_not_found",
                         json_pack("{s:I}", "job_id", (json_int_t)r->ids[0]), "%s", e.msg);
    else if (e.code == ERR_CONFLICT)
        http_reply_error(r, 409, "job_finished",
                         json_pack("{s:I, s:s}", "job_id", (json_int_t)j.id, "status", j.status),
                         "job %lld already %s; only a pending or running job can be cancelled",
                         j.id, j.status);
    else
        http_reply_err(r, &e);
}

/* --- GET /api/jobs --------------------------------------------------------------------- */

struct list_out {
    struct jtext b;
    size_t n;
};

static int list_item(void *cls, const struct job *j)
{
    struct list_out *o = cls;
    if (o->n++) jtext_raw(&o->b, ",", 1);
    jtext_job(&o->b, j);
    return 0;
}

void api_jobs_list(struct http_req *r)
{
    long long skip, limit, total = 0;
    struct err e = {0};
    struct list_out o = {0};
    if (http_list_args(r, &skip, &limit)) return;
    const char *status = http_query(r, "status"), *type = http_query(r, "job_type");
    if (status && !job_status_valid(status)) {
        http_reply_error(r, 400, "bad_status",
                         json_pack("{s:s, s:[s,s,s,s,s]}", "status", status, "allowed", "pending",
                                   "running", "completed", "failed", "cancelled"),
                         "status must be one of pending, running, completed, failed, "
                         "cancelled; not \"%.100s\"",
                         status);
        return;
    }
    if (type && (!*type || strlen(type) > 64)) {
        http_reply_error(r, 400, "bad_job_type", NULL,
                         "job_type must be a job type such as \"draft\"");
        return;
    }
    struct store *s = api_store(r);
    if (!s) return;
    jtext_lit(&o.b, "{\"items\":[");
    if (jobs_list(s, status, type, skip, limit, list_item, &o, &total, &e)) {
        jtext_release(&o.b);
        http_reply_err(r, &e);
        return;
    }
    jtext_lit(&o.b, "],\"total\":");
    jtext_int(&o.b, total);
    jtext_lit(&o.b, ",\"skip\":");
    jtext_int(&o.b, skip);
    jtext_lit(&o.b, ",\"limit\":");
    jtext_int(&o.b, limit);
    jtext_raw(&o.b, "}", 1);
    api_reply_jtext(r, 200, &o.b);
}
