/*
 * pq_load — see pq_load.h.
 */
#define PQ_LOAD_NO_NAMES
#include "pq_load.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct pq_api pq;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static char why[300];

static void load(void)
{
    const char *name = getenv("DRAFTD_LIBPQ");
    if (!name || !*name) name = "libpq.so.5";
    /* RTLD_LOCAL: libpq's own dependencies stay out of the global namespace. */
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *msg = dlerror();
        snprintf(why, sizeof why, "%s", msg ? msg : name);
        return;
    }
#define PQ_SYMBOL(field, fn)                                                                       \
    if (!(pq.field = (__typeof__(fn) *)dlsym(lib, #fn))) {                                         \
        snprintf(why, sizeof why, "%s has no %s", name, #fn);                                      \
        return;                                                                                    \
    }
    PQ_FUNCTIONS(PQ_SYMBOL)
#undef PQ_SYMBOL
    loaded = true; /* the library stays loaded for the life of the process */
}

int pq_load(struct err *e)
{
    pthread_once(&once, load);
    if (loaded) return 0;
    return err_set(e, ERR_IO,
                   "PostgreSQL needs libpq, which cannot be loaded (%s): install the Debian "
                   "package libpq5",
                   why);
}
