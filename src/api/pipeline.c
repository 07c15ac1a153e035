/* pipeline.c — to be written (jobs). */
#include "api.h"

void api_draft_start(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

void api_job_get(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

void api_job_cancel(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

void api_jobs_list(struct http_req *r)
{
    http_reply_error(r, 501, "not_implemented", NULL, "%s is not implemented yet", r->path);
}

