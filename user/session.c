// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "commands/command.h"
#include "export/metrics.h"
#include "util/clock.h"
#include "util/log.h"
#include "session.h"
#include "stream.h"
#include "model/model.h"
#include "analysis/oom.h"
#include "symbols/stacks.h"
#include "source/launch.h"
#include "source/live.h"
#include "source/replay.h"
#include "trace/trace.h"
#include "util/outfile.h"
#include "view/maps_view.h"
#include "view/oom_dir.h"
#include "view/summary.h"
#include "view/top.h"

static volatile sig_atomic_t stop_signal, dump_requested, child_exited, ring_requested;
static volatile sig_atomic_t reopen_requested;
static bool hup_reopens; /* -o FILE, -w FILE: SIGHUP re-opens them (log rotation), else stops */

static void on_signal(int sig)
{
	if (sig == SIGHUP && hup_reopens)
		reopen_requested = 1;
	else if (sig == SIGUSR1)
		dump_requested = 1;
	else if (sig == SIGUSR2)
		ring_requested = 1;
	else if (sig == SIGCHLD)
		child_exited = 1;
	else
		stop_signal = sig;
}

/*
 * SA_RESTART: a write to a full pipe must not fail half-way when the traced
 * child exits (stdio would lose the bytes). poll and epoll_wait are never
 * restarted, so a signal still wakes the loop at once.
 */
static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	int sigs[] = { SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD, SIGHUP };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct session {
	struct settings *s;
	const struct command *cmd;
	struct run run; /* what the command sees */
	struct stream *stream;
	struct model *model;
	struct stacks *stacks; /* unwinds the records' user stacks, before the model */
	struct oom_history *oom; /* what grew lately, for OOM reports */
	struct oom_dir *oom_dir; /* --oom-dir: the black box's files */
	struct trace_meta meta; /* the run's (live) or the recording's: names --oom-dir files */
	int oom_dirfd; /* --oom-dir DIR, checked at start; -1 */
	struct summary summary;
	struct trace_writer *writer;
	struct metrics *metrics; /* --metrics: the Prometheus endpoint */
	struct outfile ready_of; /* --ready-file, renamed into place once attached */
	FILE *out; /* the views' output: stdout or -o FILE, in whole lines */
	int out_fd; /* its file descriptor (-o FILE), for SIGHUP; -1 */
	unsigned long dumps; /* SIGUSR1 dumps begun (DIR/dumps) */
	int dump_dirfd; /* --dump DIR, checked at start; -1 */
	bool write_failed; /* the recording can take no more: stop */
	bool started; /* the source opened: worth a summary */
	bool cmd_started; /* the command's start ran: its stop must */
	__u64 start_ns;
};

static void filters_string(const struct settings *s, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < s->sel.nr_pids && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%u", i ? "," : "pid=", s->sel.pids[i]);
	if (s->sel.comm[0] && off < len)
		off += snprintf(buf + off, len - off, "%scomm=%s", off ? " " : "", s->sel.comm);
	for (i = 0; i < s->sel.nr_cgroups && off < len; i++)
		off += snprintf(buf + off, len - off, "%scgroup=%s", off ? " " : "",
				s->sel.cgroups[i]);
	if ((s->sel.children || s->argc) && off < len)
		off += snprintf(buf + off, len - off, "%schildren", off ? " " : "");
	if (s->argc && off < len)
		snprintf(buf + off, len - off, " command=%s", s->argv[0]);
}

/* This run's facts, for the recordings it writes. */
static void fill_meta(struct session *ss, struct trace_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	trace_meta__fill_host(meta);
	meta->start_ns = ss->start_ns;
	snprintf(meta->version, sizeof(meta->version), "%s", MEMSNOOP_VERSION);
	snprintf(meta->cmdline, sizeof(meta->cmdline), "%s", ss->s->cmdline);
	filters_string(ss->s, meta->filters, sizeof(meta->filters));
}

/* A recording at -w FILE begun at start_ns; published at once unless later. */
static struct trace_writer *new_writer(struct session *ss, __u64 start_ns, bool later, char *err,
				       size_t len)
{
	struct trace_write_opts o = { .compress = !ss->s->no_compress,
				      .force = ss->s->force,
				      .ring_bytes = ss->s->ring_bytes,
				      .publish_later = later };
	struct trace_meta meta;

	fill_meta(ss, &meta);
	meta.start_ns = start_ns;
	return trace_writer__open(ss->s->write_file, &meta, &o, err, len);
}

