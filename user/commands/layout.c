// SPDX-License-Identifier: GPL-2.0
/* memsnoop layout: one process drawn high memory to low (view/layout.c). */
#include <stdio.h>
#include "commands/list.h"
#include "commands/settings.h"
#include "stream.h"
#include "view/layout_view.h"

static int layout_check(const struct settings *s)
{
	if (s->sel.nr_pids != 1 && !s->argc) {
		fprintf(stderr,
			"memsnoop: layout needs one process: -p PID, or a command after --\n");
		return -1;
	}
	return 0;
}

/* Before the model: its snapshots are of the state each record finds. */
static int layout_start(struct run *r)
{
	struct layout_view_opts o = {
		.pid = r->pid,
		.interval = r->s->interval,
		.replay = r->replay != NULL,
		.json = r->s->json,
		.stacks = r->stacks,
	};
	struct frame_view fv;

	r->priv = layout_view__new(&o, r->model);
	if (!r->priv || stream__add_before(r->stream, layout_view__pre_fn, r->priv))
		return -1;
	fv = layout_view__view(r->priv);
	r->ui = command__ui(r, &fv);
	return r->ui ? 0 : -1;
}

static bool layout_present(struct run *r)
{
	return !layout_view__check(r->priv);
}

static int layout_show(struct run *r, bool present, __u64 at)
{
	if (present)
		ui__once(r->ui, at);
	return 0;
}

static int layout_stop(struct run *r, int status)
{
	layout_view__free(r->priv);
	return status;
}

const struct command cmd_layout = {
	.name = "layout",
	.help = "one process drawn high memory to low (-p PID; --once: text)",
	.filters = true,
	.once = true,
	.check = layout_check,
	.start = layout_start,
	.tick = command__ui_tick,
	.present = layout_present,
	.show = layout_show,
	.stop = layout_stop,
};
