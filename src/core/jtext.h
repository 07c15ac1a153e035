/*
 * jtext — JSON text written once, straight from values, into one growing buffer: the
 * answers of the list and job routes and the JSON parameters of batch statements are
 * written this way instead of building a jansson tree and dumping it. After a failed
 * allocation the text is marked failed, further writes are dropped, and take/cstr say so
 * with NULL.
 */
#ifndef DRAFTD_JTEXT_H
#define DRAFTD_JTEXT_H

#include <stdbool.h>
#include <stddef.h>

struct jtext {
    char *p;
    size_t len, cap;
    bool failed; /* an allocation failed: the text is incomplete */
};

void jtext_raw(struct jtext *j, const char *s, size_t n);
/* A string literal only ("" s "" refuses anything else at compile time). */
#define jtext_lit(j, s) jtext_raw((j), "" s "", sizeof("" s "") - 1)
/* s[0..n) as a JSON string: quotes, backslashes and control characters escaped, valid
 * UTF-8 kept, a byte that is not part of valid UTF-8 written as U+FFFD. */
void jtext_strn(struct jtext *j, const char *s, size_t n);
/* jtext_strn of a NUL-terminated s, or null when s is NULL. */
void jtext_str(struct jtext *j, const char *s);
void jtext_int(struct jtext *j, long long v);
/* The text so far, NUL-terminated, still j's (a statement parameter, say); NULL after a
 * failed allocation. */
const char *jtext_cstr(struct jtext *j);
/* The text (NUL-terminated, the caller's: free) and its length (len may be NULL); j is
 * left empty. NULL when an allocation failed. */
char *jtext_take(struct jtext *j, size_t *len);
void jtext_release(struct jtext *j);

/* The length of the valid UTF-8 sequence at p (avail > 0 bytes; 1 for ASCII), 0 when it
 * is not one (no overlongs, no surrogates, nothing past U+10FFFF). */
size_t jtext_utf8_seq(const unsigned char *p, size_t avail);

#endif
