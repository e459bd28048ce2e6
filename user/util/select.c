// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "events.h"
#include "util/select.h"

bool select__all(const struct select *sel)
{
	return !sel->nr_pids && !sel->comm[0];
}

bool select__comm(const struct select *sel, const char *comm)
{
	return sel->comm[0] && comm && !strncmp(comm, sel->comm, MS_COMM_LEN);
}

bool select__match(const struct select *sel, __u32 pid, const char *comm)
{
	int i;

	if (select__all(sel))
		return true;
	for (i = 0; i < sel->nr_pids; i++)
		if (sel->pids[i] == pid)
			return true;
	return select__comm(sel, comm);
}
