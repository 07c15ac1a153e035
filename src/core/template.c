/*
 * template — see template.h.
 *
 * template_parse copies the two parts once and cuts each into segments: literal text,
 * or a field with its fallback, all pointing into that copy. It also counts, per part,
 * how often each field occurs and how many literal and fallback bytes there are, so
 * that template_render can size its buffers with six strlen calls and then copy
 * segment by segment: no allocation once the buffers have grown, no scan of the
 * template text, no formatting.
 */
#include "template.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char template_default_subject[] = "A quick idea for {{company}}";

/*
 * Short, plain and true of any prospect: it claims no research nobody did. It signs off
 * with "Best regards" and nothing after it: draftd does not know the sender's name, and
 * a "[Your Name]" left in would go out as is; the mail client adds the signature.
 */
const char template_default_body[] =
    "Hi {{first_name|there}},\n"
    "\n"
    "I came across {{company}} recently and had an idea that could be useful to you as "
    "{{title|someone on the team}}.\n"
    "\n"
    "We help teams like yours take the manual work out of outreach, so more of the week "
    "goes to real conversations.\n"
    "\n"
    "Would you be open to a 15-minute call next week to see whether it fits? If not, no "
    "worries at all.\n"
    "\n"
    "Best regards";

const enum prospect_field template_fields[PF__COUNT] = {
    PF_FIRST_NAME, PF_LAST_NAME, PF_COMPANY, PF_TITLE, PF_WEBSITE, PF_EMAIL,
};

#define PLACEHOLDER_LIST "first_name, last_name, company, title, website, email"

enum { PART_SUBJECT, PART_BODY, PART__COUNT };
static const char *const part_names[PART__COUNT] = {"subject", "body"};

struct seg {
    const char *text; /* literal text, or the fallback of a field */
    uint32_t len;
    int8_t field;     /* -1: literal */
    bool has_fallback;
};

struct part {
    struct seg *segs;
    size_t n, cap;
    size_t fixed_len;         /* literal bytes plus every fallback's bytes */
    uint32_t count[PF__COUNT]; /* occurrences of each field */
};

struct draft_template {
    char *text; /* subject NUL body NUL: what the segments point into */
    struct part part[PART__COUNT];
    unsigned used;          /* bit per field used anywhere */
    unsigned required;      /* bit per field used at least once without a fallback */
    int8_t order[PF__COUNT]; /* the required fields, in order of first appearance */
    int norder;
};

/* --- parsing -------------------------------------------------------------------------- */

static bool is_blank_char(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The offset of the first byte that breaks UTF-8 (overlong, surrogate, > U+10FFFF), or len. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) n = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else
            return i;
        if (i + n > len || s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += n;
    }
    return len;
}

/* The length of at most max bytes of s that ends on a character boundary (s is UTF-8). */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max) return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static int field_by_name(const char *name, size_t len)
{
    for (int i = 0; i < PF__COUNT; i++)
        if (strlen(prospect_field_names[i]) == len && memcmp(prospect_field_names[i], name, len) == 0)
            return i;
    return -1;
}

static int push(struct part *pt, struct seg s)
{
    if (pt->n == pt->cap) {
        size_t cap = pt->cap ? pt->cap * 2 : 8;
        struct seg *segs = realloc(pt->segs, cap * sizeof *segs);
        if (!segs) return ERR_NOMEM;
        pt->segs = segs;
        pt->cap = cap;
    }
    pt->segs[pt->n++] = s;
    if (s.field < 0 || s.has_fallback) pt->fixed_len += s.len;
    if (s.field >= 0) pt->count[s.field]++;
    return 0;
}

static int push_literal(struct part *pt, const char *text, size_t len)
{
    if (len == 0) return 0;
    return push(pt, (struct seg){.text = text, .len = (uint32_t)len, .field = -1});
}

