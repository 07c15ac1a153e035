/*
 * csv_import — see csv_import.h.
 *
 * How lines are counted: libcsv reports fields and record ends but no positions, so the
 * input goes to csv_parse one physical line at a time (a piece ends after each CR or
 * LF). A record can only end at a line break, so a record end always falls at the end
 * of a piece, and the line of a piece is known before libcsv sees it. Between records
 * libcsv skips spaces, tabs, CR and LF (a blank line is no record); the first other byte
 * starts the next record, and its line is the record's line. CRLF counts as one break
 * (also when a chunk ends between the CR and the LF), a lone CR as one.
 *
 * libcsv runs in its lenient mode (a stray quote inside a field is kept as text); only at
 * the end is strict checking switched on, so that csv_fini reports a quoted field that
 * was never closed. A field's buffer is capped (CSV_IMPORT_FIELD_MAX) through libcsv's
 * realloc hook, so an open quote cannot swallow the whole input into memory.
 *
 * Fields of the six prospect columns are copied into one reused record buffer; a
 * validated record is appended as a JSON array to the batch text, which one statement
 * unpacks (json_each / json_array_elements) and inserts with ON CONFLICT DO NOTHING
 * RETURNING id: the rows returned are the rows imported.
 */
#include "csv_import.h"

#include <csv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "prospect.h"

#define PROGRESS_EVERY 1000
#define IGNORED_NAME_MAX 200 /* bytes of an ignored column's name kept for the answer */
#define ECHO_MAX 80          /* bytes of a bad email quoted back in its message */

struct buf {
    char *p;
    size_t len, cap;
};

