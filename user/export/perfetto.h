/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Chrome trace-event JSON, which Perfetto UI and chrome://tracing open: a
 * process track per traced process, counter tracks for its memory over time,
 * instant events for layout changes, fault counts per interval.
 */
#ifndef MEMSNOOP_PERFETTO_H
#define MEMSNOOP_PERFETTO_H

#include <stdio.h>
#include "model/model.h"
#include "stream.h"

struct perfetto;

/* start_ns: the trace's start, time zero of the export. */
struct perfetto *perfetto__new(const struct model *m, __u64 start_ns, FILE *out);
int perfetto__fn(void *ctx, const struct ms_hdr *rec,
		 const struct model_change *chg); /* a stream_after_fn */
/* Closes the JSON document; returns 0, or -1 if writing failed. NULL-safe. */
int perfetto__finish(struct perfetto *p);

#endif