/* Sets d and e for a problem in part pn. */
static int invalid(struct template_diag *d, int pn, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int invalid(struct template_diag *d, int pn, struct err *e, const char *fmt, ...)
{
    if (d) {
        d->problem = TEMPLATE_INVALID;
        d->part = part_names[pn];
    }
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(e, ERR_INVALID, "%s", msg);
}

/* A short quote of the text at s (at most 40 bytes, cut at a character, one line). */
static void quote_at(char *buf, size_t size, const char *s)
{
    size_t len = strcspn(s, "\r\n");
    size_t n = utf8_cut(s, len, 40);
    snprintf(buf, size, "\"%.*s%s\"", (int)n, s, n < len ? "..." : "");
}

/* Checks the part as a whole: UTF-8, not empty, not too long, a subject on one line. */
static int check_text(const char *text, size_t len, int pn, struct template_diag *d,
                      struct err *e)
{
    const char *name = part_names[pn];
    size_t max = pn == PART_SUBJECT ? TEMPLATE_SUBJECT_MAX : TEMPLATE_BODY_MAX;
    if (len > max)
        return invalid(d, pn, e, "the %s is %zu bytes long; it can be at most %zu bytes", name,
                       len, max);
    size_t bad = utf8_invalid_at((const unsigned char *)text, len);
    if (bad < len)
        return invalid(d, pn, e, "the %s is not valid UTF-8 text (byte %zu)", name, bad + 1);
    size_t i = 0;
    while (i < len && is_blank_char(text[i]))
        i++;
    if (i == len) return invalid(d, pn, e, "the %s is empty: write some text", name);
    if (pn == PART_SUBJECT && strpbrk(text, "\r\n"))
        return invalid(d, pn, e, "the subject must be one line: it contains a line break");
    return 0;
}

/* Parses one placeholder whose "{{" is at open; *end is set past its "}}". */
static int parse_placeholder(struct draft_template *t, int pn, const char *open,
                             const char **end, struct template_diag *d, struct err *e)
{
    const char *inner = open + 2;
    size_t span = strcspn(inner, "}\n\r");
    while (inner[span] == '}' && inner[span + 1] != '}') {
        span++;
        span += strcspn(inner + span, "}\n\r");
    }
    if (inner[span] != '}') {
        char q[64];
        quote_at(q, sizeof q, open);
        return invalid(d, pn, e,
                       "a placeholder in the %s is not closed: %s opens with {{ but has no }} "
                       "on the same line",
                       part_names[pn], q);
    }
    const char *bar = memchr(inner, '|', span);
    const char *name = inner, *fb = NULL;
    size_t name_len = bar ? (size_t)(bar - inner) : span, fb_len = 0;
    trim(&name, &name_len);
    if (bar) {
        fb = bar + 1;
        fb_len = span - (size_t)(fb - inner);
        trim(&fb, &fb_len);
    }
    int f = field_by_name(name, name_len);
    if (f < 0) {
        size_t shown = utf8_cut(name, name_len, TEMPLATE_NAME_SHOWN_MAX - 1);
        if (d) {
            d->problem = TEMPLATE_UNKNOWN_PLACEHOLDER;
            d->part = part_names[pn];
            memcpy(d->placeholder, name, shown);
            d->placeholder[shown] = '\0';
        }
        return err_set(e, ERR_INVALID,
                       "unknown placeholder {{%.*s%s}} in the %s: placeholders are " PLACEHOLDER_LIST,
                       (int)shown, name, shown < name_len ? "..." : "", part_names[pn]);
    }
    if (fb && fb_len >= 2) {
        for (size_t i = 0; i + 1 < fb_len; i++)
            if (fb[i] == '{' && fb[i + 1] == '{')
                return invalid(d, pn, e,
                               "the fallback of {{%s|...}} in the %s contains {{: a fallback is "
                               "plain text",
                               prospect_field_names[f], part_names[pn]);
    }
    struct part *pt = &t->part[pn];
    if (push(pt, (struct seg){.text = fb, .len = (uint32_t)fb_len, .field = (int8_t)f,
                              .has_fallback = bar != NULL}))
        return err_set(e, ERR_NOMEM, "out of memory parsing the template");
    t->used |= 1u << f;
    if (!bar && !(t->required & (1u << f))) {
        t->required |= 1u << f;
        t->order[t->norder++] = (int8_t)f;
    }
    *end = inner + span + 2;
    return 0;
}

static int parse_part(struct draft_template *t, int pn, const char *text, size_t len,
                      struct template_diag *d, struct err *e)
{
    int rc = check_text(text, len, pn, d, e);
    if (rc) return rc;
    const char *p = text, *lit = text;
    while ((p = strstr(p, "{{")) != NULL) {
        if (push_literal(&t->part[pn], lit, (size_t)(p - lit)))
            return err_set(e, ERR_NOMEM, "out of memory parsing the template");
        rc = parse_placeholder(t, pn, p, &p, d, e);
        if (rc) return rc;
        lit = p;
    }
    if (push_literal(&t->part[pn], lit, (size_t)(text + len - lit)))
        return err_set(e, ERR_NOMEM, "out of memory parsing the template");
    return 0;
}

int template_parse_diag(struct draft_template **out, const char *subject, const char *body,
                        struct template_diag *d, struct err *e)
{
    struct draft_template *t = NULL;
    int rc = 0;
    if (d) *d = (struct template_diag){.problem = TEMPLATE_OK};
    if (out) *out = NULL;
    if (!subject || !body) {
        rc = invalid(d, subject ? PART_BODY : PART_SUBJECT, e, "the template needs a %s",
                     subject ? "body" : "subject");
        goto out;
    }
    size_t slen = strlen(subject), blen = strlen(body);
    /* Check the sizes before copying anything. */
    if (slen > TEMPLATE_SUBJECT_MAX) {
        rc = check_text(subject, slen, PART_SUBJECT, d, e);
        goto out;
    }
    if (blen > TEMPLATE_BODY_MAX) {
        rc = check_text(body, blen, PART_BODY, d, e);
        goto out;
    }
    t = calloc(1, sizeof *t);
    if (!t || !(t->text = malloc(slen + blen + 2))) {
        rc = err_set(e, ERR_NOMEM, "out of memory parsing the template");
        goto out;
    }
    memcpy(t->text, subject, slen + 1);
    memcpy(t->text + slen + 1, body, blen + 1);
    rc = parse_part(t, PART_SUBJECT, t->text, slen, d, e);
    if (rc) goto out;
    rc = parse_part(t, PART_BODY, t->text + slen + 1, blen, d, e);
    if (rc) goto out;
    if (out) {
        *out = t;
        t = NULL;
    }
out:
    template_free(t);
    return rc;
}

int template_parse(struct draft_template **out, const char *subject, const char *body,
                   struct err *e)
{
    return template_parse_diag(out, subject, body, NULL, e);
}

void template_free(struct draft_template *t)
{
    if (!t) return;
    for (int i = 0; i < PART__COUNT; i++)
        free(t->part[i].segs);
    free(t->text);
    free(t);
}

/* --- rendering ------------------------------------------------------------------------ */

struct value {
    const char *s;
    size_t len;
};

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t cap2 = *cap ? *cap : 256;
    while (cap2 < need)
        cap2 *= 2;
    char *b = realloc(*buf, cap2);
    if (!b) return ERR_NOMEM;
    *buf = b;
    *cap = cap2;
    return 0;
}

