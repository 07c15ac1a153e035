/* csv_import.c — to be written. */
#include <stddef.h>
