/*
 * prospect — what every part of draftd agrees a prospect's input is: the six fields a
 * person supplies (email, names, company, title, website), their names, their limits,
 * and the email check. Shared by the prospects service, the CSV import and the drafting
 * providers. A leaf module: it knows nothing of HTTP or the database.
 */
#ifndef DRAFTD_PROSPECT_H
#define DRAFTD_PROSPECT_H

#include <stdbool.h>
#include <stddef.h>

enum prospect_field {
    PF_EMAIL,
    PF_FIRST_NAME,
    PF_LAST_NAME,
    PF_COMPANY,
    PF_TITLE,
    PF_WEBSITE,
    PF__COUNT
};

/* Limits in bytes, checked before anything is stored. */
#define PROSPECT_EMAIL_MAX 254
#define PROSPECT_FIELD_MAX 1000

/* "email", "first_name", ... indexed by enum prospect_field. */
extern const char *const prospect_field_names[PF__COUNT];

/* The field named exactly name ("first_name"), or -1. */
int prospect_field_lookup(const char *name);

/*
 * The field a CSV header names, matched ignoring case, spaces, '_' and '-'
 * ("First Name", "first-name", "FIRSTNAME" are first_name), or -1 for an unknown column.
 */
int prospect_field_from_header(const char *header);

/*
 * Whether s is an email address draftd accepts: one '@', a non-empty local part of
 * printable ASCII without spaces, a domain of dot-separated labels (letters, digits,
 * '-', not starting or ending with '-') with at least one dot, at most
 * PROSPECT_EMAIL_MAX bytes. On false, why (may be NULL) gets a short reason
 * ("has no @", "the domain has no dot").
 */
bool prospect_email_valid(const char *s, char *why, size_t why_len);

/* A prospect as the drafting providers see it. Strings are borrowed; NULL or "" is empty. */
struct prospect {
    long long id;
    const char *f[PF__COUNT];
};

#endif