/* 0, or -1 when out of memory. */
static int buf_reserve(struct buf *b, size_t more)
{
    if (b->len + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int buf_add(struct buf *b, const void *data, size_t n)
{
    if (buf_reserve(b, n)) return -1;
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

/* --- the set of emails seen in this file (ASCII case folded) ---------------------- */

struct slot {
    uint64_t hash;
    size_t off; /* offset + 1 into the arena; 0: empty */
};

struct emailset {
    struct slot *slots;
    size_t cap, count; /* cap: a power of two */
    struct buf arena;  /* the emails, NUL-terminated */
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static int set_grow(struct emailset *set)
{
    size_t cap = set->cap ? set->cap * 2 : 1024;
    struct slot *slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < set->cap; i++) {
        if (!set->slots[i].off) continue;
        size_t j = set->slots[i].hash & (cap - 1);
        while (slots[j].off) j = (j + 1) & (cap - 1);
        slots[j] = set->slots[i];
    }
    free(set->slots);
    set->slots = slots;
    set->cap = cap;
    return 0;
}

/* 1 when key (lowercased, n bytes) was already in the set, 0 when added, -1 no memory. */
static int set_add(struct emailset *set, const char *key, size_t n)
{
    if ((set->count + 1) * 2 > set->cap && set_grow(set)) return -1;
    uint64_t h = fnv1a(key, n);
    size_t j = h & (set->cap - 1);
    for (; set->slots[j].off; j = (j + 1) & (set->cap - 1)) {
        const char *s = set->arena.p + set->slots[j].off - 1;
        if (set->slots[j].hash == h && strncmp(s, key, n) == 0 && s[n] == '\0') return 1;
    }
    size_t off = set->arena.len;
    if (buf_add(&set->arena, key, n) || buf_add(&set->arena, "", 1)) return -1;
    set->slots[j] = (struct slot){.hash = h, .off = off + 1};
    set->count++;
    return 0;
}

/* --- the importer ------------------------------------------------------------------ */

struct fieldval {
    size_t off, len; /* in rec, after trimming */
    bool set;
    bool too_long; /* not copied */
};

struct csv_import {
    struct store *store;
    struct csv_parser parser;
    csv_import_progress_fn progress;
    void *progress_cls;

    /* where the input is */
    long long line;     /* the physical line being fed, 1-based */
    bool after_cr;      /* the last byte fed was a CR (an LF next ends no extra line) */
    bool between;       /* no record in progress: the next non-blank byte starts one */
    long long rec_line; /* the line where the record in progress started */
    int bom;            /* bytes of a UTF-8 BOM matched at the start; -1 when past it */

    /* the record in progress */
    size_t nfields;
    bool nonblank;
    struct fieldval val[PF__COUNT];
    struct buf rec;

    /* the header */
    bool header_done;
    struct buf hdr; /* the names, NUL-terminated one after the other */
    size_t hdr_off[CSV_IMPORT_MAX_COLUMNS];
    int colmap[CSV_IMPORT_MAX_COLUMNS]; /* enum prospect_field, or -1 */
    size_t ncols;
    bool too_many_columns;

    /* the batch being filled */
    struct buf batch;
    size_t batch_rows;
    struct emailset seen;

    struct csv_import_result res;
    int failed;        /* sticky: the error every later call returns */
    struct err fail;   /* its message */
    const char *problem;
    bool stopped;      /* the input could not be read on: the rest is ignored */
    bool skipping;     /* skipping the rest of a broken record's line */
    bool finished;
};

static const unsigned char bom_bytes[3] = {0xEF, 0xBB, 0xBF};

/* NUL-terminated fields; strict, with the leniency of parse_piece. */
#define CSV_OPTS (CSV_APPEND_NULL | CSV_STRICT)

/* libcsv grows a field's buffer through this: no field grows past the cap. */
static void *capped_realloc(void *p, size_t n)
{
    if (n > CSV_IMPORT_FIELD_MAX + 1) return NULL;
    return realloc(p, n);
}

int csv_import_new(struct csv_import **out, struct store *s, struct err *e)
{
    *out = NULL;
    struct csv_import *im = calloc(1, sizeof *im);
    if (!im) return err_set(e, ERR_NOMEM, "out of memory");
    if (csv_init(&im->parser, CSV_OPTS) != 0) {
        free(im);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    csv_set_realloc_func(&im->parser, capped_realloc);
    csv_set_blk_size(&im->parser, 4096);
    im->store = s;
    im->line = 1;
    im->between = true;
    *out = im;
    return 0;
}

void csv_import_set_progress(struct csv_import *im, csv_import_progress_fn fn, void *cls)
{
    im->progress = fn;
    im->progress_cls = cls;
}

void csv_import_free(struct csv_import *im)
{
    if (!im) return;
    csv_free(&im->parser);
    free(im->rec.p);
    free(im->hdr.p);
    free(im->batch.p);
    free(im->seen.slots);
    free(im->seen.arena.p);
    for (size_t i = 0; i < im->res.nerrors; i++) free(im->res.errors[i].message);
    free(im->res.errors);
    for (size_t i = 0; i < im->res.nignored; i++) free(im->res.ignored_columns[i]);
    free(im->res.ignored_columns);
    free(im);
}

const struct csv_import_result *csv_import_result(const struct csv_import *im)
{
    return &im->res;
}

const char *csv_import_problem(const struct csv_import *im)
{
    return im->failed == ERR_INVALID ? im->problem : NULL;
}

/* Records a sticky failure (the first one wins). */
static void fail(struct csv_import *im, int code, const char *problem, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(struct csv_import *im, int code, const char *problem, const char *fmt, ...)
{
    if (im->failed) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(im->fail.msg, sizeof im->fail.msg, fmt, ap);
    va_end(ap);
    im->fail.code = im->failed = code;
    im->problem = problem;
}

static void fail_err(struct csv_import *im, const struct err *e)
{
    if (im->failed) return;
    im->fail = *e;
    im->failed = e->code ? e->code : ERR_INTERNAL;
}

static int report_fail(const struct csv_import *im, struct err *e)
{
    if (e) *e = im->fail;
    return im->failed;
}

/* Counts a refused record, keeping its message while fewer than the cap are listed. */
static void refuse(struct csv_import *im, long long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void refuse(struct csv_import *im, long long line, const char *fmt, ...)
{
    im->res.error_count++;
    if (im->res.nerrors >= CSV_IMPORT_MAX_ERRORS) return;
    if (!im->res.errors) {
        im->res.errors = calloc(CSV_IMPORT_MAX_ERRORS, sizeof *im->res.errors);
        if (!im->res.errors) {
            fail(im, ERR_NOMEM, NULL, "out of memory");
            return;
        }
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *copy = strdup(msg);
    if (!copy) {
        fail(im, ERR_NOMEM, NULL, "out of memory");
        return;
    }
    im->res.errors[im->res.nerrors++] = (struct csv_import_error){.line = line, .message = copy};
}

/* --- values -------------------------------------------------------------------------- */

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_ws((unsigned char)**s)) (*s)++, (*n)--;
    while (*n && is_ws((unsigned char)(*s)[*n - 1])) (*n)--;
}

/* The offset of the first byte that breaks UTF-8 (RFC 3629), or n when s is valid. */
static size_t utf8_check(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return i;
        }
        if (i + k >= n) return i;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t j = 2; j <= k; j++)
            if (s[i + j] < 0x80 || s[i + j] > 0xBF) return i;
        i += k + 1;
    }
    return n;
}

/* Appends s as a JSON string. */
static int json_quote(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (buf_reserve(b, n + 2)) return -1;
    b->p[b->len++] = '"';
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (buf_add(b, s + start, i - start)) return -1;
        start = i + 1;
        char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t len = 2;
        switch (c) {
        case '"':
        case '\\': break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
            len = 6;
        }
        if (buf_add(b, esc, len)) return -1;
    }
    if (buf_add(b, s + start, n - start) || buf_add(b, "\"", 1)) return -1;
    return 0;
}

/* A copy of s fit for a JSON string: at most max bytes, invalid UTF-8 bytes as '?'. */
static char *clean_copy(const char *s, size_t n, size_t max)
{
    if (n > max) n = max;
    char *out = malloc(n + 1);
    if (!out) return NULL;
    memcpy(out, s, n);
    out[n] = '\0';
    size_t i = 0;
    while (i < n) {
        size_t bad = utf8_check((const unsigned char *)out + i, n - i);
        if (bad == n - i) break;
        out[i + bad] = '?';
        i += bad + 1;
    }
    return out;
}

/* --- the header ------------------------------------------------------------------------ */

static void header_field(struct csv_import *im, const char *s, size_t n)
{
    if (im->ncols == CSV_IMPORT_MAX_COLUMNS) {
        im->too_many_columns = true;
        return;
    }
    im->hdr_off[im->ncols++] = im->hdr.len;
    if (buf_add(&im->hdr, s, n) || buf_add(&im->hdr, "", 1))
        fail(im, ERR_NOMEM, NULL, "out of memory");
}

static int add_ignored(struct csv_import *im, const char *name)
{
    char **grown =
        realloc(im->res.ignored_columns, (im->res.nignored + 1) * sizeof *im->res.ignored_columns);
    if (!grown) return -1;
    im->res.ignored_columns = grown;
    char *copy = clean_copy(name, strlen(name), IGNORED_NAME_MAX);
    if (!copy) return -1;
    grown[im->res.nignored++] = copy;
    return 0;
}

static void header_end(struct csv_import *im)
{
    long long line = im->rec_line;
    if (im->too_many_columns) {
        fail(im, ERR_INVALID, "too_many_columns",
             "the header (line %lld) has more than %d columns", line, CSV_IMPORT_MAX_COLUMNS);
        return;
    }
    size_t first[PF__COUNT];
    bool have[PF__COUNT] = {false};
    for (size_t i = 0; i < im->ncols; i++) {
        const char *name = im->hdr.p + im->hdr_off[i];
        int f = prospect_field_from_header(name);
        im->colmap[i] = f;
        if (f < 0) {
            if (*name && add_ignored(im, name)) fail(im, ERR_NOMEM, NULL, "out of memory");
            continue;
        }
        if (have[f]) {
            fail(im, ERR_INVALID, "duplicate_column",
                 "the header (line %lld) names the field %s twice: column %zu (\"%.100s\") and "
                 "column %zu (\"%.100s\"); keep one of them",
                 line, prospect_field_names[f], first[f] + 1, im->hdr.p + im->hdr_off[first[f]],
                 i + 1, name);
            return;
        }
        have[f] = true;
        first[f] = i;
    }
    if (!have[PF_EMAIL]) {
        char names[300] = "";
        size_t used = 0;
        for (size_t i = 0; i < im->ncols && used + 1 < sizeof names; i++) {
            int w = snprintf(names + used, sizeof names - used, "%s\"%s\"", i ? ", " : "",
                             im->hdr.p + im->hdr_off[i]);
            if (w < 0) break;
            used += (size_t)w;
        }
        fail(im, ERR_INVALID, "missing_email_column",
             "the header (line %lld) has no email column (its columns: %s); the first row must "
             "name the columns, one of them email",
             line, names);
        return;
    }
    im->header_done = true;
}

/* --- records --------------------------------------------------------------------------- */

static void record_field(struct csv_import *im, size_t col, const char *s, size_t n)
{
    if (col >= im->ncols || im->colmap[col] < 0) return;
    int f = im->colmap[col];
    struct fieldval *v = &im->val[f];
    size_t max = f == PF_EMAIL ? PROSPECT_EMAIL_MAX : PROSPECT_FIELD_MAX;
    v->set = true;
    v->len = n;
    if (n > max) {
        v->too_long = true;
        return;
    }
    v->off = im->rec.len;
    if (buf_add(&im->rec, s, n)) fail(im, ERR_NOMEM, NULL, "out of memory");
}

static void on_field(void *data, size_t len, void *cls)
{
    struct csv_import *im = cls;
    if (im->failed || im->stopped) return;
    const char *s = data ? data : "";
    size_t col = im->nfields++;
    trim(&s, &len);
    if (len) im->nonblank = true;
    if (!im->header_done) header_field(im, s, len);
    else record_field(im, col, s, len);
}

/*
 * s (n bytes of valid UTF-8) as it can be quoted in a message: control characters
 * written as \r, \n, \t or \xNN, and cut at a character boundary, with "...", past
 * ECHO_MAX bytes.
 */
static void echo(char *out, size_t len, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80 && o >= ECHO_MAX) { /* a character starts past the cap */
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        char esc[5] = {(char)c, 0, 0, 0, 0};
        size_t k = 1;
        if (c < 0x20 || c == 0x7f) {
            esc[0] = '\\', k = 2;
            esc[1] = c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't' : 'x';
            if (esc[1] == 'x') esc[2] = hex[c >> 4], esc[3] = hex[c & 15], k = 4;
        }
        if (o + k + 4 > len) break; /* cannot happen with len >= ECHO_MAX + 8 */
        memcpy(out + o, esc, k);
        o += k;
    }
    out[o] = '\0';
}

