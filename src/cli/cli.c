/*
 * cli — see cli.h.
 */
#include "cli.h"

#include "../log.h"
#include "../store/schema.h"
#include "../store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_to(const char *v, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < 0 || n > 1000000) return -1;
    *out = (int)n;
    return 0;
}

int cli_parse(int argc, char **argv, const struct cli_flag *flags, struct cli_args *out,
              struct err *e)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            out->help = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (out->npos == CLI_MAX_POSITIONAL)
                return err_set(e, ERR_USAGE, "unexpected argument \"%s\"", a);
            out->pos[out->npos++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const struct cli_flag *f = NULL;
        for (const struct cli_flag *g = flags; g && g->name; g++)
            if (strlen(g->name) == nlen && strncmp(g->name, a, nlen) == 0) f = g;
        if (!f) return err_set(e, ERR_USAGE, "unknown option \"%.*s\"", (int)nlen, a);
        const char *v = "true";
        if (f->has_value) {
            if (eq) v = eq + 1;
            else if (i + 1 < argc) v = argv[++i];
            else return err_set(e, ERR_USAGE, "%s needs a value", f->name);
        } else if (eq) {
            return err_set(e, ERR_USAGE, "%s takes no value", f->name);
        }
        if (f->key == CLI_FLAG_REDRAFT) {
            out->redraft = true;
        } else if (f->key == CLI_FLAG_TO) {
            if (parse_to(v, &out->to))
                return err_set(e, ERR_USAGE, "--to: \"%s\" is not a migration version", v);
            out->to_set = true;
        } else {
            if (out->nsettings == CLI_MAX_SETTINGS)
                return err_set(e, ERR_USAGE, "too many options");
            out->settings[out->nsettings].flag = f;
            out->settings[out->nsettings++].value = v;
        }
    }
    return 0;
}

int cli_configure(struct config *cfg, const struct cli_args *args, struct err *e)
{
    unsigned skip = 0;
    for (int i = 0; i < args->nsettings; i++) skip |= 1u << args->settings[i].flag->key;
    int rc = config_init_except(cfg, skip, e);
    for (int i = 0; !rc && i < args->nsettings; i++)
        rc = config_set(cfg, (enum config_key)args->settings[i].flag->key,
                        args->settings[i].value, args->settings[i].flag->name, e);
    return rc;
}

int cli_exit_status(int code)
{
    switch (code) {
    case 0: return EXIT_OK;
    case ERR_USAGE: return EXIT_USAGE;
    case ERR_SCHEMA: return EXIT_SCHEMA;
    default: return EXIT_FAIL;
    }
}

int cli_fail(const struct err *e)
{
    fprintf(stderr, "draftd: %s\n", e->msg);
    if (e->code == ERR_USAGE) fprintf(stderr, "run \"draftd help\" for usage\n");
    return cli_exit_status(e->code);
}

int cli_open(int argc, char **argv, const struct cli_flag *flags, struct config *cfg,
             struct cli_args *args, struct migration_set *set, struct store **s, struct err *e)
{
    int rc;
    *s = NULL;
    set->items = NULL;
    set->count = 0;
    if ((rc = cli_parse(argc, argv, flags, args, e))) return rc;
    if (args->help) return 0;
    if ((rc = cli_configure(cfg, args, e))) return rc;
    log_set_level(cfg->log_level);
    if ((rc = migration_set_builtin(set, cfg->db.kind, e))) return rc;
    if ((rc = store_open(s, &cfg->db, e))) {
        migration_set_release(set);
        return rc;
    }
    return 0;
}

int cli_require_schema(struct store *s, const struct migration_set *set, const char *db_text,
                       struct err *e)
{
    struct schema_report rep = {0};
    int rc = schema_check(&rep, s, set, e);
    if (!rc && rep.count) {
        fprintf(stderr,
                "draftd: %s does not match this build (%zu problem%s; database at version %d "
                "of %d)\n",
                db_text, rep.count, rep.count == 1 ? "" : "s", rep.schema_version,
                rep.latest_version);
        schema_report_print(&rep, stderr);
        rc = ERR_SCHEMA;
        e->code = 0;
    }
    schema_report_release(&rep);
    return rc;
}
