/* SPDX-License-Identifier: GPL-2.0 */
/* The closing summary: events by type, page faults, losses. */
#ifndef MEMSNOOP_SUMMARY_H
#define MEMSNOOP_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>
#include "events.h"

struct summary {
	__u64 by_type[MS_TYPE_MAX];
	__u64 events; /* every record a view prints */
	__u64 faults; /* every fault, streamed or counted */
	__u64 lost;
};

int summary__fn(void *ctx, const struct ms_hdr *rec); /* a stream_fn; ctx: struct summary */
void summary__print(const struct summary *s, bool json, FILE *f);

#endif
