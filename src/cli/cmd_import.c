/* cmd_import — to be written. */
#include <stdio.h>

#include "cli.h"

const char cmd_import_usage[] = "usage: draftd import FILE.csv [--database URL]\n";

int cmd_import(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "draftd: import is not implemented yet\n");
    return EXIT_FAIL;
}
