/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the two halves of explain.h: crashes (explain.c) and ENOMEM (enomem.c). */
#ifndef MEMSNOOP_EXPLAIN_INT_H
#define MEMSNOOP_EXPLAIN_INT_H

#include <stddef.h>
#include "analysis/explain.h"
#include "util/pidtab.h"

#define MAX_MAP_COUNT 65530 /* vm.max_map_count's default */

struct explain {
	const struct model *m;
	struct pidtab *procs; /* struct pstate by pid */
	const struct stacks *stacks; /* --stacks: who unmapped; NULL: not known */
};

/* The layout around an address */
struct near {
	__u64 addr;
	const struct region *below, *above; /* nearest regions on each side */
	const struct region *stack, *heap; /* the main stack, the heap */
	const struct region *prev; /* walking state */
	const struct region *containing;
};

void find_near(const struct model *m, __u32 pid, __u64 addr, struct near *n);
/* "[text] /usr/bin/prog 55d0c0000000-55d0c0001000 r-x" */
char *describe_region(char *buf, size_t len, const struct region *r);
/* "8M", "unlimited", or "unknown" when no record said. */
char *fmt_limit(char *buf, size_t len, const struct mproc *p, __u64 v);
/* The explanation: its cause token and its one line. */
void say(struct explanation *out, const char *cause, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
