/* prospects.c — to be written (prospects). */
#include "api.h"

void api_prospects_list(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

void api_prospects_create(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

void api_prospect_get(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

void api_prospect_patch(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

void api_prospect_delete(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

