/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus metrics (--metrics HOST:PORT): an HTTP endpoint /metrics on a
 * thread of its own (libmicrohttpd), in the text exposition format, or
 * OpenMetrics when the scraper's Accept asks for it. The event loop builds a
 * snapshot of the model on its tick (metrics__publish) and swaps it in under
 * a mutex; the HTTP thread only copies the latest snapshot, so a slow or
 * stuck client never reaches the loop. Names and labels: README, Metrics.
 */
#ifndef MEMSNOOP_METRICS_H
#define MEMSNOOP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"
#include "model/model.h"
#include "stream.h"

struct metrics_opts {
	const char *addr; /* HOST:PORT, [V6]:PORT */
	unsigned top; /* per-process series for at most this many processes */
};

/* One BPF program's cost so far (kernel.bpf_stats_enabled). */
struct metrics_prog {
	const char *name;
	__u64 run_ns;
	__u64 runs;
};

#define METRICS_MAX_PROGS 64

/* What the command layer knows of memsnoop's own work, given at each publish. */
struct metrics_health {
	const __u64 *by_type; /* records by type, MS_TYPE_MAX of them */
	__u64 lost; /* records the kernel dropped */
	__u64 now_ns; /* CLOCK_MONOTONIC */
	struct metrics_prog progs[METRICS_MAX_PROGS];
	unsigned nr_progs;
};

struct metrics;

/* Whether this build can serve metrics (a static build cannot: README, Building). */
bool metrics__available(void);
/* Listens and starts the HTTP thread. NULL after a one-line message in err. */
struct metrics *metrics__new(const struct metrics_opts *o, const struct model *m, char *err,
			     size_t len);
/* A stream_after_fn: the counters (calls, failed allocations, fault signals). */
int metrics__fn(void *ctx, const struct ms_hdr *rec, const struct model_change *chg);
/*
 * The ring buffer's fill as the loop last saw it (used bytes of size) and
 * the most it saw since its previous call (peak): a scrape reports the
 * latest and the peak since the previous scrape, which a spike between two
 * scrapes cannot slip past. Cheap: call it after every poll.
 */
void metrics__ring(struct metrics *mx, __u64 used, __u64 peak, __u64 size);
/* On the loop's tick: a new snapshot of the model for the next scrapes. */
void metrics__publish(struct metrics *mx, const struct metrics_health *h);
/*
 * A scrape's body: the latest snapshot and the ring buffer's fill (restarting
 * its peak), NUL-terminated (malloc'ed; NULL: no memory).
 */
char *metrics__snapshot(struct metrics *mx, bool openmetrics, size_t *len);
/* Stops the HTTP thread and frees everything. NULL-safe. */
void metrics__free(struct metrics *mx);

#endif
