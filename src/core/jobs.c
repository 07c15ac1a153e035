/* jobs.c — to be written. */
#include <stddef.h>
