// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "commands/command.h"
#include "symbols/stacks.h"
#include "export/folded.h"
#include "source/rss_sample.h"
#include "source/live.h"

const char *argp_program_version = "memsnoop " MEMSNOOP_VERSION;
const char *argp_program_bug_address = "https://github.com/memsnoop/memsnoop/issues";
error_t argp_err_exit_status = 1; /* bad flags exit 1, like every other error */

/* --help's text before the options; the commands come from their table. */
static const char doc[] = "memsnoop: watch how processes use memory, live, with eBPF.\n"
			  "\n"
			  "USAGE: memsnoop [COMMAND] [OPTIONS] [-- PROG [ARGS...]]\n"
			  "\n"
			  "COMMANDS:\n";
static const char doc_examples[] =
	"\n"
	"EXAMPLES:\n"
	"  memsnoop                        # every process on the machine\n"
	"  memsnoop -p 1234 -p 5678        # only these processes (also -p 1234,5678)\n"
	"  memsnoop -c nginx               # only processes whose command is nginx\n"
	"  memsnoop -p 1234 --children     # and the processes they fork from now on\n"
	"  memsnoop -T -j                  # timestamps; JSON lines\n"
	"  memsnoop --faults -p 1234       # every page fault, with address and ip\n"
	"  memsnoop -- ./myprog args       # run a command, trace it and its children\n"
	"  memsnoop -d 10                  # stop after 10 seconds\n"
	"  memsnoop -w trace.msnp          # also record to a file\n"
	"  memsnoop -j -o ev.json -- ./prog  # events to a file; prog keeps stdout\n"
	"  memsnoop -r trace.msnp          # replay a recording (no root needed)\n"
	"  memsnoop maps -p 1234 --once    # the layout now, like pmap -x with meaning\n"
	"  memsnoop maps -p 1234 --once --format=maps   # /proc/PID/maps format\n"
	"  memsnoop maps -r trace.msnp -p 1234 --at 12.5  # the layout 12.5 s in\n"
	"  memsnoop info -r trace.msnp     # host, span, processes, events, damage\n"
	"  memsnoop export --perfetto -r trace.msnp -o t.json  # for ui.perfetto.dev\n"
	"  memsnoop report -r trace.msnp -o report.html        # one page for a browser\n"
	"  memsnoop record --ring 256M -o last.msnp  # flight recorder: the newest 256M\n"
	"  memsnoop top                    # full screen; q quits, a letter sorts\n"
	"  memsnoop top -b -n 3 -i 1       # 3 plain-text frames, one per second\n"
	"  memsnoop layout -p 1234         # the process drawn high to low, refreshing\n"
	"  memsnoop layout -p 1234 --once  # the same, once, as plain text\n"
	"  memsnoop -q --metrics 127.0.0.1:9710  # a daemon Prometheus scrapes\n"
	"\n"
	"Send SIGUSR1 to a running memsnoop to print every traced process's layout\n"
	"in /proc/PID/maps format (or to DIR/<pid>.maps with --dump DIR).\n"
	"\n"
	"OPTIONS:";

enum {
	OPT_CHILDREN = 256,
	OPT_FAULTS,
	OPT_RINGBUF,
	OPT_READY,
	OPT_DUMP,
	OPT_FORMAT,
	OPT_ONCE,
	OPT_FORCE,
	OPT_NO_COMPRESS,
	OPT_AT,
	OPT_AT_NS,
	OPT_RING,
	OPT_PERFETTO,
	OPT_FAULT_SLOTS,
	OPT_BTF_PATH,
	OPT_FAULT_HOOK,
	OPT_SYSCALL_HOOK,
	OPT_STACKS,
	OPT_SYMBOLS,
	OPT_STACK_SIZE,
	OPT_STACK_DEPTH,
	OPT_FOLDED,
	OPT_WEIGHT,
	OPT_BY,
	OPT_RSS_SOURCE,
	OPT_METRICS,
	OPT_METRICS_TOP,
	OPT_OOM_WINDOW,
	OPT_OOM_DIR,
	OPT_OOM_KEEP,
	OPT_CGROUP,
};