static int open_writer(struct session *ss)
{
	char err[512];

	ss->writer = new_writer(ss, ss->start_ns, true, err, sizeof(err));
	if (!ss->writer) {
		error("%s", err);
		return -1;
	}
	return 0;
}

/* A full disk or an I/O error: tracing on with nowhere to write would lie. */
static void writer_failed(struct session *ss)
{
	error("recording stopped: %s", trace_writer__error(ss->writer));
	trace_writer__close(ss->writer, NULL, 0);
	ss->writer = NULL;
	ss->write_failed = true;
}

static int write_one(void *ctx, const struct ms_hdr *h)
{
	struct session *ss = ctx;

	if (ss->writer && trace_writer__write(ss->writer, h))
		writer_failed(ss);
	return 0;
}

/* The record, after the files its stack reached first (MS_MODULE, symbols/stacks.h). */
static int writer_fn(void *ctx, const struct ms_hdr *h)
{
	struct session *ss = ctx;

	stacks__drain_modules(ss->stacks, write_one, ss);
	return write_one(ss, h);
}

/* What every command shares: the model, the summary and, with -w, the writer. */
static int build_pipeline(struct session *ss)
{
	struct settings *s = ss->s;

	ss->model = model__new(4096);
	ss->stream = ss->model ? stream__new(ss->model) : NULL;
	if (!ss->stream)
		return -1;
	/* before the model: the layout the call found names its frames' files */
	ss->stacks = stacks__new(ss->model);
	if (!ss->stacks || stream__add_before(ss->stream, stacks__fn, ss->stacks))
		return -1;
	ss->summary.m = ss->model;
	stream__add_after(ss->stream, summary__fn, &ss->summary);
	ss->oom = oom_history__new(ss->model, s->oom_window * 1e9);
	if (!ss->oom || stream__add_after(ss->stream, oom_history__fn, ss->oom))
		return -1;
	if (s->stacks)
		oom_history__set_stacks(ss->oom, ss->stacks);
	if (s->write_file && !ss->cmd->exports) {
		if (open_writer(ss))
			return -1;
		stream__add_writer(ss->stream, writer_fn, ss);
		stacks__record_modules(ss->stacks, true);
		stacks__record_symbols(ss->stacks, s->symbols);
	}
	return 0;
}

/* --oom-dir: a sink of every record, for the window an OOM kill writes out. */
static int open_oom_dir(struct session *ss, const struct replay *replay)
{
	struct oom_dir_opts o = {
		.dirfd = ss->oom_dirfd,
		.dir = ss->s->oom_dir,
		.window_ns = ss->s->oom_window * 1e9,
		.max_bytes = 256ULL << 20,
		.keep = ss->s->oom_keep,
		.meta = &ss->meta,
		.stacks = ss->s->stacks ? ss->stacks : NULL,
		.stack_depth = ss->s->stack_depth,
	};

	if (!ss->s->oom_dir)
		return 0;
	if (replay)
		ss->meta = *replay__meta(replay);
	else
		fill_meta(ss, &ss->meta);
	ss->oom_dir = oom_dir__new(&o, ss->model, ss->oom);
	if (!ss->oom_dir || stream__add_writer(ss->stream, oom_dir__fn, ss->oom_dir))
		return -1;
	return 0;
}

/* The source is open: the command adds its consumers, knowing time zero and the pid. */
static int start_command(struct session *ss, __u64 start_ns, __u32 pid, const struct replay *replay)
{
	struct run *r = &ss->run;

	if (open_oom_dir(ss, replay))
		return -1;
	r->s = ss->s;
	r->stream = ss->stream;
	r->model = ss->model;
	r->stacks = ss->stacks;
	r->oom = ss->oom;
	r->summary = &ss->summary;
	r->out = ss->out;
	r->start_ns = start_ns;
	r->pid = pid ? pid : ss->s->sel.nr_pids ? ss->s->sel.pids[0] : 0;
	r->replay = replay;
	ss->cmd_started = true;
	return ss->cmd->start ? ss->cmd->start(r) : 0;
}