/* Why the value v of field f is refused, into why; false when it is acceptable. */
static bool value_bad(const struct csv_import *im, int f, char *why, size_t len)
{
    const struct fieldval *v = &im->val[f];
    const char *name = prospect_field_names[f];
    if (!v->set || v->len == 0) {
        if (f != PF_EMAIL) return false;
        snprintf(why, len, "email is empty");
        return true;
    }
    if (v->too_long) {
        snprintf(why, len, "%s is %zu bytes long; at most %d are allowed", name, v->len,
                 f == PF_EMAIL ? PROSPECT_EMAIL_MAX : PROSPECT_FIELD_MAX);
        return true;
    }
    const char *s = im->rec.p + v->off;
    if (memchr(s, '\0', v->len)) {
        snprintf(why, len, "%s contains a NUL byte", name);
        return true;
    }
    size_t bad = utf8_check((const unsigned char *)s, v->len);
    if (bad != v->len) {
        snprintf(why, len, "%s is not valid UTF-8 (byte %zu of the value); save the file as UTF-8",
                 name, bad + 1);
        return true;
    }
    if (f != PF_EMAIL) return false;
    char email[PROSPECT_EMAIL_MAX + 1], reason[128];
    memcpy(email, s, v->len);
    email[v->len] = '\0';
    if (prospect_email_valid(email, reason, sizeof reason)) return false;
    char shown[ECHO_MAX + 8];
    echo(shown, sizeof shown, email, v->len);
    snprintf(why, len, "email \"%s\" %s", shown, reason);
    return true;
}

