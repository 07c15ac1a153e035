/*
 * progress — see progress.h.
 */
#include "progress.h"

#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 30

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void progress_init(struct progress *p, FILE *f, const char *label)
{
    *p = (struct progress){.f = f, .label = label, .tty = isatty(fileno(f)) == 1, .last = 0,
                           .last_done = -1};
}

static void draw_bar(struct progress *p, long long done, long long total, long long failed)
{
    char bar[BAR_WIDTH + 1];
    int fill = total > 0 ? (int)(done * BAR_WIDTH / total) : 0;
    if (fill > BAR_WIDTH) fill = BAR_WIDTH;
    for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < fill ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    if (total > 0)
        fprintf(p->f, "\r%s [%s] %lld/%lld %3lld%%", p->label, bar, done, total,
                done * 100 / total);
    else
        fprintf(p->f, "\r%s %lld", p->label, done);
    if (failed > 0) fprintf(p->f, ", %lld failed", failed);
    fputs("\033[K", p->f);
    fflush(p->f);
    p->drawn = true;
}

static void plain_line(struct progress *p, long long done, long long total, long long failed)
{
    if (total > 0)
        fprintf(p->f, "%s: %lld/%lld (%lld%%)", p->label, done, total, done * 100 / total);
    else
        fprintf(p->f, "%s: %lld", p->label, done);
    if (failed > 0) fprintf(p->f, ", %lld failed", failed);
    fputc('\n', p->f);
    fflush(p->f);
    p->last_done = done;
}

void progress_update(struct progress *p, long long done, long long total, long long failed)
{
    if (p->tty) {
        draw_bar(p, done, total, failed);
        return;
    }
    double t = now_s();
    if (t - p->last < 1.0 || done == p->last_done) return;
    p->last = t;
    plain_line(p, done, total, failed);
}

void progress_finish(struct progress *p, long long done, long long total, long long failed)
{
    if (p->tty) {
        draw_bar(p, done, total, failed);
        fputc('\n', p->f);
        fflush(p->f);
        return;
    }
    if (done != p->last_done) plain_line(p, done, total, failed);
}
