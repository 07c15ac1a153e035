/*
 * embedded — files compiled into the binary at build time (cmake/embed.cmake turns
 * migrations/ and web/ into these arrays). Nothing here is committed generated.
 */
#ifndef DRAFTD_EMBEDDED_H
#define DRAFTD_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* file name, e.g. "0001_init.sql" */
    const unsigned char *data;
    size_t len;
};

/* Sorted by name. */
extern const struct embedded_file embedded_migrations_sqlite[];
extern const size_t embedded_migrations_sqlite_count;
extern const struct embedded_file embedded_migrations_postgres[];
extern const size_t embedded_migrations_postgres_count;

/* Every file of web/, and "NAME.gz" beside each file gzip makes smaller; in no order. */
extern const struct embedded_file embedded_web[];
extern const size_t embedded_web_count;

#endif
