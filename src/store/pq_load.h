/*
 * pq_load — libpq, loaded the first time a PostgreSQL database is opened.
 *
 * draftd links no libpq: a SQLite-only process never maps libpq and what it pulls in
 * (OpenSSL, Kerberos, LDAP: ~2.5 MiB of resident library pages at idle). The first
 * store_pg_open dlopen()s libpq.so.5 (or the file DRAFTD_LIBPQ names) and fills `pq` with
 * its functions; store_pg.c calls them through the PQ* names below, so it reads as plain
 * libpq. The header libpq-fe.h is still what the code is compiled against (each pointer
 * has its function's exact type), so a mismatch is a compile error, not a crash.
 */
#ifndef DRAFTD_PQ_LOAD_H
#define DRAFTD_PQ_LOAD_H

#include <libpq-fe.h>

#include "../err.h"

/* X(field, libpq function) for every libpq function draftd calls. */
#define PQ_FUNCTIONS(X)                                                                            \
    X(connectdb_params, PQconnectdbParams)                                                         \
    X(status, PQstatus)                                                                            \
    X(finish, PQfinish)                                                                            \
    X(reset, PQreset)                                                                              \
    X(error_message, PQerrorMessage)                                                               \
    X(transaction_status, PQtransactionStatus)                                                     \
    X(set_notice_processor, PQsetNoticeProcessor)                                                  \
    X(exec, PQexec)                                                                                \
    X(prepare, PQprepare)                                                                          \
    X(exec_prepared, PQexecPrepared)                                                               \
    X(result_status, PQresultStatus)                                                               \
    X(result_error_field, PQresultErrorField)                                                      \
    X(result_error_message, PQresultErrorMessage)                                                  \
    X(ntuples, PQntuples)                                                                          \
    X(nfields, PQnfields)                                                                          \
    X(getvalue, PQgetvalue)                                                                        \
    X(getisnull, PQgetisnull)                                                                      \
    X(clear, PQclear)

struct pq_api {
#define PQ_FIELD(field, fn) __typeof__(fn) *field;
    PQ_FUNCTIONS(PQ_FIELD)
#undef PQ_FIELD
};

extern struct pq_api pq;

/*
 * Loads libpq once per process (thread-safe); 0 when `pq` is ready. ERR_IO, saying which
 * package to install, when libpq.so.5 or one of its functions is missing.
 */
int pq_load(struct err *e);

#ifndef PQ_LOAD_NO_NAMES
#define PQconnectdbParams pq.connectdb_params
#define PQstatus pq.status
#define PQfinish pq.finish
#define PQreset pq.reset
#define PQerrorMessage pq.error_message
#define PQtransactionStatus pq.transaction_status
#define PQsetNoticeProcessor pq.set_notice_processor
#define PQexec pq.exec
#define PQprepare pq.prepare
#define PQexecPrepared pq.exec_prepared
#define PQresultStatus pq.result_status
#define PQresultErrorField pq.result_error_field
#define PQresultErrorMessage pq.result_error_message
#define PQntuples pq.ntuples
#define PQnfields pq.nfields
#define PQgetvalue pq.getvalue
#define PQgetisnull pq.getisnull
#define PQclear pq.clear
#endif

#endif
