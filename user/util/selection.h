/* SPDX-License-Identifier: GPL-2.0 */
/* -p, -c and --children: the processes a run is about, as every module takes them. */
#ifndef MEMSNOOP_SELECTION_H
#define MEMSNOOP_SELECTION_H

#include <stdbool.h>
#include "events.h"

#define MAX_PIDS 256

struct selection {
	__u32 pids[MAX_PIDS];
	int nr_pids;
	char comm[MS_COMM_LEN]; /* "" when no -c */
	bool children; /* also the processes they fork from now on */
};

/* Whether -p/-c select this process (all when neither is given). */
bool selection__match(const struct selection *sel, __u32 pid, const char *comm);

#endif
