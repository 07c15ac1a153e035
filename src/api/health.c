/*
 * health — GET /api/health (can the database answer?) and GET /api/health/schema
 * (the full schema guard, run live on every call, so drift introduced under a running
 * server shows up at once).
 */
#include <stdio.h>

#include "../store/schema.h"
#include "api.h"

void api_health(struct http_req *r)
{
    struct app *app = r->app;
    struct store *s = NULL;
    struct err e = {0};
    if (store_thread_get(&s, &app->cfg->db, &e) ||
        store_query(s, STMT_HEALTH_PING, NULL, 0, NULL, &e)) {
        http_reply_error(r, 503, "database_unavailable", NULL,
                         "the database cannot be reached: %s", e.msg);
        return;
    }
    http_reply_shared(r, 200, app->health_ok);
}

static json_t *problem_json(const struct schema_problem *p)
{
    char text[800], line[1024];
    schema_problem_text(p, text, sizeof text);
    schema_problem_line(p, line, sizeof line);
    json_t *o = json_object();
    switch (p->kind) {
    case PROBLEM_PENDING:
    case PROBLEM_CHECKSUM:
    case PROBLEM_UNKNOWN:
        json_object_set_new(o, "migration", json_integer(p->version));
        json_object_set_new(o, "name", json_string(p->name));
        break;
    case PROBLEM_STATEMENT: json_object_set_new(o, "statement", json_string(p->statement)); break;
    case PROBLEM_MISSING_OBJECT:
        json_object_set_new(o, "table", json_string(p->table));
        json_object_set_new(o, p->object->kind, json_string(p->object->name));
        break;
    default:
        json_object_set_new(o, "table", json_string(p->table));
        if (p->column[0]) json_object_set_new(o, "column", json_string(p->column));
        if (p->expected[0]) json_object_set_new(o, "expected", json_string(p->expected));
        if (p->actual[0]) json_object_set_new(o, "actual", json_string(p->actual));
    }
    json_object_set_new(o, "problem", json_string(text));
    json_object_set_new(o, "message", json_string(line));
    return o;
}

void api_health_schema(struct http_req *r)
{
    struct app *app = r->app;
    struct store *s = NULL;
    struct err e = {0};
    struct schema_report rep = {0};
    if (store_thread_get(&s, &app->cfg->db, &e) || schema_check(&rep, s, app->migrations, &e)) {
        http_reply_error(r, e.code == ERR_UNAVAILABLE ? 503 : 500, err_code_name(e.code), NULL,
                         "the schema check could not run: %s", e.msg);
        goto out;
    }
    if (rep.count == 0) {
        http_reply_json(r, 200,
                        json_pack("{s:s, s:i, s:i}", "status", "ok", "schema_version",
                                  rep.schema_version, "latest_version", rep.latest_version));
        goto out;
    }
    json_t *problems = json_array();
    for (size_t i = 0; i < rep.count; i++)
        json_array_append_new(problems, problem_json(&rep.items[i]));
    char first[1024];
    schema_problem_line(&rep.items[0], first, sizeof first);
    json_t *body = json_pack(
        "{s:s, s:i, s:i, s:o, s:s, s:{s:s, s:s+, s:{}}}", "status", "mismatch", "schema_version",
        rep.schema_version, "latest_version", rep.latest_version, "problems", problems, "fix",
        schema_report_fix(&rep), "error", "code", "schema_mismatch", "message",
        "the database schema does not match this build: ", first, "details");
    if (rep.count > 1) {
        char more[64];
        snprintf(more, sizeof more, " (and %zu more problems)", rep.count - 1);
        json_t *err = json_object_get(body, "error");
        char msg[1200];
        snprintf(msg, sizeof msg, "%s%s", json_string_value(json_object_get(err, "message")), more);
        json_object_set_new(err, "message", json_string(msg));
    }
    http_reply_json(r, 503, body);
out:
    schema_report_release(&rep);
}
