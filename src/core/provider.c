/*
 * provider — see provider.h. provider_open builds the provider of a drafting job: the
 * template provider (template.c) on the saved template or the built-in default, and,
 * when DRAFTD_TEST_DRAFT_DELAY_MS is set, the test-only delay wrapper around it.
 */
#include "provider.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "template.h"

#define DELAY_ENV "DRAFTD_TEST_DRAFT_DELAY_MS"
#define DELAY_MAX_MS 60000

void draft_result_release(struct draft_result *d)
{
    if (!d) return;
    free(d->subject);
    free(d->body);
    memset(d, 0, sizeof *d);
}

int provider_draft(struct provider *p, const struct prospect *in, struct draft_result *out,
                   struct err *e)
{
    return p->draft(p, in, out, e);
}

void provider_free(struct provider *p)
{
    if (p) p->free(p);
}

/* --- the test-only delay ------------------------------------------------------------- */

struct delay_provider {
    struct provider base;
    struct provider *inner;
    struct timespec delay;
};

static int delay_draft(struct provider *self, const struct prospect *p, struct draft_result *out,
                       struct err *e)
{
    struct delay_provider *dp = (struct delay_provider *)self;
    struct timespec left = dp->delay;
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
    return provider_draft(dp->inner, p, out, e);
}

static void delay_free(struct provider *self)
{
    struct delay_provider *dp = (struct delay_provider *)self;
    provider_free(dp->inner);
    free(dp);
}

/* The delay in DRAFTD_TEST_DRAFT_DELAY_MS: 0 when unset, 1..60000, or ERR_USAGE. */
static int delay_from_env(long *ms, struct err *e)
{
    *ms = 0;
    const char *v = getenv(DELAY_ENV);
    if (!v) return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!isdigit((unsigned char)v[0]) || errno || *end || n < 1 || n > DELAY_MAX_MS)
        return err_set(e, ERR_USAGE,
                       DELAY_ENV " must be a whole number of milliseconds from 1 to %d, not "
                                 "\"%.64s\" (it is for tests only: unset it)",
                       DELAY_MAX_MS, v);
    *ms = n;
    return 0;
}

/* Wraps *p (taken over) so each draft first sleeps ms milliseconds. */
static int delay_wrap(struct provider **p, long ms, struct err *e)
{
    struct delay_provider *dp = malloc(sizeof *dp);
    if (!dp) return err_set(e, ERR_NOMEM, "out of memory creating the provider");
    *dp = (struct delay_provider){
        .base = {.name = (*p)->name, .draft = delay_draft, .free = delay_free},
        .inner = *p,
        .delay = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L},
    };
    *p = &dp->base;
    return 0;
}

/* --- opening ------------------------------------------------------------------------- */

int provider_open(struct provider **out, struct store *s, struct err *e)
{
    char *subject = NULL, *body = NULL, *updated_at = NULL;
    struct draft_template *t = NULL;
    struct provider *p = NULL;
    long delay_ms = 0;
    *out = NULL;
    int rc = delay_from_env(&delay_ms, e);
    if (rc) goto out;
    rc = template_load(s, &subject, &body, &updated_at, e);
    if (rc) goto out;
    rc = template_parse(&t, subject, body, e);
    if (rc) {
        if (updated_at)
            err_prefix(e, "the saved drafting template (saved at %s) no longer parses, so "
                          "nothing can be drafted; save a valid one with PUT "
                          "/api/templates/draft",
                       updated_at);
        else
            err_prefix(e, "the built-in drafting template cannot be used");
        goto out;
    }
    rc = template_provider_new(&p, t, e);
    t = NULL; /* taken over, even on failure */
    if (rc) goto out;
    if (delay_ms) {
        rc = delay_wrap(&p, delay_ms, e);
        if (rc) goto out;
    }
    *out = p;
    p = NULL;
out:
    provider_free(p);
    template_free(t);
    free(subject);
    free(body);
    free(updated_at);
    return rc;
}
