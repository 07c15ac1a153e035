/*
 * csv_export — see csv_export.h.
 *
 * One text buffer, reused from page to page: a page is encoded into it whole (one query,
 * its rows stepped and freed before the function returns), then read out; the next page
 * is fetched only when the text is used up. The column order is the statement's.
 */
#include "csv_export.h"

#include <stdlib.h>
#include <string.h>

#include "../store/store.h"

#define NCOLS 14

const char csv_export_header[] =
    "id,email,first_name,last_name,company,title,website,draft_status,draft_subject,"
    "draft_body,draft_error,drafted_at,created_at,updated_at";

struct csv_export {
    char *text;
    size_t len, cap, pos; /* pos: how much of text was read out */
    long long last_id;    /* the last row put into the text */
    long long rows;
    bool header_done;
    bool last_page; /* a page came back short: nothing after it */
};

int csv_export_new(struct csv_export **out, struct err *e)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

void csv_export_free(struct csv_export *x)
{
    if (!x) return;
    free(x->text);
    free(x);
}

static int reserve(struct csv_export *x, size_t more)
{
    if (x->len + more <= x->cap) return 0;
    size_t cap = x->cap ? x->cap : 64 * 1024;
    while (cap < x->len + more) cap *= 2;
    char *p = realloc(x->text, cap);
    if (!p) return -1;
    x->text = p;
    x->cap = cap;
    return 0;
}

static int add(struct csv_export *x, const char *s, size_t n)
{
    if (reserve(x, n)) return -1;
    memcpy(x->text + x->len, s, n);
    x->len += n;
    return 0;
}

static bool needs_quotes(const char *s, size_t n)
{
    if (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')) return true;
    return strpbrk(s, ",\"\r\n") != NULL;
}

/* One field: as is, or in quotes with its quotes doubled. */
static int add_field(struct csv_export *x, const char *s)
{
    if (!s) return 0;
    size_t n = strlen(s);
    if (!needs_quotes(s, n)) return add(x, s, n);
    if (reserve(x, 2 * n + 2)) return -1;
    x->text[x->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') x->text[x->len++] = '"';
        x->text[x->len++] = s[i];
    }
    x->text[x->len++] = '"';
    return 0;
}

int csv_export_fill(struct csv_export *x, struct store *s, struct err *e)
{
    struct store_rows *rows = NULL;
    int rc = 0;
    if (x->pos == x->len) x->len = x->pos = 0; /* all read: reuse the buffer */
    if (!x->header_done) {
        if (add(x, csv_export_header, strlen(csv_export_header)) || add(x, "\r\n", 2)) goto oom;
        x->header_done = true;
    }
    if (x->last_page) return 0;
    struct sval params[2] = {SV_INT(x->last_id), SV_INT(CSV_EXPORT_PAGE)};
    if ((rc = store_query(s, STMT_CSV_EXPORT_PAGE, params, 2, &rows, e))) goto out;
    long long n = 0;
    while ((rc = store_rows_next(rows, e)) == 1) {
        for (int c = 0; c < NCOLS; c++)
            if ((c && add(x, ",", 1)) || add_field(x, store_rows_text(rows, c))) goto oom;
        if (add(x, "\r\n", 2)) goto oom;
        x->last_id = store_rows_int(rows, 0);
        n++;
    }
    if (rc < 0) goto out;
    rc = 0;
    x->rows += n;
    if (n < CSV_EXPORT_PAGE) x->last_page = true;
    goto out;
oom:
    rc = err_set(e, ERR_NOMEM, "out of memory while writing the CSV export");
out:
    store_rows_free(rows);
    if (rc) err_prefix(e, "exporting the prospects after id %lld failed", x->last_id);
    return rc;
}

size_t csv_export_read(struct csv_export *x, char *buf, size_t max)
{
    size_t n = x->len - x->pos;
    if (n > max) n = max;
    memcpy(buf, x->text + x->pos, n);
    x->pos += n;
    return n;
}

bool csv_export_done(const struct csv_export *x)
{
    return x->header_done && x->last_page && x->pos == x->len;
}

long long csv_export_rows(const struct csv_export *x)
{
    return x->rows;
}
