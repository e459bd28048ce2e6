/* SPDX-License-Identifier: GPL-2.0 */
/* The command line, parsed into one settings struct (commands/settings.h). */
#ifndef MEMSNOOP_CLI_H
#define MEMSNOOP_CLI_H

#include "commands/settings.h"

/* Parses argv; on a bad flag prints a one-line error and returns -1. */
int cli_parse(int argc, char **argv, struct settings *s);
/* Strict number parsing, shared with the tests. */
int parse_size(const char *arg, __u64 *out); /* "8M", "4096", "1G" */
int parse_seconds(const char *arg, double *out);
int parse_pids(const char *arg, struct selection *sel); /* "1,2,3" */

#endif
