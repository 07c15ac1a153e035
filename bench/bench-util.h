/*
 * bench-util — the small helpers bench/hello.c and bench/startup-probe.c share.
 * Header-only: each benchmark tool stays one translation unit.
 */
#ifndef DRAFTD_BENCH_UTIL_H
#define DRAFTD_BENCH_UTIL_H

#include <errno.h>
#include <stdlib.h>

/* Parses a decimal integer in [lo, hi]; returns 0 on success, -1 otherwise. */
static inline int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

#endif
