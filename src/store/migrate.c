/*
 * migrate — see migrate.h.
 */
#include "migrate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../embedded.h"
#include "../hash.h"
#include "../log.h"

/* "draftd" in ASCII: the advisory lock key every draftd migrator takes on PostgreSQL. */
#define MIGRATE_LOCK_KEY 0x647261667464LL

/* Finds a line that is exactly marker (trailing spaces and \r allowed); returns its start. */
static const char *find_marker(const char *text, size_t len, const char *marker)
{
    size_t mlen = strlen(marker);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        const char *t = line_end;
        while (t > p && (t[-1] == ' ' || t[-1] == '\r' || t[-1] == '\t')) t--;
        if ((size_t)(t - p) == mlen && memcmp(p, marker, mlen) == 0) return p;
        p = eol ? eol + 1 : end;
    }
    return NULL;
}

static const char *after_line(const char *p, const char *end)
{
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    return eol ? eol + 1 : end;
}

int migration_parse(struct migration *m, const char *filename, const char *text, size_t len,
                    struct err *e)
{
    memset(m, 0, sizeof *m);
    const char *p = filename;
    long v = 0;
    while (*p >= '0' && *p <= '9' && v < 100000) v = v * 10 + (*p++ - '0');
    const char *dot = strrchr(filename, '.');
    if (p == filename || v <= 0 || *p != '_' || !dot || strcmp(dot, ".sql") != 0 || dot <= p + 1)
        return err_set(e, ERR_INVALID, "migration file %s: name must be NNNN_name.sql", filename);
    size_t nlen = (size_t)(dot - (p + 1));
    if (nlen >= sizeof m->name)
        return err_set(e, ERR_INVALID, "migration file %s: name too long", filename);
    m->version = (int)v;
    memcpy(m->name, p + 1, nlen);

    const char *end = text + len;
    const char *up = find_marker(text, len, "-- +up");
    const char *down = find_marker(text, len, "-- +down");
    if (!up || (down && down < up))
        return err_set(e, ERR_INVALID, "migration file %s: no \"-- +up\" line before the SQL",
                       filename);
    m->up = after_line(up, end);
    m->up_len = (size_t)((down ? down : end) - m->up);
    if (down) {
        m->down = after_line(down, end);
        m->down_len = (size_t)(end - m->down);
    }
    hash_fnv1a_hex(m->up, m->up_len, m->checksum);
    return 0;
}

static int by_version(const void *a, const void *b)
{
    const struct migration *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

int migration_set_builtin(struct migration_set *out, enum db_kind kind, struct err *e)
{
    const struct embedded_file *files =
        kind == DB_SQLITE ? embedded_migrations_sqlite : embedded_migrations_postgres;
    size_t n = kind == DB_SQLITE ? embedded_migrations_sqlite_count
                                 : embedded_migrations_postgres_count;
    out->count = 0;
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items) return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int rc = migration_parse(&out->items[i], files[i].name, (const char *)files[i].data,
                                 files[i].len, e);
        if (rc) {
            migration_set_release(out);
            return err_set(e, ERR_INTERNAL, "built-in %s", e->msg);
        }
        out->count++;
    }
    qsort(out->items, out->count, sizeof *out->items, by_version);
    for (size_t i = 0; i < out->count; i++)
        if (out->items[i].version != (int)i + 1) {
            int v = out->items[i].version;
            migration_set_release(out);
            return err_set(e, ERR_INTERNAL, "built-in migrations are not numbered 1..N (found %d)",
                           v);
        }
    return 0;
}

void migration_set_release(struct migration_set *set)
{
    free(set->items);
    set->items = NULL;
    set->count = 0;
}

int migration_set_latest(const struct migration_set *set)
{
    return set->count ? set->items[set->count - 1].version : 0;
}

const struct migration *migration_set_find(const struct migration_set *set, int version)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i].version == version) return &set->items[i];
    return NULL;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

int migrate_read_history(struct migration_history *out, struct store *s, struct err *e)
{
    out->items = NULL;
    out->count = 0;
    long long exists = 0;
    int rc = store_query_int(s, STMT_MIG_TABLE_EXISTS, NULL, 0, &exists, e);
    if (rc || !exists) return rc;

    struct store_rows *r = NULL;
    size_t cap = 0;
    if ((rc = store_query(s, STMT_MIG_LIST, NULL, 0, &r, e))) return rc;
    while ((rc = store_rows_next(r, e)) == 1) {
        if (out->count == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            void *grown = realloc(out->items, ncap * sizeof *out->items);
            if (!grown) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            out->items = grown;
            cap = ncap;
        }
        struct applied_migration *a = &out->items[out->count++];
        a->version = (int)store_rows_int(r, 0);
        copy_text(a->name, sizeof a->name, store_rows_text(r, 1));
        copy_text(a->checksum, sizeof a->checksum, store_rows_text(r, 2));
        copy_text(a->applied_at, sizeof a->applied_at, store_rows_text(r, 3));
    }
    store_rows_free(r);
    if (rc < 0) {
        migration_history_release(out);
        return rc;
    }
    return 0;
}

void migration_history_release(struct migration_history *h)
{
    free(h->items);
    h->items = NULL;
    h->count = 0;
}

int migration_history_version(const struct migration_history *h)
{
    return h->count ? h->items[h->count - 1].version : 0;
}

