// SPDX-License-Identifier: GPL-2.0
/* memsnoop with no command: the event stream, as text or JSON lines. */
#include "commands/list.h"
#include "commands/settings.h"
#include "stream.h"
#include "view/event_view.h"

static int stream_start(struct run *r)
{
	struct event_view_opts o = {
		.json = r->s->json,
		.timestamps = r->s->timestamps,
		.start_ns = r->start_ns,
		.stacks = r->stacks,
		.stack_depth = r->s->stack_depth,
		.oom = r->oom,
		.verbose = r->s->verbose,
	};

	if (r->s->quiet)
		return 0; /* a daemon: metrics, a recording, no events */
	r->priv = event_view__new(&o, r->model, r->out);
	if (!r->priv)
		return -1;
	return stream__add_after(r->stream, event_view__fn, r->priv);
}

static int stream_stop(struct run *r, int status)
{
	event_view__free(r->priv);
	return status;
}

const struct command cmd_stream = {
	.help = "stream memory events: brk, mmap, munmap, mremap, mprotect,\n"
		"           madvise, faults, fork, exec, exit",
	.filters = true,
	.summary = true,
	.start = stream_start,
	.stop = stream_stop,
};
