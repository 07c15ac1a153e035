/*
 * csv_export — every prospect with its draft as CSV (RFC 4180: CRLF line ends, a field
 * quoted when it holds a comma, a quote, a line break or edge spaces, quotes doubled),
 * produced a page at a time so that no export holds all rows in memory or a statement
 * open between pages.
 *
 * The caller alternates: csv_export_fill reads the next page (keyset: id > the last one
 * sent, CSV_EXPORT_PAGE rows) through whatever connection it passes, and
 * csv_export_read hands out the text of that page in pieces of the size it asks for.
 * The header row comes first; NULL is an empty field.
 */
#ifndef DRAFTD_CSV_EXPORT_H
#define DRAFTD_CSV_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "../err.h"

struct store;
struct csv_export;

#define CSV_EXPORT_PAGE 1000

/* The header row, without its CRLF. */
extern const char csv_export_header[];

int csv_export_new(struct csv_export **out, struct err *e);
void csv_export_free(struct csv_export *x); /* NULL is a no-op */

/*
 * Appends the next page (and, the first time, the header) to the pending text. Call it
 * when csv_export_read returns 0 and csv_export_done is false. ERR_DB / ERR_UNAVAILABLE
 * with the database's message; the export can be abandoned then.
 */
int csv_export_fill(struct csv_export *x, struct store *s, struct err *e);

/* Copies up to max bytes of pending text into buf; the number copied, 0 when none is left. */
size_t csv_export_read(struct csv_export *x, char *buf, size_t max);

/* Whether every row has been read out (the last page was short and nothing is pending). */
bool csv_export_done(const struct csv_export *x);

/* Rows put into the text so far. */
long long csv_export_rows(const struct csv_export *x);

#endif