/* ERR_SCHEMA when an applied migration is unknown to this build or was edited since. */
static int history_trusted(const struct migration_history *h, const struct migration_set *set,
                           struct err *e)
{
    for (size_t i = 0; i < h->count; i++) {
        const struct applied_migration *a = &h->items[i];
        const struct migration *m = migration_set_find(set, a->version);
        if (!m)
            return err_set(e, ERR_SCHEMA,
                           "the database has migration %d (%s) applied, but this build only "
                           "knows migrations 1-%d: it is newer than this build; run a newer draftd",
                           a->version, a->name, migration_set_latest(set));
        if (strcmp(a->checksum, m->checksum) != 0)
            return err_set(e, ERR_SCHEMA,
                           "migration %d (%s) was applied with checksum %s but this build's file "
                           "has %s: the migration was edited after it was applied; restore it",
                           a->version, m->name, a->checksum, m->checksum);
    }
    return 0;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int lock_take(struct store *s, struct err *e)
{
    if (!store_sql(s, STMT_MIG_LOCK)) return 0;
    struct sval key = SV_INT(MIGRATE_LOCK_KEY);
    return store_query(s, STMT_MIG_LOCK, &key, 1, NULL, e);
}

static void lock_release(struct store *s)
{
    if (!store_sql(s, STMT_MIG_UNLOCK)) return;
    struct sval key = SV_INT(MIGRATE_LOCK_KEY);
    struct err ignored;
    store_query(s, STMT_MIG_UNLOCK, &key, 1, NULL, &ignored);
}

/* Applies or reverts one migration with its history row, in one transaction. */
static int run_one(struct store *s, const struct migration *m, bool up, int *skipped,
                   struct err *e)
{
    struct sval v = SV_INT(m->version);
    long long applied = 0;
    int rc = store_begin(s, e);
    if (rc) return rc;
    /* Another migrator may have got here first (SQLite has no advisory lock). */
    if ((rc = store_query_int(s, STMT_MIG_APPLIED, &v, 1, &applied, e))) goto fail;
    if ((applied != 0) == up) {
        *skipped = 1;
        return store_rollback(s, e);
    }
    if (up) {
        rc = store_exec_script(s, m->up, m->up_len, e);
        if (!rc) {
            struct sval row[3] = {v, SV_TEXT(m->name), SV_TEXT(m->checksum)};
            rc = store_query(s, STMT_MIG_INSERT, row, 3, NULL, e);
        }
    } else {
        rc = store_exec_script(s, m->down, m->down_len, e);
        if (!rc) rc = store_query(s, STMT_MIG_DELETE, &v, 1, NULL, e);
    }
    if (rc) goto fail;
    return store_commit(s, e);

fail:;
    struct err ignored;
    store_rollback(s, &ignored);
    return rc;
}

int migrate_up(struct store *s, const struct migration_set *set, int to, FILE *out,
               struct err *e)
{
    struct migration_history h = {0};
    int latest = migration_set_latest(set);
    if (to <= 0) to = latest;
    int rc = lock_take(s, e);
    if (rc) return rc;
    if ((rc = store_query(s, STMT_MIG_ENSURE_TABLE, NULL, 0, NULL, e))) goto out;
    /* Read after taking the lock: another process may have migrated meanwhile. */
    if ((rc = migrate_read_history(&h, s, e))) goto out;
    if ((rc = history_trusted(&h, set, e))) goto out;

    int before = migration_history_version(&h), applied = 0;
    for (size_t i = 0; i < set->count && set->items[i].version <= to; i++) {
        const struct migration *m = &set->items[i];
        struct timespec t0;
        int skipped = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if ((rc = run_one(s, m, true, &skipped, e))) {
            err_prefix(e, "migration %d (%s) failed and was rolled back; the database is still "
                          "at version %d",
                       m->version, m->name,
                       applied ? set->items[i - 1].version : before);
            goto out;
        }
        if (skipped) continue;
        applied++;
        if (!out)
            log_msg(LOG_INFO, "migration applied", "version=%d name=%s ms=%.1f", m->version,
                m->name, ms_since(&t0));
        if (out) fprintf(out, "applied %d %s (%.1f ms)\n", m->version, m->name, ms_since(&t0));
    }
    if (out && !applied)
        fprintf(out, "nothing to apply: the database is at version %d\n", before);
out:
    migration_history_release(&h);
    lock_release(s);
    return rc;
}

int migrate_down(struct store *s, const struct migration_set *set, int to, FILE *out,
                 struct err *e)
{
    struct migration_history h = {0};
    int rc = lock_take(s, e);
    if (rc) return rc;
    if ((rc = migrate_read_history(&h, s, e))) goto out;
    if ((rc = history_trusted(&h, set, e))) goto out;

    int reverted = 0;
    for (size_t i = h.count; i-- > 0;) {
        if (h.items[i].version <= to) break;
        const struct migration *m = migration_set_find(set, h.items[i].version);
        int skipped = 0;
        if (!m->down || !m->down_len) {
            rc = err_set(e, ERR_INVALID, "migration %d (%s) has no \"-- +down\" part",
                         m->version, m->name);
            goto out;
        }
        if ((rc = run_one(s, m, false, &skipped, e))) {
            err_prefix(e, "reverting migration %d (%s) failed and was rolled back; the database "
                          "is still at version %d",
                       m->version, m->name, m->version);
            goto out;
        }
        if (skipped) continue;
        reverted++;
        if (!out) log_msg(LOG_INFO, "migration reverted", "version=%d name=%s", m->version, m->name);
        if (out) fprintf(out, "reverted %d %s\n", m->version, m->name);
    }
    if (out && !reverted) fprintf(out, "nothing to revert: the database is at version %d\n",
                                  migration_history_version(&h));
out:
    migration_history_release(&h);
    lock_release(s);
    return rc;
}