#ifdef MEMSNOOP_NO_METRICS /* static: no libmicrohttpd (Makefile) */
#define METRICS_HELP "Prometheus metrics: not in a static build"
#else
#define METRICS_HELP "Serve Prometheus metrics at /metrics (live)"
#endif

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Trace these processes (repeat, or PID,PID,...)", 0 },
	{ "comm", 'c', "COMM", 0, "Trace processes whose command name is COMM", 0 },
	{ "children", OPT_CHILDREN, NULL, 0, "Also trace processes they fork from now on", 0 },
	{ "cgroup", OPT_CGROUP, "DIR", 0, "Trace processes in cgroup DIR or below (repeat)", 0 },
	{ "timestamp", 'T', NULL, 0, "Print seconds since tracing started", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per line", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "interval", 'i', "SECONDS", 0, "Fault summaries every SECONDS (default 1)", 0 },
	{ "faults", OPT_FAULTS, NULL, 0, "Every page fault, not counts per process", 0 },
	{ "stacks", OPT_STACKS, NULL, 0, "User call stacks of the layout calls", 0 },
	{ "stack-size", OPT_STACK_SIZE, "BYTES", 0,
	  "--stacks: user stack bytes copied per call (8K)", 0 },
	{ "symbols", OPT_SYMBOLS, NULL, 0, "--stacks, names stored in the recording", 0 },
	{ "stack-depth", OPT_STACK_DEPTH, "N", 0, "Frames shown per stack (default 8)", 0 },
	{ "ringbuf-size", OPT_RINGBUF, "BYTES", 0, "Ring buffer size, a power of two (default 8M)",
	  0 },
	{ "write", 'w', "FILE", 0, "Record the events to FILE as well", 0 },
	{ "output", 'o', "FILE", 0, "Write to FILE, not stdout (record: the recording)", 0 },
	{ "read", 'r', "FILE", 0, "Replay a recording instead of tracing", 0 },
	{ "force", OPT_FORCE, NULL, 0, "Overwrite an existing output file", 0 },
	{ "no-compress", OPT_NO_COMPRESS, NULL, 0, "Do not compress the recording", 0 },
	{ "dump", OPT_DUMP, "DIR", 0, "On SIGUSR1 write layouts to DIR/<pid>.maps", 0 },
	{ "format", OPT_FORMAT, "FMT", 0, "maps: 'table' (default) or 'maps' (/proc format)", 0 },
	{ "once", OPT_ONCE, NULL, 0, "maps, layout: print once and exit", 0 },
	{ "batch", 'b', NULL, 0, "top: plain-text frames, not full screen", 0 },
	{ "iterations", 'n', "N", 0, "top, layout: stop after N frames", 0 },
	{ "at", OPT_AT, "SECONDS", 0, "Replay up to SECONDS into the trace", 0 },
	{ "at-ns", OPT_AT_NS, "NS", 0, "Replay up to this kernel timestamp", 0 },
	{ "ring", OPT_RING, "BYTES", 0, "record: the newest BYTES; saved at exit, SIGUSR2", 0 },
	{ "perfetto", OPT_PERFETTO, NULL, 0, "export: Chrome trace-event JSON (Perfetto UI)", 0 },
	{ "by", OPT_BY, "WHAT", 0, "top: rows by 'process', call 'site' or 'cgroup'", 0 },
	{ "folded", OPT_FOLDED, NULL, 0, "export: folded stacks of --stacks (flame graphs)", 0 },
	{ "weight", OPT_WEIGHT, "W", 0, "--folded by: reserved (default), touched, calls", 0 },
	{ "oom-window", OPT_OOM_WINDOW, "SECONDS", 0, "What an OOM kill looks back on (30)", 0 },
	{ "oom-dir", OPT_OOM_DIR, "DIR", 0, "Each OOM kill to DIR (a .msnp and a .txt)", 0 },
	{ "oom-keep", OPT_OOM_KEEP, "N", 0, "--oom-dir: the newest N kills (default 16)", 0 },
	{ "ready-file", OPT_READY, "PATH", 0, "Create PATH once attached (for scripts)", 0 },
	{ "metrics", OPT_METRICS, "HOST:PORT", 0, METRICS_HELP, 0 },
	{ "metrics-top", OPT_METRICS_TOP, "N", 0, "Per-process series for the top N (default 20)",
	  0 },
	{ "quiet", 'q', NULL, 0, "No event output (a daemon: with --metrics or -w)", 0 },
	{ "verbose", 'v', NULL, 0, "Say what was detected; libbpf's messages", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", 0 },
	/* for the tests (README.md, Tests): hidden from --help */
	{ "fault-slots", OPT_FAULT_SLOTS, "N", OPTION_HIDDEN, "N fault-count slots", 0 },
	{ "btf-path", OPT_BTF_PATH, "PATH", OPTION_HIDDEN, "The kernel BTF to look for", 0 },
	{ "fault-hook", OPT_FAULT_HOOK, "HOOK", OPTION_HIDDEN, "Page faults from: tp or perf", 0 },
	{ "syscall-hook", OPT_SYSCALL_HOOK, "HOOK", OPTION_HIDDEN,
	  "Memory calls from: auto, fentry or tp", 0 },
	{ "rss-source", OPT_RSS_SOURCE, "SRC", OPTION_HIDDEN,
	  "Resident samples from: auto, pagemap, smaps or off", 0 },
	{},
};

int parse_size(const char *arg, __u64 *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	if (!arg[0] || arg[0] == '-')
		return -EINVAL;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	}
	if (*end == 'i' && shift)
		end++;
	if ((*end == 'b' || *end == 'B') && shift)
		end++;
	if (*end || v > (~0ULL >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int parse_seconds(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v <= 0 || v > 1e9)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_pids(const char *arg, struct selection *s)
{
	char *buf = strdup(arg), *tok, *save = NULL, *end;
	int err = buf ? 0 : -ENOMEM;
	long v;

	for (tok = strtok_r(buf, ",", &save); !err && tok; tok = strtok_r(NULL, ",", &save)) {
		errno = 0;
		v = strtol(tok, &end, 10);
		if (errno || end == tok || *end || v <= 0 || v > 0x3fffffff)
			err = -EINVAL;
		else if (s->nr_pids == MAX_PIDS)
			err = -E2BIG;
		else
			s->pids[s->nr_pids++] = v;
	}
	free(buf);
	return err ? err : s->nr_pids ? 0 : -EINVAL;
}

/* One line, exit status 1: a bad value is not worth a usage screen. */
static void bad_value(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void bad_value(const char *fmt, ...)
{
	va_list ap;

	fputs("memsnoop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int set_pids(struct settings *s, const char *arg)
{
	int err = parse_pids(arg, &s->sel);

	if (err == -E2BIG)
		bad_value("too many processes for -p: at most %d", MAX_PIDS);
	return err;
}

static int set_comm(struct settings *s, const char *arg)
{
	if (!arg[0] || strlen(arg) >= MS_COMM_LEN)
		bad_value("command name must be 1 to %d characters: '%s'", MS_COMM_LEN - 1, arg);
	strcpy(s->sel.comm, arg);
	return 0;
}

static int set_cgroup(struct settings *s, const char *arg)
{
	if (s->sel.nr_cgroups == MAX_CGROUPS)
		bad_value("too many cgroups for --cgroup: at most %d", MAX_CGROUPS);
	if (!arg[0])
		return -1;
	s->sel.cgroups[s->sel.nr_cgroups++] = arg;
	return 0;
}

static int set_duration(struct settings *s, const char *arg)
{
	return parse_seconds(arg, &s->duration);
}

static int set_interval(struct settings *s, const char *arg)
{
	return parse_seconds(arg, &s->interval) || s->interval < 0.01 ? -1 : 0;
}

static int set_ringbuf(struct settings *s, const char *arg)
{
	__u64 v;

	if (parse_size(arg, &v) || v < 4096 || (v & (v - 1)) || v > (1ULL << 30))
		return -1;
	s->ringbuf_size = v;
	return 0;
}

static int set_format(struct settings *s, const char *arg)
{
	if (!strcmp(arg, "maps"))
		s->format = MAPS_PROC;
	else if (!strcmp(arg, "table"))
		s->format = MAPS_TABLE;
	else
		return -1;
	return 0;
}

static int parse_count(const char *arg, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(arg, &end, 10);
	return errno || end == arg || *end || *out < 1 || *out > max ? -1 : 0;
}

static int set_iterations(struct settings *s, const char *arg)
{
	long v;

	if (parse_count(arg, 1000000000, &v))
		return -1;
	s->iterations = v;
	return 0;
}

static int set_at(struct settings *s, const char *arg)
{
	return parse_seconds(arg, &s->at);
}

static int set_at_ns(struct settings *s, const char *arg)
{
	return parse_size(arg, &s->at_ns) || !s->at_ns ? -1 : 0;
}

static int set_ring(struct settings *s, const char *arg)
{
	return parse_size(arg, &s->ring_bytes) || s->ring_bytes < (1 << 20) ? -1 : 0;
}

static int set_fault_slots(struct settings *s, const char *arg)
{
	long v;

	if (parse_count(arg, 1 << 20, &v) || (v & (v - 1)))
		return -1;
	s->fault_slots = v;
	return 0;
}

static int set_fault_hook(struct settings *s, const char *arg)
{
	if (strcmp(arg, "tp") && strcmp(arg, "perf"))
		return -1;
	s->fault_perf = !strcmp(arg, "perf");
	return 0;
}

static int set_syscall_hook(struct settings *s, const char *arg)
{
	static const char *const names[] = {
		[SYSCALL_HOOK_AUTO] = "auto", [SYSCALL_HOOK_FENTRY] = "fentry", [SYSCALL_HOOK_TP] = "tp"
	};
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(arg, names[i])) {
			s->syscall_hook = i;
			return 0;
		}
	}
	return -1;
}

static int set_stack_size(struct settings *s, const char *arg)
{
	if (parse_size(arg, &s->stack_size) || s->stack_size < 64 || s->stack_size > 8192)
		return -1;
	return 0;
}

static int set_weight(struct settings *s, const char *arg)
{
	static const char *const names[] = {
		[FOLDED_RESERVED] = "reserved", [FOLDED_TOUCHED] = "touched", [FOLDED_CALLS] = "calls"
	};
	int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(arg, names[i])) {
			s->weight = i;
			return 0;
		}
	}
	return -1;
}

static int set_by(struct settings *s, const char *arg)
{
	if (strcmp(arg, "process") && strcmp(arg, "site") && strcmp(arg, "cgroup"))
		return -1;
	s->by_site = !strcmp(arg, "site");
	s->by_cgroup = !strcmp(arg, "cgroup");
	return 0;
}

static int set_stack_depth(struct settings *s, const char *arg)
{
	long v;

	if (parse_count(arg, STACK_MAX_FRAMES, &v))
		return -1;
	s->stack_depth = v;
	return 0;
}

static int set_rss_source(struct settings *s, const char *arg)
{
	static const char *const names[] = {
		[RSS_AUTO] = "auto",
		[RSS_PAGEMAP] = "pagemap",
		[RSS_SMAPS] = "smaps",
		[RSS_OFF] = "off",
	};
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(arg, names[i])) {
			s->rss_source = i;
			return 0;
		}
	return -1;
}

static int set_metrics_top(struct settings *s, const char *arg)
{
	long v;

	if (parse_count(arg, 10000, &v))
		return -1;
	s->metrics_top = v;
	return 0;
}

/* Seconds, "30" or "30s". */
static int set_oom_window(struct settings *s, const char *arg)
{
	char buf[32];
	size_t n = strlen(arg);

	if (n && n < sizeof(buf) && arg[n - 1] == 's') {
		memcpy(buf, arg, n - 1);
		buf[n - 1] = 0;
		arg = buf;
	}
	return parse_seconds(arg, &s->oom_window) || s->oom_window > 3600 ? -1 : 0;
}

static int set_oom_keep(struct settings *s, const char *arg)
{
	long v;

	if (parse_count(arg, 100000, &v))
		return -1;
	s->oom_keep = v;
	return 0;
}

/* How each option is stored: a flag, a string, or a value parsed and checked. */
struct opt_rule {
	int key;
	enum { OPT_SET, OPT_STRING, OPT_VALUE } kind;
	size_t off; /* OPT_SET: a bool in settings; OPT_STRING: a const char * */
	int (*set)(struct settings *s, const char *arg); /* OPT_VALUE: 0, or bad */
	const char *bad; /* OPT_VALUE: the message for a bad value, %s the value */
};

#define SET(k, field)                                                    \
	{                                                                \
		k, OPT_SET, offsetof(struct settings, field), NULL, NULL \
	}
#define STRING(k, field)                                                    \
	{                                                                   \
		k, OPT_STRING, offsetof(struct settings, field), NULL, NULL \
	}
#define VALUE(k, fn, msg)                \
	{                                \
		k, OPT_VALUE, 0, fn, msg \
	}

static const struct opt_rule rules[] = {
	VALUE('p', set_pids, "invalid PID list '%s'"),
	VALUE('c', set_comm, NULL),
	SET(OPT_CHILDREN, sel.children),
	VALUE(OPT_CGROUP, set_cgroup, "invalid cgroup directory '%s'"),
	SET('T', timestamps),
	SET('j', json),
	VALUE('d', set_duration, "invalid duration '%s': seconds > 0"),
	VALUE('i', set_interval, "invalid interval '%s': seconds >= 0.01"),
	SET(OPT_FAULTS, faults),
	VALUE(OPT_RINGBUF, set_ringbuf, "invalid ring buffer size '%s': a power of two, 4K to 1G"),
	STRING('w', write_file),
	STRING('o', output_file),
	STRING('r', read_file),
	SET(OPT_FORCE, force),
	SET(OPT_NO_COMPRESS, no_compress),
	STRING(OPT_DUMP, dump_dir),
	VALUE(OPT_FORMAT, set_format, "unknown format '%s': 'table' or 'maps'"),
	SET(OPT_ONCE, once),
	SET('b', batch),
	VALUE('n', set_iterations, "invalid frame count '%s': a number >= 1"),
	VALUE(OPT_AT, set_at, "invalid time '%s': seconds into the trace"),
	VALUE(OPT_RING, set_ring, "invalid ring size '%s': at least 1M"),
	SET(OPT_PERFETTO, perfetto),
	VALUE(OPT_AT_NS, set_at_ns, "invalid timestamp '%s': nanoseconds"),
	STRING(OPT_READY, ready_file),
	SET('q', quiet),
	SET('v', verbose),
	VALUE(OPT_FAULT_SLOTS, set_fault_slots, "invalid slot count '%s': a power of two"),
	STRING(OPT_BTF_PATH, btf_path),
	VALUE(OPT_FAULT_HOOK, set_fault_hook, "unknown fault hook '%s': 'tp' or 'perf'"),
	VALUE(OPT_SYSCALL_HOOK, set_syscall_hook,
	      "unknown syscall hook '%s': 'auto', 'fentry' or 'tp'"),
	SET(OPT_STACKS, stacks),
	SET(OPT_SYMBOLS, symbols),
	SET(OPT_FOLDED, folded),
	VALUE(OPT_BY, set_by, "unknown grouping '%s': 'process', 'site' or 'cgroup'"),
	VALUE(OPT_WEIGHT, set_weight, "unknown weight '%s': reserved, touched or calls"),
	VALUE(OPT_STACK_SIZE, set_stack_size, "invalid stack size '%s': 64 to 8K bytes"),
	VALUE(OPT_STACK_DEPTH, set_stack_depth, "invalid stack depth '%s': 1 to 64 frames"),
	VALUE(OPT_RSS_SOURCE, set_rss_source,
	      "unknown resident source '%s': 'auto', 'pagemap', 'smaps' or 'off'"),
	STRING(OPT_METRICS, metrics_addr),
	VALUE(OPT_METRICS_TOP, set_metrics_top, "invalid process count '%s': 1 to 10000"),
	VALUE(OPT_OOM_WINDOW, set_oom_window, "invalid window '%s': seconds, up to 3600"),
	STRING(OPT_OOM_DIR, oom_dir),
	VALUE(OPT_OOM_KEEP, set_oom_keep, "invalid count '%s': 1 to 100000"),
};

static void apply(const struct opt_rule *r, struct settings *s, char *arg)
{
	switch (r->kind) {
	case OPT_SET:
		*(bool *)((char *)s + r->off) = true;
		break;
	case OPT_STRING:
		*(const char **)((char *)s + r->off) = arg;
		break;
	case OPT_VALUE:
		if (r->set(s, arg))
			bad_value(r->bad, arg);
		break;
	}
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].key == key) {
			apply(&rules[i], state->input, arg);
			return 0;
		}
	}
	if (key == 'h')
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
	else if (key == ARGP_KEY_ARG)
		argp_error(state, "unexpected argument '%s' (a command to run goes after --)", arg);
	else
		return ARGP_ERR_UNKNOWN;
	return 0;
}

