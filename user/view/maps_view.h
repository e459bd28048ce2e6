/* SPDX-License-Identifier: GPL-2.0 */
/* A process's rebuilt layout: a table (pmap -x with meaning) or /proc/PID/maps lines. */
#ifndef MEMSNOOP_MAPS_VIEW_H
#define MEMSNOOP_MAPS_VIEW_H

#include <stdio.h>
#include "model/model.h"
#include "util/selection.h"
#include "symbols/stacks.h"

enum maps_format {
	MAPS_TABLE,
	MAPS_PROC, /* /proc/PID/maps lines */
};

struct maps_view_opts {
	const struct selection *sel; /* the processes shown */
	enum maps_format format; /* JSON (json) has one form for both */
	bool json;
	bool replay; /* from a recording: a process missing is missing at that moment */
	const struct stacks *stacks; /* --stacks: each region's maker's stack; NULL: none */
	unsigned stack_depth;
	__u64 now_ns; /* the moment shown (live: now, replay: --at): resident samples' age; 0: */
	__u64 start_ns; /* else their time from this one */
};

/* Every selected live process (all when no -p/-c), in the chosen format. */
void maps_view__print(const struct model *m, const struct maps_view_opts *o, FILE *out);
/*
 * Whether every -p process is there and alive and -c matches one; if not,
 * says which on stderr (one line each) and returns -1 (print shows the rest).
 */
int maps_view__check(const struct model *m, const struct maps_view_opts *o);
/*
 * SIGUSR1: every live process in /proc/PID/maps format, to out with a
 * "# pid <pid> <comm>" line before each (-j: maps -j's objects), or (dirfd
 * >= 0, checked by outdir__open) to dir/<pid>.maps, 0600, each written to a
 * temporary file and renamed into place; files of processes gone are
 * removed, and dir/.complete (the time) is written when the dump is complete.
 */
int maps_view__dump(const struct model *m, int dirfd, const char *dir, bool json, FILE *out);
/*
 * dir/dumps: "STARTED DONE", the numbers of the last dump begun and the last
 * one finished: a file is fresh once DONE passes what STARTED was when asked.
 */
void maps_view__dump_mark(const struct model *m, int dirfd, const char *dir, unsigned long started,
			  unsigned long done);

#endif