/* The processes the command shows are there; else it said which are not. */
static bool command_present(struct session *ss)
{
	return ss->cmd->present ? ss->cmd->present(&ss->run) : true;
}

static int command_show(struct session *ss, bool present, __u64 at)
{
	return ss->cmd->show ? ss->cmd->show(&ss->run, present, at) : 0;
}

/*
 * Made the safe way, checked before attaching and renamed into place once
 * attached: a script waiting for it must not wait forever.
 */
static int open_ready_file(struct session *ss)
{
	char err[512];

	if (!ss->s->ready_file)
		return 0;
	if (outfile__open(&ss->ready_of, ss->s->ready_file, ss->s->force, err, sizeof(err))) {
		error("--ready-file: %s", err);
		return -1;
	}
	return 0;
}

static int publish_ready_file(struct session *ss)
{
	char err[512];

	if (!ss->s->ready_file)
		return 0;
	if (outfile__publish(&ss->ready_of, false, err, sizeof(err))) {
		error("--ready-file: %s", err);
		return -1;
	}
	return 0;
}

/* Where the views write: stdout or -o FILE, whole lines per write (outfile.h). */
static int open_output(struct session *ss)
{
	struct outfile of;
	char err[512];

	if (!ss->s->output_file) {
		ss->out = lines_fdopen(STDOUT_FILENO, false);
		return ss->out ? 0 : -1;
	}
	if (outfile__open(&of, ss->s->output_file, ss->s->force, err, sizeof(err)) ||
	    outfile__publish(&of, false, err, sizeof(err))) {
		outfile__close(&of);
		error("%s", err);
		return -1;
	}
	ss->out = lines_fdopen(of.fd, true);
	if (ss->out) {
		ss->out_fd = of.fd;
		of.fd = -1;
	}
	outfile__close(&of);
	return ss->out ? 0 : -1;
}

static int open_dump_dir(struct session *ss)
{
	char err[512];

	ss->dump_dirfd = -1;
	ss->oom_dirfd = -1;
	if (ss->s->oom_dir) {
		ss->oom_dirfd = outdir__open(ss->s->oom_dir, err, sizeof(err));
		if (ss->oom_dirfd < 0) {
			error("--oom-dir: %s", err);
			return -1;
		}
	}
	if (!ss->s->dump_dir)
		return 0;
	ss->dump_dirfd = outdir__open(ss->s->dump_dir, err, sizeof(err));
	if (ss->dump_dirfd < 0) {
		error("--dump: %s", err);
		return -1;
	}
	return 0;
}

/*
 * SIGHUP with -o FILE: a new file at its name (log rotation moved the old
 * one), put in place under the same descriptor, so the views keep their FILE.
 */
static void reopen_output(struct session *ss)
{
	struct outfile of;
	char err[512];

	if (!ss->s->output_file)
		return;
	fflush(ss->out);
	if (outfile__open(&of, ss->s->output_file, true, err, sizeof(err)) ||
	    outfile__publish(&of, false, err, sizeof(err)))
		warn("SIGHUP: cannot re-open the output: %s", err);
	else if (dup2(of.fd, ss->out_fd) < 0)
		warn("SIGHUP: cannot re-open the output: %s", strerror(errno));
	outfile__close(&of);
}

/*
 * SIGHUP with -w FILE (log rotation renamed it, then signalled): the moved
 * file ends cleanly with everything up to now, and a new one at the name
 * starts with the header and every traced process's layout read again, so
 * it replays alone. A file still at its name goes on: replacing it would
 * lose it. A flight recorder writes its file anew at each flush anyway.
 */
static void rotate_recording(struct session *ss, struct live *l)
{
	struct trace_writer *next, *moved;
	char err[512];

	if (!ss->writer || ss->s->ring_bytes)
		return;
	if (trace_writer__at_path(ss->writer)) {
		warn("SIGHUP: %s was not moved away: the recording goes on in it",
		     ss->s->write_file);
		return;
	}
	next = new_writer(ss, now_ns(), true, err, sizeof(err));
	if (!next) {
		warn("SIGHUP: the recording goes on in the moved file: %s", err);
		return;
	}
	live__drain(l); /* every record up to now into the moved file */
	moved = ss->writer;
	ss->writer = next;
	if (trace_writer__publish(next))
		writer_failed(ss);
	else
		live__seed(l); /* the layouts now, first in the new file */
	if (trace_writer__close(moved, err, sizeof(err)))
		warn("SIGHUP: the moved recording: %s", err);
}

