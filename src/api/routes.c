/*
 * routes — the route table of API.md. Order matters only where a literal segment and
 * an {id} pattern could both match: the literal comes first.
 */
#include <microhttpd.h>

#include "api.h"

const struct route api_routes[] = {
    {HTTP_GET, "/api/health", api_health, API_MAX_BODY},
    {HTTP_GET, "/api/health/schema", api_health_schema, API_MAX_BODY},
};

const size_t api_routes_count = sizeof api_routes / sizeof *api_routes;

int app_init(struct app *app, const struct config *cfg, const struct migration_set *migrations,
             struct err *e)
{
    app->cfg = cfg;
    app->migrations = migrations;
    app->health_ok = http_response_const_json("{\"status\":\"ok\",\"database\":\"ok\"}");
    if (!app->health_ok) return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

void app_release(struct app *app)
{
    if (app->health_ok) MHD_destroy_response(app->health_ok);
    app->health_ok = NULL;
}
