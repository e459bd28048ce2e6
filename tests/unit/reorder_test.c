// SPDX-License-Identifier: GPL-2.0
/*
 * The reorder window: sorted and stable output, rounds, late records
 * delivered in place and counted, the time and memory bounds, and its output
 * (records and MS_ROUNDs, as a trace file holds them) replays in the very
 * same order.
 */
#include <stdbool.h>
#include <stdlib.h>
#include "check.h"
#include "util/reorder.h"

#define MAX_OUT 400000

struct rec {
	struct ms_hdr h;
	__u64 seq; /* arrival number */
};

struct out {
	struct rec r[MAX_OUT];
	int n, rounds;
	bool keep_rounds; /* store MS_ROUNDs too, as a trace writer does */
};

static int collect(void *ctx, const struct ms_hdr *h)
{
	struct out *o = ctx;

	if (h->type == MS_ROUND)
		o->rounds++;
	if ((h->type != MS_ROUND || o->keep_rounds) && o->n < MAX_OUT) {
		memset(&o->r[o->n], 0, sizeof(o->r[0]));
		memcpy(&o->r[o->n], h, h->size < sizeof(struct rec) ? h->size : sizeof(struct rec));
		o->n++;
	}
	return 0;
}

static void push_sized(struct reorder *o, __u64 ts, __u64 seq, __u16 size)
{
	union {
		struct rec r;
		char b[1024];
	} u = { .r = { .h = { .ts_ns = ts, .type = MS_MMAP, .size = size }, .seq = seq } };

	reorder__push(o, &u.r.h);
}

static void push(struct reorder *o, __u64 ts, __u64 seq)
{
	push_sized(o, ts, seq, sizeof(struct rec));
}

static bool sorted(const struct out *o)
{
	for (int i = 1; i < o->n; i++)
		if (o->r[i].h.ts_ns < o->r[i - 1].h.ts_ns)
			return false;
	return true;
}

static struct out a, b;

static void test_sort_and_rounds(void)
{
	struct reorder *o = reorder__new(collect, &a);

	memset(&a, 0, sizeof(a));
	push(o, 10, 0);
	push(o, 30, 1);
	push(o, 20, 2);
	push(o, 20, 3); /* equal times keep their arrival order */
	CHECK_EQ(a.n, 0);
	reorder__round(o, 25);
	CHECK_EQ(a.n, 3);
	CHECK_EQ(a.r[0].seq, 0);
	CHECK_EQ(a.r[1].seq, 2);
	CHECK_EQ(a.r[2].seq, 3);
	CHECK_EQ(a.rounds, 1);
	push(o, 15, 4); /* older than 20, delivered already: late, at once */
	CHECK_EQ(a.n, 4);
	CHECK_EQ(a.r[3].seq, 4);
	CHECK_EQ(reorder__late(o), 1);
	push(o, 20, 5); /* as old as the newest delivered: not late, held */
	push(o, 26, 6);
	CHECK_EQ(a.n, 4);
	reorder__round(o, 5); /* nothing that old is held: no round */
	CHECK_EQ(a.rounds, 1);
	reorder__flush(o);
	CHECK_EQ(a.n, 7);
	CHECK_EQ(a.r[4].seq, 5);
	CHECK_EQ(a.r[5].seq, 6);
	CHECK_EQ(a.r[6].seq, 1);
	CHECK_EQ(a.rounds, 2);
	CHECK_EQ(reorder__late(o), 1);
	reorder__free(o);
}

/* Records 1 ms apart: none waits much longer than two spans of record time. */
static void test_time_bound(void)
{
	struct reorder *o = reorder__new(collect, &a);
	__u64 ms = 1000000, i, n = 3 * REORDER_SPAN_NS / ms;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < n; i++)
		push(o, (i ^ 1) * ms, i); /* pairs swapped */
	CHECK(a.n > 0);
	CHECK(a.n >= (int)(n - 2 * REORDER_SPAN_NS / ms - 2));
	reorder__flush(o);
	CHECK_EQ(a.n, (int)n);
	CHECK(sorted(&a));
	CHECK_EQ(reorder__late(o), 0);
	/* a source that gives rounds bounds the delay itself: a record stamped
	 * now must not push out a backlog whose rest is still on its way */
	reorder__round(o, 0);
	a.n = 0;
	push(o, 10 * REORDER_SPAN_NS, 0);
	push(o, 20 * REORDER_SPAN_NS, 1);
	CHECK_EQ(a.n, 0);
	reorder__round(o, 15 * REORDER_SPAN_NS);
	CHECK_EQ(a.n, 1);
	reorder__free(o);
}

/* Twice what the window holds, within one span: the older half goes, in order. */
static void test_memory_bound(void)
{
	struct reorder *o = reorder__new(collect, &a);
	int i, n = 2 * REORDER_MAX_BYTES / 1024, most = REORDER_MAX_BYTES / 1024;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < n; i++)
		push_sized(o, 1000 + (i ^ 1), i, 1024);
	CHECK(a.n > 0);
	CHECK(a.n + most >= n);
	reorder__flush(o);
	CHECK_EQ(a.n, n);
	CHECK(sorted(&a));
	CHECK_EQ(reorder__late(o), 0);
	reorder__free(o);
}

/* A run's output, MS_ROUNDs included, through a second window: the same order. */
static void test_replay_order(void)
{
	struct reorder *live = reorder__new(collect, &a), *replay = reorder__new(collect, &b);
	unsigned seed = 7;
	__u64 t = 1000000, i;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.keep_rounds = true;
	for (i = 0; i < 100000; i++) {
		t += rand_r(&seed) % 2000;
		/* mostly a little out of order; now and then beyond any round */
		push(live, t - rand_r(&seed) % (rand_r(&seed) % 50 ? 3000 : 3000000), i);
		if (rand_r(&seed) % 100 == 0)
			reorder__round(live, t - 5000);
	}
	reorder__flush(live);
	CHECK(reorder__late(live) > 0);
	for (i = 0; i < (__u64)a.n; i++) {
		if (a.r[i].h.type == MS_ROUND)
			reorder__round(replay, a.r[i].h.ts_ns);
		else
			reorder__push(replay, &a.r[i].h);
	}
	reorder__flush(replay);
	CHECK_EQ(b.n, 100000);
	CHECK_EQ(reorder__late(replay), reorder__late(live));
	for (i = 0, t = 0; i < (__u64)a.n; i++) {
		if (a.r[i].h.type == MS_ROUND)
			continue;
		if (a.r[i].seq != b.r[t].seq) {
			CHECK_EQ(b.r[t].seq, a.r[i].seq);
			break;
		}
		t++;
	}
	reorder__free(live);
	reorder__free(replay);
}

int main(void)
{
	test_sort_and_rounds();
	test_time_bound();
	test_memory_bound();
	test_replay_order();
	CHECK_DONE();
}
