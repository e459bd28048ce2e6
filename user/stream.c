// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "util/reorder.h"
#include "stream.h"

#define STREAM_MAX_CONSUMERS 16

struct stream {
	int n;
	stream_fn fn[STREAM_MAX_CONSUMERS];
	void *ctx[STREAM_MAX_CONSUMERS];
	bool rounds[STREAM_MAX_CONSUMERS]; /* gets MS_ROUND records */
	struct reorder *order;
};

/* What leaves the reorder window, to every consumer. */
static int deliver(void *ctx, const struct ms_hdr *rec)
{
	struct stream *s = ctx;
	int i, err;

	for (i = 0; i < s->n; i++) {
		if (rec->type == MS_ROUND && !s->rounds[i])
			continue;
		err = s->fn[i](s->ctx[i], rec);
		if (err)
			return err;
	}
	return 0;
}

struct stream *stream__new(void)
{
	struct stream *s = calloc(1, sizeof(struct stream));

	if (!s)
		return NULL;
	s->order = reorder__new(deliver, s);
	if (!s->order) {
		free(s);
		return NULL;
	}
	return s;
}

void stream__free(struct stream *s)
{
	if (!s)
		return;
	reorder__free(s->order);
	free(s);
}

static int add(struct stream *s, stream_fn fn, void *ctx, bool rounds)
{
	if (s->n == STREAM_MAX_CONSUMERS)
		return -ENOSPC;
	s->fn[s->n] = fn;
	s->ctx[s->n] = ctx;
	s->rounds[s->n] = rounds;
	s->n++;
	return 0;
}

int stream__add(struct stream *s, stream_fn fn, void *ctx)
{
	return add(s, fn, ctx, false);
}

int stream__add_writer(struct stream *s, stream_fn fn, void *ctx)
{
	return add(s, fn, ctx, true);
}

int stream__emit(struct stream *s, const struct ms_hdr *rec)
{
	if (rec->type == MS_ROUND)
		return reorder__round(s->order, rec->ts_ns);
	return reorder__push(s->order, rec);
}

int stream__round(struct stream *s, __u64 upto)
{
	return reorder__round(s->order, upto);
}

int stream__flush(struct stream *s)
{
	return reorder__flush(s->order);
}

__u64 stream__late(const struct stream *s)
{
	return reorder__late(s->order);
}
