/* SPDX-License-Identifier: GPL-2.0 */
/* The closing summary: events by type, page faults, losses. */
#ifndef MEMSNOOP_SUMMARY_H
#define MEMSNOOP_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>
#include "events.h"
#include "stream.h"

struct model;

struct summary {
	const struct model *m; /* to tell stack growth from other low faults */
	__u64 by_type[MS_TYPE_MAX];
	__u64 events; /* every record a view prints */
	__u64 faults; /* every fault, streamed or counted */
	__u64 lost;
};

/*
 * A stream_after_fn; ctx: struct summary. It counts records by type, but
 * `stack` counts what the event stream shows: the times the main stack grew.
 */
int summary__fn(void *ctx, const struct ms_hdr *rec, const struct model_change *chg);
void summary__print(const struct summary *s, bool json, FILE *f);

#endif
