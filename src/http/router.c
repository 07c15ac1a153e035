/*
 * router — see router.h. Linear over a short table; no allocation.
 */
#include "router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} methods[] = {
    {"GET", HTTP_GET},     {"HEAD", HTTP_GET},      {"POST", HTTP_POST},
    {"PUT", HTTP_PUT},     {"PATCH", HTTP_PATCH},   {"DELETE", HTTP_DELETE},
};

unsigned http_method_parse(const char *method)
{
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        if (strcmp(method, methods[i].name) == 0) return methods[i].bit;
    return 0;
}

void http_methods_text(unsigned mask, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
        if (!(mask & methods[i].bit) || strcmp(methods[i].name, "HEAD") == 0) continue;
        int n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", methods[i].name);
        if (n < 0 || (size_t)n >= len - o) break;
        o += (size_t)n;
    }
}

/* Matches path against pattern; captures ids. 1 match, 0 no match, -1 match with a bad id. */
static int match_one(const char *pattern, const char *path, struct route_match *m)
{
    const char *p = pattern, *s = path;
    size_t nids = 0;
    int bad = 0;
    while (*p && *s) {
        if (*p != '/' || *s != '/') return 0;
        p++, s++;
        size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
        if (plen == 4 && memcmp(p, "{id}", 4) == 0) {
            if (slen == 0) return 0;
            char seg[32];
            long long v = -1;
            if (slen < sizeof seg) {
                memcpy(seg, s, slen);
                seg[slen] = '\0';
                char *end;
                errno = 0;
                v = strtoll(seg, &end, 10);
                if (errno || *end || seg[0] < '0' || seg[0] > '9' || v <= 0) v = -1;
            }
            if (v < 0 && !bad) {
                bad = 1;
                snprintf(m->bad_segment, sizeof m->bad_segment, "%.*s", (int)slen, s);
            }
            if (nids < HTTP_MAX_IDS) m->ids[nids++] = v;
        } else if (plen != slen || memcmp(p, s, plen) != 0) {
            return 0;
        }
        p += plen, s += slen;
    }
    if (*p || *s) return 0;
    m->nids = nids;
    return bad ? -1 : 1;
}

enum route_result router_match(const struct route *routes, size_t n, const char *method,
                               const char *path, struct route_match *out)
{
    unsigned want = http_method_parse(method);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        struct route_match m;
        memset(&m, 0, sizeof m);
        int r = match_one(routes[i].pattern, path, &m);
        if (!r) continue;
        if (!out->route) out->route = &routes[i];
        out->allowed |= routes[i].method;
        if (!(routes[i].method & want)) continue;
        memcpy(out->ids, m.ids, sizeof m.ids);
        out->nids = m.nids;
        out->route = &routes[i];
        if (r < 0) {
            memcpy(out->bad_segment, m.bad_segment, sizeof m.bad_segment);
            return ROUTE_BAD_ID;
        }
        return ROUTE_FOUND;
    }
    return out->route ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}
