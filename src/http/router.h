/*
 * router — a table of routes, matched segment by segment.
 *
 * A pattern is a path whose segments are literals or "{id}", which captures a
 * positive integer. Routes are tried in table order, so a literal route listed before
 * a pattern wins ("/api/prospects/export.csv" before "/api/prospects/{id}"). The
 * result tells a missing path (404) from a wrong method (405, with the methods that
 * would be allowed) and from an {id} segment that is not an integer (400).
 */
#ifndef DRAFTD_ROUTER_H
#define DRAFTD_ROUTER_H

#include <stddef.h>

#include "http.h"

enum http_method {
    HTTP_GET = 1,
    HTTP_POST = 2,
    HTTP_PUT = 4,
    HTTP_PATCH = 8,
    HTTP_DELETE = 16,
};

typedef void (*http_handler)(struct http_req *r);

struct route {
    unsigned method; /* one enum http_method */
    const char *pattern;
    http_handler handler;
    size_t max_body; /* request body limit in bytes */
};

enum route_result { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD, ROUTE_BAD_ID };

struct route_match {
    const struct route *route; /* ROUTE_FOUND, and the path's first route otherwise */
    long long ids[HTTP_MAX_IDS];
    size_t nids;
    unsigned allowed;      /* ROUTE_NO_METHOD: the methods the path has */
    char bad_segment[64];  /* ROUTE_BAD_ID: the segment that is not an id */
};

/* Parses "GET", "POST", ... (HEAD counts as GET); 0 for anything else. */
unsigned http_method_parse(const char *method);

/* Writes "GET, POST" for a method mask into buf. */
void http_methods_text(unsigned mask, char *buf, size_t len);

enum route_result router_match(const struct route *routes, size_t n, const char *method,
                               const char *path, struct route_match *out);

#endif
