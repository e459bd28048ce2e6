/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Call sites (--stacks): memory grouped by the call that made it, each
 * region counted under the innermost frame of its creating call's stack
 * outside libc and the allocators (stack__site), as heaptrack's top
 * allocators. One table of sites that `top --by site` and the report fill
 * from the model's regions.
 */
#ifndef MEMSNOOP_SITES_H
#define MEMSNOOP_SITES_H

#include "model/model.h"
#include "symbols/stacks.h"

struct site {
	const char *sym; /* NULL: no symbol; then the module and address name it */
	const char *module;
	__u64 ip; /* only when there is no symbol */
	__u64 regions, reserved, touched; /* counted by sites__add_region */
	__u64 before; /* reserved at the previous count, for its user to keep */
};

struct sites {
	const struct model *m;
	const struct stacks *st;
	struct site *v; /* an index into it names a site until sites__release */
	size_t nr, cap;
};

void sites__init(struct sites *t, const struct model *m, const struct stacks *st);
void sites__release(struct sites *t);
/* The site that made pid's region r; NULL when its call had no stack. */
struct site *sites__of_region(struct sites *t, __u32 pid, const struct region *r);
/* r counted under its site (a region, its reserved and touched bytes); NULL as above. */
struct site *sites__add_region(struct sites *t, __u32 pid, const struct region *r);
/* Adds the regions of a live process (an exited one has none). */
void sites__add_process(struct sites *t, const struct mproc *p);
/* Its function, else its address. */
const char *site__name(const struct site *s, char *buf, size_t size);

#endif
