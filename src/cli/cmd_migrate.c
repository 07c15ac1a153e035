/*
 * cmd_migrate — draftd migrate up [--to N] | down --to N | status.
 */
#include <stdio.h>
#include <string.h>

#include "../store/store.h"
#include "cli.h"

const char cmd_migrate_usage[] =
    "usage: draftd migrate up [--to VERSION] [--database URL]\n"
    "       draftd migrate down --to VERSION [--database URL]\n"
    "       draftd migrate status [--database URL]\n"
    "\n"
    "up      apply this build's pending migrations (up to VERSION), each in its own\n"
    "        transaction with its schema_migrations row\n"
    "down    revert applied migrations above VERSION, newest first (0 reverts all)\n"
    "status  list every migration, applied or pending; exits 3 when the database is not\n"
    "        at this build's version\n"
    "\n"
    "On PostgreSQL, concurrent migrators serialise on an advisory lock.\n"
    "Exit status: 0 done, 1 failure (the failed migration is rolled back), 2 usage,\n"
    "3 the history cannot be trusted (an edited migration, a newer database).\n";

static const struct cli_flag flags[] = {
    {"--database", CFG_DATABASE_URL, true},
    {"--log-level", CFG_LOG_LEVEL, true},
    {"--to", CLI_FLAG_TO, true},
    {NULL, 0, false},
};

static int status(struct store *s, const struct migration_set *set, struct err *e)
{
    struct migration_history h;
    int rc = migrate_read_history(&h, s, e);
    if (rc) return rc;
    int pending = 0, bad = 0;
    printf("%-8s %-32s %-18s %s\n", "version", "name", "checksum", "applied_at");
    for (size_t i = 0; i < set->count; i++) {
        const struct migration *m = &set->items[i];
        const struct applied_migration *a = NULL;
        for (size_t j = 0; j < h.count; j++)
            if (h.items[j].version == m->version) a = &h.items[j];
        const char *state = a ? a->applied_at : "pending";
        if (!a) pending++;
        if (a && strcmp(a->checksum, m->checksum) != 0) {
            bad++;
            printf("%-8d %-32s %-18s %s  EDITED: applied with checksum %s\n", m->version,
                   m->name, m->checksum, state, a->checksum);
        } else {
            printf("%-8d %-32s %-18s %s\n", m->version, m->name, m->checksum, state);
        }
    }
    for (size_t j = 0; j < h.count; j++)
        if (!migration_set_find(set, h.items[j].version)) {
            bad++;
            printf("%-8d %-32s %-18s %s  UNKNOWN to this build (the database is newer)\n",
                   h.items[j].version, h.items[j].name, h.items[j].checksum,
                   h.items[j].applied_at);
        }
    int version = migration_history_version(&h), latest = migration_set_latest(set);
    migration_history_release(&h);
    if (bad)
        return err_set(e, ERR_SCHEMA,
                       "the migration history does not match this build (%d problem%s above); "
                       "see \"draftd schema check\"",
                       bad, bad == 1 ? "" : "s");
    if (pending) {
        printf("database at version %d of %d: %d pending; fix: draftd migrate up\n", version,
               latest, pending);
        return err_set(e, ERR_SCHEMA, "%d migration%s pending", pending, pending == 1 ? "" : "s");
    }
    printf("database at version %d of %d: up to date\n", version, latest);
    return 0;
}

/* Prints the version the database is at now, after up or down. */
static int print_version(struct store *s, const struct migration_set *set, struct err *e)
{
    struct migration_history h;
    int rc = migrate_read_history(&h, s, e);
    if (rc) return rc;
    printf("database at version %d of %d\n", migration_history_version(&h),
           migration_set_latest(set));
    migration_history_release(&h);
    return 0;
}

static int up(struct store *s, const struct migration_set *set, const struct cli_args *a,
              struct err *e)
{
    int latest = migration_set_latest(set);
    if (a->to_set && (a->to < 1 || a->to > latest))
        return err_set(e, ERR_USAGE, "--to %d: this build knows migrations 1-%d", a->to, latest);
    if (a->to_set) {
        struct migration_history h;
        int rc = migrate_read_history(&h, s, e);
        if (rc) return rc;
        int version = migration_history_version(&h);
        migration_history_release(&h);
        if (version > a->to)
            return err_set(e, ERR_USAGE,
                           "the database is at version %d, past --to %d; to go back run: "
                           "draftd migrate down --to %d",
                           version, a->to, a->to);
    }
    int rc = migrate_up(s, set, a->to_set ? a->to : latest, stdout, e);
    return rc ? rc : print_version(s, set, e);
}

static int down(struct store *s, const struct migration_set *set, const struct cli_args *a,
                struct err *e)
{
    int latest = migration_set_latest(set);
    if (!a->to_set)
        return err_set(e, ERR_USAGE,
                       "migrate down needs --to VERSION (the version to go back to; 0 reverts "
                       "everything)");
    if (a->to > latest)
        return err_set(e, ERR_USAGE, "--to %d: this build knows migrations 1-%d", a->to, latest);
    int rc = migrate_down(s, set, a->to, stdout, e);
    return rc ? rc : print_version(s, set, e);
}

int cmd_migrate(int argc, char **argv)
{
    struct config cfg;
    struct cli_args a;
    struct migration_set set;
    struct store *s = NULL;
    struct err e = {0};
    int rc = cli_open(argc, argv, flags, &cfg, &a, &set, &s, &e);
    if (rc) return cli_fail(&e);
    if (a.help) {
        fputs(cmd_migrate_usage, stdout);
        return EXIT_OK;
    }
    const char *sub = a.npos ? a.pos[0] : "";
    if (a.npos > 1) rc = err_set(&e, ERR_USAGE, "unexpected argument \"%s\"", a.pos[1]);
    else if (strcmp(sub, "up") == 0) rc = up(s, &set, &a, &e);
    else if (strcmp(sub, "down") == 0) rc = down(s, &set, &a, &e);
    else if (strcmp(sub, "status") == 0) rc = a.to_set ? err_set(&e, ERR_USAGE, "status takes no --to") : status(s, &set, &e);
    else
        rc = err_set(&e, ERR_USAGE, "migrate needs up, down or status%s%s%s", *sub ? " (not \"" : "",
                     sub, *sub ? "\")" : "");
    store_free(s);
    migration_set_release(&set);
    return rc ? cli_fail(&e) : EXIT_OK;
}
