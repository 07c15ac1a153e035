/*
 * harness_internal — what the harness_*.c files share and tests do not use: the
 * bookkeeping behind h_teardown (every live process, temporary file, database and
 * output buffer is recorded, so a test that an assertion ended early leaves nothing
 * behind) and a few small utilities.
 */
#ifndef DRAFTD_IT_HARNESS_INTERNAL_H
#define DRAFTD_IT_HARNESS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness.h"

/* Records p (an output buffer handed to a test) and returns it. */
void *hi_track_buf(void *p);
/* Forgets p and frees it (NULL is fine). */
void hi_free_buf(void *p);
void hi_track_pid(pid_t pid);
void hi_untrack_pid(pid_t pid);
void hi_track_file(const char *path);
/* Unlinks path and forgets it. */
void hi_remove_file(const char *path);
void hi_track_db(struct h_db *db);
void hi_untrack_db(const struct h_db *db);

/* Drops the database and removes its directory without asserting: 0, or -1 and err. */
int hi_db_drop_quietly(struct h_db *db, char *err, size_t errlen);
/* SIGKILL, reap, forget. */
void hi_kill_and_reap(pid_t pid);
/* Releases libcurl if the HTTP client initialised it. */
void hi_http_cleanup(void);

/* Milliseconds on the monotonic clock. */
long long hi_now_ms(void);
void hi_nap_ms(long ms);
/* strerror_r into buf. */
const char *hi_errtext(int errnum, char *buf, size_t len);
/* The whole file as a NUL-terminated string ("" when it does not exist); caller frees. */
char *hi_slurp(const char *path);
/* A new empty file /tmp/draftd-it-WHAT-XXXXXX, recorded for h_teardown. */
void hi_make_temp_file(char *path, size_t len, const char *what);
/* Removes the files in dir (not recursive), then dir. */
void hi_remove_dir(const char *dir);

#endif