/* Copies n bytes, each run of CR/LF becoming one space; returns the bytes written. */
static size_t copy_one_line(char *dst, const char *src, size_t n)
{
    size_t w = 0;
    bool in_break = false;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        bool brk = c == '\r' || c == '\n';
        if (!brk) dst[w++] = c;
        else if (!in_break) dst[w++] = ' ';
        in_break = brk;
    }
    return w;
}

static int render_part(const struct part *pt, const struct value *v, bool one_line, char **buf,
                       size_t *cap, size_t *len)
{
    size_t need = pt->fixed_len + 1;
    for (int f = 0; f < PF__COUNT; f++)
        need += pt->count[f] * v[f].len;
    if (grow(buf, cap, need)) return ERR_NOMEM;
    char *w = *buf;
    for (size_t i = 0; i < pt->n; i++) {
        const struct seg *s = &pt->segs[i];
        if (s->field >= 0 && v[s->field].len) {
            const struct value *x = &v[s->field];
            if (one_line && (memchr(x->s, '\n', x->len) || memchr(x->s, '\r', x->len))) {
                w += copy_one_line(w, x->s, x->len);
                continue;
            }
            memcpy(w, x->s, x->len);
            w += x->len;
        } else {
            memcpy(w, s->text, s->len);
            w += s->len;
        }
    }
    *w = '\0';
    *len = (size_t)(w - *buf);
    return 0;
}

/* Names the required fields that are empty, in order of first appearance. */
static void missing_reason(const struct draft_template *t, unsigned missing, char *out,
                           size_t size)
{
    const char *names[PF__COUNT];
    int n = 0;
    for (int i = 0; i < t->norder; i++)
        if (missing & (1u << t->order[i])) names[n++] = prospect_field_names[t->order[i]];
    if (n == 1) {
        snprintf(out, size, "%s is empty and the template has no fallback for {{%s}}", names[0],
                 names[0]);
        return;
    }
    size_t w = 0;
    for (int i = 0; i < n && w < size; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? " and " : ", ";
        int k = snprintf(out + w, size - w, "%s%s", sep, names[i]);
        if (k < 0) break;
        w += (size_t)k;
    }
    if (w < size)
        snprintf(out + w, size - w, " are empty and the template has no fallback for them");
}

