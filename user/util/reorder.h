/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reorder window between a source and the consumers, the same for live
 * and replay. Records arrive slightly out of time order (one ring buffer for
 * every CPU; user-space records stamped with the kernel time of what they
 * describe) and leave sorted by ts_ns, in arrival order for equal times.
 *
 * A record waits until a round says every record at or before some time has
 * arrived (the live source after each pass over the ring buffer, a replay at
 * each MS_ROUND of its file), until the window holds REORDER_MAX_BYTES, or
 * until the end. A source without rounds (a file without MS_ROUND records)
 * gets a bound in record time instead: a record goes once it is two
 * REORDER_SPAN_NS older than the newest (all up to one span older go).
 * Each batch delivered is followed by an MS_ROUND record, so that a file
 * holding them replays in exactly the order the recording run delivered.
 * A record older than one already delivered is late: it is delivered at
 * once, in place, and counted; it is never dropped.
 */
#ifndef MEMSNOOP_REORDER_H
#define MEMSNOOP_REORDER_H

#include "events.h"

#define REORDER_SPAN_NS (500 * 1000000ULL)
#define REORDER_MAX_BYTES (16u << 20)

/* Gets each record in time order, and an MS_ROUND after each batch. */
typedef int (*reorder_fn)(void *ctx, const struct ms_hdr *rec);

struct reorder;

struct reorder *reorder__new(reorder_fn deliver, void *ctx);
void reorder__free(struct reorder *o); /* NULL-safe; what it holds is dropped */
/* Copies rec into the window (or delivers it, late). The first non-zero return of deliver. */
int reorder__push(struct reorder *o, const struct ms_hdr *rec);
/* Every record at or before upto has arrived: deliver them. */
int reorder__round(struct reorder *o, __u64 upto);
/* The source ended (or a view must see everything now): deliver all. */
int reorder__flush(struct reorder *o);
/* Records that came after a newer one had been delivered. */
__u64 reorder__late(const struct reorder *o);

#endif
