/* SPDX-License-Identifier: GPL-2.0 */
/* The replay source: a trace file into the one event stream. */
#ifndef MEMSNOOP_REPLAY_H
#define MEMSNOOP_REPLAY_H

#include <signal.h>
#include "stream.h"
#include "trace/trace.h"

struct replay;

struct replay_opts {
	const char *path;
	/*
	 * -p/-c/--children applied as the kernel would have (filter.h); NULL:
	 * every record, for a view that selects what it shows itself.
	 */
	const struct selection *select;
};

/* Opens the file; -1 after an error message (which names the offset). */
int replay__open(struct replay **out, const struct replay_opts *o, struct stream *st);
const struct trace_meta *replay__meta(const struct replay *r);
/* Emits every record at or before until_ns (kernel time; ~0 for all). 0, 1 if stopped, -1 on error. */
int replay__run(struct replay *r, __u64 until_ns);
/* The latest record's time read so far (at the end: the recording's last). */
__u64 replay__last_ns(const struct replay *r);
/* replay__run stops, returning 1, once *stop is set, e.g. by SIGINT. */
void replay__set_stop(struct replay *r, const volatile sig_atomic_t *stop);
const struct trace_damage *replay__damage(const struct replay *r);
/* The end record's totals (end->seen: the recording was closed cleanly). */
const struct trace_end *replay__end(const struct replay *r);
__u64 replay__size(const struct replay *r); /* the file's size in bytes */
void replay__close(struct replay *r); /* NULL-safe; reports damage */

#endif
