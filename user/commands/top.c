// SPDX-License-Identifier: GPL-2.0
/* memsnoop top: the per-process table, refreshing (view/top.c). */
#include <stdlib.h>
#include "commands/list.h"
#include "commands/settings.h"
#include "stream.h"
#include "view/top.h"
#include "view/top_cgroups.h"
#include "view/top_sites.h"

/* --by cgroup: top's rows, summed by cgroup */
struct by_cgroup {
	struct top *top;
	struct top_cgroups *tc;
};

static void cgroups_free(struct by_cgroup *b)
{
	if (!b)
		return;
	top_cgroups__free(b->tc);
	top__free(b->top);
	free(b);
}

static int cgroups_start(struct run *r, const struct top_opts *o)
{
	struct top_cgroups_opts co = { .json = r->s->json };
	struct by_cgroup *b = calloc(1, sizeof(*b));
	struct frame_view fv;

	r->priv = b;
	if (!b)
		return -1;
	b->top = top__new(o, r->model);
	b->tc = b->top ? top_cgroups__new(&co, r->model, b->top) : NULL;
	if (!b->tc || stream__add_after(r->stream, top__fn, b->top))
		return -1;
	fv = top_cgroups__view(b->tc);
	r->ui = command__ui(r, &fv);
	return r->ui ? 0 : -1;
}

/* --by site: what each call site made (--stacks), no stream consumer of its own */
static int sites_start(struct run *r)
{
	struct top_sites_opts o = { .sel = &r->s->sel, .json = r->s->json };
	struct frame_view fv;

	r->priv = top_sites__new(&o, r->model, r->stacks);
	if (!r->priv)
		return -1;
	fv = top_sites__view(r->priv);
	r->ui = command__ui(r, &fv);
	return r->ui ? 0 : -1;
}

static int top_start(struct run *r)
{
	struct top_opts o = { .sel = &r->s->sel, .interval = r->s->interval, .json = r->s->json };
	struct frame_view fv;

	if (r->s->by_site)
		return sites_start(r);
	if (r->s->by_cgroup)
		return cgroups_start(r, &o);
	r->priv = top__new(&o, r->model);
	if (!r->priv || stream__add_after(r->stream, top__fn, r->priv))
		return -1;
	fv = top__view(r->priv);
	r->ui = command__ui(r, &fv);
	return r->ui ? 0 : -1;
}

static int top_show(struct run *r, bool present, __u64 at)
{
	ui__once(r->ui, at);
	return 0;
}

static int top_stop(struct run *r, int status)
{
	if (r->s->by_site)
		top_sites__free(r->priv);
	else if (r->s->by_cgroup)
		cgroups_free(r->priv);
	else
		top__free(r->priv);
	return status;
}

const struct command cmd_top = {
	.name = "top",
	.help = "per-process memory table, refreshing, like top (-b: batch)",
	.filters = true,
	.start = top_start,
	.tick = command__ui_tick,
	.show = top_show,
	.stop = top_stop,
};
