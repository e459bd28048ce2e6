/* SPDX-License-Identifier: GPL-2.0 */
/* The event stream as aligned text lines or JSON lines. */
#ifndef MEMSNOOP_EVENTS_VIEW_H
#define MEMSNOOP_EVENTS_VIEW_H

#include <stdio.h>
#include "cli.h"
#include "model/model.h"

struct event_view;

/* start_ns: what -T counts from. The model gives comms and regions. */
struct event_view *event_view__new(const struct settings *s, const struct model *m, __u64 start_ns,
				   FILE *out);
void event_view__free(struct event_view *v);
/* A replay counts -T from the recording's start. */
void event_view__set_start(struct event_view *v, __u64 start_ns);
int event_view__fn(void *ctx, const struct ms_hdr *rec); /* a stream_fn */

#endif
