/*
 * harness — see harness.h. This file: the bookkeeping that lets h_teardown clean up
 * after a test that an assertion ended early, small utilities the other harness files
 * share (harness_internal.h), the engine choice, text assertions and the cmocka hooks.
 * Databases are in harness_db.c, processes and the server in harness_proc.c, HTTP in
 * harness_http.c.
 */
#include "harness.h"
#include "harness_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_TRACKED 32

/* --- bookkeeping for h_teardown --------------------------------------------------- */

static pid_t tracked_pids[MAX_TRACKED];
static char tracked_files[MAX_TRACKED][64];
static struct h_db *tracked_dbs[MAX_TRACKED];
/* Output buffers handed to a test: freed by h_teardown when a failed assertion skipped
 * their release (so that LeakSanitizer reports only real leaks). */
static void *tracked_bufs[4 * MAX_TRACKED];

void *hi_track_buf(void *p)
{
    for (size_t i = 0; i < sizeof tracked_bufs / sizeof *tracked_bufs; i++)
        if (!tracked_bufs[i]) {
            tracked_bufs[i] = p;
            return p;
        }
    fail_msg("harness: more than %zu live output buffers",
             sizeof tracked_bufs / sizeof *tracked_bufs);
    return p;
}

/* Forgets p and frees it. */
void hi_free_buf(void *p)
{
    if (!p) return;
    for (size_t i = 0; i < sizeof tracked_bufs / sizeof *tracked_bufs; i++)
        if (tracked_bufs[i] == p) tracked_bufs[i] = NULL;
    free(p);
}

void hi_track_pid(pid_t pid)
{
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked_pids[i] == 0) {
            tracked_pids[i] = pid;
            return;
        }
    fail_msg("harness: more than %d live processes", MAX_TRACKED);
}

void hi_untrack_pid(pid_t pid)
{
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked_pids[i] == pid) tracked_pids[i] = 0;
}

void hi_track_file(const char *path)
{
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked_files[i][0] == '\0') {
            snprintf(tracked_files[i], sizeof tracked_files[i], "%s", path);
            return;
        }
    fail_msg("harness: more than %d temporary files", MAX_TRACKED);
}

void hi_remove_file(const char *path)
{
    if (!path[0]) return;
    unlink(path);
    for (int i = 0; i < MAX_TRACKED; i++)
        if (strcmp(tracked_files[i], path) == 0) tracked_files[i][0] = '\0';
}

void hi_track_db(struct h_db *db)
{
    for (int i = 0; i < MAX_TRACKED; i++)
        if (!tracked_dbs[i]) {
            tracked_dbs[i] = db;
            return;
        }
    fail_msg("harness: more than %d databases", MAX_TRACKED);
}

void hi_untrack_db(const struct h_db *db)
{
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked_dbs[i] == db) tracked_dbs[i] = NULL;
}

/* --- small utilities ---------------------------------------------------------------- */

long long hi_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hi_nap_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

const char *hi_errtext(int errnum, char *buf, size_t len)
{
    if (strerror_r(errnum, buf, len) != 0) snprintf(buf, len, "error %d", errnum);
    return buf;
}

/* The whole file as a NUL-terminated string ("" when it does not exist). */
char *hi_slurp(const char *path)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        for (;;) {
            if (cap - len < 4096) {
                cap = cap ? cap * 2 : 8192;
                char *grown = realloc(buf, cap);
                assert_non_null(grown);
                buf = grown;
            }
            size_t n = fread(buf + len, 1, cap - len - 1, f);
            len += n;
            if (n == 0) break;
        }
        fclose(f);
    }
    if (!buf) {
        buf = malloc(1);
        assert_non_null(buf);
    }
    buf[len] = '\0';
    return buf;
}

void hi_make_temp_file(char *path, size_t len, const char *what)
{
    char err[128];
    snprintf(path, len, "/tmp/draftd-it-%s-XXXXXX", what);
    int fd = mkstemp(path);
    if (fd < 0) fail_msg("mkstemp %s: %s", path, hi_errtext(errno, err, sizeof err));
    close(fd);
    hi_track_file(path);
}

