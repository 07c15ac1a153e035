/*
 * provider — the drafting seam of DESIGN.md: a provider turns one prospect into a draft
 * (subject and body) or into a reason that names why it cannot.
 *
 * The template provider (template.h) is the embedded default: fast, deterministic, no
 * network. A provider that calls a chat-completions endpoint will come later through
 * the same struct: it may be slow (the runner renews its lease between prospects), it
 * may fail one prospect (ERR_INVALID, the job goes on) or fail as a whole (any other
 * error, the job fails with that message).
 *
 * For tests only, DRAFTD_TEST_DRAFT_DELAY_MS=N makes provider_open wrap the provider so
 * each draft takes N more milliseconds, so that a test can kill a server mid-job.
 */
#ifndef DRAFTD_PROVIDER_H
#define DRAFTD_PROVIDER_H

#include <stddef.h>

#include "../err.h"
#include "../store/store.h"
#include "prospect.h"

#define PROVIDER_REASON_MAX 512

/* One draft. The buffers belong to the struct and are reused from call to call. */
struct draft_result {
    char *subject, *body;
    size_t subject_len, body_len;
    size_t subject_cap, body_cap;
    char reason[PROVIDER_REASON_MAX]; /* why the prospect could not be drafted */
};

void draft_result_release(struct draft_result *d);

struct provider {
    const char *name;
    /*
     * Drafts p into out. 0: out->subject and out->body are set (NUL-terminated).
     * ERR_INVALID: this prospect cannot be drafted; out->reason names the cause (for
     * draft_error). Any other error: the provider itself failed; e says why.
     */
    int (*draft)(struct provider *self, const struct prospect *p, struct draft_result *out,
                 struct err *e);
    void (*free)(struct provider *self);
};

/*
 * The provider a drafting job uses: the template provider with the saved template
 * (or the built-in default when none is saved), read through s, wrapped by the test
 * delay when DRAFTD_TEST_DRAFT_DELAY_MS is set. *out is the caller's (provider_free).
 */
int provider_open(struct provider **out, struct store *s, struct err *e);

int provider_draft(struct provider *p, const struct prospect *in, struct draft_result *out,
                   struct err *e);
void provider_free(struct provider *p); /* NULL is a no-op */

#endif