int template_render(const struct draft_template *t, const struct prospect *p,
                    struct draft_result *out)
{
    struct value v[PF__COUNT] = {{0}};
    unsigned present = 0;
    for (int f = 0; f < PF__COUNT; f++) {
        const char *s = p->f[f];
        if (!(t->used & (1u << f)) || !s) continue;
        const char *c = s;
        while (is_blank_char(*c))
            c++;
        if (!*c) continue;
        v[f] = (struct value){s, strlen(s)};
        present |= 1u << f;
    }
    out->subject_len = out->body_len = 0;
    unsigned missing = t->required & ~present;
    if (missing) {
        missing_reason(t, missing, out->reason, sizeof out->reason);
        if (out->subject) out->subject[0] = '\0';
        if (out->body) out->body[0] = '\0';
        return ERR_INVALID;
    }
    if (render_part(&t->part[PART_SUBJECT], v, true, &out->subject, &out->subject_cap,
                    &out->subject_len) ||
        render_part(&t->part[PART_BODY], v, false, &out->body, &out->body_cap, &out->body_len)) {
        snprintf(out->reason, sizeof out->reason, "out of memory rendering the template");
        return ERR_NOMEM;
    }
    out->reason[0] = '\0';
    return 0;
}

/* --- the template provider ------------------------------------------------------------ */

struct template_provider {
    struct provider base;
    struct draft_template *t;
};

static int tp_draft(struct provider *self, const struct prospect *p, struct draft_result *out,
                    struct err *e)
{
    struct template_provider *tp = (struct template_provider *)self;
    int rc = template_render(tp->t, p, out);
    if (rc == ERR_NOMEM) return err_set(e, ERR_NOMEM, "%s", out->reason);
    return rc;
}

static void tp_free(struct provider *self)
{
    struct template_provider *tp = (struct template_provider *)self;
    template_free(tp->t);
    free(tp);
}

int template_provider_new(struct provider **out, struct draft_template *t, struct err *e)
{
    *out = NULL;
    struct template_provider *tp = malloc(sizeof *tp);
    if (!tp) {
        template_free(t);
        return err_set(e, ERR_NOMEM, "out of memory creating the template provider");
    }
    *tp = (struct template_provider){.base = {.name = "template", .draft = tp_draft,
                                              .free = tp_free},
                                     .t = t};
    *out = &tp->base;
    return 0;
}

/* --- storage -------------------------------------------------------------------------- */

static int dup3(char **a, const char *sa, char **b, const char *sb, char **c, const char *sc)
{
    *a = strdup(sa);
    *b = strdup(sb);
    *c = sc ? strdup(sc) : NULL;
    if (*a && *b && (*c || !sc)) return 0;
    free(*a);
    free(*b);
    free(*c);
    *a = *b = *c = NULL;
    return ERR_NOMEM;
}

int template_load(struct store *s, char **subject, char **body, char **updated_at, struct err *e)
{
    struct store_rows *r = NULL;
    struct sval name = SV_TEXT(TEMPLATE_DRAFT_NAME);
    *subject = *body = *updated_at = NULL;
    int rc = store_query(s, STMT_TEMPLATE_GET, &name, 1, &r, e);
    if (rc) goto out;
    rc = store_rows_next(r, e);
    if (rc < 0) goto out;
    if (rc == 1) {
        const char *ss = store_rows_text(r, 0), *sb = store_rows_text(r, 1),
                   *su = store_rows_text(r, 2);
        rc = dup3(subject, ss ? ss : "", body, sb ? sb : "", updated_at, su);
    } else {
        rc = dup3(subject, template_default_subject, body, template_default_body, updated_at,
                  NULL);
    }
    if (rc) err_set(e, ERR_NOMEM, "out of memory reading the drafting template");
out:
    store_rows_free(r);
    if (rc && e && rc != ERR_NOMEM) err_prefix(e, "cannot read the drafting template");
    return rc;
}

int template_save_at(struct store *s, const char *subject, const char *body, char **updated_at,
                     struct err *e)
{
    struct store_rows *r = NULL;
    struct sval params[] = {SV_TEXT(TEMPLATE_DRAFT_NAME), SV_TEXT(subject), SV_TEXT(body)};
    if (updated_at) *updated_at = NULL;
    int rc = template_parse(NULL, subject, body, e);
    if (rc) return rc;
    rc = store_query(s, STMT_TEMPLATE_UPSERT, params, 3, &r, e);
    if (rc == 0) rc = store_rows_next(r, e);
    if (rc < 0) {
        err_prefix(e, "cannot save the drafting template");
        goto out;
    }
    if (rc == 0) {
        rc = err_set(e, ERR_INTERNAL, "cannot save the drafting template: the upsert returned no row");
        goto out;
    }
    rc = 0;
    const char *u = store_rows_text(r, 0);
    if (updated_at && u && !(*updated_at = strdup(u)))
        rc = err_set(e, ERR_NOMEM, "out of memory saving the drafting template");
out:
    store_rows_free(r);
    return rc;
}

int template_save(struct store *s, const char *subject, const char *body, struct err *e)
{
    return template_save_at(s, subject, body, NULL, e);
}
