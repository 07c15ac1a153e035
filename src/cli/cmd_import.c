/*
 * cmd_import — draftd import FILE.csv: the CSV import of POST /api/prospects/import
 * from a file, read in chunks (never whole), with progress on stderr. The summary is the
 * route's JSON answer, on one line of stdout, and a sentence on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/csv_import.h"
#include "../store/store.h"
#include "cli.h"
#include "progress.h"

const char cmd_import_usage[] =
    "usage: draftd import FILE.csv [--if-empty] [--database URL]\n"
    "\n"
    "Imports prospects from a CSV file (RFC 4180, UTF-8; FILE - reads standard input): a\n"
    "header row naming the columns (email, first_name, last_name, company, title, website;\n"
    "case, spaces, _ and - do not matter; other columns are ignored), then one row per\n"
    "prospect. Emails already in the database or earlier in the file (ignoring case) are\n"
    "skipped; a refused row is reported with its line number and the others are imported.\n"
    "Prints the summary as JSON on stdout, as POST /api/prospects/import answers it, and\n"
    "progress and the refused rows on stderr.\n"
    "\n"
    "  --if-empty      import only into a database that has no prospects yet\n"
    "  --database URL  the database (default: $DATABASE_URL, else sqlite:draftd.db)\n"
    "\n"
    "Exit status: 0 every row imported or skipped as a duplicate, 1 some rows were refused\n"
    "(the others are imported) or the file cannot be read, 2 usage, 3 the database schema\n"
    "does not match this build.\n";

static const struct cli_flag flags[] = {
    {"--database", CFG_DATABASE_URL, true},
    {"--log-level", CFG_LOG_LEVEL, true},
    {NULL, 0, false},
};

#define MAX_ARGS 64
#define CHUNK (64 * 1024)
#define ERRORS_SHOWN 20 /* refused rows listed on stderr; the JSON has them all (to 1,000) */

static void on_progress(void *cls, long long records, long long refused)
{
    progress_update(cls, records, -1, refused);
}

/* The prospects already in the database, for --if-empty. */
static int count_prospects(struct store *s, long long *n, struct err *e)
{
    return store_query_int(s, STMT_PROSPECT_COUNT, NULL, 0, n, e);
}

static int read_file(struct csv_import *im, FILE *f, const char *path, struct err *e)
{
    char *buf = malloc(CHUNK);
    int rc = 0;
    if (!buf) return err_set(e, ERR_NOMEM, "out of memory");
    size_t n;
    while ((n = fread(buf, 1, CHUNK, f)) > 0)
        if ((rc = csv_import_feed(im, buf, n, e))) goto out;
    if (ferror(f)) {
        char why[128];
        rc = err_set(e, ERR_IO, "cannot read %s: %s (the %lld prospects written before stay "
                                "imported)",
                     path, err_errno(errno, why, sizeof why), csv_import_result(im)->imported);
        goto out;
    }
    rc = csv_import_finish(im, e);
out:
    free(buf);
    return rc;
}

/* The JSON summary on stdout; the refused rows and a sentence on stderr. */
static void report(const struct csv_import *im, const char *path)
{
    const struct csv_import_result *r = csv_import_result(im);
    json_t *sum = csv_import_summary(im);
    char *text = sum ? json_dumps(sum, JSON_COMPACT) : NULL;
    if (text) printf("%s\n", text);
    else fprintf(stderr, "draftd: out of memory writing the summary\n");
    fflush(stdout);
    free(text);
    json_decref(sum);
    for (size_t i = 0; i < r->nerrors && i < ERRORS_SHOWN; i++)
        fprintf(stderr, "%s:%lld: %s\n", path, r->errors[i].line, r->errors[i].message);
    if (r->error_count > ERRORS_SHOWN)
        fprintf(stderr, "%s: ... and %lld more refused rows (the JSON summary lists up to %d)\n",
                path, r->error_count - ERRORS_SHOWN, CSV_IMPORT_MAX_ERRORS);
    fprintf(stderr, "draftd: %s: imported %lld prospect%s, skipped %lld duplicate%s", path,
            r->imported, r->imported == 1 ? "" : "s", r->skipped_duplicates,
            r->skipped_duplicates == 1 ? "" : "s");
    if (r->error_count)
        fprintf(stderr, ", refused %lld row%s (listed above; the other rows were imported)",
                r->error_count, r->error_count == 1 ? "" : "s");
    fputc('\n', stderr);
}

int cmd_import(int argc, char **argv)
{
    struct config cfg;
    struct cli_args a;
    struct migration_set set = {0};
    struct store *s = NULL;
    struct csv_import *im = NULL;
    struct progress pg;
    struct err e = {0};
    FILE *f = NULL;
    bool if_empty = false;
    char *args[MAX_ARGS];
    const char *path = NULL;
    int nargs = 0, rc, status = EXIT_OK;

    /* --if-empty is this command's own: taken out before the shared flag parser */
    if (argc > MAX_ARGS) {
        rc = err_set(&e, ERR_USAGE, "too many arguments");
        goto out;
    }
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--if-empty") == 0) if_empty = true;
        else args[nargs++] = argv[i];
    }
    /* usage first, so that a mistake opens (and creates) no database */
    if ((rc = cli_parse(nargs, args, flags, &a, &e))) goto out;
    if (a.help) {
        fputs(cmd_import_usage, stdout);
        return EXIT_OK;
    }
    if (a.npos != 1) {
        if (a.npos) rc = err_set(&e, ERR_USAGE, "import takes one FILE, not %d", a.npos);
        else rc = err_set(&e, ERR_USAGE, "import needs a FILE");
        goto out;
    }
    path = a.pos[0];
    if ((rc = cli_open(nargs, args, flags, &cfg, &a, &set, &s, &e))) goto out;
    if ((rc = cli_require_schema(s, &set, cfg.db.text, &e))) goto out;
    if (if_empty) {
        long long n = 0;
        if ((rc = count_prospects(s, &n, &e))) goto out;
        if (n > 0) {
            fprintf(stderr, "draftd: the database already has %lld prospect%s; not importing %s\n",
                    n, n == 1 ? "" : "s", path);
            goto out;
        }
    }
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        char why[128];
        rc = err_set(&e, ERR_IO, "cannot read %s: %s", path, err_errno(errno, why, sizeof why));
        goto out;
    }
    if ((rc = csv_import_new(&im, s, &e))) goto out;
    progress_init(&pg, stderr, "importing");
    csv_import_set_progress(im, on_progress, &pg);
    rc = read_file(im, f, path, &e);
    progress_finish(&pg, csv_import_result(im)->records, -1, csv_import_result(im)->error_count);
    if (rc) {
        err_prefix(&e, "%s", path);
        goto out;
    }
    report(im, path);
    if (csv_import_result(im)->error_count) status = EXIT_FAIL;
out:
    if (f && f != stdin) fclose(f);
    csv_import_free(im);
    store_free(s);
    migration_set_release(&set);
    if (rc == ERR_SCHEMA && e.code == 0) return EXIT_SCHEMA;
    if (rc) return cli_fail(&e);
    return status;
}
