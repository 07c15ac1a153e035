/*
 * cli — the command line: one file per command, a table in main.c, and the shared
 * flag parser here. Flags map onto the same setters as the environment (config.h), so
 * a flag overrides its variable. Exit statuses are those of API.md.
 */
#ifndef DRAFTD_CLI_H
#define DRAFTD_CLI_H

#include <stdbool.h>

#include "../config.h"
#include "../err.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_SCHEMA = 3 };

/* A flag: either a configuration key or one of the CLI-only values below. */
enum { CLI_FLAG_TO = 1000, CLI_FLAG_REDRAFT };

struct cli_flag {
    const char *name; /* "--port" */
    int key;          /* enum config_key or CLI_FLAG_* */
    bool has_value;   /* --port 80 / --port=80; without a value the flag means "true" */
};

#define CLI_MAX_POSITIONAL 4
#define CLI_MAX_SETTINGS 16

struct cli_args {
    const char *pos[CLI_MAX_POSITIONAL];
    int npos;
    struct {
        const struct cli_flag *flag;
        const char *value;
    } settings[CLI_MAX_SETTINGS]; /* configuration flags, in order */
    int nsettings;
    int to; /* --to N */
    bool to_set;
    bool redraft; /* --redraft */
    bool help;
};

/*
 * Parses argv (after the command words) against flags: positionals, --to and --help
 * into out, configuration flags into out->settings (applied by cli_configure).
 * ERR_USAGE with a message naming the bad flag.
 */
int cli_parse(int argc, char **argv, const struct cli_flag *flags, struct cli_args *out,
              struct err *e);

/*
 * Builds cfg: defaults, the environment except what a flag sets, then the flags with the
 * same validation. A bad variable is an error only when no flag replaces it.
 */
int cli_configure(struct config *cfg, const struct cli_args *args, struct err *e);

/* The exit status for an ERR_* code: 2 usage, 3 schema, 1 otherwise, 0 for 0. */
int cli_exit_status(int code);

/* Prints "draftd: message" to stderr and returns the exit status for e. */
int cli_fail(const struct err *e);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_draft(int argc, char **argv);
int cmd_jobs(int argc, char **argv);

extern const char cmd_serve_usage[];
extern const char cmd_migrate_usage[];
extern const char cmd_schema_usage[];
extern const char cmd_import_usage[];
extern const char cmd_draft_usage[];
extern const char cmd_jobs_usage[];

#include "../store/migrate.h"

/*
 * The set-up every database command shares: configuration from the environment and
 * argv, the log level, this build's migrations for the URL's engine, and a connection.
 * On success the caller releases *set and *s.
 */
int cli_open(int argc, char **argv, const struct cli_flag *flags, struct config *cfg,
             struct cli_args *args, struct migration_set *set, struct store **s, struct err *e);

/*
 * For commands that read and write data (import, draft, jobs): runs the schema guard
 * and, when the database does not match this build, prints the problems and the fix to
 * stderr and returns ERR_SCHEMA with e->code 0 (already reported; exit 3).
 */
int cli_require_schema(struct store *s, const struct migration_set *set, const char *db_text,
                       struct err *e);

#endif
