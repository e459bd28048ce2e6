/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -p and -c in user space: the one rule of which processes a run is about
 * (the BPF side's traced() is its twin in the kernel). A process is
 * selected when neither is given, when its pid is one of -p, or when its
 * command name is the -c one. A source that follows --children keeps its
 * own growing set of pids and asks only select__all() and select__comm().
 */
#ifndef MEMSNOOP_SELECT_H
#define MEMSNOOP_SELECT_H

#include <stdbool.h>
#include <linux/types.h>

struct select {
	const __u32 *pids; /* -p */
	int nr_pids;
	const char *comm; /* -c; "" when not given */
};

/* Neither -p nor -c: every process. */
bool select__all(const struct select *sel);
/* comm (NULL: not known) is the -c name, as the kernel keeps it (MS_COMM_LEN bytes). */
bool select__comm(const struct select *sel, const char *comm);
/* Every process when neither is given, else pid is one of -p or comm the -c name. */
bool select__match(const struct select *sel, __u32 pid, const char *comm);

#endif
