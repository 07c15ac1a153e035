/*
 * migrate — the embedded migration history and the runner that applies it.
 *
 * A migration is a file NNNN_name.sql with an "-- +up" part and a "-- +down" part.
 * Its checksum is FNV-1a 64 of the up part: the SQL that shaped the database. Each
 * migration and its schema_migrations row commit in one transaction, so a failing
 * migration leaves the database and its version as they were. On PostgreSQL the runner
 * holds an advisory lock and re-reads the history after taking it; on SQLite each
 * migration's BEGIN IMMEDIATE serialises migrators and the history is re-checked inside.
 */
#ifndef DRAFTD_MIGRATE_H
#define DRAFTD_MIGRATE_H

#include <stdio.h>

#include "../config.h"
#include "../err.h"
#include "store.h"

#define MIGRATION_NAME_MAX 96

struct migration {
    int version;
    char name[MIGRATION_NAME_MAX];
    const char *up, *down; /* borrowed from the file text */
    size_t up_len, down_len;
    char checksum[17];
};

struct migration_set {
    struct migration *items; /* ascending versions */
    size_t count;
};

struct applied_migration {
    int version;
    char name[MIGRATION_NAME_MAX];
    char checksum[40];
    char applied_at[40];
};

struct migration_history {
    struct applied_migration *items; /* ascending versions */
    size_t count;
};

/* Parses one migration file; text must outlive m. ERR_INVALID says what is wrong. */
int migration_parse(struct migration *m, const char *filename, const char *text, size_t len,
                    struct err *e);

/* The migrations compiled into this build for kind. Release with migration_set_release. */
int migration_set_builtin(struct migration_set *out, enum db_kind kind, struct err *e);
void migration_set_release(struct migration_set *set);
int migration_set_latest(const struct migration_set *set);
const struct migration *migration_set_find(const struct migration_set *set, int version);

/* The applied migrations; empty when schema_migrations does not exist yet. */
int migrate_read_history(struct migration_history *out, struct store *s, struct err *e);
void migration_history_release(struct migration_history *h);
int migration_history_version(const struct migration_history *h); /* highest, 0 if none */

/*
 * Applies the pending migrations up to version `to` (<= 0: all), reporting each on out
 * (may be NULL). ERR_SCHEMA when the history cannot be trusted (an edited migration, a
 * database newer than the build); ERR_DB naming the migration and statement that failed.
 */
int migrate_up(struct store *s, const struct migration_set *set, int to, FILE *out,
               struct err *e);

/* Reverts applied migrations above version `to`, newest first. */
int migrate_down(struct store *s, const struct migration_set *set, int to, FILE *out,
                 struct err *e);

#endif
