/*
 * config — see config.h. Validation lives in one setter per key, walked as a table
 * for the environment, so a variable and its flag can never disagree.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define URL_FORMS "sqlite:PATH, sqlite::memory:, postgres://... or postgresql://..."

/*
 * Writes url with its password masked: the user info of scheme://user:PASSWORD@host
 * (up to the last '@' before the path) and any password=VALUE query parameter.
 */
static void redact_password(char *dst, size_t cap, const char *url)
{
    snprintf(dst, cap, "%s", url);
    const char *scheme = strstr(dst, "://");
    if (scheme) {
        char *auth = (char *)scheme + 3;
        size_t alen = strcspn(auth, "/?#");
        char *at = NULL;
        for (char *p = auth; p < auth + alen; p++)
            if (*p == '@') at = p;
        char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon && at - colon > 1) {
            memmove(colon + 4, at, strlen(at) + 1 <= cap - (size_t)(colon + 4 - dst)
                                       ? strlen(at) + 1
                                       : cap - (size_t)(colon + 4 - dst));
            memcpy(colon + 1, "***", 3);
            dst[cap - 1] = '\0';
        }
    }
    for (char *p = strstr(dst, "password="); p; p = strstr(p, "password=")) {
        char *v = p + 9;
        size_t vlen = strcspn(v, "&#");
        if (vlen > 3 || (vlen && strncmp(v, "***", vlen) != 0)) {
            memmove(v + 3, v + vlen, strlen(v + vlen) + 1);
            memcpy(v, "***", 3);
        }
        p = v;
    }
}

int db_url_parse(struct db_url *out, const char *s, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!s || !*s)
        return err_set(e, ERR_USAGE, "database URL is empty; accepted forms: " URL_FORMS);
    if (strlen(s) >= sizeof out->text)
        return err_set(e, ERR_USAGE, "database URL is longer than %zu bytes", sizeof out->text - 1);
    redact_password(out->text, sizeof out->text, s);

    if (strncmp(s, "sqlite:", 7) == 0) {
        const char *path = s + 7;
        out->kind = DB_SQLITE;
        if (strcmp(path, ":memory:") == 0) {
            out->memory = true;
            return 0;
        }
        if (!*path)
            return err_set(e, ERR_USAGE,
                           "database URL \"%s\" names no file; accepted forms: " URL_FORMS,
                           out->text);
        if (strncmp(path, "//", 2) == 0)
            return err_set(e, ERR_USAGE,
                           "database URL \"%s\": write sqlite:PATH (sqlite:/abs/path.db or "
                           "sqlite:relative.db), not sqlite://; accepted forms: " URL_FORMS,
                           out->text);
        memcpy(out->target, path, strlen(path) + 1);
        return 0;
    }
    if (strncmp(s, "postgres://", 11) == 0 || strncmp(s, "postgresql://", 13) == 0) {
        out->kind = DB_POSTGRES;
        memcpy(out->target, s, strlen(s) + 1);
        return 0;
    }
    return err_set(e, ERR_USAGE, "database URL \"%s\" is not supported; accepted forms: " URL_FORMS,
                   out->text);
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi) return -1;
    *out = n;
    return 0;
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off", ""};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (strcasecmp(v, yes[i]) == 0) return *out = true, 0;
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (strcasecmp(v, no[i]) == 0) return *out = false, 0;
    return -1;
}

int config_set(struct config *c, enum config_key key, const char *v, const char *src,
               struct err *e)
{
    long n;
    switch (key) {
    case CFG_DATABASE_URL:
        if (db_url_parse(&c->db, v, e)) return err_prefix(e, "%s", src);
        return 0;
    case CFG_HOST:
        if (!*v || strlen(v) >= sizeof c->host)
            return err_set(e, ERR_USAGE, "%s: \"%s\" is not a host name or address", src, v);
        memcpy(c->host, v, strlen(v) + 1);
        return 0;
    case CFG_PORT:
        if (parse_int(v, 0, 65535, &n))
            return err_set(e, ERR_USAGE, "%s: \"%s\" is not a port number (0-65535)", src, v);
        c->port = (int)n;
        return 0;
    case CFG_AUTO_MIGRATE:
        if (parse_bool(v, &c->auto_migrate))
            return err_set(e, ERR_USAGE, "%s: \"%s\" is not true or false", src, v);
        return 0;
    case CFG_WORKERS:
        if (parse_int(v, 1, 64, &n))
            return err_set(e, ERR_USAGE, "%s: \"%s\" is not a worker count (1-64)", src, v);
        c->workers = (int)n;
        return 0;
    case CFG_LOG_LEVEL:
        if (log_level_parse(v, &c->log_level))
            return err_set(e, ERR_USAGE, "%s: \"%s\" is not one of debug, info, warn, error", src,
                           v);
        return 0;
    }
    return err_set(e, ERR_INTERNAL, "unknown configuration key %d", (int)key);
}

static const struct {
    enum config_key key;
    const char *var;
} env_vars[] = {
    {CFG_DATABASE_URL, "DATABASE_URL"}, {CFG_HOST, "HOST"},       {CFG_PORT, "PORT"},
    {CFG_AUTO_MIGRATE, "AUTO_MIGRATE"}, {CFG_WORKERS, "WORKERS"}, {CFG_LOG_LEVEL, "LOG_LEVEL"},
};

int config_init(struct config *c, struct err *e)
{
    return config_init_except(c, 0, e);
}

int config_init_except(struct config *c, unsigned skip, struct err *e)
{
    memset(c, 0, sizeof *c);
    c->port = 8080;
    c->workers = 2;
    c->log_level = LOG_INFO;
    memcpy(c->host, "127.0.0.1", sizeof "127.0.0.1");
    if (db_url_parse(&c->db, "sqlite:draftd.db", e)) return e->code;

    for (size_t i = 0; i < sizeof env_vars / sizeof *env_vars; i++) {
        if (skip & (1u << env_vars[i].key)) continue;
        const char *v = getenv(env_vars[i].var);
        if (v && config_set(c, env_vars[i].key, v, env_vars[i].var, e)) return e->code;
    }
    return 0;
}
