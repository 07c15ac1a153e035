/*
 * template — the drafting template: a subject and a body with placeholders
 * {{field}} or {{field|fallback}} for the six prospect fields (prospect.h).
 *
 * A template is parsed once (template_parse checks every placeholder names a field)
 * and rendered per prospect. A placeholder whose field is empty takes its fallback; with
 * no fallback the prospect cannot be drafted and the reason names the field, so no
 * draft ever says "Hi ," or "Hi {{first_name}}".
 *
 * Syntax: "{{" opens a placeholder, which must close with "}}" on the same line.
 * Spaces and tabs around the name and around the fallback are ignored
 * ({{ first_name | there }} is {{first_name|there}}); an empty fallback ({{title|}})
 * is allowed and renders nothing. A fallback cannot contain "{{". Single braces are
 * literal text. A field that is NULL, empty or only whitespace is empty. Values are
 * inserted as they are, except that line breaks in what goes into the subject become
 * one space each run (a subject is one line).
 */
#ifndef DRAFTD_TEMPLATE_H
#define DRAFTD_TEMPLATE_H

#include <stddef.h>

#include "../err.h"
#include "../store/store.h"
#include "prospect.h"
#include "provider.h"

#define TEMPLATE_SUBJECT_MAX 1000
#define TEMPLATE_BODY_MAX (20 * 1024)

/* The name of the drafting template in the templates table. */
#define TEMPLATE_DRAFT_NAME "draft"

/* The six placeholders in the order the contract lists them (first_name ... email). */
extern const enum prospect_field template_fields[PF__COUNT];

/* The built-in default, used until a template is saved. */
extern const char template_default_subject[];
extern const char template_default_body[];

struct draft_template;

/*
 * Parses subject and body. ERR_INVALID when a placeholder names no prospect field (the
 * message names it), a "{{" is not closed, or a part is empty or too long. *out is the
 * caller's (template_free).
 */
int template_parse(struct draft_template **out, const char *subject, const char *body,
                   struct err *e);

/*
 * Renders t for p into out (its subject/body buffers, grown as needed). 0, or
 * ERR_INVALID with out->reason naming the empty field, or ERR_NOMEM.
 */
int template_render(const struct draft_template *t, const struct prospect *p,
                    struct draft_result *out);

void template_free(struct draft_template *t); /* NULL is a no-op */

/* What made template_parse_diag fail, for replies that name it. */
enum template_problem {
    TEMPLATE_OK,
    TEMPLATE_UNKNOWN_PLACEHOLDER, /* placeholder has the name */
    TEMPLATE_INVALID,             /* anything else: unclosed, empty, too long, not UTF-8 */
};

#define TEMPLATE_NAME_SHOWN_MAX 128

struct template_diag {
    enum template_problem problem;
    const char *part;                          /* "subject" or "body" (static) */
    char placeholder[TEMPLATE_NAME_SHOWN_MAX]; /* the unknown name, cut at a character */
};

/*
 * template_parse, and on failure d (may be NULL) says which kind and where. out may
 * be NULL to only check the text.
 */
int template_parse_diag(struct draft_template **out, const char *subject, const char *body,
                        struct template_diag *d, struct err *e);

/* The template provider for t (which it takes over). */
int template_provider_new(struct provider **out, struct draft_template *t, struct err *e);

/*
 * The saved drafting template, or the default when none is saved. *subject and *body
 * are the caller's (free). *updated_at is set to NULL for the default.
 */
int template_load(struct store *s, char **subject, char **body, char **updated_at,
                  struct err *e);

/* Validates and saves (upserts) the drafting template. ERR_INVALID: nothing written. */
int template_save(struct store *s, const char *subject, const char *body, struct err *e);

/* template_save, and *updated_at (the caller's, free) is the saved row's timestamp. */
int template_save_at(struct store *s, const char *subject, const char *body, char **updated_at,
                     struct err *e);

#endif
