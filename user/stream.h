/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one pipeline: a source (live ring buffer or trace file) emits records
 * in time order; every consumer (model, views, trace writer) sees each one,
 * in the order they were added. Live and replay differ only in the source.
 */
#ifndef MEMSNOOP_STREAM_H
#define MEMSNOOP_STREAM_H

#include "events.h"

typedef int (*stream_fn)(void *ctx, const struct ms_hdr *rec);

struct stream;

struct stream *stream__new(void);
void stream__free(struct stream *s);
/* Consumers run in the order added; a non-zero return stops the emit. */
int stream__add(struct stream *s, stream_fn fn, void *ctx);
int stream__emit(struct stream *s, const struct ms_hdr *rec);

#endif
