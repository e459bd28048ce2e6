// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/pidtab.h"
#include "util/record.h"
#include "source/filter.h"

struct filter {
	const struct selection *s;
	bool on;
	struct pidtab *pids; /* traced processes */
	struct pidtab *comms; /* tid -> last known command name */
};

struct filter *filter__new(const struct selection *s)
{
	struct filter *f = calloc(1, sizeof(*f));
	int i;

	if (!f)
		return NULL;
	f->s = s;
	f->on = !selection__all(s);
	f->pids = pidtab__new(1);
	f->comms = pidtab__new(MS_COMM_LEN);
	if (!f->pids || !f->comms) {
		filter__free(f);
		return NULL;
	}
	for (i = 0; i < s->nr_pids; i++)
		pidtab__put(f->pids, s->pids[i]);
	return f;
}

void filter__free(struct filter *f)
{
	if (!f)
		return;
	pidtab__free(f->pids);
	pidtab__free(f->comms);
	free(f);
}

static bool comm_matches(struct filter *f, const struct ms_hdr *h)
{
	const char *comm = record_comm(h);
	char *known;

	if (comm) {
		known = pidtab__put(f->comms, h->tid);
		if (known)
			memcpy(known, comm, MS_COMM_LEN);
	} else {
		comm = pidtab__get(f->comms, h->tid);
		if (!comm)
			comm = pidtab__get(f->comms, h->pid);
	}
	return selection__comm(f->s, comm);
}

bool filter__pass(struct filter *f, const struct ms_hdr *h)
{
	bool pass;

	if (!f->on ||
	    ((h->type == MS_LOST || h->type == MS_NAME || h->type == MS_CGROUP) && !h->pid))
		return true;
	pass = pidtab__get(f->pids, h->pid) || (f->s->comm[0] && comm_matches(f, h));
	if (h->type == MS_EXIT) { /* a thread's name goes with the thread */
		pidtab__del(f->comms, h->tid);
		if (h->flags & MS_EXIT_GROUP)
			pidtab__del(f->comms, h->pid);
	}
	if (!pass)
		return false;
	if (h->type == MS_FORK && f->s->children && !(h->flags & MS_FORK_THREAD))
		pidtab__put(f->pids, ((const struct ms_fork *)h)->child_pid);
	if (h->type == MS_EXIT && (h->flags & MS_EXIT_GROUP))
		pidtab__del(f->pids, h->pid);
	return true;
}
