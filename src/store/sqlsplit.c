/*
 * sqlsplit — see sqlsplit.h.
 */
#include "sqlsplit.h"

#include <ctype.h>
#include <string.h>

/* Length of a dollar-quote tag at p ("$$" or "$tag$"), or 0 when p starts none. */
static size_t dollar_tag(const char *p, const char *end)
{
    if (p >= end || *p != '$') return 0;
    const char *q = p + 1;
    if (q < end && (isdigit((unsigned char)*q))) return 0; /* $1 is a parameter */
    while (q < end && (isalnum((unsigned char)*q) || *q == '_')) q++;
    return q < end && *q == '$' ? (size_t)(q - p + 1) : 0;
}

size_t sqlsplit_next(const char *sql, size_t len, int *blank)
{
    const char *p = sql, *end = sql + len;
    *blank = 1;
    while (p < end) {
        char c = *p;
        if (c == '-' && p + 1 < end && p[1] == '-') {
            while (p < end && *p != '\n') p++;
            continue;
        }
        if (c == '/' && p + 1 < end && p[1] == '*') {
            int depth = 1;
            p += 2;
            while (p < end && depth) {
                if (*p == '/' && p + 1 < end && p[1] == '*') depth++, p += 2;
                else if (*p == '*' && p + 1 < end && p[1] == '/') depth--, p += 2;
                else p++;
            }
            continue;
        }
        if (isspace((unsigned char)c)) {
            p++;
            continue;
        }
        if (c == ';') return (size_t)(p - sql + 1);
        *blank = 0;
        if (c == '\'' || c == '"') {
            p++;
            while (p < end) {
                if (*p == c) {
                    if (p + 1 < end && p[1] == c) { /* doubled quote */
                        p += 2;
                        continue;
                    }
                    break;
                }
                p++;
            }
            if (p < end) p++;
            continue;
        }
        size_t tag = dollar_tag(p, end);
        if (tag) {
            const char *body = p + tag;
            p = body;
            while (p < end && !(p + tag <= end && memcmp(p, body - tag, tag) == 0)) p++;
            p = p < end ? p + tag : end;
            continue;
        }
        p++;
    }
    return len;
}
