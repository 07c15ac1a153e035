/*
 * memdb — the cmocka fixture of the store tests: a connection to a fresh
 * sqlite::memory: database per test, and helpers to look at it through the store's
 * own named statements. Tests nothing itself.
 *
 * All connections of a process share the one memdb database until
 * store_global_release(); the teardown closes the test's connection and then releases
 * it, so the next test starts with an empty database (the setup checks that it does).
 */
#ifndef DRAFTD_TESTS_MEMDB_H
#define DRAFTD_TESTS_MEMDB_H

#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "store/migrate.h"
#include "store/store.h"
#include "unit.h"

static inline int memdb_setup(void **state)
{
    struct db_url url;
    struct err e = {0};
    struct store *s = NULL;
    if (db_url_parse(&url, "sqlite::memory:", &e) || store_open(&s, &url, &e)) {
        print_error("cannot open the memory database: %s\n", e.msg);
        return -1;
    }
    long long exists = -1;
    if (store_query_int(s, STMT_MIG_TABLE_EXISTS, NULL, 0, &exists, &e) || exists != 0) {
        print_error("the memory database is not empty at the start of a test (%s)\n", e.msg);
        store_free(s);
        store_global_release();
        return -1;
    }
    *state = s;
    return 0;
}

static inline int memdb_teardown(void **state)
{
    store_free(*state);
    *state = NULL;
    store_global_release();
    return 0;
}

/* The number of columns the live table has; 0 when it does not exist. */
static inline size_t memdb_column_count(struct store *s, const char *table)
{
    struct store_rows *r = NULL;
    struct err e = {0};
    struct sval name = SV_TEXT(table);
    if (store_query(s, STMT_SCHEMA_COLUMNS, &name, 1, &r, &e)) fail_msg("%s", e.msg);
    size_t n = 0;
    int rc;
    while ((rc = store_rows_next(r, &e)) == 1)
        n++;
    store_rows_free(r);
    if (rc < 0) fail_msg("%s", e.msg);
    return n;
}

/* 1 when the live table has the column. */
static inline int memdb_has_column(struct store *s, const char *table, const char *column)
{
    struct store_rows *r = NULL;
    struct err e = {0};
    struct sval name = SV_TEXT(table);
    if (store_query(s, STMT_SCHEMA_COLUMNS, &name, 1, &r, &e)) fail_msg("%s", e.msg);
    int found = 0, rc;
    while ((rc = store_rows_next(r, &e)) == 1)
        if (strcmp(store_rows_text(r, 0), column) == 0) found = 1;
    store_rows_free(r);
    if (rc < 0) fail_msg("%s", e.msg);
    return found;
}

/* Runs SQL outside the migrations, to change the schema behind draftd's back. */
static inline void memdb_exec(struct store *s, const char *sql)
{
    struct err e = {0};
    if (store_exec_script(s, sql, strlen(sql), &e)) fail_msg("%s: %s", sql, e.msg);
}

/* Applies every built-in SQLite migration (or up to `to`). */
static inline void memdb_migrate(struct store *s, int to)
{
    struct migration_set set;
    struct err e = {0};
    if (migration_set_builtin(&set, DB_SQLITE, &e)) fail_msg("%s", e.msg);
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull) fail_msg("cannot open /dev/null");
    int rc = migrate_up(s, &set, to, devnull, &e);
    fclose(devnull);
    migration_set_release(&set);
    if (rc) fail_msg("migrate_up: %s", e.msg);
}

/* A growing in-memory FILE for what migrate_up and migrate_down print. */
struct memout {
    FILE *f;
    char *buf;
    size_t len;
};

static inline void memout_open(struct memout *m)
{
    m->buf = NULL;
    m->len = 0;
    m->f = open_memstream(&m->buf, &m->len);
    if (!m->f) fail_msg("open_memstream failed");
}

/* The text written so far (flushed, NUL-terminated). */
static inline const char *memout_text(struct memout *m)
{
    fflush(m->f);
    return m->buf ? m->buf : "";
}

static inline void memout_close(struct memout *m)
{
    fclose(m->f);
    free(m->buf);
    m->f = NULL;
    m->buf = NULL;
}

#endif
