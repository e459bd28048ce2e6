// SPDX-License-Identifier: GPL-2.0
/* The layout view's snapshots of region sizes: see layout_growth.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "view/layout_growth.h"

/* A block's identity across windows: the main stack grows down, so its end. */
static __u64 key_of(const struct region *r)
{
	return r->cls == RC_STACK ? r->end : r->start;
}

static void snap_fn(const struct region *r, void *arg)
{
	struct snapshot *s = arg;
	struct snap_ent *e = realloc(s->e, (s->nr + 1) * sizeof(*e));

	if (!e)
		return;
	s->e = e;
	e[s->nr++] = (struct snap_ent){ key_of(r), r->end - r->start };
}

static int cmp_ent(const void *a, const void *b)
{
	const struct snap_ent *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static void take_snapshot(struct growth_history *g, const struct model *m, __u32 pid, __u64 ts)
{
	free(g->old.e);
	g->old = g->cur;
	memset(&g->cur, 0, sizeof(g->cur));
	g->cur.ts = ts;
	model__for_each_region(m, pid, snap_fn, &g->cur);
	if (g->cur.nr)
		qsort(g->cur.e, g->cur.nr, sizeof(*g->cur.e), cmp_ent);
}

/*
 * The first boundary after ts, counted in windows from next <= ts: no loop
 * (a trace may jump years ahead) and no wrap (the last boundary is ~0).
 */
static __u64 next_boundary(__u64 next, __u64 ts, __u64 window)
{
	__u64 steps = (ts - next) / window + 1;

	if (steps > (~0ULL - next) / window)
		return ~0ULL;
	return next + steps * window;
}

void growth_history__advance(struct growth_history *g, const struct model *m, __u32 pid, __u64 ts,
			     __u64 window)
{
	if (!g->next)
		g->next = ts;
	if (ts < g->next)
		return;
	take_snapshot(g, m, pid, g->next);
	g->next = next_boundary(g->next, ts, window);
}

const struct snapshot *growth_history__base(const struct growth_history *g, __u64 now, __u64 window)
{
	if (g->cur.ts && now - g->cur.ts >= window / 2)
		return &g->cur;
	return g->old.ts ? &g->old : &g->cur;
}

void growth_history__free(struct growth_history *g)
{
	free(g->old.e);
	free(g->cur.e);
}

static __u64 min_u64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

enum growth snapshot__growth(const struct snapshot *base, const struct region *r, __s64 *diff)
{
	struct snap_ent key = { key_of(r), 0 }, *e;
	__u64 size;

	if (!base || !base->nr) /* no layout then: before its seed */
		return G_UNKNOWN;
	e = bsearch(&key, base->e, base->nr, sizeof(key), cmp_ent);
	if (!e)
		return G_NEW;
	size = r->end - r->start; /* compared unsigned: a trace's sizes can be any */
	*diff = size >= e->size ? (__s64)min_u64(size - e->size, INT64_MAX) :
				  -(__s64)min_u64(e->size - size, INT64_MAX);
	return G_SIZE;
}
