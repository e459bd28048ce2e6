/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the command line asked for, as cli.c parses it. Read by the command
 * layer only (session.c and this folder), which fills each module's own
 * options struct from it: source/ and view/ never see it.
 */
#ifndef MEMSNOOP_SETTINGS_H
#define MEMSNOOP_SETTINGS_H

#include <stdbool.h>
#include <linux/types.h>
#include "events.h"
#include "util/selection.h"
#include "view/maps_view.h"

struct command;

struct settings {
	const struct command *cmd; /* commands/command.h; never NULL after cli_parse */
	struct selection sel; /* -p, -c, --children, --cgroup */
	bool timestamps;
	bool json;
	bool faults;
	bool stacks; /* --stacks: user call stacks of the layout calls */
	bool symbols; /* --symbols: the recording stores the stacks' function names */
	__u64 stack_size; /* --stack-size: bytes copied per call */
	int stack_depth; /* --stack-depth: frames shown */
	bool verbose;
	bool quiet; /* -q: the default command shows no events (a daemon) */
	bool once;
	bool batch; /* top: plain-text frames instead of full screen */
	int iterations; /* top, layout: frames to show, 0: until q or Ctrl-C */
	bool force;
	bool no_compress;
	enum maps_format format;
	double duration; /* seconds; 0: until Ctrl-C */
	double interval; /* fault summaries and refresh, seconds */
	double at; /* replay: stop this many seconds into the trace (0: the end) */
	__u64 at_ns; /* replay: stop at this kernel timestamp (0: the end) */
	__u64 ringbuf_size;
	__u64 ring_bytes; /* record --ring: keep only the newest bytes (flight recorder) */
	bool perfetto; /* export: Chrome trace-event JSON */
	bool folded; /* export: folded stacks (flame graphs) */
	bool by_site; /* top --by site: memory by the call site that made it */
	bool by_cgroup; /* top --by cgroup: processes summed by cgroup */
	int weight; /* export --folded --weight: enum folded_weight */
	const char *write_file; /* the recording (-w; record -o) or the export (export -o) */
	const char *output_file; /* -o of the other commands: their text/JSON output */
	const char *read_file;
	const char *ready_file;
	const char *dump_dir;
	const char *metrics_addr; /* --metrics HOST:PORT: the Prometheus endpoint */
	unsigned metrics_top; /* --metrics-top: processes with series of their own */
	double oom_window; /* --oom-window: seconds of growth an OOM report looks back on */
	const char *oom_dir; /* --oom-dir: a report and a recording per OOM kill */
	unsigned oom_keep; /* --oom-keep: the newest kills --oom-dir keeps */
	char **argv; /* the command after --, NULL-terminated */
	int argc;
	char cmdline[1024]; /* memsnoop's own, for the trace header */
	/* hidden options, for the tests */
	unsigned fault_slots; /* --fault-slots: fault-count slots (0: sized by CPUs) */
	const char *btf_path; /* --btf-path: the kernel BTF preflight looks for */
	bool fault_perf; /* --fault-hook=perf: the perf event even where the tracepoint is */
	unsigned syscall_hook; /* --syscall-hook: enum syscall_hook (source/live.h) */
	unsigned rss_source; /* --rss-source: enum rss_source (source/rss_sample.h) */
};

#endif
