/*
 * api — the HTTP resources of API.md: the route table and one handler file per
 * resource. Handlers parse and validate, call the store or a service, and answer; they
 * never write SQL and never turn an error into an empty success.
 */
#ifndef DRAFTD_API_H
#define DRAFTD_API_H

#include <stddef.h>

#include "../config.h"
#include "../http/router.h"
#include "../store/migrate.h"

struct assets;
struct jtext;
struct runner;
struct store;

/* What every handler can reach through req->app. Built before the server starts. */
struct app {
    const struct config *cfg;
    const struct migration_set *migrations;
    struct MHD_Response *health_ok; /* the constant 200 of /api/health */
    struct runner *runner;          /* the drafting workers to wake; NULL outside serve */
    struct assets *web;             /* the embedded web page (web.c) */
};

int app_init(struct app *app, const struct config *cfg, const struct migration_set *migrations,
             struct err *e);
void app_release(struct app *app);

extern const struct route api_routes[];
extern const size_t api_routes_count;

/* The request thread's database connection, or NULL after answering 503/500. Borrowed. */
struct store *api_store(struct http_req *r);

/* Answers with the JSON text written into j (taken over; 500 when its writing failed). */
void api_reply_jtext(struct http_req *r, unsigned status, struct jtext *j);

/* The default request body limit (routes may allow more). */
#define API_MAX_BODY (1024 * 1024)
/* POST /api/prospects/import accepts CSV bodies up to this size. */
#define API_MAX_IMPORT_BODY (64 * 1024 * 1024)

/* health.c */
void api_health(struct http_req *r);
void api_health_schema(struct http_req *r);

/* prospects.c */
void api_prospects_list(struct http_req *r);
void api_prospects_create(struct http_req *r);
void api_prospects_counts(struct http_req *r);
void api_prospect_get(struct http_req *r);
void api_prospect_patch(struct http_req *r);
void api_prospect_delete(struct http_req *r);

/* import_export.c */
void api_prospects_import(struct http_req *r);
void api_prospects_export(struct http_req *r);

/* web.c: the server's fallback for paths no route has — the page and its files */
void api_web(struct http_req *r);

/* pipeline.c */
void api_draft_start(struct http_req *r);
void api_job_get(struct http_req *r);
void api_job_cancel(struct http_req *r);
void api_jobs_list(struct http_req *r);

/* templates.c */
void api_template_get(struct http_req *r);
void api_template_put(struct http_req *r);

#endif
