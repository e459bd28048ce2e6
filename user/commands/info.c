// SPDX-License-Identifier: GPL-2.0
/* memsnoop info -r FILE: what a recording holds (view/info.c). */
#include "commands/list.h"
#include "commands/settings.h"
#include "source/replay.h"
#include "stream.h"
#include "view/info.h"

static int info_start(struct run *r)
{
	r->priv = info_view__new();
	if (!r->priv)
		return -1;
	return stream__add_after(r->stream, info_view__fn, r->priv);
}

static int info_show(struct run *r, bool present, __u64 at)
{
	const struct replay *rp = r->replay;

	info_view__print(r->priv, replay__meta(rp), replay__size(rp), replay__damage(rp),
			 replay__end(rp), r->summary, r->s->json, r->out);
	return 0;
}

static int info_stop(struct run *r, int status)
{
	info_view__free(r->priv);
	return status;
}

const struct command cmd_info = {
	.name = "info",
	.help = "what a recording holds (-r FILE)",
	.needs_recording = true,
	.filters = true,
	.start = info_start,
	.show = info_show,
	.stop = info_stop,
};
