/* templates.c — to be written (templates). */
#include "api.h"

void api_template_get(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

void api_template_put(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

