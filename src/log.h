/*
 * log — one logfmt line per event on stderr.
 *
 *   ts=2026-11-24T09:00:00.123Z level=info msg="listening" host=127.0.0.1 port=8080
 *
 * Each line is formatted into a stack buffer and written with one write(2), so lines
 * from concurrent threads never interleave. The level is set once, before threads start.
 */
#ifndef DRAFTD_LOG_H
#define DRAFTD_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
int log_enabled(enum log_level level);

/* Parses "debug", "info", "warn", "error"; returns 0 or -1. */
int log_level_parse(const char *s, enum log_level *out);

/*
 * Writes ts, level and msg (quoted), then the key=value pairs formatted from kv_fmt
 * (may be NULL). Values that can hold spaces or quotes must go through log_quote.
 */
void log_msg(enum log_level level, const char *msg, const char *kv_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes s as a logfmt quoted string into buf (always terminated); returns buf. */
const char *log_quote(char *buf, size_t len, const char *s);

#endif
