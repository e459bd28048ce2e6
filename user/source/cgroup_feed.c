// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/clock.h"
#include "util/pidtab.h"
#include "source/cgroup.h"
#include "source/cgroup_feed.h"

#define FEED_MAX_CGROUPS 4096 /* paths remembered as written */
#define FEED_MAX_SAMPLED 256 /* cgroups whose usage is read per interval */

struct feed_cg {
	__u64 id;
	unsigned hierarchy;
	bool sampled; /* this interval */
	char path[];
};

struct cgroup_feed {
	struct stream *s;
	struct pidtab *pids; /* pid -> struct ms_cgroup_ids */
	struct feed_cg **cg; /* in the stream already */
	size_t nr;
	unsigned mem_hierarchy; /* where the memory controller is */
	__u64 ts; /* of the sample being taken */
	unsigned nr_sampled;
};

struct cgroup_feed *cgroup_feed__new(struct stream *s)
{
	struct cgroup_feed *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->s = s;
	f->mem_hierarchy = cgroup__memory_hierarchy();
	f->pids = pidtab__new(sizeof(struct ms_cgroup_ids));
	f->cg = calloc(FEED_MAX_CGROUPS, sizeof(*f->cg));
	if (!f->pids || !f->cg) {
		cgroup_feed__free(f);
		return NULL;
	}
	return f;
}

void cgroup_feed__free(struct cgroup_feed *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nr; i++)
		free(f->cg[i]);
	free(f->cg);
	pidtab__free(f->pids);
	free(f);
}

static struct feed_cg *find(struct cgroup_feed *f, unsigned hierarchy, __u64 id)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		if (f->cg[i]->id == id && f->cg[i]->hierarchy == hierarchy)
			return f->cg[i];
	return NULL;
}

static void emit(struct cgroup_feed *f, const struct feed_cg *c, const struct memcg_usage *u,
		 __u64 ts)
{
	union {
		struct ms_cgroup c;
		char buf[MS_REC_MAX];
	} r;
	size_t len = strlen(c->path);

	if (len > MS_REC_MAX - sizeof(r.c) - 1)
		return;
	memset(&r, 0, sizeof(r.c) + MS_ALIGN8(len + 1));
	r.c.h.ts_ns = ts;
	r.c.h.type = MS_CGROUP;
	r.c.h.size = sizeof(r.c) + MS_ALIGN8(len + 1);
	r.c.id = c->id;
	r.c.hierarchy = c->hierarchy;
	r.c.path_len = len;
	memcpy(r.c.path, c->path, len + 1);
	if (u) {
		r.c.h.flags = MS_CG_HAS_USAGE | (u->has_limit ? MS_CG_HAS_LIMIT : 0);
		r.c.limit = u->limit;
		r.c.usage = u->usage;
	}
	stream__emit(f->s, &r.c.h);
}

/* The cgroup's path into the stream once: with its limit and usage when it is the one shown. */
static void add(struct cgroup_feed *f, unsigned hierarchy, __u64 id, __u64 ts)
{
	char path[4096];
	struct memcg_usage u;
	struct feed_cg *c;
	size_t len;

	if (!id || f->nr == FEED_MAX_CGROUPS || find(f, hierarchy, id) ||
	    cgroup__path_in(hierarchy, id, path, sizeof(path)))
		return;
	len = strlen(path);
	c = malloc(sizeof(*c) + len + 1);
	if (!c)
		return;
	c->id = id;
	c->hierarchy = hierarchy;
	c->sampled = false;
	memcpy(c->path, path, len + 1);
	f->cg[f->nr++] = c;
	emit(f, c, memcg__read_in(hierarchy, path, &u) ? NULL : &u, ts);
}

void cgroup_feed__set(struct cgroup_feed *f, __u32 pid, const struct ms_cgroup_ids *ids, __u64 ts)
{
	struct ms_cgroup_ids *known = pidtab__put(f->pids, pid);

	if (known)
		*known = *ids;
	add(f, MS_CG_V2, ids->dfl, ts);
	if (f->mem_hierarchy == MS_CG_V1_MEMORY)
		add(f, MS_CG_V1_MEMORY, ids->mem, ts);
}

bool cgroup_feed__knows(struct cgroup_feed *f, __u32 pid)
{
	return pidtab__get(f->pids, pid) != NULL;
}

void cgroup_feed__note(struct cgroup_feed *f, const struct ms_hdr *h)
{
	const struct ms_fork *fk = (const void *)h;
	const struct ms_seed_begin *b = (const void *)h;
	const struct ms_cgroup_move *mv = (const void *)h;

	switch (h->type) {
	case MS_FORK:
		if (!(h->flags & MS_FORK_THREAD) && h->size >= sizeof(*fk))
			cgroup_feed__set(f, fk->child_pid, &fk->cg, h->ts_ns);
		break;
	case MS_SEED_BEGIN:
		if (h->size >= sizeof(*b))
			cgroup_feed__set(f, h->pid, &b->cg, h->ts_ns);
		break;
	case MS_CGROUP_MOVE:
		cgroup_feed__set(f, h->pid, &mv->cg, h->ts_ns);
		break;
	case MS_EXIT:
		if (h->flags & MS_EXIT_GROUP)
			pidtab__del(f->pids, h->pid);
		break;
	}
}

static bool sample_pid(__u32 pid, void *ctx)
{
	struct cgroup_feed *f = ctx;
	const struct ms_cgroup_ids *ids = pidtab__get(f->pids, pid);
	bool v1 = f->mem_hierarchy == MS_CG_V1_MEMORY;
	struct memcg_usage u;
	struct feed_cg *c;

	if (!ids || f->nr_sampled >= FEED_MAX_SAMPLED)
		return true;
	c = v1 ? find(f, MS_CG_V1_MEMORY, ids->mem) : find(f, MS_CG_V2, ids->dfl);
	if (!c || c->sampled)
		return true;
	c->sampled = true;
	f->nr_sampled++;
	if (!memcg__read_in(c->hierarchy, c->path, &u))
		emit(f, c, &u, f->ts);
	return true;
}

void cgroup_feed__sample(struct cgroup_feed *f)
{
	size_t i;

	f->ts = now_ns();
	f->nr_sampled = 0;
	pidtab__prune(f->pids, sample_pid, f);
	for (i = 0; i < f->nr; i++)
		f->cg[i]->sampled = false;
}