static void save_cmdline(int argc, char **argv, struct settings *s)
{
	size_t off = 0;
	int i;

	for (i = 0; i < argc && off + 1 < sizeof(s->cmdline); i++)
		off += snprintf(s->cmdline + off, sizeof(s->cmdline) - off, "%s%s", i ? " " : "",
				argv[i]);
}

/* -o names what the command makes: a recording, an export, or else its output. */
static int output_file(struct settings *s)
{
	if (!s->cmd->makes)
		return 0;
	if (s->output_file && s->write_file) {
		fprintf(stderr, "memsnoop: -o and -w both name the %s: give one\n", s->cmd->makes);
		return -1;
	}
	if (s->output_file)
		s->write_file = s->output_file;
	s->output_file = NULL;
	return 0;
}

/* What every command shares, then the command's own checks. */
static int check(struct settings *s)
{
	if (output_file(s))
		return -1;
	if (s->read_file && s->argc) {
		fprintf(stderr, "memsnoop: -r replays a file: it cannot run a command\n");
		return -1;
	}
	if (s->read_file && s->write_file && !s->cmd->exports) {
		fprintf(stderr, "memsnoop: -r and -w together: copy the file instead\n");
		return -1;
	}
	if ((s->at || s->at_ns) && !s->read_file) {
		fprintf(stderr, "memsnoop: --at and --at-ns need a recording (-r FILE)\n");
		return -1;
	}
	if (s->cmd->needs_recording && !s->read_file) {
		fprintf(stderr, "memsnoop: %s reads a recording: -r FILE\n", s->cmd->name);
		return -1;
	}
	if (s->symbols && (!s->write_file || s->read_file || s->cmd->exports)) {
		fprintf(stderr,
			"memsnoop: --symbols stores symbols in a recording (-w or record -o)\n");
		return -1;
	}
	s->stacks |= s->symbols;
	if (s->ring_bytes && !s->write_file) {
		fprintf(stderr, "memsnoop: --ring needs a file to write (-w or -o FILE)\n");
		return -1;
	}
	if (s->sel.nr_cgroups && s->read_file) {
		fprintf(stderr,
			"memsnoop: --cgroup filters a live run in the kernel: not with -r\n");
		return -1;
	}
	if (s->metrics_addr && s->read_file) {
		fprintf(stderr, "memsnoop: --metrics serves a live run: not with -r\n");
		return -1;
	}
	if (s->cmd->check && s->cmd->check(s))
		return -1;
	if (s->argc && s->sel.nr_pids) {
		fprintf(stderr, "memsnoop: -p and a command to run are exclusive\n");
		return -1;
	}
	return 0;
}

