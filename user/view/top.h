/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memsnoop top: one row per process (sizes by kind, faults/s, growth, a flag
 * for steady growth), drawn by the screen driver (view/screen.h).
 */
#ifndef MEMSNOOP_TOP_H
#define MEMSNOOP_TOP_H

#include <stdbool.h>
#include <stdio.h>
#include "model/model.h"
#include "stream.h"
#include "util/selection.h"
#include "view/screen.h"

#define TOP_STEADY_WINDOWS 3 /* growth in each of the last N windows: steady */

struct top;

struct top_opts {
	const struct selection *sel; /* the processes shown */
	double interval; /* seconds: the window rates and growth are measured over */
	bool json;
};

struct top *top__new(const struct top_opts *o, const struct model *m);
void top__free(struct top *t); /* NULL-safe */
/* A stream_after_fn: fault history, the latest time. */
int top__fn(void *ctx, const struct ms_hdr *rec, const struct model_change *chg);
struct frame_view top__view(struct top *t);

/* A process's row as top shows it (exited ones: what they had at exit). */
struct top_row {
	const struct mproc *p;
	__u64 vsize, rss, heap, anon, file, stack;
	__s64 faults_per_s, growth_per_s;
	bool rss_known, faults_known, growth_known, exited;
};
/* Each row a frame at now (0: the latest record's time) would show, unsorted. */
void top__for_each_row(struct top *t, __u64 now, void (*fn)(const struct top_row *, void *),
		       void *ctx);

#endif