void hi_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *ent;
        char path[600];
        while ((ent = readdir(d)) != NULL) {
            if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) continue;
            snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* --- engine ------------------------------------------------------------------------- */

enum h_engine h_engine(void)
{
    const char *v = getenv("DRAFTD_TEST_ENGINE");
    if (v && strcmp(v, "sqlite") == 0) return H_SQLITE;
    if (v && strcmp(v, "postgres") == 0) return H_POSTGRES;
    fail_msg("DRAFTD_TEST_ENGINE must be sqlite or postgres (it is \"%s\")", v ? v : "(unset)");
    return H_SQLITE; /* not reached */
}

const char *h_engine_name(void)
{
    return h_engine() == H_SQLITE ? "sqlite" : "postgres";
}

/* --- text --------------------------------------------------------------------------- */

void h_assert_contains_at(const char *hay, const char *needle, const char *file, int line)
{
    if (hay && strstr(hay, needle)) return;
    print_error("%s:%d: expected to find \"%s\" in:\n%s\n", file, line, needle,
                hay ? hay : "(null)");
    fail_msg("\"%s\" not found (%s:%d)", needle, file, line);
}

void h_assert_lacks_at(const char *hay, const char *needle, const char *file, int line)
{
    if (!hay || !strstr(hay, needle)) return;
    print_error("%s:%d: expected NOT to find \"%s\" in:\n%s\n", file, line, needle, hay);
    fail_msg("\"%s\" found (%s:%d)", needle, file, line);
}

bool h_line_with(const char *text, ...)
{
    for (const char *p = text; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t llen = eol ? (size_t)(eol - p) : strlen(p);
        char *line = strndup(p, llen);
        assert_non_null(line);
        bool all = true;
        va_list ap;
        va_start(ap, text);
        for (const char *n; all && (n = va_arg(ap, const char *)) != NULL;)
            all = strstr(line, n) != NULL;
        va_end(ap);
        free(line);
        if (all) return true;
        if (!eol) break;
        p = eol + 1;
    }
    return false;
}

bool h_has_line(const char *text, const char *want)
{
    size_t wlen = strlen(want);
    for (const char *p = text; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t llen = eol ? (size_t)(eol - p) : strlen(p);
        if (llen && p[llen - 1] == '\r') llen--;
        if (llen == wlen && strncmp(p, want, wlen) == 0) return true;
        if (!eol) break;
        p = eol + 1;
    }
    return false;
}

const char *h_last_line(const char *text, char *out, size_t len)
{
    const char *last = NULL;
    size_t last_len = 0;
    for (const char *p = text; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t llen = eol ? (size_t)(eol - p) : strlen(p);
        if (llen && p[llen - 1] == '\r') llen--;
        if (llen) {
            last = p;
            last_len = llen;
        }
        if (!eol) break;
        p = eol + 1;
    }
    snprintf(out, len, "%.*s", (int)last_len, last ? last : "");
    return out;
}

/* --- cmocka ------------------------------------------------------------------------- */

int h_teardown(void **state)
{
    (void)state;
    int rc = 0;
    h_gate_release();
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked_pids[i]) hi_kill_and_reap(tracked_pids[i]);
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked_files[i][0]) hi_remove_file(tracked_files[i]);
    for (size_t i = 0; i < sizeof tracked_bufs / sizeof *tracked_bufs; i++) {
        free(tracked_bufs[i]);
        tracked_bufs[i] = NULL;
    }
    for (int i = 0; i < MAX_TRACKED; i++) {
        struct h_db *db = tracked_dbs[i];
        if (!db) continue;
        char err[512];
        tracked_dbs[i] = NULL;
        if (hi_db_drop_quietly(db, err, sizeof err)) {
            print_error("teardown: cannot drop %s: %s\n", db->name, err);
            rc = -1;
        }
        free(db);
    }
    return rc;
}

int h_group_teardown(void **state)
{
    (void)state;
    hi_http_cleanup();
    return 0;
}
