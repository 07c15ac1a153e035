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

/* What every handler can reach through req->app. Built before the server starts. */
struct app {
    const struct config *cfg;
    const struct migration_set *migrations;
    struct MHD_Response *health_ok; /* the constant 200 of /api/health */
};

int app_init(struct app *app, const struct config *cfg, const struct migration_set *migrations,
             struct err *e);
void app_release(struct app *app);

extern const struct route api_routes[];
extern const size_t api_routes_count;

/* The default request body limit (routes may allow more). */
#define API_MAX_BODY (1024 * 1024)

void api_health(struct http_req *r);
void api_health_schema(struct http_req *r);

#endif
