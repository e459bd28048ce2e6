// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "util/selection.h"

bool selection__match(const struct selection *sel, __u32 pid, const char *comm)
{
	int i;

	if (!sel->nr_pids && !sel->comm[0])
		return true;
	for (i = 0; i < sel->nr_pids; i++)
		if (sel->pids[i] == pid)
			return true;
	return sel->comm[0] && !strncmp(comm, sel->comm, MS_COMM_LEN);
}