/* --help: the commands from their table, between the usage and the examples. */
static char *help_filter(int key, const char *text, void *input)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (key != ARGP_KEY_HELP_PRE_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs(text, f);
	command__help(f);
	fputs(doc_examples, f);
	fclose(f);
	return buf;
}

/* argv[1] names a command: it is taken out of what argp sees. Returns how many it took. */
static int select_command(int argc, char **argv, struct settings *s)
{
	const struct command *cmd = argc > 1 ? command__find(argv[1]) : NULL;

	s->cmd = cmd ?: command__find(NULL);
	if (!cmd)
		return 0;
	argv[1] = argv[0];
	return 1;
}

int cli_parse(int argc, char **argv, struct settings *s)
{
	static const struct argp argp = { options, parse_opt, NULL, doc, NULL, help_filter, NULL };
	int nopts, taken;

	s->interval = 1.0;
	s->stack_size = 8192;
	s->stack_depth = 8;
	s->ringbuf_size = 8 << 20;
	s->metrics_top = 20;
	s->oom_window = 30;
	s->oom_keep = 16;
	save_cmdline(argc, argv, s);
	/* a command to run starts after "--": argp never sees it */
	for (nopts = 1; nopts < argc && strcmp(argv[nopts], "--"); nopts++)
		;
	if (nopts < argc) {
		s->argv = &argv[nopts + 1];
		s->argc = argc - nopts - 1;
		if (!s->argc) {
			fprintf(stderr, "memsnoop: nothing to run after --\n");
			return -1;
		}
	}
	taken = select_command(nopts, argv, s);
	if (argp_parse(&argp, nopts - taken, argv + taken, 0, NULL, s))
		return -1;
	return check(s);
}
