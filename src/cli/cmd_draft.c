/* cmd_draft — to be written. */
#include <stdio.h>

#include "cli.h"

const char cmd_draft_usage[] = "usage: draftd draft [--redraft] [--database URL]\n";

int cmd_draft(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "draftd: draft is not implemented yet\n");
    return EXIT_FAIL;
}
