/*
 * web — GET / and the page's files (every file of web/, compiled in; see
 * src/http/assets.h). Paths that name no file are left unanswered, and the server
 * answers them 404 in JSON.
 */
#include "../http/assets.h"
#include "api.h"

void api_web(struct http_req *r)
{
    struct app *app = r->app;
    assets_serve(app->web, r);
}
