/*
 * config — the settings of one draftd process, from the environment and then flags.
 *
 * config_init fills defaults and reads the environment; command-line flags then go
 * through config_set with the same validation, so a flag overrides its variable and
 * both produce the same message when wrong. Set before any thread starts; read-only after.
 */
#ifndef DRAFTD_CONFIG_H
#define DRAFTD_CONFIG_H

#include <stdbool.h>

#include "err.h"
#include "log.h"

#define CONFIG_URL_MAX 4096

enum db_kind { DB_SQLITE, DB_POSTGRES };

struct db_url {
    enum db_kind kind;
    bool memory;                 /* sqlite::memory: */
    char text[CONFIG_URL_MAX];   /* as given, for messages */
    char target[CONFIG_URL_MAX]; /* sqlite: the file path; postgres: the libpq URI */
};

enum config_key { CFG_DATABASE_URL, CFG_HOST, CFG_PORT, CFG_AUTO_MIGRATE, CFG_WORKERS, CFG_LOG_LEVEL };

struct config {
    struct db_url db;
    char host[256];
    int port; /* 0: an ephemeral port, logged once bound */
    bool auto_migrate;
    int workers;
    enum log_level log_level;
};

/* Parses a DATABASE_URL value; ERR_USAGE naming the accepted forms when it is none of them. */
int db_url_parse(struct db_url *out, const char *s, struct err *e);

/* Defaults, then the environment variables of API.md. ERR_USAGE names the bad variable. */
int config_init(struct config *c, struct err *e);

/*
 * The same, skipping the variables of the keys in skip (a mask of 1u << key): those
 * given as flags, so that a flag overrides even a variable that would not parse.
 */
int config_init_except(struct config *c, unsigned skip, struct err *e);

/* Sets one key from text; source ("--port", "PORT") names it in the error message. */
int config_set(struct config *c, enum config_key key, const char *value, const char *source,
               struct err *e);

#endif
