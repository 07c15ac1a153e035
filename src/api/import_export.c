/* import_export.c — to be written (csv). */
#include "api.h"

void api_prospects_import(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

void api_prospects_export(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

