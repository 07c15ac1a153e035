/*
 * sqlsplit — finds where one PostgreSQL statement ends in a script.
 *
 * Knows enough of the lexical grammar to never split inside a string ('it''s'), a
 * quoted identifier ("a;b"), a dollar-quoted body ($fn$ ... ; ... $fn$), a line comment
 * or a nested block comment. Leaf module: only libc.
 */
#ifndef DRAFTD_SQLSPLIT_H
#define DRAFTD_SQLSPLIT_H

#include <stddef.h>

/*
 * Scans sql[0..len) from the start. Returns the length of the first statement including
 * its terminating ';' (or up to len when the last one has none). *blank is set to 1 when
 * that span holds only whitespace and comments.
 */
size_t sqlsplit_next(const char *sql, size_t len, int *blank);

#endif
