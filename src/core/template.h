/*
 * template — the drafting template: a subject and a body with placeholders
 * {{field}} or {{field|fallback}} for the six prospect fields (prospect.h).
 *
 * A template is parsed once (template_parse checks every placeholder names a field)
 * and rendered per prospect. A placeholder whose field is empty takes its fallback; with
 * no fallback the prospect cannot be drafted and the reason names the field, so no
 * draft ever says "Hi ," or "Hi {{first_name}}".
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

/* The template provider for t (which it takes over). */
int template_provider_new(struct provider **out, struct draft_template *t, struct err *e);

/*
 * The saved drafting template, or the default when none is saved. *subject and *body
 * are the caller's (free). *updated_at is set to NULL for the default.
 */
int template_load(struct store *s, char **subject, char **body, char **updated_at,
                  struct err *e);

/* Validates and saves (upserts) the drafting template. */
int template_save(struct store *s, const char *subject, const char *body, struct err *e);

#endif
