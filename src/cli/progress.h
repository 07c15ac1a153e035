/*
 * progress — progress of a long command (import, draft) on stderr: a bar redrawn in
 * place on a terminal, plain lines otherwise (at most one a second, and the last one
 * always), so that logs and CI output stay readable.
 */
#ifndef DRAFTD_PROGRESS_H
#define DRAFTD_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

struct progress {
    FILE *f;
    const char *label; /* "importing", "drafting" */
    bool tty;
    double last; /* when the last plain line was written (seconds, monotonic) */
    long long last_done;
    bool drawn;
};

/* tty: whether f is a terminal (isatty), unless forced off by the caller. */
void progress_init(struct progress *p, FILE *f, const char *label);

/* Shows done of total (total < 0: unknown), with failed when > 0. */
void progress_update(struct progress *p, long long done, long long total, long long failed);

/* Writes the final state and ends the bar's line. */
void progress_finish(struct progress *p, long long done, long long total, long long failed);

#endif
