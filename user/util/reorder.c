// SPDX-License-Identifier: GPL-2.0
/*
 * The reorder window (see reorder.h). Held records' bytes sit in one buffer
 * in arrival order; an index sorted by time points into it. Input is nearly
 * sorted, so an insertion is almost always an append. Delivered bytes are
 * reclaimed when the buffer fills (or at once when nothing is left held).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "util/reorder.h"

#define FIRST_BYTES (1u << 20)

struct held {
	__u64 ts;
	__u32 off; /* in buf */
	__u32 size; /* bytes in buf, 8-aligned */
};

struct reorder {
	reorder_fn deliver;
	void *ctx;
	struct held *h; /* h[head..n): sorted by ts, equal times in arrival order */
	size_t head, n, cap;
	char *buf, *spare; /* spare: where compaction copies to */
	__u32 used, held_bytes, size;
	__u64 newest; /* largest ts pushed */
	__u64 delivered; /* largest ts delivered */
	__u64 late;
	bool rounds; /* the source gives rounds: they bound the delay, not record time */
};

struct reorder *reorder__new(reorder_fn deliver, void *ctx)
{
	struct reorder *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->deliver = deliver;
	o->ctx = ctx;
	return o;
}

void reorder__free(struct reorder *o)
{
	if (!o)
		return;
	free(o->h);
	free(o->buf);
	free(o->spare);
	free(o);
}

__u64 reorder__late(const struct reorder *o)
{
	return o->late;
}

/* Delivers every held record at or before upto, then an MS_ROUND if there were any. */
static int deliver_upto(struct reorder *o, __u64 upto)
{
	struct ms_hdr round = { .type = MS_ROUND, .size = sizeof(round) };
	size_t count = 0;
	int err = 0, e;

	while (o->head < o->n && o->h[o->head].ts <= upto) {
		const struct held *r = &o->h[o->head++];

		o->held_bytes -= r->size;
		o->delivered = r->ts;
		e = o->deliver(o->ctx, (const struct ms_hdr *)(o->buf + r->off));
		err = err ? err : e;
		count++;
	}
	if (o->head == o->n) {
		o->head = o->n = 0;
		o->used = 0;
	}
	if (!count)
		return 0;
	round.ts_ns = o->delivered;
	e = o->deliver(o->ctx, &round);
	return err ? err : e;
}

/* Moves the held records to the front of a fresh buffer: delivered bytes come back. */
static void compact(struct reorder *o)
{
	__u32 used = 0;
	char *t;
	size_t i;

	memmove(o->h, o->h + o->head, (o->n - o->head) * sizeof(*o->h));
	o->n -= o->head;
	o->head = 0;
	for (i = 0; i < o->n; i++) {
		memcpy(o->spare + used, o->buf + o->h[i].off, o->h[i].size);
		o->h[i].off = used;
		used += o->h[i].size;
	}
	t = o->buf;
	o->buf = o->spare;
	o->spare = t;
	o->used = used;
}

static int grow(struct reorder *o)
{
	__u32 size = o->size ? o->size * 2 : FIRST_BYTES;
	char *buf = realloc(o->buf, size), *spare;

	if (!buf)
		return -ENOMEM;
	o->buf = buf;
	spare = realloc(o->spare, size);
	if (!spare)
		return -ENOMEM;
	o->spare = spare;
	o->size = size;
	return 0;
}

/* Room for size bytes: reclaim, grow while under the bound, else deliver the older half. */
static int make_room(struct reorder *o, __u32 size)
{
	if (o->used + size <= o->size)
		return 0;
	if (o->n)
		compact(o);
	while (o->held_bytes + size > o->size / 2 && o->size < REORDER_MAX_BYTES)
		if (grow(o))
			break;
	if (o->used + size <= o->size)
		return 0;
	if (o->n) {
		deliver_upto(o, o->h[o->head + (o->n - o->head) / 2].ts);
		if (o->n)
			compact(o);
	}
	return o->used + size <= o->size ? 0 : -ENOSPC;
}

static int make_slot(struct reorder *o)
{
	size_t cap = o->cap ? o->cap * 2 : 4096;
	struct held *h;

	if (o->n < o->cap)
		return 0;
	if (o->head) {
		memmove(o->h, o->h + o->head, (o->n - o->head) * sizeof(*o->h));
		o->n -= o->head;
		o->head = 0;
		return 0;
	}
	h = realloc(o->h, cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	o->h = h;
	o->cap = cap;
	return 0;
}

/* After every held record of the same time or earlier: stable. */
static size_t slot_of(const struct reorder *o, __u64 ts)
{
	size_t lo = o->head, hi = o->n;

	if (hi == lo || o->h[hi - 1].ts <= ts)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->h[mid].ts <= ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int reorder__push(struct reorder *o, const struct ms_hdr *rec)
{
	__u32 size = MS_ALIGN8(rec->size);
	size_t i;
	int err;

	if (rec->ts_ns < o->delivered) {
		o->late++;
		return o->deliver(o->ctx, rec);
	}
	err = make_room(o, size);
	if (!err)
		err = make_slot(o);
	if (err) { /* no memory to hold it: what is held goes first, then this one */
		reorder__flush(o);
		o->late += rec->ts_ns < o->delivered;
		return o->deliver(o->ctx, rec);
	}
	memcpy(o->buf + o->used, rec, rec->size);
	i = slot_of(o, rec->ts_ns);
	memmove(&o->h[i + 1], &o->h[i], (o->n - i) * sizeof(*o->h));
	o->h[i] = (struct held){ .ts = rec->ts_ns, .off = o->used, .size = size };
	o->n++;
	o->used += size;
	o->held_bytes += size;
	if (rec->ts_ns > o->newest)
		o->newest = rec->ts_ns;
	/*
	 * Without rounds, a bound in record time: the older part of two spans
	 * goes. Not with them: a record stamped now (a loss, a fault summary)
	 * would cut a live backlog still in the ring buffer.
	 */
	if (!o->rounds && o->newest - o->h[o->head].ts > 2 * REORDER_SPAN_NS)
		return deliver_upto(o, o->newest - REORDER_SPAN_NS);
	return 0;
}

int reorder__round(struct reorder *o, __u64 upto)
{
	o->rounds = true;
	return deliver_upto(o, upto);
}

int reorder__flush(struct reorder *o)
{
	return deliver_upto(o, ~0ULL);
}
