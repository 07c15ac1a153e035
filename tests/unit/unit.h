/*
 * unit — what every unit test program includes: cmocka with the headers it needs
 * first, and assertions on text that show both strings when they fail.
 * Tests nothing itself.
 */
#ifndef DRAFTD_TESTS_UNIT_H
#define DRAFTD_TESTS_UNIT_H

/* cmocka.h relies on these being included before it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

/* 1 when needle occurs in hay[0..len); hay need not be NUL-terminated. */
static inline int unit_span_has(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0) return 1;
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0) return 1;
    return 0;
}

/* Fails unless needle occurs in the NUL-terminated hay. */
#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        const char *unit_hay_ = (hay), *unit_needle_ = (needle);                                   \
        if (!unit_hay_ || !strstr(unit_hay_, unit_needle_))                                        \
            fail_msg("expected \"%s\" to contain \"%s\"", unit_hay_ ? unit_hay_ : "(null)",        \
                     unit_needle_);                                                                \
    } while (0)

/* Fails when needle occurs in the NUL-terminated hay. */
#define assert_not_contains(hay, needle)                                                           \
    do {                                                                                           \
        const char *unit_hay_ = (hay), *unit_needle_ = (needle);                                   \
        if (unit_hay_ && strstr(unit_hay_, unit_needle_))                                          \
            fail_msg("expected \"%s\" not to contain \"%s\"", unit_hay_, unit_needle_);            \
    } while (0)

#endif
