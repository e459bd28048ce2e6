// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "pidtab.h"
#include "source/filter.h"

struct filter {
	const struct settings *s;
	bool on;
	struct pidtab *pids; /* traced processes */
	struct pidtab *comms; /* tid -> last known command name */
};

struct filter *filter__new(const struct settings *s)
{
	struct filter *f = calloc(1, sizeof(*f));
	int i;

	if (!f)
		return NULL;
	f->s = s;
	f->on = s->nr_pids || s->comm[0];
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

static const char *record_comm(const struct ms_hdr *h)
{
	switch (h->type) {
	case MS_BRK ... MS_MADVISE:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
		return ((const struct ms_syscall *)h)->comm;
	case MS_FORK:
		return ((const struct ms_fork *)h)->comm;
	case MS_EXEC:
		return ((const struct ms_exec *)h)->comm;
	case MS_EXIT:
		return ((const struct ms_exit *)h)->comm;
	case MS_SEED_BEGIN:
		return ((const struct ms_seed_begin *)h)->comm;
	}
	return NULL;
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
	return comm && !strncmp(comm, f->s->comm, MS_COMM_LEN);
}

bool filter__pass(struct filter *f, const struct ms_hdr *h)
{
	bool pass;

	if (!f->on || ((h->type == MS_LOST || h->type == MS_NAME) && !h->pid))
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
