/* SPDX-License-Identifier: GPL-2.0 */
/* The event stream as aligned text lines or JSON lines. */
#ifndef MEMSNOOP_EVENTS_VIEW_H
#define MEMSNOOP_EVENTS_VIEW_H

#include <stdio.h>
#include "model/model.h"
#include "stream.h"
#include "symbols/stacks.h"
#include "analysis/oom.h"

struct event_view_opts {
	bool json;
	bool timestamps; /* -T: seconds since start_ns */
	__u64 start_ns; /* time zero: the recording's start, or when tracing began */
	const struct stacks *stacks; /* the calls' user stacks; NULL: none shown */
	unsigned stack_depth; /* frames shown per stack */
	const struct oom_history *oom; /* what grew before an OOM kill (analysis/oom.h) */
	bool verbose; /* -v: text lines name the process's cgroup */
};

/* The model gives comms and regions. */
struct event_view *event_view__new(const struct event_view_opts *o, const struct model *m,
				   FILE *out);
void event_view__free(struct event_view *v);
int event_view__fn(void *ctx, const struct ms_hdr *rec,
		   const struct model_change *chg); /* a stream_after_fn */

#endif
