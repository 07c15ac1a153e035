/*
 * main — draftd's command dispatch: a table of commands, each in its own file under
 * src/cli/. Exit statuses: 0 success, 1 failure, 2 usage, 3 schema mismatch.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "embedded.h"
#include "version.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const char help_usage[] = "usage: draftd help [COMMAND]\n";
static const char version_usage[] = "usage: draftd version\n";

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
    const char *summary;
} commands[] = {
    {"serve", cmd_serve, cmd_serve_usage, "check the schema, then serve the API and web page"},
    {"migrate", cmd_migrate, cmd_migrate_usage, "apply, revert or list schema migrations"},
    {"schema", cmd_schema, cmd_schema_usage, "check the live database against this build"},
    {"import", cmd_import, cmd_import_usage, "import prospects from a CSV file"},
    {"draft", cmd_draft, cmd_draft_usage, "run one drafting job in the foreground"},
    {"jobs", cmd_jobs, cmd_jobs_usage, "list drafting jobs"},
    {"version", cmd_version, version_usage, "print the version and migration count"},
    {"help", cmd_help, help_usage, "show this help, or a command's"},
};

#define NCOMMANDS (sizeof commands / sizeof *commands)

static const struct command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static void overview(FILE *f)
{
    fprintf(f, "draftd %s — the outreach drafting pipeline\n\nusage: draftd COMMAND [OPTIONS]\n\n"
               "commands:\n",
            DRAFTD_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun \"draftd COMMAND --help\" for a command's options.\n"
               "Environment: DATABASE_URL (sqlite:draftd.db), HOST (127.0.0.1), PORT (8080),\n"
               "AUTO_MIGRATE (false), WORKERS (2), LOG_LEVEL (info). Flags override them.\n"
               "Exit status: 0 success, 1 failure, 2 usage error, 3 schema mismatch.\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], "--help") != 0 && strcmp(argv[0], "-h") != 0) {
        const struct command *c = find(argv[0]);
        if (!c) {
            fprintf(stderr, "draftd: no command \"%s\"\n", argv[0]);
            overview(stderr);
            return EXIT_USAGE;
        }
        fputs(c->usage, stdout);
        return EXIT_OK;
    }
    overview(stdout);
    return EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], "--help") != 0 && strcmp(argv[0], "-h") != 0) {
        fprintf(stderr, "draftd: version takes no argument \"%s\"\n", argv[0]);
        return EXIT_USAGE;
    }
    if (argc > 0) {
        fputs(version_usage, stdout);
        return EXIT_OK;
    }
    printf("draftd %s (migrations: sqlite %zu, postgres %zu)\n", DRAFTD_VERSION,
           embedded_migrations_sqlite_count, embedded_migrations_postgres_count);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        overview(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) return cmd_help(0, NULL);
    if (strcmp(argv[1], "--version") == 0) return cmd_version(0, NULL);
    const struct command *c = find(argv[1]);
    if (!c) {
        fprintf(stderr, "draftd: no command \"%s\"\n\n", argv[1]);
        overview(stderr);
        return EXIT_USAGE;
    }
    return c->run(argc - 2, argv + 2);
}