static void reopen_outputs(struct session *ss, struct live *l)
{
	reopen_requested = 0;
	reopen_output(ss);
	rotate_recording(ss, l);
}

static void handle_dump(struct session *ss)
{
	unsigned long dumps = ss->dumps++;

	dump_requested = 0;
	maps_view__dump_mark(ss->model, ss->dump_dirfd, ss->s->dump_dir, dumps + 1, dumps);
	maps_view__dump(ss->model, ss->dump_dirfd, ss->s->dump_dir, ss->s->json, ss->out);
	maps_view__dump_mark(ss->model, ss->dump_dirfd, ss->s->dump_dir, dumps + 1, dumps + 1);
}

/*
 * Exited processes leave free memory in the middle of the heap, where free()
 * cannot return it: hand it back to the kernel now and then, so a run left
 * going holds what its live processes need, not what a past burst needed.
 */
static void trim_heap(__u64 now, __u64 *next_trim)
{
	if (now < *next_trim)
		return;
	malloc_trim(0);
	*next_trim = now + 1000000000ULL;
}

/* --metrics: listening before the programs load, so a taken port costs nothing. */
static int open_metrics(struct session *ss)
{
	struct metrics_opts o = { .addr = ss->s->metrics_addr, .top = ss->s->metrics_top };
	char err[512];

	if (!ss->s->metrics_addr)
		return 0;
	ss->metrics = metrics__new(&o, ss->model, err, sizeof(err));
	if (!ss->metrics) {
		error("%s", err);
		return -1;
	}
	return stream__add_after(ss->stream, metrics__fn, ss->metrics);
}

static void add_prog(const struct live_prog_stats *st, void *ctx)
{
	struct metrics_health *h = ctx;

	if (h->nr_progs < METRICS_MAX_PROGS)
		h->progs[h->nr_progs++] = (struct metrics_prog){ st->name, st->run_ns, st->runs };
}

/* On each tick: what the next scrapes read. */
static void publish_metrics(struct session *ss, struct live *l, __u64 now)
{
	struct metrics_health h = {
		.by_type = ss->summary.by_type,
		.lost = ss->summary.lost,
		.now_ns = now,
	};

	if (!ss->metrics)
		return;
	live__prog_stats(l, add_prog, &h);
	metrics__publish(ss->metrics, &h);
}

/* After each poll: the ring buffer's fill for the scrapes (cheap: two loads). */
static void note_ring(struct session *ss, struct live *l)
{
	struct live_ring_fill f;

	if (!ss->metrics)
		return;
	live__ring_fill(l, &f);
	metrics__ring(ss->metrics, f.used, f.peak, f.size);
}

static int live_loop(struct session *ss, struct live *l, struct launch *child)
{
	struct settings *s = ss->s;
	__u64 interval = s->interval * 1e9, next_tick = now_ns() + interval;
	__u64 deadline = s->duration ? now_ns() + s->duration * 1e9 : ~0ULL;
	__u64 next_trim = 0;
	int status = 0, wstatus;

	while (!stop_signal) {
		__u64 now = now_ns();
		int timeout = next_tick > now ? (next_tick - now) / 1000000 + 1 : 0;

		if (timeout > 100)
			timeout = 100;
		if (live__poll(l, timeout) < 0 && errno != EINTR)
			break;
		note_ring(ss, l);
		if (ui__poll(ss->run.ui))
			break;
		now = now_ns();
		if (dump_requested) {
			live__sample(l);
			live__drain(l);
			handle_dump(ss);
		}
		if (reopen_requested)
			reopen_outputs(ss, l);
		if (ring_requested) {
			ring_requested = 0;
			live__drain(l);
			if (ss->writer && trace_writer__flush_ring(ss->writer))
				warn("cannot write the flight recorder: %s",
				     trace_writer__error(ss->writer));
		}
		if (now >= next_tick) {
			live__tick(l);
			if (ss->writer && trace_writer__tick(ss->writer, now))
				writer_failed(ss);
			publish_metrics(ss, l, now);
			if (ss->cmd->tick && ss->cmd->tick(&ss->run, now))
				break;
			trim_heap(now, &next_trim);
			next_tick = now + interval;
		}
		if (child->pid > 0 && child_exited &&
		    waitpid(child->pid, &wstatus, WNOHANG) == child->pid) {
			status = launch_exit_status(wstatus);
			child->pid = 0;
			break;
		}
		if (now >= deadline || ss->write_failed || live__selection_gone(l))
			break;
	}
	return status;
}

