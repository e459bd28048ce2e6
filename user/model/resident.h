/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A process's latest resident sample (MS_RESIDENT records): its ranges in
 * address order, and the one still arriving. Internal to the model.
 */
#ifndef MEMSNOOP_MODEL_RESIDENT_H
#define MEMSNOOP_MODEL_RESIDENT_H
#include <stdbool.h>
#include "events.h"

struct resident {
	__u64 ts_ns; /* the whole sample's; 0: none yet */
	struct ms_rss_range *r; /* ascending, apart */
	size_t nr, cap;
	struct ms_rss_range *next; /* the sample arriving */
	size_t next_nr, next_cap;
	__u64 next_ts; /* its time; 0: none arriving */
	__u64 rss, anon, swap; /* totals in pages */
};

void resident__free(struct resident *r); /* NULL-safe */
/* A record of a sample; true when it completed one (*rp made if NULL). */
bool resident__add(struct resident **rp, const struct ms_resident *rec);
/* Pages in [start, end): out[0] resident, out[1] anonymous, out[2] swapped. */
void resident__range(const struct resident *r, __u64 start, __u64 end, __u64 out[3]);

#endif
