// SPDX-License-Identifier: GPL-2.0
/* memsnoop maps: each selected process's layout, rebuilt from the events. */
#include "commands/list.h"
#include "commands/settings.h"
#include "util/clock.h"
#include "view/maps_view.h"

/* at: the moment shown; 0: now when live, unknown (the end) in a recording */
static struct maps_view_opts opts_of(const struct run *r, __u64 at)
{
	return (struct maps_view_opts){
		.sel = &r->s->sel,
		.format = r->s->format,
		.json = r->s->json,
		.replay = r->replay != NULL,
		.stacks = r->s->stacks ? r->stacks : NULL,
		.stack_depth = r->s->stack_depth,
		.now_ns = at ?: (r->replay ? 0 : now_ns()),
		.start_ns = r->start_ns,
	};
}

static void print(const struct run *r, __u64 at)
{
	struct maps_view_opts o = opts_of(r, at);

	maps_view__print(r->model, &o, r->out);
}

/* Live, refreshing: the screen cleared, then the table (JSON: a stream of objects). */
static int maps_tick(struct run *r, __u64 now)
{
	if (r->s->once)
		return 0;
	if (!r->s->json)
		fputs("\033[H\033[2J", r->out);
	print(r, 0);
	return 0;
}

static bool maps_present(struct run *r)
{
	struct maps_view_opts o = opts_of(r, 0);

	return !maps_view__check(r->model, &o);
}

/* Those that are there, even when some are not. */
static int maps_show(struct run *r, bool present, __u64 at)
{
	print(r, at);
	return 0;
}

static void maps_finish(struct run *r)
{
	print(r, 0);
}

/*
 * Not filtered on replay: a child's layout starts as a copy of its parent's,
 * so the model needs every record; the view selects what it shows.
 */
const struct command cmd_maps = {
	.name = "maps",
	.help = "each traced process's memory layout, rebuilt from the events",
	.once = true,
	.tick = maps_tick,
	.present = maps_present,
	.show = maps_show,
	.finish = maps_finish,
};
