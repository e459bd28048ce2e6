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

#endif
