/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memsnoop top --by cgroup: top's process rows summed by the cgroup each
 * process is in (view/top.h), with the memory controller's limit and usage
 * as the stream's MS_CGROUP records last gave them, and usage against limit.
 */
#ifndef MEMSNOOP_TOP_CGROUPS_H
#define MEMSNOOP_TOP_CGROUPS_H

#include <stdbool.h>
#include "model/model.h"
#include "view/screen.h"
#include "view/top.h"

struct top_cgroups;

struct top_cgroups_opts {
	bool json;
};

/* t: the per-process top whose rows are summed (a consumer of the stream). */
struct top_cgroups *top_cgroups__new(const struct top_cgroups_opts *o, const struct model *m,
				     struct top *t);
void top_cgroups__free(struct top_cgroups *tc); /* NULL-safe; t is the caller's */
struct frame_view top_cgroups__view(struct top_cgroups *tc);

#endif