/* --at beyond the last record: there is no such moment to show. */
static void past_the_end(const struct trace_meta *m, __u64 until, __u64 last)
{
	error("--at is past the recording's end: it ends %.3f s in (kernel time %llu), "
	      "--at asks for %.3f s",
	      last > m->start_ns ? (last - m->start_ns) / 1e9 : 0.0, (unsigned long long)last,
	      until > m->start_ns ? (until - m->start_ns) / 1e9 : 0.0);
}

/* The source, the command to run (prepared: not yet running), then the command's views. */
static int open_live(struct session *ss, struct live **l, struct launch *child)
{
	struct settings *s = ss->s;
	struct live_opts o = {
		.sel = &s->sel,
		.launch = s->argc > 0,
		.faults = s->faults,
		.ringbuf_size = s->ringbuf_size,
		.fault_slots = s->fault_slots,
		.btf_path = s->btf_path,
		.fault_perf = s->fault_perf,
		.syscall_hook = s->syscall_hook,
		.ustack_bytes = s->stacks ? s->stack_size : 0,
		.rss = s->rss_source,
	};
	int err;

	if (open_metrics(ss) || live__open(l, &o, ss->stream))
		return -1;
	if (s->stacks) {
		stacks__on_bottom(ss->stacks, live__stack_bottom, *l);
		live__on_ustack(*l, stacks__probe, ss->stacks);
		stacks__read_perf_maps(ss->stacks, true);
	}
	if (s->argc) {
		err = launch_prepare(child, s->argv);
		if (err) {
			error("cannot start '%s': %s", s->argv[0], strerror(-err));
			return -1;
		}
	}
	return start_command(ss, ss->start_ns, child->pid > 0 ? child->pid : 0, NULL);
}

/* Seeded, the command running, the recording and --ready-file published. */
static int start_live(struct session *ss, struct live *l, struct launch *child)
{
	struct settings *s = ss->s;
	int err;

	live__seed(l);
	if (child->pid > 0)
		live__add_pid(l, child->pid); /* after seeding: its layout comes at exec */
	/* no dump of this run yet */
	maps_view__dump_mark(ss->model, ss->dump_dirfd, s->dump_dir, 0, 0);
	if (s->argc) {
		err = launch_start(child);
		if (err) {
			child->pid = 0;
			error("cannot run '%s': %s", s->argv[0], strerror(-err));
			return -1;
		}
	}
	/* started: the recording appears under its name (a failed start leaves none) */
	if (ss->writer && trace_writer__publish(ss->writer)) {
		error("%s", trace_writer__error(ss->writer));
		return -1;
	}
	note_ring(ss, l);
	publish_metrics(ss, l, now_ns());
	if (publish_ready_file(ss))
		return -1;
	ss->started = true;
	return 0;
}

/* --once: what the command shows, right after seeding. */
static int live_once(struct session *ss, struct live *l)
{
	bool present;

	live__tick(l);
	live__drain(l);
	present = command_present(ss);
	return command_show(ss, present, now_ns()) || !present ? 1 : 0;
}

static int run_live(struct session *ss)
{
	struct launch child = { .pid = 0, .go_fd = -1, .err_fd = -1 };
	struct live *l = NULL;
	int status = 1;

	if (open_live(ss, &l, &child) || start_live(ss, l, &child))
		goto out;
	if (ss->s->once && ss->cmd->once) {
		status = live_once(ss, l);
		goto out;
	}
	status = live_loop(ss, l, &child);
	live__finish(l);
	if (ss->write_failed)
		status = 1;
	if (ss->cmd->finish)
		ss->cmd->finish(&ss->run);
out:
	launch_abort(&child);
	live__close(l);
	return status;
}

