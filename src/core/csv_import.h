/*
 * csv_import — prospects from a CSV file (RFC 4180, UTF-8) into the database.
 *
 * A push API, so that the HTTP route (a body in memory) and `draftd import` (a file read
 * in chunks) share it: csv_import_new, then csv_import_feed with the bytes in pieces of
 * any size, then csv_import_finish, then the result. libcsv does the quoting rules; this
 * module feeds it one physical line at a time so that it knows the line (1-based, LF,
 * CRLF or a lone CR ending a line, a line break inside quotes counting too) where each
 * record starts, which is the line a refused record is reported by.
 *
 * The first record is the header: columns are matched with prospect_field_from_header,
 * unknown ones ignored (and listed), and a header without an email column, or with two
 * columns for one field, refuses the whole file before anything is written. Each record
 * after it is checked (email valid, fields trimmed, empty is NULL, within the limits of
 * prospect.h, valid UTF-8, no more fields than the header), de-duplicated against the
 * file's earlier emails (ignoring ASCII case), and queued; every CSV_IMPORT_BATCH_ROWS
 * records the queue is written in one transaction by one set-based statement that skips
 * emails already in the database. A refused record does not stop the import.
 */
#ifndef DRAFTD_CSV_IMPORT_H
#define DRAFTD_CSV_IMPORT_H

#include <jansson.h>
#include <stddef.h>

#include "../err.h"

struct store;
struct csv_import;

/* Records written per transaction (fewer when their text passes CSV_IMPORT_BATCH_BYTES). */
#define CSV_IMPORT_BATCH_ROWS 5000
#define CSV_IMPORT_BATCH_BYTES (4 * 1024 * 1024)
/* The longest field, in any column: a longer one stops the import (a quote left open). */
#define CSV_IMPORT_FIELD_MAX (1024 * 1024)
/* Columns a header may have. */
#define CSV_IMPORT_MAX_COLUMNS 256
/* Refused records listed in the result; the count goes on beyond it. */
#define CSV_IMPORT_MAX_ERRORS 1000

struct csv_import_error {
    long long line;  /* the physical line where the record starts (the header is line 1) */
    char *message;   /* what is wrong with the value */
};

struct csv_import_result {
    long long records;            /* data records seen (blank lines not counted) */
    long long imported;           /* rows written */
    long long skipped_duplicates; /* emails already in the file or in the database */
    long long error_count;        /* refused records, all of them */
    struct csv_import_error *errors; /* the first CSV_IMPORT_MAX_ERRORS of them */
    size_t nerrors;
    char **ignored_columns; /* header names that match no field, in order */
    size_t nignored;
};

/* Called with the records seen so far and how many were refused. */
typedef void (*csv_import_progress_fn)(void *cls, long long records, long long refused);

/*
 * A new import writing through s (borrowed: it must outlive the import, and no other
 * transaction may be open on it). *out is the caller's, released with csv_import_free.
 */
int csv_import_new(struct csv_import **out, struct store *s, struct err *e);

/* Sets the progress callback, called every 1,000 records and at the end. */
void csv_import_set_progress(struct csv_import *im, csv_import_progress_fn fn, void *cls);

/*
 * Parses len more bytes, writing full batches as they fill. Errors:
 *   ERR_INVALID  the file as a whole is refused (its header); csv_import_problem names why
 *   ERR_DB, ERR_UNAVAILABLE, ERR_NOMEM  the database or memory failed; the batches
 *                written before stay written (the result counts them)
 * After an error every later call returns it again.
 */
int csv_import_feed(struct csv_import *im, const void *data, size_t len, struct err *e);

/* Ends the input: the last record, the last batch. Errors as csv_import_feed, and
 * ERR_INVALID ("empty_csv") when there was no header. */
int csv_import_finish(struct csv_import *im, struct err *e);

/* The counts and refused records so far. Borrowed from im. */
const struct csv_import_result *csv_import_result(const struct csv_import *im);

/*
 * After ERR_INVALID, a snake_case name for the reason the file was refused
 * ("missing_email_column", "duplicate_column", "too_many_columns", "bad_header",
 * "empty_csv"); NULL otherwise.
 */
const char *csv_import_problem(const struct csv_import *im);

/*
 * The answer of POST /api/prospects/import: {"imported","skipped_duplicates","errors":
 * [{"line","message"}...],"ignored_columns":[...]}, plus "errors_truncated": true and
 * "error_count" when more records were refused than are listed. New reference; NULL when
 * out of memory.
 */
json_t *csv_import_summary(const struct csv_import *im);

void csv_import_free(struct csv_import *im); /* NULL is a no-op */

#endif
