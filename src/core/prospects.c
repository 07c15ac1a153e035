/*
 * prospects — see prospects.h.
 *
 * Every statement is a named one of stmt.h with bound values. Duplicate emails are the
 * database's call (the unique index on lower(email), INSERT ... ON CONFLICT DO NOTHING):
 * no row back means the email is taken, which stays right under concurrent writers and
 * never aborts a PostgreSQL transaction. A batch is one INSERT ... SELECT over a JSON
 * array (one statement, so its counter-trigger lock is taken once, after any wait on a
 * concurrent insert of the same email); exact and ASCII-case duplicates inside the batch
 * are settled here first, so every email sent is distinct and each returned row maps
 * back to its input by its email. Edits and deletes lock the row first (PostgreSQL:
 * FOR UPDATE; SQLite's BEGIN IMMEDIATE already holds the write lock).
 */
#include "prospects.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const prospect_col_names[PC__COUNT] = {
    "id",          "email",      "first_name",    "last_name",  "company",
    "title",       "website",    "draft_subject", "draft_body", "draft_status",
    "draft_error", "drafted_at", "created_at",    "updated_at",
};

/* In the order of prospect_counts' columns (migration 4). */
const char *const prospect_statuses[PROSPECT_NSTATUSES] = {"none", "drafted", "approved",
                                                           "rejected", "failed"};
#define NSTATUSES ((size_t)PROSPECT_NSTATUSES)

bool prospect_status_valid(const char *s)
{
    for (size_t i = 0; s && i < NSTATUSES; i++)
        if (strcmp(s, prospect_statuses[i]) == 0) return true;
    return false;
}

/* --- input ---------------------------------------------------------------------------- */

static const char *const key_names[PK__COUNT] = {
    [PK_EMAIL] = "email",
    [PK_FIRST_NAME] = "first_name",
    [PK_LAST_NAME] = "last_name",
    [PK_COMPANY] = "company",
    [PK_TITLE] = "title",
    [PK_WEBSITE] = "website",
    [PK_DRAFT_SUBJECT] = "draft_subject",
    [PK_DRAFT_BODY] = "draft_body",
    [PK_DRAFT_STATUS] = "draft_status",
};

static const size_t key_limits[PK__COUNT] = {
    [PK_EMAIL] = PROSPECT_EMAIL_MAX,
    [PK_FIRST_NAME] = PROSPECT_FIELD_MAX,
    [PK_LAST_NAME] = PROSPECT_FIELD_MAX,
    [PK_COMPANY] = PROSPECT_FIELD_MAX,
    [PK_TITLE] = PROSPECT_FIELD_MAX,
    [PK_WEBSITE] = PROSPECT_FIELD_MAX,
    [PK_DRAFT_SUBJECT] = PROSPECT_DRAFT_SUBJECT_MAX,
    [PK_DRAFT_BODY] = PROSPECT_DRAFT_BODY_MAX,
    [PK_DRAFT_STATUS] = 16,
};

static const char *const read_only[] = {"id", "draft_error", "drafted_at", "created_at",
                                        "updated_at"};

