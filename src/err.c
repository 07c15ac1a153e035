/*
 * err — see err.h. Formatting helpers for struct err; no allocation, thread-safe.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int code, const char *fmt, ...)
{
    if (!e) return code;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
    if (!e) return ERR_INTERNAL;
    char head[ERR_MSG_MAX], old[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    snprintf(e->msg, sizeof e->msg, "%s: %s", head, old);
    return e->code;
}

void err_clear(struct err *e)
{
    if (!e) return;
    e->code = 0;
    e->msg[0] = '\0';
}

const char *err_code_name(int code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_NOMEM: return "out_of_memory";
    case ERR_INVALID: return "invalid";
    case ERR_MALFORMED: return "malformed";
    case ERR_NOT_FOUND: return "not_found";
    case ERR_CONFLICT: return "conflict";
    case ERR_DB: return "database_error";
    case ERR_UNAVAILABLE: return "database_unavailable";
    case ERR_SCHEMA: return "schema_mismatch";
    case ERR_USAGE: return "usage";
    case ERR_IO: return "io_error";
    default: return "internal_error";
    }
}

const char *err_errno(int errnum, char *buf, size_t len)
{
    /* The XSI strerror_r (we build with _POSIX_C_SOURCE and no _GNU_SOURCE) fills buf. */
    if (strerror_r(errnum, buf, len) != 0) snprintf(buf, len, "error %d", errnum);
    return buf;
}
