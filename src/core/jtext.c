/*
 * jtext — see jtext.h.
 */
#include "jtext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at p (avail > 0 bytes), 0 when it is not one. */
size_t jtext_utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    if (c < 0x80) return 1;
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* past U+10FFFF */
    } else {
        return 0;
    }
    if (avail < need || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < need; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return need;
}

/* Room for more bytes and the final NUL. */
static bool reserve(struct jtext *j, size_t more)
{
    if (j->failed) return false;
    if (j->cap - j->len > more) return true;
    size_t cap = j->cap ? j->cap : 8192;
    while (cap - j->len <= more) {
        if (cap > SIZE_MAX / 2) {
            j->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(j->p, cap);
    if (!p) {
        j->failed = true;
        return false;
    }
    j->p = p;
    j->cap = cap;
    return true;
}

void jtext_raw(struct jtext *j, const char *s, size_t n)
{
    if (n == 0 || !reserve(j, n)) return; /* s may be NULL when n is 0 */
    memcpy(j->p + j->len, s, n);
    j->len += n;
}

void jtext_strn(struct jtext *j, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    static const char short_escape['\\' + 1] = {
        ['"'] = '"',  ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r',
        ['\t'] = 't', ['\b'] = 'b',  ['\f'] = 'f',
    };
    if (n > (SIZE_MAX - 3) / 6) {
        j->failed = true;
        return;
    }
    if (!reserve(j, 6 * n + 2)) return; /* the worst case: every byte as \u00XX */
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    char *o = j->p + j->len;
    *o++ = '"';
    while (p < end) {
        unsigned char c = *p;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *o++ = (char)c;
            p++;
            continue;
        }
        if (c >= 0x80) {
            size_t k = jtext_utf8_seq(p, (size_t)(end - p));
            if (k) {
                memcpy(o, p, k);
                o += k;
                p += k;
            } else { /* not UTF-8: U+FFFD, so the text stays valid JSON */
                memcpy(o, "\xEF\xBF\xBD", 3);
                o += 3;
                p++;
            }
            continue;
        }
        *o++ = '\\';
        if (c < sizeof short_escape && short_escape[c]) {
            *o++ = short_escape[c];
        } else {
            memcpy(o, "u00", 3);
            o[3] = hex[c >> 4];
            o[4] = hex[c & 15];
            o += 5;
        }
        p++;
    }
    *o++ = '"';
    j->len = (size_t)(o - j->p);
}

void jtext_str(struct jtext *j, const char *s)
{
    if (s)
        jtext_strn(j, s, strlen(s));
    else
        jtext_lit(j, "null");
}

void jtext_int(struct jtext *j, long long v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%lld", v);
    jtext_raw(j, buf, (size_t)n);
}

const char *jtext_cstr(struct jtext *j)
{
    if (!reserve(j, 0)) return NULL;
    j->p[j->len] = '\0';
    return j->p;
}

char *jtext_take(struct jtext *j, size_t *len)
{
    if (!reserve(j, 0)) {
        jtext_release(j);
        return NULL;
    }
    j->p[j->len] = '\0';
    char *p = j->p;
    if (len) *len = j->len;
    *j = (struct jtext){0};
    return p;
}

void jtext_release(struct jtext *j)
{
    free(j->p);
    *j = (struct jtext){0};
}