static int problem(struct prospect_problem *p, const char *code, const char *field, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

static int problem(struct prospect_problem *p, const char *code, const char *field, const char *fmt,
                   ...)
{
    p->code = code;
    p->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
    return ERR_INVALID;
}

static int unknown_key(struct prospect_problem *p, const char *key, enum prospect_input_kind kind)
{
    for (size_t i = 0; i < sizeof read_only / sizeof *read_only; i++)
        if (strcmp(key, read_only[i]) == 0)
            return problem(p, "unknown_field", key, "\"%s\" is read-only and cannot be set", key);
    if (kind == PROSPECT_INPUT_CREATE) {
        for (int k = PF__COUNT; k < PK__COUNT; k++)
            if (strcmp(key, key_names[k]) == 0)
                return problem(p, "unknown_field", key,
                               "\"%s\" cannot be set when a prospect is created; create it, "
                               "then edit it with PATCH",
                               key);
        return problem(p, "unknown_field", key,
                       "\"%.100s\" is not a prospect field; the fields are email, first_name, "
                       "last_name, company, title and website",
                       key);
    }
    return problem(p, "unknown_field", key,
                   "\"%.100s\" is not a field that can be edited; the fields are email, "
                   "first_name, last_name, company, title, website, draft_subject, draft_body "
                   "and draft_status",
                   key);
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int bad_status(struct prospect_problem *p, const json_t *v)
{
    if (json_is_string(v))
        return problem(p, "invalid_draft_status", key_names[PK_DRAFT_STATUS],
                       "draft_status can be set to \"approved\" or \"rejected\", not \"%.40s\"",
                       json_string_value(v));
    return problem(p, "invalid_draft_status", key_names[PK_DRAFT_STATUS],
                   "draft_status can be set to \"approved\" or \"rejected\", not %s", type_name(v));
}

/* Checks and stores one value of a known key. */
static int take_value(struct prospect_input *in, int k, const json_t *v, struct prospect_problem *p)
{
    const char *name = key_names[k];
    if (k == PK_DRAFT_STATUS) {
        const char *s = json_string_value(v);
        if (!s || (strcmp(s, "approved") != 0 && strcmp(s, "rejected") != 0))
            return bad_status(p, v);
    } else if (json_is_null(v)) {
        if (k == PK_EMAIL) {
            p->reason = "is required";
            return problem(p, "invalid_email", name, "email is required and cannot be null");
        }
        in->set[k] = true;
        return 0;
    } else if (!json_is_string(v)) {
        return problem(p, "invalid_type", name, "\"%s\" must be a string%s, not %s", name,
                       k == PK_EMAIL ? "" : " or null", type_name(v));
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    while (n && space(*s))
        s++, n--;
    while (n && space(s[n - 1]))
        n--;
    if (k == PK_EMAIL && n == 0) {
        p->reason = "is empty";
        p->value = json_string_value(v);
        return problem(p, "invalid_email", name, "email is required and cannot be empty");
    }
    if (n > key_limits[k] && k != PK_EMAIL) {
        p->limit = (long long)key_limits[k];
        return problem(p, "too_long", name, "\"%s\" is %zu bytes long; at most %zu are allowed",
                       name, n, key_limits[k]);
    }
    char *copy = NULL;
    if (n) {
        if (!(copy = malloc(n + 1))) return ERR_NOMEM;
        memcpy(copy, s, n);
        copy[n] = '\0';
    }
    if (k == PK_EMAIL && !prospect_email_valid(copy, p->why, sizeof p->why)) {
        free(copy);
        p->reason = p->why;
        p->value = json_string_value(v);
        return problem(p, "invalid_email", name, "email \"%.200s\" %s", json_string_value(v),
                       p->why);
    }
    in->set[k] = true;
    in->v[k] = copy;
    return 0;
}

int prospect_input_parse(struct prospect_input *in, const json_t *obj,
                         enum prospect_input_kind kind, struct prospect_problem *p)
{
    memset(in, 0, sizeof *in);
    memset(p, 0, sizeof *p);
    if (!json_is_object(obj))
        return problem(p, "invalid_body", NULL, "a prospect must be a JSON object, not %s",
                       type_name(obj));
    int nkeys = kind == PROSPECT_INPUT_CREATE ? PF__COUNT : PK__COUNT;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        int k = -1;
        for (int i = 0; i < nkeys && k < 0; i++)
            if (strcmp(key, key_names[i]) == 0) k = i;
        if (k < 0) return unknown_key(p, key, kind);
        int rc = take_value(in, k, v, p);
        if (rc) return rc;
    }
    if (kind == PROSPECT_INPUT_CREATE && !in->set[PK_EMAIL]) {
        p->reason = "is required";
        return problem(p, "invalid_email", key_names[PK_EMAIL], "email is required");
    }
    return 0;
}

void prospect_input_release(struct prospect_input *in)
{
    if (!in) return;
    for (int k = 0; k < PK__COUNT; k++) {
        free(in->v[k]);
        in->v[k] = NULL;
    }
}

/* --- the review rules ----------------------------------------------------------------- */

int prospect_patch_plan(struct prospect_plan *out, const struct prospect_row *cur,
                        const struct prospect_input *in, struct err *e)
{
    memset(out, 0, sizeof *out);
    for (int k = 0; k < PF__COUNT; k++)
        out->v[k] = in->set[k] ? in->v[k] : cur->v[PC_EMAIL + k];
    const char *subject =
        in->set[PK_DRAFT_SUBJECT] ? in->v[PK_DRAFT_SUBJECT] : cur->v[PC_DRAFT_SUBJECT];
    const char *body = in->set[PK_DRAFT_BODY] ? in->v[PK_DRAFT_BODY] : cur->v[PC_DRAFT_BODY];
    const char *status = cur->v[PC_DRAFT_STATUS] ? cur->v[PC_DRAFT_STATUS] : "none";
    out->v[PK_DRAFT_SUBJECT] = subject;
    out->v[PK_DRAFT_BODY] = body;
    out->draft_error = cur->v[PC_DRAFT_ERROR];
    out->drafted_at = DRAFTED_AT_KEEP;

    bool open = strcmp(status, "none") == 0 || strcmp(status, "failed") == 0;
    bool wrote = (in->set[PK_DRAFT_SUBJECT] && in->v[PK_DRAFT_SUBJECT]) ||
                 (in->set[PK_DRAFT_BODY] && in->v[PK_DRAFT_BODY]);
    bool touched = in->set[PK_DRAFT_SUBJECT] || in->set[PK_DRAFT_BODY];
    if (wrote && open) { /* a hand-written draft */
        status = "drafted";
        out->drafted_at = DRAFTED_AT_NOW;
        out->draft_error = NULL;
    } else if (touched && !subject && !body && !open) { /* the draft was thrown away */
        status = "none";
        out->drafted_at = DRAFTED_AT_CLEAR;
        out->draft_error = NULL;
    }
    if (in->set[PK_DRAFT_STATUS]) {
        const char *want = in->v[PK_DRAFT_STATUS];
        if (!subject || !body)
            return err_set(e, ERR_CONFLICT,
                           "prospect %s has no draft to mark %s: draft_subject and draft_body "
                           "must both be set first",
                           cur->v[PC_ID] ? cur->v[PC_ID] : "?", want);
        status = want;
        out->draft_error = NULL;
    }
    out->v[PK_DRAFT_STATUS] = status;
    return 0;
}

/* --- running statements --------------------------------------------------------------- */

/*
 * Runs a row statement and gives each row to fn (may be NULL); *count (may be NULL)
 * gets the number of rows seen. With total non-NULL, the statement has one more column
 * after the prospect's: the list's total, read from the first row (a NULL there is an
 * error: migration 4's counter row is gone).
 */
static int rows_total(struct store *s, enum stmt_id id, const struct sval *p, size_t np,
                      prospect_row_fn fn, void *arg, long long *count, long long *total,
                      struct err *e)
{
    struct store_rows *r = NULL;
    long long n = 0;
    int rc = store_query(s, id, p, np, &r, e);
    if (rc) goto out;
    while ((rc = store_rows_next(r, e)) == 1) {
        struct prospect_row row;
        char ts[3][PROSPECT_TS_BUF];
        for (int c = 0; c < PC__COUNT; c++)
            row.v[c] = store_rows_text(r, c);
        for (int c = PC_DRAFTED_AT; c <= PC_UPDATED_AT; c++)
            row.v[c] = prospect_ts_rfc3339(ts[c - PC_DRAFTED_AT], sizeof ts[0], row.v[c]);
        if (total && n == 0) {
            if (store_rows_null(r, PC__COUNT)) {
                rc = err_set(e, ERR_DB,
                             "statement %s found no total: the prospect_counts "
                             "table has lost its row",
                             stmt_name(id));
                break;
            }
            *total = store_rows_int(r, PC__COUNT);
        }
        n++;
        if (fn && (rc = fn(arg, &row)) != 0) {
            err_set(e, rc, "a prospect row could not be written out (%s)", err_code_name(rc));
            break;
        }
    }
out:
    store_rows_free(r);
    if (count) *count = n;
    return rc;
}

static int each_row(struct store *s, enum stmt_id id, const struct sval *p, size_t np,
                    prospect_row_fn fn, void *arg, long long *count, struct err *e)
{
    return rows_total(s, id, p, np, fn, arg, count, NULL, e);
}

/* The first column of the first row as an integer, *found false when there is no row. */
static int query_opt_int(struct store *s, enum stmt_id id, const struct sval *p, size_t np,
                         bool *found, long long *out, struct err *e)
{
    struct store_rows *r = NULL;
    *found = false;
    int rc = store_query(s, id, p, np, &r, e);
    if (rc) return rc;
    rc = store_rows_next(r, e);
    if (rc == 1) {
        *found = true;
        *out = store_rows_int(r, 0);
        rc = 0;
    }
    store_rows_free(r);
    return rc;
}

static struct sval text_or_null(const char *s)
{
    return s ? SV_TEXT(s) : SV_NULL_VALUE;
}

/* Rolls back after a failure; the failure's own message stays the one reported. */
static void rollback_quietly(struct store *s)
{
    struct err ignored = {0};
    store_rollback(s, &ignored);
}

/* --- the service ---------------------------------------------------------------------- */

static int status_index(const char *s)
{
    for (size_t i = 0; i < NSTATUSES; i++)
        if (strcmp(s, prospect_statuses[i]) == 0) return (int)i;
    return -1;
}

/* The number of prospects, or of those in one status, from migration 4's counters. */
int prospects_counts(struct store *s, long long out[PROSPECT_NSTATUSES], struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(s, STMT_PROSPECT_COUNTS_GET, NULL, 0, &r, e);
    if (rc) return rc;
    rc = store_rows_next(r, e);
    if (rc == 1) {
        for (size_t i = 0; i < NSTATUSES; i++) out[i] = store_rows_int(r, (int)i);
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_DB,
                     "statement %s returned no row: the prospect_counts table has "
                     "lost its row",
                     stmt_name(STMT_PROSPECT_COUNTS_GET));
    }
    store_rows_free(r);
    return rc;
}

static int count_status(struct store *s, const char *status, long long *total, struct err *e)
{
    long long n[PROSPECT_NSTATUSES];
    int rc = prospects_counts(s, n, e);
    if (rc) return rc;
    int want = status ? status_index(status) : -1;
    *total = 0;
    for (int i = 0; i < (int)NSTATUSES; i++)
        if (want < 0 || want == i) *total += n[i];
    return 0;
}

int prospects_list(struct store *s, const struct prospects_filter *f, prospect_row_fn fn, void *arg,
                   long long *total, struct err *e)
{
    char pattern[2 * PROSPECTS_Q_MAX + 3];
    struct sval p[4];
    size_t np;
    enum stmt_id page;
    bool search = f->q && *f->q;
    if (f->draft_status && !prospect_status_valid(f->draft_status))
        return err_set(e, ERR_INVALID, "draft_status \"%.40s\" is not a draft status",
                       f->draft_status);
    if (search) {
        if (strlen(f->q) > PROSPECTS_Q_MAX || prospects_like_pattern(pattern, sizeof pattern, f->q))
            return err_set(e, ERR_INVALID, "the search text is longer than %d bytes",
                           PROSPECTS_Q_MAX);
        p[0] = text_or_null(f->draft_status);
        p[1] = SV_TEXT(pattern);
        p[2] = SV_INT(f->limit);
        p[3] = SV_INT(f->skip);
        np = 4;
        page = STMT_PROSPECT_LIST_SEARCH;
    } else if (f->draft_status) {
        p[0] = SV_TEXT(f->draft_status);
        p[1] = SV_INT(f->limit);
        p[2] = SV_INT(f->skip);
        np = 3;
        page = STMT_PROSPECT_LIST_STATUS;
    } else {
        p[0] = SV_INT(f->limit);
        p[1] = SV_INT(f->skip);
        np = 2;
        page = STMT_PROSPECT_PAGE;
    }
    long long n = 0;
    int rc = rows_total(s, page, p, np, fn, arg, &n, total, e);
    if (rc || n > 0) return rc;
    /* No row, so no total with it: past the end, or nothing matches. */
    if (f->skip == 0) {
        *total = 0;
        return 0;
    }
    if (search) return store_query_int(s, STMT_PROSPECT_COUNT_SEARCH, p, 2, total, e);
    return count_status(s, f->draft_status, total, e);
}

int prospects_get(struct store *s, long long id, prospect_row_fn fn, void *arg, struct err *e)
{
    struct sval p = SV_INT(id);
    long long n = 0;
    int rc = each_row(s, STMT_PROSPECT_READ, &p, 1, fn, arg, &n, e);
    if (rc) return rc;
    if (n == 0) return err_set(e, ERR_NOT_FOUND, "there is no prospect with id %lld", id);
    return 0;
}

/* The id of the prospect other than self whose email equals email ignoring case. */
static int email_holder(struct store *s, const char *email, long long self, bool *found,
                        long long *id, struct err *e)
{
    struct sval p[2] = {SV_TEXT(email), SV_INT(self)};
    return query_opt_int(s, STMT_PROSPECT_ID_BY_EMAIL, p, 2, found, id, e);
}

static int duplicate(struct prospects_clash *c, const char *email, long long id, struct err *e)
{
    c->code = "duplicate_email";
    c->id = id;
    if (id)
        return err_set(e, ERR_CONFLICT, "a prospect with the email %.300s already exists (id %lld)",
                       email, id);
    return err_set(e, ERR_CONFLICT, "a prospect with the email %.300s already exists", email);
}

int prospects_create_one(struct store *s, const struct prospect_input *in, prospect_row_fn fn,
                         void *arg, struct prospects_clash *c, struct err *e)
{
    struct sval p[PF__COUNT];
    for (int k = 0; k < PF__COUNT; k++)
        p[k] = text_or_null(in->v[k]);
    if (!in->v[PK_EMAIL]) return err_set(e, ERR_INVALID, "email is required");
    /* The holder of the email can vanish between the insert and the look-up: try again. */
    for (int attempt = 0; attempt < 3; attempt++) {
        long long n = 0, id = 0;
        bool found = false;
        int rc = each_row(s, STMT_PROSPECT_CREATE, p, PF__COUNT, fn, arg, &n, e);
        if (rc) return rc;
        if (n == 1) return 0;
        if ((rc = email_holder(s, in->v[PK_EMAIL], 0, &found, &id, e))) return rc;
        if (found) return duplicate(c, in->v[PK_EMAIL], id, e);
    }
    return duplicate(c, in->v[PK_EMAIL], 0, e);
}

/* An email and the index of its input, for sorting and looking up. */
struct email_key {
    const char *email;
    size_t index;
};

static int ascii_lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

static int cmp_folded(const void *a, const void *b)
{
    const struct email_key *x = a, *y = b;
    const unsigned char *p = (const unsigned char *)x->email, *q = (const unsigned char *)y->email;
    for (; *p && ascii_lower(*p) == ascii_lower(*q); p++, q++)
        ;
    int d = ascii_lower(*p) - ascii_lower(*q);
    if (d) return d;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int cmp_exact(const void *a, const void *b)
{
    return strcmp(((const struct email_key *)a)->email, ((const struct email_key *)b)->email);
}

/* A row copied out of the store: the strings live in the same allocation. */
struct row_copy {
    struct prospect_row row;
    char data[];
};

static struct row_copy *row_copy_new(const struct prospect_row *row)
{
    size_t len[PC__COUNT], total = 0;
    for (int c = 0; c < PC__COUNT; c++) {
        len[c] = row->v[c] ? strlen(row->v[c]) + 1 : 0;
        total += len[c];
    }
    struct row_copy *rc = malloc(sizeof *rc + total);
    if (!rc) return NULL;
    char *o = rc->data;
    for (int c = 0; c < PC__COUNT; c++) {
        rc->row.v[c] = row->v[c] ? memcpy(o, row->v[c], len[c]) : NULL;
        o += len[c];
    }
    return rc;
}

struct batch {
    struct email_key *kept; /* the inputs sent, sorted by exact email */
    size_t nkept;
    struct row_copy **slot; /* per input: the row created for it */
    size_t n;
};

/* Files a returned row under the input that has its email. */
static int batch_take(void *arg, const struct prospect_row *row)
{
    struct batch *b = arg;
    struct email_key want = {.email = row->v[PC_EMAIL]}, *hit = NULL;
    if (want.email) hit = bsearch(&want, b->kept, b->nkept, sizeof *b->kept, cmp_exact);
    if (!hit || b->slot[hit->index]) return ERR_INTERNAL;
    if (!(b->slot[hit->index] = row_copy_new(row))) return ERR_NOMEM;
    return 0;
}

/* The JSON array the batch statement unpacks: [{"i":0,"email":"…",…},…]. */
static void batch_json(struct jtext *j, const struct prospect_input *in, const bool *dup, size_t n)
{
    bool first = true;
    jtext_lit(j, "[");
    for (size_t i = 0; i < n; i++) {
        if (dup[i]) continue;
        if (!first) jtext_lit(j, ",");
        first = false;
        jtext_lit(j, "{\"i\":");
        jtext_int(j, (long long)i);
        for (int k = 0; k < PF__COUNT; k++) {
            jtext_lit(j, ",\"");
            jtext_raw(j, key_names[k], strlen(key_names[k]));
            jtext_lit(j, "\":");
            jtext_str(j, in[i].v[k]);
        }
        jtext_lit(j, "}");
    }
    jtext_lit(j, "]");
}

int prospects_create_many(struct store *s, const struct prospect_input *in, size_t n,
                          prospect_row_fn created, void (*skipped)(void *arg, size_t index),
                          void *arg, size_t *ncreated, struct err *e)
{
    struct email_key *keys = NULL;
    bool *dup = NULL;
    struct jtext j = {0};
    struct batch b = {0};
    bool in_tx = false;
    int rc = 0;
    *ncreated = 0;
    if (n == 0 || n > PROSPECTS_BATCH_MAX)
        return err_set(e, ERR_INVALID, "a batch holds 1 to %d prospects, not %zu",
                       PROSPECTS_BATCH_MAX, n);
    keys = malloc(n * sizeof *keys);
    dup = calloc(n, sizeof *dup);
    b.slot = calloc(n, sizeof *b.slot);
    b.n = n;
    if (!keys || !dup || !b.slot) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (!in[i].v[PK_EMAIL]) {
            rc = err_set(e, ERR_INVALID, "item %zu: email is required", i);
            goto out;
        }
        keys[i] = (struct email_key){in[i].v[PK_EMAIL], i};
    }
    /* Duplicates inside the batch, ignoring ASCII case: the first one stays. */
    qsort(keys, n, sizeof *keys, cmp_folded);
    for (size_t i = 1; i < n; i++) {
        struct email_key a = keys[i - 1], c = keys[i];
        c.index = a.index; /* compare the emails only */
        if (cmp_folded(&a, &c) == 0) dup[keys[i].index] = true;
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!dup[keys[i].index]) keys[w++] = keys[i];
    qsort(keys, w, sizeof *keys, cmp_exact);
    b.kept = keys;
    b.nkept = w;

    batch_json(&j, in, dup, n);
    if (j.failed) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    j.p[j.len] = '\0'; /* reserve() always leaves room for it */
    struct sval p = SV_TEXT(j.p);
    if ((rc = store_begin(s, e))) goto out;
    in_tx = true;
    if ((rc = each_row(s, STMT_PROSPECT_CREATE_MANY, &p, 1, batch_take, &b, NULL, e))) {
        if (rc == ERR_INTERNAL)
            err_set(e, rc, "the database returned a prospect that was not in the batch");
        goto out;
    }
    /* In input order, before the commit: whatever fails here still rolls back. */
    for (size_t i = 0; i < n; i++) {
        if (b.slot[i]) {
            if ((rc = created(arg, &b.slot[i]->row))) {
                err_set(e, rc, "a prospect row could not be written out (%s)", err_code_name(rc));
                goto out;
            }
            (*ncreated)++;
        } else {
            skipped(arg, i);
        }
    }
    rc = store_commit(s, e);
    in_tx = rc != 0;
out:
    if (rc && in_tx) rollback_quietly(s);
    if (rc) *ncreated = 0;
    for (size_t i = 0; b.slot && i < n; i++)
        free(b.slot[i]);
    free(b.slot);
    free(keys);
    free(dup);
    jtext_release(&j);
    return rc;
}

static int copy_row(void *arg, const struct prospect_row *row)
{
    struct row_copy **out = arg;
    if (*out) return ERR_INTERNAL; /* an id names one row */
    return (*out = row_copy_new(row)) ? 0 : ERR_NOMEM;
}

int prospects_patch(struct store *s, long long id, const struct prospect_input *in,
                    prospect_row_fn fn, void *arg, struct prospects_clash *c, struct err *e)
{
    struct row_copy *cur = NULL;
    struct sval key = SV_INT(id);
    long long n = 0;
    int rc = store_begin(s, e);
    if (rc) return rc;
    if ((rc = each_row(s, STMT_PROSPECT_GET_FOR_UPDATE, &key, 1, copy_row, &cur, &n, e))) goto out;
    if (!cur) {
        rc = err_set(e, ERR_NOT_FOUND, "there is no prospect with id %lld", id);
        goto out;
    }
    struct prospect_plan plan;
    if ((rc = prospect_patch_plan(&plan, &cur->row, in, e))) {
        c->code = "no_draft";
        c->id = id;
        goto out;
    }
    struct sval p[12] = {SV_INT(id)};
    for (int k = 0; k < PK__COUNT; k++)
        p[1 + k] = text_or_null(plan.v[k]);
    p[10] = text_or_null(plan.draft_error);
    p[11] = SV_INT(plan.drafted_at);
    rc = each_row(s, STMT_PROSPECT_UPDATE, p, 12, fn, arg, &n, e);
    if (rc == ERR_CONFLICT && in->set[PK_EMAIL]) {
        /* The new email is taken: say by whom, outside the failed transaction. */
        bool found = false;
        long long other = 0;
        struct err lookup = {0};
        rollback_quietly(s);
        if (email_holder(s, plan.v[PK_EMAIL], id, &found, &other, &lookup) || !found) other = 0;
        rc = duplicate(c, plan.v[PK_EMAIL], other, e);
        goto out;
    }
    if (rc) goto out;
    if (n != 1) {
        rc = err_set(e, ERR_NOT_FOUND, "there is no prospect with id %lld", id);
        goto out;
    }
    rc = store_commit(s, e);
out:
    if (rc) rollback_quietly(s);
    free(cur);
    return rc;
}

int prospects_delete(struct store *s, long long id, struct prospects_clash *c, struct err *e)
{
    struct sval key = SV_INT(id);
    long long n = 0, job = 0;
    bool found = false;
    int rc = store_begin(s, e);
    if (rc) return rc;
    /* Lock the row first: a job that would target it waits for this transaction. */
    if ((rc = each_row(s, STMT_PROSPECT_GET_FOR_UPDATE, &key, 1, NULL, NULL, &n, e))) goto out;
    if (n == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "there is no prospect with id %lld", id);
        goto out;
    }
    if ((rc = query_opt_int(s, STMT_PROSPECT_ACTIVE_JOB, &key, 1, &found, &job, e))) goto out;
    if (found) {
        c->code = "prospect_in_job";
        c->id = job;
        rc = err_set(e, ERR_CONFLICT,
                     "prospect %lld is waiting to be drafted by job %lld; cancel the job or "
                     "wait until it has finished, then delete the prospect",
                     id, job);
        goto out;
    }
    if ((rc = store_query(s, STMT_PROSPECT_DELETE, &key, 1, NULL, e))) goto out;
    rc = store_commit(s, e);
out:
    if (rc) rollback_quietly(s);
    return rc;
}

