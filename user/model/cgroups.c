// SPDX-License-Identifier: GPL-2.0
/* Cgroups: their paths, limits and usage (MS_CGROUP), and which one a process is in. */
#include <stdlib.h>
#include <string.h>
#include "model_int.h"

static int cmp(__u64 id, unsigned hierarchy, const struct mcgroup *c)
{
	if (id != c->id)
		return id < c->id ? -1 : 1;
	return hierarchy < c->hierarchy ? -1 : hierarchy > c->hierarchy;
}

/* The index of (id, hierarchy), or where it would go (*found false). */
static size_t search(const struct model *m, __u64 id, unsigned hierarchy, bool *found)
{
	size_t lo = 0, hi = m->nr_cgroups;

	*found = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp(id, hierarchy, &m->cgroups[mid]);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static const struct mcgroup *find(const struct model *m, __u64 id, unsigned hierarchy)
{
	bool found;
	size_t i;

	if (!id)
		return NULL;
	i = search(m, id, hierarchy, &found);
	return found ? &m->cgroups[i] : NULL;
}

static struct mcgroup *insert(struct model *m, __u64 id, unsigned hierarchy)
{
	bool found;
	size_t i = search(m, id, hierarchy, &found);
	struct mcgroup *c;

	if (found)
		return &m->cgroups[i];
	if (m->nr_cgroups == MODEL_MAX_CGROUPS)
		return NULL;
	if (!m->cgroups) {
		m->cgroups = calloc(MODEL_MAX_CGROUPS, sizeof(*m->cgroups));
		if (!m->cgroups)
			return NULL;
	}
	c = &m->cgroups[i];
	memmove(c + 1, c, (m->nr_cgroups - i) * sizeof(*c));
	m->nr_cgroups++;
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->hierarchy = hierarchy;
	return c;
}

void on_cgroup(struct model *m, const struct ms_cgroup *r)
{
	struct mcgroup *c;
	char *path;

	if (r->hierarchy != MS_CG_V2 && r->hierarchy != MS_CG_V1_MEMORY)
		return;
	c = insert(m, r->id, r->hierarchy);
	if (!c)
		return;
	if (!c->path || strcmp(c->path, r->path)) {
		path = strdup(r->path);
		if (!path)
			return;
		free((char *)c->path);
		c->path = path;
	}
	if (r->h.flags & MS_CG_HAS_USAGE) {
		c->has_usage = true;
		c->has_limit = r->h.flags & MS_CG_HAS_LIMIT;
		c->usage = r->usage;
		c->limit = c->has_limit ? r->limit : 0;
		c->ts_ns = r->h.ts_ns;
	}
}

void on_cgroup_move(struct model *m, const struct ms_cgroup_move *mv)
{
	struct proc *p = proc_get(m, &mv->h, NULL); /* it may have just entered the trace */

	if (p)
		p->p.cg = mv->cg;
}

void cgroups_free(struct model *m)
{
	size_t i;

	for (i = 0; i < m->nr_cgroups; i++)
		free((char *)m->cgroups[i].path);
	free(m->cgroups);
}

const struct mcgroup *model__cgroup_of(const struct model *m, const struct mproc *p)
{
	const struct mcgroup *c;

	if (!m || !p)
		return NULL;
	c = find(m, p->cg.mem, MS_CG_V1_MEMORY);
	if (!c || !c->path)
		c = find(m, p->cg.dfl, MS_CG_V2);
	return c && c->path ? c : NULL;
}
