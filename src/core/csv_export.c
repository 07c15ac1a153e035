/* csv_export.c — to be written. */
#include <stddef.h>
