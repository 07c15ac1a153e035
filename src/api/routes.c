/*
 * routes — the route table of API.md. Order matters only where a literal segment and
 * an {id} pattern could both match: the literal comes first.
 */
#include <microhttpd.h>

#include "../core/jtext.h"
#include "../embedded.h"
#include "../http/assets.h"
#include "../store/store.h"
#include "api.h"

const struct route api_routes[] = {
    {HTTP_GET, "/api/health", api_health, API_MAX_BODY},
    {HTTP_GET, "/api/health/schema", api_health_schema, API_MAX_BODY},
    {HTTP_GET, "/api/prospects", api_prospects_list, API_MAX_BODY},
    {HTTP_POST, "/api/prospects", api_prospects_create, API_MAX_BODY},
    {HTTP_POST, "/api/prospects/import", api_prospects_import, API_MAX_IMPORT_BODY},
    {HTTP_GET, "/api/prospects/export.csv", api_prospects_export, API_MAX_BODY},
    {HTTP_GET, "/api/prospects/counts", api_prospects_counts, API_MAX_BODY},
    {HTTP_GET, "/api/prospects/{id}", api_prospect_get, API_MAX_BODY},
    {HTTP_PATCH, "/api/prospects/{id}", api_prospect_patch, API_MAX_BODY},
    {HTTP_DELETE, "/api/prospects/{id}", api_prospect_delete, API_MAX_BODY},
    {HTTP_POST, "/api/pipeline/draft", api_draft_start, API_MAX_BODY},
    {HTTP_GET, "/api/pipeline/draft/jobs/{id}", api_job_get, API_MAX_BODY},
    {HTTP_POST, "/api/pipeline/draft/jobs/{id}/cancel", api_job_cancel, API_MAX_BODY},
    {HTTP_GET, "/api/jobs", api_jobs_list, API_MAX_BODY},
    {HTTP_GET, "/api/templates/draft", api_template_get, API_MAX_BODY},
    {HTTP_PUT, "/api/templates/draft", api_template_put, API_MAX_BODY},
};

const size_t api_routes_count = sizeof api_routes / sizeof *api_routes;

int app_init(struct app *app, const struct config *cfg, const struct migration_set *migrations,
             struct err *e)
{
    app->cfg = cfg;
    app->migrations = migrations;
    app->health_ok = http_response_const_json("{\"status\":\"ok\",\"database\":\"ok\"}");
    if (!app->health_ok) return err_set(e, ERR_NOMEM, "out of memory");
    if (assets_new(&app->web, embedded_web, embedded_web_count, e)) {
        app_release(app);
        return e->code;
    }
    return 0;
}

void app_release(struct app *app)
{
    if (app->health_ok) MHD_destroy_response(app->health_ok);
    app->health_ok = NULL;
    assets_free(app->web);
    app->web = NULL;
}

struct store *api_store(struct http_req *r)
{
    struct app *app = r->app;
    struct store *s = NULL;
    struct err e = {0};
    if (store_thread_get(&s, &app->cfg->db, &e)) {
        http_reply_err(r, &e);
        return NULL;
    }
    return s;
}

void api_reply_jtext(struct http_req *r, unsigned status, struct jtext *j)
{
    size_t len = 0;
    char *text = jtext_take(j, &len);
    http_reply_json_text(r, status, text, len);
}
