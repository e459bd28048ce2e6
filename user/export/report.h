/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memsnoop report: one self-contained HTML page of a recording. As the
 * stream goes by it keeps, per process, its memory by class over time
 * (downsampled to a bounded number of points), a few layouts to redraw, its
 * exec, crash and ENOMEM moments with their explanations, and its exit
 * summary; the machine's totals over time; with call stacks, the bytes each
 * stack reserved (as export --folded) and each call site's memory over time
 * (as top --by site). At the end it writes the page:
 * SVG charts drawn here, the layout pictures, a little JavaScript of its own.
 */
#ifndef MEMSNOOP_REPORT_H
#define MEMSNOOP_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "model/model.h"
#include "stream.h"
#include "symbols/stacks.h"

struct report_opts {
	__u64 start_ns; /* time zero: the recording's start */
	bool every_process; /* -p chose them: show each, not the top few */
	const char *title; /* the recording's file name */
	const struct stacks *stacks; /* the records' call stacks (record --stacks) */
	const struct oom_history *oom; /* what grew before each OOM kill (analysis/oom.h) */
};

struct report;

struct report *report__new(const struct model *m, const struct report_opts *o);
void report__free(struct report *r); /* NULL-safe */
/* A stream_fn before the model: a layout's last picture before its teardown. */
int report__pre_fn(void *ctx, const struct ms_hdr *rec);
int report__fn(void *ctx, const struct ms_hdr *rec,
	       const struct model_change *chg); /* a stream_after_fn */
/*
 * The page, to out. recording: the recording's facts as `memsnoop info`
 * prints them. 0, or -1 if writing failed.
 */
int report__write(struct report *r, const char *recording, FILE *out);

#endif
