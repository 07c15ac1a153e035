/*
 * log — see log.h. Leaf module: only libc.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;

void log_set_level(enum log_level level)
{
    min_level = level;
}

int log_enabled(enum log_level level)
{
    return level >= min_level;
}

int log_level_parse(const char *s, enum log_level *out)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    return -1;
}

const char *log_quote(char *buf, size_t len, const char *s)
{
    size_t o = 0;
    if (len < 3) {
        if (len) buf[0] = '\0';
        return buf;
    }
    buf[o++] = '"';
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc = c == '"' ? '"' : c == '\\' ? '\\' : c == '\n' ? 'n' : 0;
        size_t need = esc ? 2 : 1;
        if (o + need + 2 > len) break; /* keep room for the closing quote and NUL */
        if (esc) {
            buf[o++] = '\\';
            buf[o++] = esc;
        } else {
            buf[o++] = c < 0x20 ? '?' : (char)c;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

void log_msg(enum log_level level, const char *msg, const char *kv_fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < min_level) return;

    char line[4096], q[1024];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line,
                     "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s msg=%s",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000L, names[level], log_quote(q, sizeof q, msg));
    if (n < 0) return;
    size_t used = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (kv_fmt && used + 2 < sizeof line) {
        line[used++] = ' ';
        va_list ap;
        va_start(ap, kv_fmt);
        int m = vsnprintf(line + used, sizeof line - used, kv_fmt, ap);
        va_end(ap);
        if (m > 0) used += (size_t)m < sizeof line - used ? (size_t)m : sizeof line - used - 1;
    }
    if (used >= sizeof line - 1) used = sizeof line - 2;
    line[used++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, used);
    (void)w;
}
