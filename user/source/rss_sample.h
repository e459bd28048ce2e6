/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resident memory samples: a process's page tables read now, put in the
 * stream as MS_RESIDENT records. From the PAGEMAP_SCAN ioctl on
 * /proc/PID/pagemap (6.7+: one call lists the runs of present and swapped
 * pages), or /proc/PID/smaps where the kernel lacks it.
 */
#ifndef MEMSNOOP_RSS_SAMPLE_H
#define MEMSNOOP_RSS_SAMPLE_H

#include <stdbool.h>
#include "stream.h"

enum rss_source {
	RSS_AUTO = 0, /* PAGEMAP_SCAN, else smaps */
	RSS_PAGEMAP,
	RSS_SMAPS,
	RSS_OFF, /* no samples (the bench's baseline) */
};

struct rss_sampler;

struct rss_sampler *rss_sampler__new(struct stream *st, enum rss_source src);
void rss_sampler__free(struct rss_sampler *s); /* NULL-safe */
/* Samples pid's page tables and emits the sample. 0, or -errno (gone, not ours). */
int rss_sampler__sample(struct rss_sampler *s, __u32 pid);
/* What the samples come from: "pagemap" or "smaps". */
const char *rss_sampler__source(const struct rss_sampler *s);

#endif
