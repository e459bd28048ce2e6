/* SPDX-License-Identifier: GPL-2.0 */
/* The command line, parsed into one settings struct. */
#ifndef MEMSNOOP_CLI_H
#define MEMSNOOP_CLI_H

#include <stdbool.h>
#include <linux/types.h>
#include "events.h"
#include "util/selection.h"
#include "view/maps.h"

struct command;

struct settings {
	const struct command *cmd; /* commands/command.h; never NULL after cli_parse */
	struct selection sel; /* -p, -c, --children */
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
	/* hidden options, for the tests */
	unsigned fault_slots; /* --fault-slots: fault-count slots (0: sized by CPUs) */
	const char *btf_path; /* --btf-path: the kernel BTF preflight looks for */
};

/* Parses argv; on a bad flag prints a one-line error and returns -1. */
int cli_parse(int argc, char **argv, struct settings *s);
/* Strict number parsing, shared with the tests. */
int parse_size(const char *arg, __u64 *out); /* "8M", "4096", "1G" */
int parse_seconds(const char *arg, double *out);
int parse_pids(const char *arg, struct selection *sel); /* "1,2,3" */

#endif
