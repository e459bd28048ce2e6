// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "stream.h"

#define STREAM_MAX_CONSUMERS 16

struct stream {
	int n;
	stream_fn fn[STREAM_MAX_CONSUMERS];
	void *ctx[STREAM_MAX_CONSUMERS];
};

struct stream *stream__new(void)
{
	return calloc(1, sizeof(struct stream));
}

void stream__free(struct stream *s)
{
	free(s);
}

int stream__add(struct stream *s, stream_fn fn, void *ctx)
{
	if (s->n == STREAM_MAX_CONSUMERS)
		return -ENOSPC;
	s->fn[s->n] = fn;
	s->ctx[s->n] = ctx;
	s->n++;
	return 0;
}

int stream__emit(struct stream *s, const struct ms_hdr *rec)
{
	int i, err;

	for (i = 0; i < s->n; i++) {
		err = s->fn[i](s->ctx[i], rec);
		if (err)
			return err;
	}
	return 0;
}