/* --at, --at-ns: the kernel time to stop at; ~0 for the end. */
static __u64 replay_until(const struct settings *s, const struct trace_meta *m)
{
	if (s->at_ns)
		return s->at_ns;
	if (s->at)
		return m->start_ns + (__u64)(s->at * 1e9);
	return ~0ULL;
}

static int open_replay(struct session *ss, struct replay **r)
{
	struct replay_opts o = { .path = ss->s->read_file };

	if (ss->cmd->filters)
		o.select = &ss->s->sel;
	if (replay__open(r, &o, ss->stream))
		return -1;
	replay__set_stop(*r, &stop_signal);
	ss->started = true;
	return start_command(ss, replay__meta(*r)->start_ns, 0, *r);
}

static int run_replay(struct session *ss)
{
	struct replay *r = NULL;
	__u64 until;
	int status = 1, n;
	bool present;

	if (open_replay(ss, &r))
		goto out;
	until = replay_until(ss->s, replay__meta(r));
	n = replay__run(r, until);
	status = n < 0 ? 1 : 0;
	if (stop_signal) {
		warn("replay interrupted by %s: what follows stops before the end of the trace",
		     strsignal(stop_signal));
		status = 1;
	} else if (n == 0 && until != ~0ULL && until > replay__last_ns(r)) {
		past_the_end(replay__meta(r), until, replay__last_ns(r));
		status = 1;
		goto out;
	}
	present = command_present(ss);
	if (!present)
		status = 1;
	if (command_show(ss, present, until == ~0ULL ? 0 : until))
		status = 1;
out:
	replay__close(r);
	return status;
}

/* After the run: the terminal back, then what is said on stderr. */
static void report(struct session *ss)
{
	if (stream__late(ss->stream))
		warn("%llu records came after newer ones were delivered (beyond the reorder "
		     "window): delivered out of time order",
		     (unsigned long long)stream__late(ss->stream));
	ui__free(ss->run.ui); /* the terminal back before anything else is printed */
	ss->run.ui = NULL;
	fflush(ss->out);
	if (ss->cmd->summary && ss->started)
		summary__print(&ss->summary, ss->s->json, stderr);
	if (model__over_budget(ss->model))
		warn("%llu forked processes have no layout (marked uncertain): copying their "
		     "parents' would have taken the model past its budget of regions",
		     (unsigned long long)model__over_budget(ss->model));
}

/* Everything closed and freed; a failure to write turns a success into 1. */
static int release(struct session *ss, int status)
{
	char err[512];

	if (ss->writer && trace_writer__close(ss->writer, err, sizeof(err))) {
		error("%s", err);
		status = status ? status : 1;
	}
	ui__free(ss->run.ui);
	metrics__free(ss->metrics);
	if (ss->cmd_started && ss->cmd->stop)
		status = ss->cmd->stop(&ss->run, status);
	if (ss->out && fclose(ss->out) && !status) {
		error("cannot write the output: %s", strerror(errno));
		status = 1;
	}
	if (ss->dump_dirfd >= 0)
		close(ss->dump_dirfd);
	if (ss->oom_dirfd >= 0)
		close(ss->oom_dirfd);
	oom_dir__free(ss->oom_dir);
	oom_history__free(ss->oom);
	outfile__close(&ss->ready_of);
	stacks__free(ss->stacks);
	model__free(ss->model);
	stream__free(ss->stream);
	return status;
}

int session_run(struct settings *s)
{
	struct session ss = { .s = s, .cmd = s->cmd, .start_ns = now_ns() };
	int status = 1;

	hup_reopens = s->output_file || (s->write_file && !s->cmd->exports);
	install_signals();
	ss.ready_of.fd = ss.ready_of.dirfd = -1;
	ss.out_fd = -1;
	ss.dump_dirfd = ss.oom_dirfd = -1;
	if (open_dump_dir(&ss) || open_ready_file(&ss) || open_output(&ss) || build_pipeline(&ss))
		return release(&ss, status);
	status = s->read_file ? run_replay(&ss) : run_live(&ss);
	report(&ss);
	return release(&ss, status);
}
