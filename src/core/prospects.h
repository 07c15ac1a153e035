/*
 * prospects — the prospects service behind /api/prospects: list (paged, filtered by
 * draft status and a search text), create one or many, get, edit (fields and the draft
 * review) and delete, on either store engine. It never touches HTTP: handlers decode
 * the request, hand it over as plain values, and format what comes back.
 *
 * Rows come back through a callback (prospect_row_fn) with every column as borrowed
 * text, so a page of prospects is written out without copying a row. The module also
 * holds the pure parts the handlers and the tests share: the decoding and checking of a
 * JSON prospect object (prospect_input_parse), the review rules of an edit
 * (prospect_patch_plan), the LIKE pattern of a search, and jtext, a small JSON text
 * writer (the hot list path writes its answer with it instead of building jansson
 * objects; the writer is self-contained and could live in a module of its own).
 */
#ifndef DRAFTD_PROSPECTS_H
#define DRAFTD_PROSPECTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../err.h"
#include "../store/store.h"
#include "jtext.h"
#include "prospect.h"

/* Bounds of the request side, checked before anything is allocated or run. */
#define PROSPECTS_Q_MAX 200             /* bytes of a search text */
#define PROSPECTS_BATCH_MAX 1000        /* objects in one POST */
#define PROSPECT_DRAFT_SUBJECT_MAX 8192 /* bytes of a hand-written subject */
#define PROSPECT_DRAFT_BODY_MAX 262144  /* bytes of a hand-written body */

/* The columns of a prospect row, in the order every PROSPECT_* row statement returns them. */
enum prospect_col {
    PC_ID,
    PC_EMAIL,
    PC_FIRST_NAME,
    PC_LAST_NAME,
    PC_COMPANY,
    PC_TITLE,
    PC_WEBSITE,
    PC_DRAFT_SUBJECT,
    PC_DRAFT_BODY,
    PC_DRAFT_STATUS,
    PC_DRAFT_ERROR,
    PC_DRAFTED_AT,
    PC_CREATED_AT,
    PC_UPDATED_AT,
    PC__COUNT
};

/* One prospect as the database has it: each column as text, NULL for SQL NULL. Borrowed. */
struct prospect_row {
    const char *v[PC__COUNT];
};

/* The JSON key of each column ("id", "email", ..., "updated_at"). */
extern const char *const prospect_col_names[PC__COUNT];

/* Called with each row a statement returns; the row is valid during the call only.
 * A non-zero return stops the walk and is returned by the service function. */
typedef int (*prospect_row_fn)(void *arg, const struct prospect_row *row);

/* Whether s is one of none | drafted | approved | rejected | failed. */
bool prospect_status_valid(const char *s);

/* The draft statuses, in the order of migration 4's prospect_counts columns. */
#define PROSPECT_NSTATUSES 5
extern const char *const prospect_statuses[PROSPECT_NSTATUSES];

/* --- input: a JSON object of prospect fields ------------------------------------------ */

/* The keys a create (the six fields) or an edit (those and the draft keys) may carry. */
enum prospect_key {
    PK_EMAIL = PF_EMAIL,
    PK_FIRST_NAME = PF_FIRST_NAME,
    PK_LAST_NAME = PF_LAST_NAME,
    PK_COMPANY = PF_COMPANY,
    PK_TITLE = PF_TITLE,
    PK_WEBSITE = PF_WEBSITE,
    PK_DRAFT_SUBJECT = PF__COUNT,
    PK_DRAFT_BODY,
    PK_DRAFT_STATUS,
    PK__COUNT
};

/* A decoded object: which keys it has and their values, trimmed; NULL for null or "". */
struct prospect_input {
    bool set[PK__COUNT];
    char *v[PK__COUNT]; /* owned */
};

/* Why an object was refused (422): an API.md error code, the key and the sentence. */
struct prospect_problem {
    const char *code; /* invalid_email, unknown_field, invalid_type, too_long, invalid_draft_status,
                         invalid_body */
    const char *field;  /* the key concerned (borrowed from the object or static), or NULL */
    const char *value;  /* the refused text where one helps (the email), borrowed, or NULL */
    const char *reason; /* invalid_email: why ("has no @"), else NULL */
    long long limit;    /* too_long: the limit in bytes, else 0 */
    char why[96];       /* storage for reason */
    char message[600];  /* the sentence for the reply */
};

enum prospect_input_kind { PROSPECT_INPUT_CREATE, PROSPECT_INPUT_EDIT };

/*
 * Decodes obj into in (which the caller releases with prospect_input_release, also on
 * failure). A create needs a valid email and takes only the six fields; an edit takes
 * any subset of the six fields and draft_subject, draft_body, draft_status, and refuses
 * a null email and any draft_status but "approved" or "rejected". Every value is a
 * string (or null, but not for email), trimmed of ASCII white space, at most its limit
 * in bytes. Returns 0, ERR_INVALID with p filled in, or ERR_NOMEM.
 */
int prospect_input_parse(struct prospect_input *in, const json_t *obj,
                         enum prospect_input_kind kind, struct prospect_problem *p);
void prospect_input_release(struct prospect_input *in);

