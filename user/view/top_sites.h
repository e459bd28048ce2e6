/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memsnoop top --by site: memory grouped by the call site that made it (the
 * innermost frame of its creating call's stack outside libc and the
 * allocators, --stacks), as heaptrack's top allocators: regions, reserved
 * and touched bytes, and the growth since the previous frame.
 */
#ifndef MEMSNOOP_TOP_SITES_H
#define MEMSNOOP_TOP_SITES_H

#include "model/model.h"
#include "analysis/sites.h"
#include "util/selection.h"
#include "view/screen.h"

struct top_sites;

struct top_sites_opts {
	const struct selection *sel; /* the processes counted */
	bool json;
};

struct top_sites *top_sites__new(const struct top_sites_opts *o, const struct model *m,
				 const struct stacks *st);
void top_sites__free(struct top_sites *t); /* NULL-safe */
struct frame_view top_sites__view(struct top_sites *t);

#endif
