/* SPDX-License-Identifier: GPL-2.0 */
/* -p, -c and --children: the processes a run is about, as every module takes them. */
#ifndef MEMSNOOP_SELECTION_H
#define MEMSNOOP_SELECTION_H

#include <stdbool.h>
#include "events.h"

#define MAX_PIDS 256
#define MAX_CGROUPS 8

struct selection {
	__u32 pids[MAX_PIDS];
	int nr_pids;
	char comm[MS_COMM_LEN]; /* "" when no -c */
	bool children; /* also the processes they fork from now on */
	const char *cgroups[MAX_CGROUPS]; /* --cgroup directories: processes in them or below */
	int nr_cgroups;
};

/* Neither -p, -c nor --cgroup: every process. */
bool selection__all(const struct selection *sel);
/* comm (NULL: not known) is the -c name, as the kernel keeps it (MS_COMM_LEN bytes). */
bool selection__comm(const struct selection *sel, const char *comm);
/*
 * Every process when none is given, or with --cgroup (the source chose them:
 * in the kernel, and when seeding); else pid is one of -p or comm the -c name.
 */
bool selection__match(const struct selection *sel, __u32 pid, const char *comm);
/* pid is one of -p or comm the -c name (the source's part of the choice). */
bool selection__pid_comm(const struct selection *sel, __u32 pid, const char *comm);

#endif