/* --- the review rules of an edit ----------------------------------------------------- */

enum drafted_at_change { DRAFTED_AT_KEEP, DRAFTED_AT_NOW, DRAFTED_AT_CLEAR };

/* The row an edit writes: every value borrowed from the current row or the input. */
struct prospect_plan {
    const char *v[PK__COUNT]; /* the six fields, draft_subject, draft_body, draft_status */
    const char *draft_error;
    enum drafted_at_change drafted_at;
};

/*
 * What an edit in makes of the current row cur (pure):
 * - a draft_subject or draft_body given on a prospect that is none or failed makes it
 *   drafted (drafted_at now, draft_error cleared): a hand-written draft; on drafted,
 *   approved or rejected the status is kept;
 * - clearing both draft_subject and draft_body makes a drafted, approved or rejected
 *   prospect none again (drafted_at cleared);
 * - draft_status approved/rejected needs a draft (subject and body both set, after the
 *   edit): otherwise ERR_CONFLICT ("no_draft"), with the sentence in e.
 */
int prospect_patch_plan(struct prospect_plan *out, const struct prospect_row *cur,
                        const struct prospect_input *in, struct err *e);

/* --- the service ---------------------------------------------------------------------- */

struct prospects_filter {
    long long skip, limit;
    const char *draft_status; /* NULL: any */
    const char *q;            /* NULL or "": no search; else at most PROSPECTS_Q_MAX bytes */
};

/* What a 409 was about, for the reply: an API.md error code and the id it names. */
struct prospects_clash {
    const char *code; /* duplicate_email, no_draft, prospect_in_job */
    long long id;     /* duplicate_email: the prospect holding the email (0 if gone);
                         prospect_in_job: the job */
};

/*
 * One page of prospects by id ascending, each given to fn, and *total, the number of
 * prospects the filter matches. One statement: the total comes with the page's rows
 * (migration 4's counters, or a count for a search); a page past the end asks again.
 */
int prospects_list(struct store *s, const struct prospects_filter *f, prospect_row_fn fn, void *arg,
                   long long *total, struct err *e);

/* How many prospects have each draft status (prospect_statuses order): one row read. */
int prospects_counts(struct store *s, long long out[PROSPECT_NSTATUSES], struct err *e);

/* The prospect id given to fn, or ERR_NOT_FOUND. */
int prospects_get(struct store *s, long long id, prospect_row_fn fn, void *arg, struct err *e);

/*
 * Inserts one prospect (from a checked create input) and gives the new row to fn. An
 * email already present, ignoring case, is ERR_CONFLICT with c set (duplicate_email).
 */
int prospects_create_one(struct store *s, const struct prospect_input *in, prospect_row_fn fn,
                         void *arg, struct prospects_clash *c, struct err *e);

/*
 * Inserts n prospects in one transaction, in order: each new row goes to created, each
 * input whose email is already present (in the database or earlier in the batch) to
 * skipped with its index. On any error nothing is inserted. *ncreated counts the rows.
 */
int prospects_create_many(struct store *s, const struct prospect_input *in, size_t n,
                          prospect_row_fn created, void (*skipped)(void *arg, size_t index),
                          void *arg, size_t *ncreated, struct err *e);

/*
 * Applies an edit (a checked edit input) to prospect id in one transaction and gives the
 * updated row to fn. ERR_NOT_FOUND; ERR_CONFLICT with c set (duplicate_email, no_draft);
 * a refused edit changes nothing.
 */
int prospects_patch(struct store *s, long long id, const struct prospect_input *in,
                    prospect_row_fn fn, void *arg, struct prospects_clash *c, struct err *e);

/*
 * Deletes prospect id. ERR_NOT_FOUND; ERR_CONFLICT (prospect_in_job, c->id the job) while
 * it is a pending target of a pending or running job, whose counts must stay exact.
 */
int prospects_delete(struct store *s, long long id, struct prospects_clash *c, struct err *e);

/* --- pure helpers --------------------------------------------------------------------- */

/*
 * The LIKE pattern "%q%" with q's '%', '_' and '\' escaped by '\' (the statements say
 * ESCAPE '\'), into out. Needs 2 * strlen(q) + 3 bytes; returns -1 when out is smaller.
 */
int prospects_like_pattern(char *out, size_t len, const char *q);

/*
 * A timestamp column as RFC 3339 UTC with milliseconds. SQLite's text already is
 * ("2026-01-02T03:04:05.678Z") and is returned as it is; PostgreSQL's rows carry the
 * to_json text of the UTC time ("\"2026-01-02T03:04:05.6789\"", whatever the DateStyle),
 * which is rewritten into buf (at least PROSPECT_TS_BUF bytes): the fraction cut to
 * milliseconds (as to_char's MS does), 'Z' added. Anything else loses its quotes only.
 * NULL for NULL.
 */
#define PROSPECT_TS_BUF 40
const char *prospect_ts_rfc3339(char *buf, size_t len, const char *in);

/* Whether s[0..n) is valid UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF). */
bool prospects_utf8_valid(const char *s, size_t n);

/* A prospect row as the JSON object of API.md. */
void jtext_prospect(struct jtext *j, const struct prospect_row *row);

#endif
