/*
 * import_export — POST /api/prospects/import (a CSV body, up to API_MAX_IMPORT_BODY,
 * through the csv_import service) and GET /api/prospects/export.csv (every prospect
 * streamed as CSV, a page per read of the response, through csv_export).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/csv_export.h"
#include "../core/csv_import.h"
#include "../log.h"
#include "../store/store.h"
#include "api.h"

/* Media types whose body is the CSV file itself. */
static const char *const csv_types[] = {
    "text/csv", "application/csv", "text/plain", "application/octet-stream",
    "text/x-csv", "application/vnd.ms-excel", /* what some browsers call a .csv file */
};

/* Whether the Content-Type (parameters ignored; none at all is fine) names a CSV body. */
static bool csv_content_type(const char *ct, char *type, size_t len)
{
    type[0] = '\0';
    if (!ct) return true;
    while (*ct == ' ' || *ct == '\t') ct++;
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) n--;
    if (n == 0) return true;
    snprintf(type, len, "%.*s", (int)n, ct);
    for (size_t i = 0; i < sizeof csv_types / sizeof *csv_types; i++)
        if (strlen(csv_types[i]) == n && strncasecmp(csv_types[i], ct, n) == 0) return true;
    return false;
}

void api_prospects_import(struct http_req *r)
{
    struct app *app = r->app;
    struct store *s = NULL;
    struct csv_import *im = NULL;
    struct err e = {0};
    char type[128];
    if (!csv_content_type(http_header(r, "Content-Type"), type, sizeof type)) {
        http_reply_error(r, 415, "unsupported_media_type", json_pack("{s:s}", "content_type", type),
                         "a body of type %s cannot be imported: send the CSV file itself as the "
                         "body, with Content-Type: text/csv (curl: --data-binary @file.csv -H "
                         "'Content-Type: text/csv')",
                         type);
        return;
    }
    if (!r->body || r->body_len == 0) {
        http_reply_error(r, 422, "empty_csv", NULL,
                         "the body is empty: send a CSV file with a header row naming the "
                         "columns (one of them email), then one row per prospect");
        return;
    }
    int rc = store_thread_get(&s, &app->cfg->db, &e);
    if (!rc) rc = csv_import_new(&im, s, &e);
    if (!rc) rc = csv_import_feed(im, r->body, r->body_len, &e);
    if (!rc) rc = csv_import_finish(im, &e);
    if (rc == ERR_INVALID && csv_import_problem(im)) {
        http_reply_error(r, 422, csv_import_problem(im), NULL, "%s", e.msg);
    } else if (rc) {
        const struct csv_import_result *res = im ? csv_import_result(im) : NULL;
        json_t *details = res ? json_pack("{s:I, s:I}", "imported", (json_int_t)res->imported,
                                          "skipped_duplicates",
                                          (json_int_t)res->skipped_duplicates)
                              : NULL;
        http_reply_error(r, http_status_for(rc), err_code_name(rc), details, "%s", e.msg);
    } else {
        const struct csv_import_result *res = csv_import_result(im);
        log_msg(LOG_INFO, "import", "bytes=%zu imported=%lld skipped_duplicates=%lld refused=%lld",
                r->body_len, res->imported, res->skipped_duplicates, res->error_count);
        json_t *body = csv_import_summary(im);
        if (body) http_reply_json(r, 200, body);
        else http_reply_error(r, 500, "out_of_memory", NULL, "out of memory");
    }
    csv_import_free(im);
}

/* --- export ------------------------------------------------------------------------ */

struct export_stream {
    struct csv_export *x;
    const struct db_url *db;
};

static void export_done(void *cls)
{
    struct export_stream *st = cls;
    csv_export_free(st->x);
    free(st);
}

/*
 * Runs on the libmicrohttpd thread that answered the request, so store_thread_get gives
 * the handler's connection; no statement stays open between two calls.
 */
static long export_read(void *cls, unsigned long long pos, char *buf, size_t max)
{
    (void)pos;
    struct export_stream *st = cls;
    for (;;) {
        size_t n = csv_export_read(st->x, buf, max);
        if (n) return (long)n;
        if (csv_export_done(st->x)) return HTTP_STREAM_END;
        struct store *s = NULL;
        struct err e = {0};
        if (store_thread_get(&s, st->db, &e) || csv_export_fill(st->x, s, &e)) {
            char q[1100];
            log_msg(LOG_ERROR, "export cut short", "path=/api/prospects/export.csv rows=%lld "
                                                   "error=%s",
                    csv_export_rows(st->x), log_quote(q, sizeof q, e.msg));
            return HTTP_STREAM_ERROR;
        }
    }
}

void api_prospects_export(struct http_req *r)
{
    struct app *app = r->app;
    struct store *s = NULL;
    struct err e = {0};
    struct export_stream *st = calloc(1, sizeof *st);
    if (!st) {
        http_reply_error(r, 500, "out_of_memory", NULL, "out of memory");
        return;
    }
    st->db = &app->cfg->db;
    /* the first page here, so that a database failure is still a JSON error */
    int rc = csv_export_new(&st->x, &e);
    if (!rc) rc = store_thread_get(&s, st->db, &e);
    if (!rc) rc = csv_export_fill(st->x, s, &e);
    if (rc) {
        http_reply_err(r, &e);
        export_done(st);
        return;
    }
    http_reply_stream(r, 200, "text/csv; charset=utf-8", "attachment; filename=\"prospects.csv\"",
                      export_read, st, export_done);
}