/* --- pure helpers --------------------------------------------------------------------- */

int prospects_like_pattern(char *out, size_t len, const char *q)
{
    size_t o = 0;
    if (len < 3) return -1;
    out[o++] = '%';
    for (const char *p = q; *p; p++) {
        if (o + 4 > len) return -1; /* room for an escaped byte, '%' and NUL */
        if (*p == '%' || *p == '_' || *p == '\\') out[o++] = '\\';
        out[o++] = *p;
    }
    out[o++] = '%';
    out[o] = '\0';
    return 0;
}

static bool digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return false;
    return true;
}

const char *prospect_ts_rfc3339(char *buf, size_t len, const char *in)
{
    if (!in || in[0] != '"' || len < PROSPECT_TS_BUF) return in;
    const char *t = in + 1; /* "YYYY-MM-DDTHH:MM:SS[.ffffff]" */
    size_t n = strlen(t);
    if (n >= 20 && digits(t, 4) && t[4] == '-' && digits(t + 5, 2) && t[7] == '-' &&
        digits(t + 8, 2) && t[10] == 'T' && digits(t + 11, 2) && t[13] == ':' &&
        digits(t + 14, 2) && t[16] == ':' && digits(t + 17, 2)) {
        const char *f = t + 19, *end = t + n - 1;
        size_t nf = 0;
        if (*f == '.') nf = (size_t)(end - ++f);
        if (end[0] == '"' && f + nf == end && nf <= 9 && digits(f, nf)) {
            /* Written by hand: this runs three times per row of every page. */
            memcpy(buf, t, 19);
            buf[19] = '.';
            for (size_t i = 0; i < 3; i++)
                buf[20 + i] = i < nf ? f[i] : '0';
            buf[23] = 'Z';
            buf[24] = '\0';
            return buf;
        }
    }
    snprintf(buf, len, "%.*s", (int)(n && t[n - 1] == '"' ? n - 1 : n), t);
    return buf;
}

