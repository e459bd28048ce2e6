/* SPDX-License-Identifier: GPL-2.0 */
/* A process's rebuilt layout: a table (pmap -x with meaning) or /proc/PID/maps lines. */
#ifndef MEMSNOOP_MAPS_VIEW_H
#define MEMSNOOP_MAPS_VIEW_H

#include <stdio.h>
#include "cli.h"
#include "model/model.h"

/* Every selected live process (all when no -p/-c), in the chosen format. */
void maps_view__print(const struct model *m, const struct settings *s, FILE *out);
/*
 * SIGUSR1: every live process in /proc/PID/maps format, to out with a
 * "# pid <pid> <comm>" line before each, or to dir/<pid>.maps (renamed into place).
 */
int maps_view__dump(const struct model *m, const char *dir, FILE *out);
/*
 * dir/dumps: "STARTED DONE", the numbers of the last dump begun and the last
 * one finished: a file is fresh once DONE passes what STARTED was when asked.
 */
void maps_view__dump_mark(const char *dir, unsigned long started, unsigned long done);

#endif
