/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memsnoop layout: one process drawn from high memory to low, like the
 * diagrams in textbooks, from the model: kernel space, the main stack, thread
 * stacks with their guard pages and owners, the mmap area (libraries with
 * their segments, anonymous blocks, arenas), the free gap, the heap, the
 * executable's segments. Each block: range, reserved, touched, and its growth
 * over the window (from snapshots this view takes as the stream goes by).
 */
#ifndef MEMSNOOP_LAYOUT_VIEW_H
#define MEMSNOOP_LAYOUT_VIEW_H

#include "model/model.h"
#include "symbols/stacks.h"
#include "view/screen.h"

struct layout_view_opts {
	__u32 pid; /* the process to draw */
	double interval; /* seconds: the window growth is measured over */
	bool replay; /* from a recording: a process missing is missing at that moment */
	bool json;
	/* each region's line names the call site that made it, when it has a stack */
	const struct stacks *stacks;
};

struct layout_view;

struct layout_view *layout_view__new(const struct layout_view_opts *o, const struct model *m);
void layout_view__free(struct layout_view *v); /* NULL-safe */
/* 0 if the process is known to the model; else says so on stderr, -1. */
int layout_view__check(const struct layout_view *v);
/* A stream_fn before the model (stream.h): snapshots at window boundaries. */
int layout_view__pre_fn(void *ctx, const struct ms_hdr *rec);
struct frame_view layout_view__view(struct layout_view *v);

#endif
