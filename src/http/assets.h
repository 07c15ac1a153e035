/*
 * assets — the web page's files, compiled into the binary, served from memory.
 *
 * Each file NAME of the table is served at "/NAME", and "index.html" also at "/". The
 * responses are built once: content type by extension, a strong ETag (a hash of the
 * bytes, so it changes with every build that changes the file), `Cache-Control:
 * no-cache` (the browser revalidates and gets a bodiless 304 while nothing changed),
 * `Vary: Accept-Encoding`, and on HTML a Content-Security-Policy that allows nothing but
 * this origin's own scripts and styles, so data that ever slipped into the page as
 * markup still could not run. A "NAME.gz" twin in the table is sent, as Content-Encoding
 * gzip, to clients that accept it; it is never served under its own name.
 */
#ifndef DRAFTD_ASSETS_H
#define DRAFTD_ASSETS_H

#include <stddef.h>

#include "../embedded.h"
#include "../err.h"
#include "http.h"

struct assets;

int assets_new(struct assets **out, const struct embedded_file *files, size_t n, struct err *e);
void assets_free(struct assets *a); /* NULL is a no-op */

/*
 * Answers r when its path names an asset: 200 or 304 for GET and HEAD, 405 (JSON, with
 * Allow) for any other method. Returns 1, having answered nothing, for any other path.
 */
int assets_serve(const struct assets *a, struct http_req *r);

/* Whether an Accept-Encoding value accepts gzip (gzip, x-gzip or *, with q > 0). */
bool assets_accepts_gzip(const char *accept_encoding);

/* Whether an If-None-Match value matches the quoted etag (or is "*"). */
bool assets_etag_matches(const char *if_none_match, const char *etag);

#endif
