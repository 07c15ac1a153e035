/*
 * cmd_schema — draftd schema check: the guard serve runs at start, on demand.
 */
#include <stdio.h>
#include <string.h>

#include "../store/schema.h"
#include "cli.h"

const char cmd_schema_usage[] =
    "usage: draftd schema check [--database URL]\n"
    "\n"
    "Compares the live database with what this build expects: the migration history\n"
    "(pending, edited or unknown migrations), every table and column the code uses (type\n"
    "and nullability), and every SQL statement, prepared against the database. Prints\n"
    "one line per problem and the fix.\n"
    "Exit status: 0 the schema is current, 1 the check could not run, 2 usage,\n"
    "3 problems found.\n";

static const struct cli_flag flags[] = {
    {"--database", CFG_DATABASE_URL, true},
    {"--log-level", CFG_LOG_LEVEL, true},
    {NULL, 0, false},
};

int cmd_schema(int argc, char **argv)
{
    struct config cfg;
    struct cli_args a;
    struct migration_set set;
    struct store *s = NULL;
    struct err e = {0};
    struct schema_report rep = {0};
    int rc = cli_open(argc, argv, flags, &cfg, &a, &set, &s, &e);
    if (rc) return cli_fail(&e);
    if (a.help) {
        fputs(cmd_schema_usage, stdout);
        return EXIT_OK;
    }
    if (a.npos != 1 || strcmp(a.pos[0], "check") != 0) {
        rc = err_set(&e, ERR_USAGE, "schema needs the subcommand check");
        goto out;
    }
    if ((rc = schema_check(&rep, s, &set, &e))) goto out;
    if (rep.count == 0) {
        printf("schema is current: %s is at version %d of %d and matches this build\n",
               cfg.db.text, rep.schema_version, rep.latest_version);
        goto out;
    }
    printf("schema check failed: %s does not match this build (%zu problem%s; database at "
           "version %d of %d)\n",
           cfg.db.text, rep.count, rep.count == 1 ? "" : "s", rep.schema_version,
           rep.latest_version);
    schema_report_print(&rep, stdout);
    fflush(stdout);
    rc = ERR_SCHEMA;
    e.code = 0; /* the report above is the whole message */
out:
    schema_report_release(&rep);
    store_free(s);
    migration_set_release(&set);
    if (rc == ERR_SCHEMA && e.code == 0) return EXIT_SCHEMA;
    return rc ? cli_fail(&e) : EXIT_OK;
}
