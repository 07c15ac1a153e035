/* cmd_jobs — to be written. */
#include <stdio.h>

#include "cli.h"

const char cmd_jobs_usage[] = "usage: draftd jobs [--database URL]\n";

int cmd_jobs(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "draftd: jobs is not implemented yet\n");
    return EXIT_FAIL;
}
