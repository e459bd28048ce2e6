/* SPDX-License-Identifier: GPL-2.0 */
/* `memsnoop info -r FILE`: what a recording holds. */
#ifndef MEMSNOOP_INFO_VIEW_H
#define MEMSNOOP_INFO_VIEW_H

#include <stdbool.h>
#include <stdio.h>
#include "stream.h"
#include "trace/trace.h"
#include "view/summary.h"

struct info_view;

struct info_view *info_view__new(void);
int info_view__fn(void *ctx, const struct ms_hdr *rec,
		  const struct model_change *chg); /* a stream_after_fn */
/* Prints host facts, time span, processes, events by type, losses and damage. */
void info_view__print(struct info_view *v, const struct trace_meta *meta, __u64 file_size,
		      const struct trace_damage *damage, const struct trace_end *end,
		      const struct summary *sum, bool json, FILE *out);
void info_view__free(struct info_view *v);

#endif
