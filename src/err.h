/*
 * err — errors as values.
 *
 * Every fallible function returns an int: 0 on success or a negative ERR_* code.
 * The sentence a person can act on travels beside it in a caller-owned struct err,
 * so that the database's own message reaches the log line and the JSON body intact.
 */
#ifndef DRAFTD_ERR_H
#define DRAFTD_ERR_H

#include <stddef.h>

enum err_code {
    ERR_OK = 0,
    ERR_INTERNAL = -1,    /* a bug or an impossible state: 500 */
    ERR_NOMEM = -2,       /* allocation failed: 500 */
    ERR_INVALID = -3,     /* well-formed but invalid input: 422 */
    ERR_MALFORMED = -4,   /* input that cannot be parsed: 400 */
    ERR_NOT_FOUND = -5,   /* unknown id or route: 404 */
    ERR_CONFLICT = -6,    /* clashes with current state: 409 */
    ERR_DB = -7,          /* the database refused a statement: 500 */
    ERR_UNAVAILABLE = -8, /* the database cannot be reached: 503 */
    ERR_SCHEMA = -9,      /* the live schema is not what this build expects: exit 3 */
    ERR_USAGE = -10,      /* bad command line or configuration: exit 2 */
    ERR_IO = -11,         /* a file or socket failed: 500 / exit 1 */
};

#define ERR_MSG_MAX 1024

struct err {
    int code;
    char msg[ERR_MSG_MAX];
};

/* Records code and a printf-style message in e (which may be NULL); returns code. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefixes e->msg with "prefix: " keeping the original; returns e->code. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void err_clear(struct err *e);

/* A stable snake_case name for the code ("not_found"); never NULL. */
const char *err_code_name(int code);

/* Copies strerror_r's text for errnum into buf. */
const char *err_errno(int errnum, char *buf, size_t len);

#endif
