/*
 * harness_flow — helpers for the tests of whole flows (prospects, drafting jobs,
 * resume): JSON requests with an expected status, generated prospects, polling a job
 * until it reaches a state, a kill -9 of the server, and multi-row database reads.
 * Built on harness.h; every helper asserts with cmocka, so only the test's own thread
 * may call them (see h_raw_get for other threads).
 */
#ifndef DRAFTD_IT_HARNESS_FLOW_H
#define DRAFTD_IT_HARNESS_FLOW_H

#include "harness.h"

/* Generous bound for a job to finish, also under sanitizers on a loaded machine. */
#define H_JOB_TIMEOUT_MS 60000

/* --- JSON requests -------------------------------------------------------------------- */

/*
 * Sends method path with body (JSON, may be NULL) and asserts the status is want; returns
 * the parsed body (caller json_decref()s). On a wrong status the body is printed.
 */
json_t *h_req_json(int port, const char *method, const char *path, const char *body, long want);
/* h_req_json(port, "GET", path, NULL, 200). */
json_t *h_get_json(int port, const char *path);
/* The integer member key of o; the test fails when it is missing or not an integer. */
long long h_json_int(const json_t *o, const char *key);
/* The string member key of o, or NULL when it is null; fails when it is another type. */
const char *h_json_str(const json_t *o, const char *key);

/* Sleeps ms milliseconds. */
void h_sleep_ms(long ms);
/* Milliseconds on the monotonic clock. */
long long h_now_ms(void);

/* --- servers ------------------------------------------------------------------------ */

/* h_serve_start with env (NULL-terminated or NULL), asserting that it listens. */
void h_serve_up(struct h_server *srv, const char *db_url, const char *const *env);
/* h_serve_stop asserting exit status 0, then h_serve_release. */
void h_serve_down(struct h_server *srv);
/*
 * kill -9: sends SIGKILL, reaps the process and marks the server stopped (its log is
 * refreshed). h_serve_wait_exit would fail the test on a death by signal; this does not.
 */
void h_serve_kill9(struct h_server *srv);

/* --- prospects ---------------------------------------------------------------------- */

/*
 * Imports n generated prospects over POST /api/prospects/import: emails
 * "<tag>-<i>@example.com" for i in [0, n), every field set (first name "First<i>",
 * company "Company <i>"); asserts 200 and imported == n. Returns n.
 */
long long h_import_generated(int port, const char *tag, int n);
/* The ids of every prospect (paging GET /api/prospects), ascending; release *out with
 * h_buf_free. */
size_t h_prospect_ids(int port, long long **out);

/* --- jobs --------------------------------------------------------------------------- */

/*
 * POST /api/pipeline/draft with body (NULL: none); asserts 202 {"job_id":N,
 * "status":"pending"} with Location: /api/pipeline/draft/jobs/N; returns N.
 */
long long h_draft_start(int port, const char *body);
/* GET /api/pipeline/draft/jobs/{id}, asserting 200; the job (caller json_decref()s). */
json_t *h_job_get(int port, long long id);
/* Whether status is completed, failed or cancelled. */
bool h_job_finished(const json_t *job);
/*
 * Polls the job every 20 ms until it is finished (completed, failed or cancelled) and
 * returns it; fails the test after timeout_ms.
 */
json_t *h_job_wait_done(int port, long long id, long timeout_ms);
/*
 * Polls until drafts_created >= k or the job finished, and returns the job; fails after
 * timeout_ms.
 */
json_t *h_job_wait_created(int port, long long id, long long k, long timeout_ms);

/* --- database ----------------------------------------------------------------------- */

/*
 * Every row of a query as text: columns joined by '|', each row ended by '\n', NULL as
 * "NULL". Release with h_buf_free. Read directly (sqlite3 / libpq), bypassing draftd.
 */
char *h_db_rows(const struct h_db *db, const char *sql);
/* Releases a buffer of h_db_rows or h_prospect_ids (h_teardown does when a test failed
 * first, so LeakSanitizer reports only real leaks). NULL is fine. */
void h_buf_free(void *p);
/* h_db_int of a query built with printf-style arguments (test constants only). */
long long h_db_intf(const struct h_db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- other threads ------------------------------------------------------------------ */

/*
 * A GET that never asserts, for threads other than the test's: *status is the HTTP
 * status (0 when there was no answer) and the body is returned (caller frees; NULL when
 * there was no answer). The test's thread must have made one h_http request first (so
 * libcurl is initialised).
 */
char *h_raw_get(int port, const char *path, long *status);
/* The same for any method, with a JSON body (NULL: none). */
char *h_raw_request(int port, const char *method, const char *path, const char *body,
                    long *status);

#endif
