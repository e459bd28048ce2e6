// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "util/reorder.h"
#include "stream.h"

#define STREAM_MAX_CONSUMERS 16

union consumer_fn {
	stream_fn rec; /* before the model, and sinks */
	stream_after_fn after;
};

struct consumers {
	int n;
	union consumer_fn fn[STREAM_MAX_CONSUMERS];
	void *ctx[STREAM_MAX_CONSUMERS];
};

struct stream {
	struct consumers before, after, sinks;
	struct model *model;
	struct reorder *order;
};

static int run_before(const struct consumers *c, const struct ms_hdr *rec)
{
	int i, err;

	for (i = 0; i < c->n; i++) {
		err = c->fn[i].rec(c->ctx[i], rec);
		if (err)
			return err;
	}
	return 0;
}

static void apply_model(struct stream *s, const struct ms_hdr *rec, struct model_change *chg)
{
	if (!s->model)
		return;
	model__apply(s->model, rec);
	chg->region = model__event_region(s->model);
	chg->cls = chg->region ? chg->region->cls : RC_UNKNOWN;
	chg->proc = model__process(s->model, rec->pid);
}

static int run_after(const struct consumers *c, const struct ms_hdr *rec,
		     const struct model_change *chg)
{
	int i, err;

	for (i = 0; i < c->n; i++) {
		err = c->fn[i].after(c->ctx[i], rec, chg);
		if (err)
			return err;
	}
	return 0;
}

/* What leaves the reorder window, through the stages. Rounds go to the sinks only. */
static int deliver(void *ctx, const struct ms_hdr *rec)
{
	struct model_change chg = { .cls = RC_UNKNOWN };
	struct stream *s = ctx;
	int err;

	if (rec->type == MS_ROUND)
		return run_before(&s->sinks, rec);
	err = run_before(&s->before, rec);
	if (err)
		return err;
	apply_model(s, rec, &chg);
	err = run_after(&s->after, rec, &chg);
	return err ? err : run_before(&s->sinks, rec);
}

struct stream *stream__new(struct model *m)
{
	struct stream *s = calloc(1, sizeof(struct stream));

	if (!s)
		return NULL;
	s->model = m;
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

static int add(struct consumers *c, union consumer_fn fn, void *ctx)
{
	if (c->n == STREAM_MAX_CONSUMERS)
		return -ENOSPC;
	c->fn[c->n] = fn;
	c->ctx[c->n] = ctx;
	c->n++;
	return 0;
}

int stream__add_before(struct stream *s, stream_fn fn, void *ctx)
{
	return add(&s->before, (union consumer_fn){ .rec = fn }, ctx);
}

int stream__add_after(struct stream *s, stream_after_fn fn, void *ctx)
{
	return add(&s->after, (union consumer_fn){ .after = fn }, ctx);
}

int stream__add_writer(struct stream *s, stream_fn fn, void *ctx)
{
	return add(&s->sinks, (union consumer_fn){ .rec = fn }, ctx);
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