bool prospects_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = jtext_utf8_seq(p + i, n - i);
        if (!k) return false;
        i += k;
    }
    return true;
}

/* --- a prospect as JSON ------------------------------------------------------------- */

#define KEY(s)                                                                                     \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
static const struct {
    const char *text;
    size_t len;
} row_keys[PC__COUNT] = {
    KEY("{\"id\":"),           KEY(",\"email\":"),         KEY(",\"first_name\":"),
    KEY(",\"last_name\":"),    KEY(",\"company\":"),       KEY(",\"title\":"),
    KEY(",\"website\":"),      KEY(",\"draft_subject\":"), KEY(",\"draft_body\":"),
    KEY(",\"draft_status\":"), KEY(",\"draft_error\":"),   KEY(",\"drafted_at\":"),
    KEY(",\"created_at\":"),   KEY(",\"updated_at\":"),
};
#undef KEY

void jtext_prospect(struct jtext *j, const struct prospect_row *row)
{
    for (int c = 0; c < PC__COUNT; c++) {
        jtext_raw(j, row_keys[c].text, row_keys[c].len);
        if (c == PC_ID) {
            const char *id = row->v[c];
            if (id)
                jtext_raw(j, id, strlen(id));
            else
                jtext_lit(j, "null");
        } else {
            jtext_str(j, row->v[c]);
        }
    }
    jtext_lit(j, "}");
}
