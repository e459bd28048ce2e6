/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the layout view's GROWTH column compares with: at each window
 * boundary, a snapshot of one process's region sizes (a block known across
 * windows by its start, the main stack by its end), taken of the state
 * before the first record past the boundary.
 */
#ifndef MEMSNOOP_LAYOUT_GROWTH_H
#define MEMSNOOP_LAYOUT_GROWTH_H

#include "model/model.h"

struct snap_ent {
	__u64 key, size;
};

struct snapshot {
	__u64 ts; /* 0: none */
	struct snap_ent *e;
	size_t nr;
};

struct growth_history {
	__u64 next; /* the next window boundary; 0: none seen yet */
	struct snapshot old, cur;
};

/* Snapshots at the window boundaries up to ts, of the model's state now. */
void growth_history__advance(struct growth_history *g, const struct model *m, __u32 pid, __u64 ts,
			     __u64 window);
/* What a frame at now compares with: the last snapshot if half a window old, else the one before. */
const struct snapshot *growth_history__base(const struct growth_history *g, __u64 now,
					    __u64 window);
void growth_history__free(struct growth_history *g); /* its snapshots */

enum growth { G_UNKNOWN, G_NEW, G_SIZE };

/* How a region's size changed since base: *diff bytes, new, or unknown (no layout then). */
enum growth snapshot__growth(const struct snapshot *base, const struct region *r, __s64 *diff);

#endif
