// SPDX-License-Identifier: GPL-2.0
/*
 * -p and -c in user space: the one rule of which processes a run is about
 * (the BPF side's traced() is its twin in the kernel).
 */
#include <string.h>
#include "util/selection.h"

bool selection__all(const struct selection *sel)
{
	return !sel->nr_pids && !sel->comm[0] && !sel->nr_cgroups;
}

bool selection__comm(const struct selection *sel, const char *comm)
{
	return sel->comm[0] && comm && !strncmp(comm, sel->comm, MS_COMM_LEN);
}

bool selection__match(const struct selection *sel, __u32 pid, const char *comm)
{
	if (selection__all(sel) || sel->nr_cgroups)
		return true;
	return selection__pid_comm(sel, pid, comm);
}

bool selection__pid_comm(const struct selection *sel, __u32 pid, const char *comm)
{
	int i;

	for (i = 0; i < sel->nr_pids; i++)
		if (sel->pids[i] == pid)
			return true;
	return selection__comm(sel, comm);
}
