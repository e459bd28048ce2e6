/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one pipeline: a source (live ring buffer or trace file) emits records;
 * a reorder window (reorder.h) puts them in time order; every consumer
 * (model, views, trace writer) sees each one, in the order they were added.
 * Live and replay differ only in the source.
 */
#ifndef MEMSNOOP_STREAM_H
#define MEMSNOOP_STREAM_H

#include "events.h"

typedef int (*stream_fn)(void *ctx, const struct ms_hdr *rec);

struct stream;

struct stream *stream__new(void);
void stream__free(struct stream *s);
/* Consumers run in the order added; a non-zero return stops that record's delivery. */
int stream__add(struct stream *s, stream_fn fn, void *ctx);
/* A consumer that also gets the MS_ROUND records: a trace writer, so its file replays in order. */
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
