/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one pipeline: a source (live ring buffer or trace file) emits records;
 * a reorder window (reorder.h) puts them in time order; then each record goes
 * through named stages, in this order:
 *
 *   before the model  consumers that need the state the record finds
 *   the model         applies it (model.h)
 *   after the model   consumers told what the model just did (model_change)
 *   sinks             the trace writer: every record, rounds included
 *
 * Within a stage, consumers run in the order added. Live and replay differ
 * only in the source.
 */
#ifndef MEMSNOOP_STREAM_H
#define MEMSNOOP_STREAM_H

#include "events.h"
#include "model/model.h"

/* What the model did with the record a consumer after it is given. */
struct model_change {
	/*
	 * The region the record landed in: mmap/brk/mprotect/mremap the
	 * resulting region, munmap a copy of what was removed (the first piece),
	 * a fault the region hit. NULL if none. Valid during the call only.
	 */
	const struct region *region;
	enum region_class cls; /* region's, RC_UNKNOWN without one */
	const struct mproc *proc; /* the record's process as it is now; NULL if none */
};

typedef int (*stream_fn)(void *ctx, const struct ms_hdr *rec);
typedef int (*stream_after_fn)(void *ctx, const struct ms_hdr *rec,
			       const struct model_change *change);

struct stream;

/* m: the model stage (NULL: none; consumers after it get an empty change). */
struct stream *stream__new(struct model *m);
void stream__free(struct stream *s);
/* A non-zero return from a consumer stops that record's delivery. */
int stream__add_before(struct stream *s, stream_fn fn, void *ctx);
int stream__add_after(struct stream *s, stream_after_fn fn, void *ctx);
/* A sink that also gets the MS_ROUND records: a trace writer, so its file replays in order. */
int stream__add_writer(struct stream *s, stream_fn fn, void *ctx);
/* A record from the source; an MS_ROUND one is a round (below). */
int stream__emit(struct stream *s, const struct ms_hdr *rec);
/* The source has given every record at or before upto: they go to the consumers. */
int stream__round(struct stream *s, __u64 upto);
/* The source ended, or a view must see everything now: every held record goes. */
int stream__flush(struct stream *s);
/* Records that came after a newer one had been delivered (delivered in place). */
__u64 stream__late(const struct stream *s);

#endif