static void append_row(struct csv_import *im)
{
    struct buf *b = &im->batch;
    if (buf_add(b, im->batch_rows ? ",[" : "[[", 2)) goto oom;
    for (int f = 0; f < PF__COUNT; f++) {
        const struct fieldval *v = &im->val[f];
        if (f && buf_add(b, ",", 1)) goto oom;
        if (!v->set || v->len == 0) {
            if (buf_add(b, "null", 4)) goto oom;
        } else if (json_quote(b, im->rec.p + v->off, v->len)) {
            goto oom;
        }
    }
    if (buf_add(b, "]", 1)) goto oom;
    im->batch_rows++;
    return;
oom:
    fail(im, ERR_NOMEM, NULL, "out of memory");
}

static void record_end(struct csv_import *im)
{
    if (!im->nonblank) return; /* a line of separators only */
    im->res.records++;
    if (im->progress && im->res.records % PROGRESS_EVERY == 0)
        im->progress(im->progress_cls, im->res.records, im->res.error_count);
    long long line = im->rec_line;
    if (im->nfields > im->ncols) {
        refuse(im, line, "the record has %zu fields but the header has %zu columns", im->nfields,
               im->ncols);
        return;
    }
    char why[400];
    for (int f = 0; f < PF__COUNT; f++) {
        if (value_bad(im, f, why, sizeof why)) {
            refuse(im, line, "%s", why);
            return;
        }
    }
    const struct fieldval *ev = &im->val[PF_EMAIL];
    char key[PROSPECT_EMAIL_MAX];
    for (size_t i = 0; i < ev->len; i++) {
        char c = im->rec.p[ev->off + i];
        key[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    int dup = set_add(&im->seen, key, ev->len);
    if (dup < 0) fail(im, ERR_NOMEM, NULL, "out of memory");
    else if (dup) im->res.skipped_duplicates++;
    else append_row(im);
}

static void reset_record(struct csv_import *im)
{
    im->nfields = 0;
    im->nonblank = false;
    memset(im->val, 0, sizeof im->val);
    im->rec.len = 0;
}

static void on_record(int c, void *cls)
{
    (void)c;
    struct csv_import *im = cls;
    im->between = true;
    if (!im->failed && !im->stopped) {
        if (!im->header_done) header_end(im);
        else record_end(im);
    }
    reset_record(im);
}

/* --- writing ----------------------------------------------------------------------------- */

/* Writes the batch in one transaction. */
static int flush(struct csv_import *im)
{
    if (!im->batch_rows) return 0;
    struct err e = {0};
    struct store_rows *rows = NULL;
    long long inserted = 0;
    int rc;
    if (buf_add(&im->batch, "]", 2)) { /* the closing bracket and a NUL */
        fail(im, ERR_NOMEM, NULL, "out of memory");
        return im->failed;
    }
    struct sval param = SV_TEXT(im->batch.p);
    if ((rc = store_begin(im->store, &e))) goto out;
    if ((rc = store_query(im->store, STMT_CSV_INSERT_BATCH, &param, 1, &rows, &e))) goto out;
    while ((rc = store_rows_next(rows, &e)) == 1) inserted++;
    if (rc < 0) goto out;
    store_rows_free(rows);
    rows = NULL;
    rc = store_commit(im->store, &e);
out:
    store_rows_free(rows);
    if (rc) {
        struct err ignored = {0};
        store_rollback(im->store, &ignored);
        err_prefix(&e, "writing the %zu records up to line %lld failed (the %lld imported "
                       "before stay imported)",
                   im->batch_rows, im->rec_line, im->res.imported);
        fail_err(im, &e);
        return im->failed;
    }
    im->res.imported += inserted;
    im->res.skipped_duplicates += (long long)im->batch_rows - inserted;
    im->batch.len = 0;
    im->batch_rows = 0;
    return 0;
}

/* --- feeding ----------------------------------------------------------------------------- */

/* After csv_parse stopped short for want of memory: a field past the cap, or none left. */
static void parse_stopped(struct csv_import *im)
{
    if (csv_get_buffer_size(&im->parser) < CSV_IMPORT_FIELD_MAX / 2) {
        fail(im, ERR_NOMEM, NULL, "out of memory while reading the CSV");
        return;
    }
    im->stopped = true;
    if (!im->header_done) {
        fail(im, ERR_INVALID, "bad_header",
             "the header (line %lld) has a field longer than %d bytes; is a closing quote "
             "missing?",
             im->rec_line, CSV_IMPORT_FIELD_MAX);
        return;
    }
    im->res.records++;
    refuse(im, im->rec_line,
           "a field is longer than %d bytes (is a closing quote missing?); the file was not "
           "read past this record",
           CSV_IMPORT_FIELD_MAX);
}

/* Text after the closing quote of a field ("abc"def): the record is refused and the
 * rest of its line skipped; reading starts again on the next line. */
static void bad_quote(struct csv_import *im)
{
    if (!im->header_done) {
        fail(im, ERR_INVALID, "bad_header",
             "the header (line %lld) has text after the closing quote of a field", im->rec_line);
        return;
    }
    im->res.records++;
    refuse(im, im->rec_line,
           "a quoted field has text after its closing quote (a quote inside a quoted field is "
           "written twice: \"\"); the record was skipped up to the end of line %lld",
           im->line);
    im->skipping = true;
}

/* Back to "between records" after a skipped line: libcsv forgets the broken record. */
static void resync(struct csv_import *im)
{
    im->skipping = false;
    im->between = true;
    csv_fini(&im->parser, NULL, NULL, NULL); /* strict, but not STRICT_FINI: always resets */
    im->parser.status = 0;
    reset_record(im);
}

/*
 * Parses one piece (at most one line). libcsv runs strict; of its two complaints, a quote
 * inside a field that is not enclosed in quotes (5" screen) is let through as text, by
 * feeding that one byte leniently, and text after a closing quote refuses the record.
 */
static void parse_piece(struct csv_import *im, const unsigned char *p, size_t n)
{
    size_t done = 0;
    while (done < n && !im->failed && !im->stopped && !im->skipping) {
        done += csv_parse(&im->parser, p + done, n - done, on_field, on_record, im);
        if (done == n) break;
        int status = csv_error(&im->parser);
        im->parser.status = 0;
        if (status != CSV_EPARSE) {
            parse_stopped(im);
        } else if (im->parser.quoted) {
            bad_quote(im);
        } else {
            csv_set_opts(&im->parser, CSV_OPTS & ~CSV_STRICT);
            size_t one = csv_parse(&im->parser, p + done, 1, on_field, on_record, im);
            csv_set_opts(&im->parser, CSV_OPTS);
            if (one != 1) parse_stopped(im);
            done += one;
        }
    }
}

static int feed_lines(struct csv_import *im, const unsigned char *p, size_t n)
{
    while (n > 0 && !im->failed && !im->stopped) {
        size_t k = 0;
        while (k < n && p[k] != '\r' && p[k] != '\n') k++;
        size_t piece = k < n ? k + 1 : n;
        if (im->between && !im->skipping) {
            for (size_t i = 0; i < k; i++) {
                if (p[i] != ' ' && p[i] != '\t') {
                    im->between = false;
                    im->rec_line = im->line;
                    break;
                }
            }
        }
        if (!im->skipping) parse_piece(im, p, piece);
        if (im->skipping && k < n) resync(im);
        if (k > 0) im->after_cr = false;
        if (k < n) {
            if (p[k] == '\r') im->line++, im->after_cr = true;
            else if (im->after_cr) im->after_cr = false;
            else im->line++;
        }
        if (!im->failed &&
            (im->batch_rows >= CSV_IMPORT_BATCH_ROWS || im->batch.len >= CSV_IMPORT_BATCH_BYTES))
            flush(im);
        p += piece;
        n -= piece;
    }
    return im->failed;
}

int csv_import_feed(struct csv_import *im, const void *data, size_t len, struct err *e)
{
    const unsigned char *p = data;
    if (im->failed) return report_fail(im, e);
    if (im->finished) return err_set(e, ERR_INTERNAL, "csv_import_feed after csv_import_finish");
    while (im->bom >= 0 && len > 0) {
        if (p[0] == bom_bytes[im->bom]) {
            p++, len--;
            if (++im->bom == 3) im->bom = -1;
        } else {
            int held = im->bom;
            im->bom = -1;
            if (held && feed_lines(im, bom_bytes, (size_t)held)) return report_fail(im, e);
        }
    }
    if (feed_lines(im, p, len)) return report_fail(im, e);
    return 0;
}

int csv_import_finish(struct csv_import *im, struct err *e)
{
    if (im->failed) return report_fail(im, e);
    if (im->finished) return 0;
    im->finished = true;
    if (im->bom > 0 && feed_lines(im, bom_bytes, (size_t)im->bom)) return report_fail(im, e);
    if (im->skipping) resync(im); /* the input ended inside a skipped line */
    if (!im->stopped) {
        /* now csv_fini refuses a quoted field that was never closed */
        csv_set_opts(&im->parser, CSV_OPTS | CSV_STRICT_FINI);
        if (csv_fini(&im->parser, on_field, on_record, im) != 0) {
            if (!im->header_done) {
                fail(im, ERR_INVALID, "bad_header",
                     "the header (line %lld) has a quoted field that is never closed",
                     im->rec_line);
            } else {
                im->res.records++;
                refuse(im, im->rec_line,
                       "a quoted field of this record is never closed (a \" is missing); this "
                       "record and the rest of the file were not imported");
            }
        }
    }
    if (!im->failed && !im->header_done)
        fail(im, ERR_INVALID, "empty_csv",
             "the CSV is empty: send a header row naming the columns (one of them email), then "
             "one row per prospect");
    if (!im->failed) flush(im);
    if (im->failed) return report_fail(im, e);
    if (im->progress) im->progress(im->progress_cls, im->res.records, im->res.error_count);
    return 0;
}

/* --- the answer ---------------------------------------------------------------------------- */

json_t *csv_import_summary(const struct csv_import *im)
{
    const struct csv_import_result *r = &im->res;
    json_t *o = json_object();
    if (!o) return NULL;
    /* json_object_set_new and json_array_append_new take the value even when they fail */
    json_t *errors = json_array(), *ignored = json_array();
    int bad = json_object_set_new(o, "imported", json_integer(r->imported));
    bad |= json_object_set_new(o, "skipped_duplicates", json_integer(r->skipped_duplicates));
    bad |= json_object_set_new(o, "errors", errors);
    for (size_t i = 0; !bad && i < r->nerrors; i++)
        bad |= json_array_append_new(errors, json_pack("{s:I, s:s}", "line",
                                                       (json_int_t)r->errors[i].line, "message",
                                                       r->errors[i].message));
    if (r->error_count > (long long)r->nerrors) {
        bad |= json_object_set_new(o, "errors_truncated", json_true());
        bad |= json_object_set_new(o, "error_count", json_integer(r->error_count));
    }
    bad |= json_object_set_new(o, "ignored_columns", ignored);
    for (size_t i = 0; !bad && i < r->nignored; i++)
        bad |= json_array_append_new(ignored, json_string(r->ignored_columns[i]));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
