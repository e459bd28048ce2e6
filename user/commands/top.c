// SPDX-License-Identifier: GPL-2.0
/* memsnoop top: the per-process table, refreshing (view/top.c). */
#include "commands/list.h"
#include "commands/settings.h"
#include "stream.h"
#include "view/top.h"
#include "view/top_sites.h"

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
