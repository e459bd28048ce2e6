/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --oom-dir DIR: the black box. It keeps the stream's last window of records
 * in memory, and a second model that applies each record as it leaves the
 * window (the layouts as they were at the window's start). For each OOM kill
 * it writes DIR/oom-<time>-<pid>.msnp (those layouts as seeds, then the
 * window's records, of every process of the victim's cgroup: it replays to
 * the same report) and DIR/oom-<time>-<pid>.txt (the report for people),
 * each whole under its name (outfile.h), and keeps the newest N kills.
 */
#ifndef MEMSNOOP_OOM_DIR_H
#define MEMSNOOP_OOM_DIR_H

#include "analysis/oom.h"
#include "model/model.h"
#include "symbols/stacks.h"
#include "trace/trace.h"

struct oom_dir_opts {
	int dirfd; /* the directory, checked (outdir__open) */
	const char *dir; /* its name, for messages */
	__u64 window_ns;
	__u64 max_bytes; /* the window's records held at most */
	unsigned keep; /* kills kept */
	const struct trace_meta *meta; /* the recording's or run's: names files by wall time */
	const struct stacks *stacks; /* --stacks: call sites in the report */
	unsigned stack_depth;
};

struct oom_dir;

struct oom_dir *oom_dir__new(const struct oom_dir_opts *o, const struct model *m,
			     const struct oom_history *h);
void oom_dir__free(struct oom_dir *d); /* NULL-safe */
/* A sink (stream__add_writer): every record, rounds included. */
int oom_dir__fn(void *ctx, const struct ms_hdr *rec);
/* Kills written, and failures (said on stderr). */
unsigned oom_dir__written(const struct oom_dir *d);

#endif
