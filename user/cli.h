/* SPDX-License-Identifier: GPL-2.0 */
/* The command line, parsed into one settings struct. */
#ifndef MEMSNOOP_CLI_H
#define MEMSNOOP_CLI_H

#include <stdbool.h>
#include <linux/types.h>
#include "events.h"

#define MAX_PIDS 256

enum maps_format {
	MAPS_TABLE,
	MAPS_PROC, /* /proc/PID/maps lines */
};

struct command;

struct settings {
	const struct command *cmd; /* commands/command.h; never NULL after cli_parse */
	__u32 pids[MAX_PIDS];
	int nr_pids;
	char comm[MS_COMM_LEN];
	bool children;
	bool timestamps;
	bool json;
	bool faults;
	bool verbose;
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
	const char *write_file; /* the recording (-w; record -o) or the export (export -o) */
	const char *output_file; /* -o of the other commands: their text/JSON output */
	const char *read_file;
	const char *ready_file;
	const char *dump_dir;
	char **argv; /* the command after --, NULL-terminated */
	int argc;
	char cmdline[1024]; /* memsnoop's own, for the trace header */
};

/* Parses argv; on a bad flag prints a one-line error and returns -1. */
int cli_parse(int argc, char **argv, struct settings *s);
/* Whether -p/-c select this process for a view (all when neither is given). */
bool settings_select(const struct settings *s, __u32 pid, const char *comm);
/* Strict number parsing, shared with the tests. */
int parse_size(const char *arg, __u64 *out); /* "8M", "4096", "1G" */
int parse_seconds(const char *arg, double *out);
int parse_pids(const char *arg, struct settings *s); /* "1,2,3" */

#endif
